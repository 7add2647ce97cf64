/// Where rarest first learns which pieces are rarest: among candidate pieces, those that the fewest peers
/// of a peer set hold.
///
/// Why a protocol: the picker asks only when it chooses a new piece, and the counts may have work to finish
/// before the answer is right. A client answers from its peer set's counts (`PieceAvailability.PeerSet`). A
/// simulated swarm keeps every peer set's counts together and applies a `have`'s updates late, so that
/// their cache misses overlap with other work (`DeferredAvailability.PeerSet`): it applies what is pending
/// before it answers.
public protocol PieceRarity {
    /// Words per bitfield: ceil(pieces / 64).
    var wordCount: Int { get }
    /// Among the pieces whose bits `candidates(w)` sets in word w, those held by the fewest peers, as words
    /// in `result` (which must hold `wordCount` words). Returns how many there are (0 if no candidate).
    func rarest(_ candidates: (Int) -> UInt64, into result: UnsafeMutableBufferPointer<UInt64>) -> Int
}

extension PieceAvailability {
    /// One peer set's counts, as the picker asks for them.
    public struct PeerSet: PieceRarity {
        public let availability: PieceAvailability
        public let set: Int

        public var wordCount: Int { availability.wordCount }

        @inlinable
        public func rarest(_ candidates: (Int) -> UInt64, into result: UnsafeMutableBufferPointer<UInt64>) -> Int {
            availability.rarest(candidates, in: set, into: result)
        }
    }

    /// The counts of peer set `set`.
    public func peerSet(_ set: Int) -> PeerSet { PeerSet(availability: self, set: set) }
}
