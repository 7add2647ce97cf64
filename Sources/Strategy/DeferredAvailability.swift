/// Availability counts for many peer sets whose `have` updates may wait: recorded at once, applied later,
/// and always applied before anything reads or lowers the counts.
///
/// Why: in a swarm of thousands of peers a completed piece updates the counts of 50 to 80 peer sets, one
/// cache line each, scattered over megabytes. Updated at once, each update waits for its line. Recorded
/// with a hint to load the lines (`increment(_:inEach:prefetch:)`) and applied at the caller's next step
/// (`applyPending`), they have arrived by then, and the wait overlaps with other work. A read in between
/// (rarest first choosing a piece through `peerSet(_:)`, `count(of:in:)`, a peer leaving with `remove`)
/// applies them first, so no answer ever differs from that of counts updated at once.
///
/// **Only the pieces a set's owner lacks are counted.** A peer set's counts are read by its owner's
/// picker, which never chooses a piece its owner has: a `have` need not reach partners holding the piece
/// (the caller leaves them out of `increment`), and a peer joining or leaving changes only the counts of
/// the pieces the owner lacks (`add` and `remove` take the owner's pieces). A count stays as it was when
/// the owner got the piece, and is never read again; every other count is exact. A peer gains pieces and
/// never loses one (in the simulator), so a piece the owner lacks now it lacked at every update before.
/// In the 10,000-peer benchmark 48 % of the updates went to partners holding the piece (142 M of 296 M).
///
/// A class, so that the picker's view of one peer set (`PeerSet`) reaches the pending updates.
public final class DeferredAvailability {
    /// The counts, without the pending updates (see `applyPending`).
    public private(set) var counts: PieceAvailability
    /// Pieces whose updates wait, each with the end of its peer sets in `pendingSets`.
    private var pendingPieces: [(piece: Int32, end: Int32)] = []
    private var pendingSets: [Int32] = []

    public init(_ counts: PieceAvailability) {
        self.counts = counts
    }

    /// Whether some updates are waiting.
    @inline(__always)
    public var hasPending: Bool { !pendingPieces.isEmpty }

    /// One more peer has `piece` in each of `sets` (a `have`; sets whose owner has the piece may be left
    /// out): recorded, to be applied by `applyPending`.
    /// - Parameter prefetch: called at once with the address of every set's count (see
    ///   `PieceAvailability.countAddresses`), for a caller that asks the processor to load them.
    public func increment<Sets: Collection<Int32>>(_ piece: Int, inEach sets: Sets,
                                                  prefetch: (UnsafeRawPointer) -> Void = { _ in }) {
        counts.countAddresses(of: piece, inEach: sets, prefetch)
        pendingSets.append(contentsOf: sets)
        pendingPieces.append((Int32(piece), Int32(pendingSets.count)))
    }

    /// Applies every waiting update, in the order recorded.
    public func applyPending() {
        var start = 0
        for (piece, end) in pendingPieces {
            counts.increment(Int(piece), inEach: pendingSets[start..<Int(end)])
            start = Int(end)
        }
        pendingPieces.removeAll(keepingCapacity: true)
        pendingSets.removeAll(keepingCapacity: true)
    }

    /// A peer with `pieces` joined `set` (its bitfield arrived), whose owner has `owner`: the pieces the owner
    /// lacks are counted. Counts only grow, so nothing waits for it.
    public func add(_ pieces: BitfieldView, in set: Int, ownerHas owner: BitfieldView) {
        counts.add(pieces, except: owner, in: set)
    }

    /// A peer with `pieces` left `set`, whose owner has `owner`: the pieces the owner lacks come out of the
    /// counts, after the waiting updates (which may count some of them).
    public func remove(_ pieces: BitfieldView, from set: Int, ownerHas owner: BitfieldView) {
        if hasPending { applyPending() }
        counts.remove(pieces, except: owner, in: set)
    }

    /// Number of peers in `set` known to have `piece`, the waiting updates applied (exact if the set's
    /// owner lacks the piece).
    public func count(of piece: Int, in set: Int) -> Int {
        if hasPending { applyPending() }
        return counts.count(of: piece, in: set)
    }

    /// One peer set's counts as the picker asks for them: up to date when asked.
    public struct PeerSet: PieceRarity {
        /// Unowned and unretained, as the picker asks many millions of times: the availability must outlive
        /// the pick this view is passed to.
        unowned(unsafe) let owner: DeferredAvailability
        public let set: Int

        public var wordCount: Int { owner.counts.wordCount }

        public func rarest(_ candidates: (Int) -> UInt64, into result: UnsafeMutableBufferPointer<UInt64>) -> Int {
            if owner.hasPending { owner.applyPending() }
            return owner.counts.rarest(candidates, in: set, into: result)
        }
    }

    /// The counts of peer set `set`, for `PiecePicker.pick(from:rarity:isRequestedHere:into:using:)`.
    public func peerSet(_ set: Int) -> PeerSet { PeerSet(owner: self, set: set) }
}
