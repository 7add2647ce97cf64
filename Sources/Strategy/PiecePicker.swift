/// Decides which blocks to request from a peer, and keeps the local download state that decision needs.
///
/// Rules, in order (Cohen 2003, libtorrent's piece_picker):
/// 1. **Strict priority**: blocks of pieces already started come first, oldest piece first, so pieces
///    complete (and can be shared) as early as possible.
/// 2. A new piece: **random** while fewer than `randomFirstPieces` pieces are complete (a newcomer needs
///    something to trade quickly, and the rarest pieces are slow to get), then by `policy`: **rarest first**
///    among the pieces the remote peer has (ties broken at random), or `random`, or `sequential`.
/// 3. **Endgame**: once every missing block has been requested, a connection with no request outstanding
///    asks for one block already requested elsewhere, the least requested and among those the one asked
///    for last (libtorrent's rule: busy blocks only on an empty queue, one at a time); the caller
///    cancels the other requests when a copy arrives.
///    Asking every peer for every missing block (BEP 3's looser wording) wastes a deep pipeline's worth
///    of duplicates per connection: with `request_queue_time` 3 s that is seconds of a fast link.
///
/// The picker owns our bitfield (`have`) and the state of the pieces being downloaded. How many peers in
/// our peer set have each piece (`PieceAvailability`) is the caller's, who sees the bitfields and `have`s
/// arrive, and is passed in when a piece must be chosen. The picker does no I/O, reads no clock and draws
/// randomness only from the generator it is given.
public struct PiecePicker: Sendable {
    public enum Policy: String, Sendable, CaseIterable {
        case rarestFirst = "rarest-first"
        case random
        case sequential
    }

    /// What became of a received block.
    public enum Receipt: Equatable, Sendable {
        /// A block we already had (endgame duplicate, or never requested): wasted bytes.
        case duplicate
        /// Stored. `completedPiece` is set when it finished its piece; `otherRequests` counts the other
        /// outstanding requests for the same block, which the caller should cancel.
        case stored(completedPiece: Int?, otherRequests: Int)
    }

    // Stored properties in the order a block's arrival and a request read them: a swarm keeps thousands of
    // pickers and touches one at random per block, so the hot ones come first: the scalars and the list of
    // partial pieces in the struct's first 112 bytes, then the partial pieces' counters and block states,
    // from byte 128 (two cache lines when the struct starts on a line, as in the simulator's table, then
    // two slots to a line).

    /// Free (never requested, not received) blocks in partial pieces.
    var freeBlocksInPartials = 0
    /// Slots allocated in `slots` (in use or free).
    var slotCount: Int32 = 0
    /// Pieces neither had nor started: while there is none, no new piece can be chosen, and a pick need not
    /// read the bitfields (beyond the picker's hot lines, and near the end of a download nearly every pick
    /// would find nothing there).
    var fresh: Int32
    /// `layout.blocksPerPiece` and `layout.pieceCount`, kept with the hot properties (`layout` is not).
    let blockStride: Int32
    let pieceCount: Int32
    /// Here for the layout: it fills bytes 24–31, so that the partial pieces start at byte 32.
    public let randomFirstPieces: Int
    /// The partial pieces with their slots, oldest first (the first eight in the struct itself).
    var partials = PartialList()
    /// The partial pieces' counters and block states, by slot (the first eight in the struct itself).
    var slots = PieceSlots()
    /// Each partial piece has a slot; the slot of a piece that is not partial is -1. Read only when the
    /// list of partials is long (`partialSlot`), and when a request is dropped.
    var slotOfPiece: [Int32]
    /// Slots of completed pieces, for reuse (the lowest first: the first eight sit in the picker).
    var freeSlots: [Int32] = []
    public private(set) var have: PieceBitfield
    var started: PieceBitfield
    public let layout: PieceLayout
    public let policy: Policy
    public let endgameEnabled: Bool

    /// Pieces with at least one block requested or received, not yet complete; oldest first.
    public var partialPieces: [Int32] { partials.entries.map(\.piece) }

    static let received: UInt8 = 255

    // Mutating, as `PieceSlots`'s accessors are (they reach the inline slots in place).
    @inline(__always)
    mutating func counters(_ slot: Int) -> PieceSlots.Counters { slots.counters(slot, stride: Int(blockStride)) }

    @inline(__always)
    mutating func setCounters(_ slot: Int, _ value: PieceSlots.Counters) {
        slots.setCounters(slot, stride: Int(blockStride), to: value)
    }

    @inline(__always)
    mutating func state(_ slot: Int, _ block: Int) -> UInt8 { slots.state(slot, block, stride: Int(blockStride)) }

    @inline(__always)
    mutating func setState(_ slot: Int, _ block: Int, _ value: UInt8) {
        slots.setState(slot, block, stride: Int(blockStride), to: value)
    }

    public init(layout: PieceLayout, policy: Policy = .rarestFirst, randomFirstPieces: Int = 4, endgame: Bool = true,
                have: PieceBitfield? = nil) {
        self.layout = layout
        precondition(layout.blocksPerPiece <= Int(Int32.max) && layout.pieceCount <= Int(Int32.max))
        blockStride = Int32(layout.blocksPerPiece)
        pieceCount = Int32(layout.pieceCount)
        self.policy = policy
        self.randomFirstPieces = randomFirstPieces
        self.endgameEnabled = endgame
        self.have = have ?? PieceBitfield(pieceCount: layout.pieceCount)
        fresh = Int32(layout.pieceCount - self.have.count)
        started = PieceBitfield(pieceCount: layout.pieceCount)
        slotOfPiece = Array(repeating: -1, count: layout.pieceCount)
    }

    public var isComplete: Bool { have.isComplete }

    /// True once every block we lack has been requested at least once.
    public var inEndgame: Bool {
        fresh == 0 && freeBlocksInPartials == 0 && endgameEnabled  // the hot fields first
    }

    // MARK: Interest

    /// Whether `remote` has a piece we lack and could request (interest, BEP 3).
    public func isInterested(in remote: PieceBitfield) -> Bool { have.lacksAny(of: remote) }

    /// As `isInterested(in:)`, the remote's pieces seen through a view.
    public func isInterested(in remote: BitfieldView) -> Bool { have.lacksAny(of: remote) }

    // MARK: Picking

    /// Up to `count` blocks to request from a peer that has `remote`.
    /// - Parameter isRequestedHere: whether a block is already outstanding on this connection (so endgame
    ///   never asks the same peer twice for one block).
    /// - Parameter outstandingHere: how many requests are outstanding on this connection (endgame asks only
    ///   on an empty one).
    /// - Parameter availability: our peer set's counts (set `set` of them), for rarest first.
    /// - Complexity: O(partial pieces + blocks returned) for started pieces; a new piece costs
    ///   O(planes × pieces / 64) word operations (see `PieceAvailability.rarest`), O(pieces / 64) for random
    ///   and sequential.
    public mutating func pick<R: RandomNumberGenerator>(
        from remote: PieceBitfield, count: Int, availability: PieceAvailability, set: Int = 0,
        isRequestedHere: (BlockRef) -> Bool, outstandingHere: Int = 0, using rng: inout R
    ) -> [BlockRef] {
        guard count > 0 else { return [] }
        return remote.withView { remote in
            withUnsafeTemporaryAllocation(of: BlockRef.self, capacity: count) { buffer in
                let n = pick(from: remote, availability: availability, set: set, isRequestedHere: isRequestedHere,
                             outstandingHere: outstandingHere, into: buffer, using: &rng)
                return Array(buffer[..<n])
            }
        }
    }

    /// As `pick(from:count:availability:set:isRequestedHere:outstandingHere:using:)`, the remote's pieces seen
    /// through a view (see `BitfieldView`), up to `picked.count` blocks written to the front of `picked`;
    /// returns how many. A caller that asks millions of times needs no array: `picked` may be scratch space
    /// on the stack.
    public mutating func pick<R: RandomNumberGenerator>(
        from remote: BitfieldView, availability: PieceAvailability, set: Int = 0,
        isRequestedHere: (BlockRef) -> Bool, outstandingHere: Int, into picked: UnsafeMutableBufferPointer<BlockRef>,
        using rng: inout R
    ) -> Int {
        pick(from: remote, rarity: availability.peerSet(set), isRequestedHere: isRequestedHere,
             outstandingHere: outstandingHere, into: picked, using: &rng)
    }

    /// As `pick(from:availability:set:isRequestedHere:outstandingHere:into:using:)`, the rarest pieces learnt
    /// from `rarity`, which is asked only when rarest first chooses a new piece.
    public mutating func pick<R: RandomNumberGenerator, Rarity: PieceRarity>(
        from remote: BitfieldView, rarity: Rarity, isRequestedHere: (BlockRef) -> Bool, outstandingHere: Int,
        into picked: UnsafeMutableBufferPointer<BlockRef>, using rng: inout R
    ) -> Int {
        precondition(remote.pieceCount == Int(pieceCount), "remote bitfield of another torrent")
        let count = picked.count
        var n = 0
        guard count > 0 else { return 0 }
        // 1. Strict priority: started pieces first.
        if freeBlocksInPartials > 0 {
            var i = 0
            while i < partials.count {
                let entry = partials.stored(i)
                i += 1
                guard entry.hasFree, remote.contains(Int(entry.piece)) else { continue }
                let (piece, slot) = (entry.piece, entry.slot)
                takeFree(piece: Int(piece), slot: Int(slot), into: picked, taken: &n)
                if n == count { return n }
            }
        }
        // 2. New pieces.
        while n < count, fresh > 0, let piece = choosePiece(from: remote, rarity: rarity, using: &rng) {
            let slot = startPiece(piece)
            takeFree(piece: piece, slot: slot, into: picked, taken: &n)
        }
        // 3. Endgame: on an empty queue, one block requested elsewhere (`busyBlock`).
        if n == 0, outstandingHere == 0, inEndgame, let block = busyBlock(from: remote, isRequestedHere: isRequestedHere) {
            picked[0] = block
            n = 1
        }
        return n
    }

    /// A request we made will not be answered (choked, disconnected, cancelled): the block is free again
    /// unless another request for it is still out.
    public mutating func requestDropped(_ block: BlockRef) {
        let slot = Int(slotOfPiece[Int(block.piece)])
        guard slot >= 0 else { return }
        let state = self.state(slot, Int(block.block))
        guard state != Self.received, state > 0 else { return }
        setState(slot, Int(block.block), state - 1)
        if state == 1 { markFree(piece: Int(block.piece), slot: slot, block: Int(block.block)) }
    }

    /// A block arrived.
    public mutating func blockReceived(_ block: BlockRef) -> Receipt {
        let p = Int(block.piece)
        var slot = partialSlot(of: block.piece)
        if slot < 0 {  // had already, or unrequested but welcome (e.g. arrived after a cancel)
            if have.contains(p) { return .duplicate }
            slot = startPiece(p)
        }
        let b = Int(block.block)
        let state = self.state(slot, b)
        if state == Self.received { return .duplicate }
        var c = counters(slot)
        if state == 0 {
            freeBlocksInPartials -= 1
            c.free -= 1
            if c.free == 0 { partials.setHasFree(false, piece: Int32(p)) }
        }
        setState(slot, b, Self.received)
        c.received += 1
        setCounters(slot, c)
        let others = max(0, Int(state) - 1)
        guard c.received == c.blocks else { return .stored(completedPiece: nil, otherRequests: others) }
        finishPiece(p, slot: slot)
        return .stored(completedPiece: p, otherRequests: others)
    }

    /// Marks a piece as had without downloading it (a seed's data, or a resumed download).
    public mutating func markHave(_ piece: Int) {
        guard !have.contains(piece) else { return }
        if slotOfPiece[piece] >= 0 {
            let slot = Int(slotOfPiece[piece])
            freeBlocksInPartials -= Int(counters(slot).free)
            finishPiece(piece, slot: slot)
        } else if have.insert(piece) {
            fresh -= 1
        }
    }

    /// A piece we completed failed its hash check: forget it, so it is picked and fetched again.
    public mutating func pieceFailed(_ piece: Int) {
        if have.remove(piece) { fresh += 1 }
    }

    // MARK: Internals

    /// The slot of a partial piece, -1 if the piece is not partial. A short list of partial pieces (the usual
    /// case) is searched rather than `slotOfPiece`: the list is read by the next pick anyway, while the map
    /// is a cache line of its own in a swarm of thousands of pickers.
    @inline(__always)
    func partialSlot(of piece: Int32) -> Int {
        guard partials.count <= 16 else { return Int(slotOfPiece[Int(piece)]) }
        return partials.slot(of: piece)
    }

    /// Takes free blocks of `piece` (in `slot`), lowest first, into `picked` from index `n` on, until it is full.
    private mutating func takeFree(piece: Int, slot: Int, into picked: UnsafeMutableBufferPointer<BlockRef>,
                                   taken n: inout Int) {
        var c = counters(slot)
        var b = Int(c.hint)
        let blocks = Int(c.blocks)
        while b < blocks, c.free > 0, n < picked.count {
            if state(slot, b) == 0 {
                setState(slot, b, 1)
                freeBlocksInPartials -= 1
                c.free -= 1
                if c.free == 0 { partials.setHasFree(false, piece: Int32(piece)) }
                picked[n] = BlockRef(piece: piece, block: b)
                n += 1
            }
            b += 1
        }
        c.hint = Int32(b)
        setCounters(slot, c)
    }

    private mutating func markFree(piece: Int, slot: Int, block: Int) {
        freeBlocksInPartials += 1
        var c = counters(slot)
        c.free += 1
        if c.free == 1 { partials.setHasFree(true, piece: Int32(piece)) }
        if block < c.hint { c.hint = Int32(block) }
        setCounters(slot, c)
    }

    /// Makes `piece` partial; returns its slot.
    private mutating func startPiece(_ piece: Int) -> Int {
        started.insert(piece)
        fresh -= 1
        let blocks = layout.blockCount(ofPiece: piece)
        let slot: Int
        if let lowest = freeSlots.indices.min(by: { freeSlots[$0] < freeSlots[$1] }) {
            slot = Int(freeSlots[lowest])  // the lowest, so that the slots in use stay inline when they can
            freeSlots.swapAt(lowest, freeSlots.count - 1)
            freeSlots.removeLast()
        } else {
            slot = Int(slotCount)
            slots.addSlot(slot, stride: Int(blockStride))
            slotCount += 1
        }
        slots.reset(slot, blocks: blocks, stride: Int(blockStride))
        slotOfPiece[piece] = Int32(slot)
        partials.append((Int32(piece), Int32(slot)), hasFree: blocks > 0)
        freeBlocksInPartials += blocks
        return slot
    }

    private mutating func finishPiece(_ piece: Int, slot: Int) {
        have.insert(piece)
        started.remove(piece)
        partials.remove(piece: Int32(piece))
        slotOfPiece[piece] = -1
        freeSlots.append(Int32(slot))
    }

    /// A piece the remote has that we neither have nor started, by policy; nil if there is none.
    ///
    /// The eligible pieces are gathered first, a word at a time, into scratch space that the choices read:
    /// a closure reading the picker's bitfields itself would capture a copy of the whole picker.
    mutating func choosePiece<R: RandomNumberGenerator, Rarity: PieceRarity>(from remote: BitfieldView, rarity: Rarity,
                                                                            using rng: inout R) -> Int? {
        let wordCount = remote.words.count
        return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: max(1, wordCount)) { scratch in
            var total = 0
            for w in 0..<wordCount {
                scratch[w] = remote.words[w] & ~have.words[w] & ~started.words[w]
                total += scratch[w].nonzeroBitCount
            }
            let eligible = UnsafeBufferPointer(rebasing: scratch[..<wordCount])
            if have.count < randomFirstPieces || policy == .random {
                return Self.randomSetBit(of: total, words: wordCount, { eligible[$0] }, using: &rng)
            }
            if policy == .sequential { return Self.firstSetBit(in: eligible) }
            return Self.rarest(among: eligible, rarity: rarity, using: &rng)
        }
    }

    /// The first piece among `eligible`'s bits.
    static func firstSetBit(in eligible: UnsafeBufferPointer<UInt64>) -> Int? {
        for (w, bits) in eligible.enumerated() where bits != 0 { return w << 6 + bits.trailingZeroBitCount }
        return nil
    }

    /// Rarest first: the eligible pieces of lowest count, one of them at random (`PieceAvailability.rarest`
    /// narrows the candidates a word at a time, so no piece is looked at on its own).
    static func rarest<R: RandomNumberGenerator, Rarity: PieceRarity>(among eligible: UnsafeBufferPointer<UInt64>,
                                                                     rarity: Rarity, using rng: inout R) -> Int? {
        precondition(rarity.wordCount == eligible.count, "availability counts another torrent")
        return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: max(1, rarity.wordCount)) { rarest in
            let total = rarity.rarest({ eligible[$0] }, into: rarest)
            return randomSetBit(of: total, words: rarity.wordCount, { rarest[$0] }, using: &rng)
        }
    }

    /// One of the `total` bits set in `word(0) ..< word(words)`, uniformly at random; nil if `total` is 0.
    @inline(__always)
    static func randomSetBit<R: RandomNumberGenerator>(of total: Int, words: Int, _ word: (Int) -> UInt64,
                                                       using rng: inout R) -> Int? {
        guard total > 0 else { return nil }
        var k = Int.random(in: 0..<total, using: &rng)
        for w in 0..<words {
            var bits = word(w)
            let n = bits.nonzeroBitCount
            if k >= n {
                k -= n
                continue
            }
            for _ in 0..<k { bits &= bits - 1 }
            return w << 6 + bits.trailingZeroBitCount
        }
        return nil
    }
}

extension PiecePicker {
    /// Consistency of the picker's own bookkeeping. O(pieces + blocks in partial pieces).
    public func invariantViolations() -> [String] {
        var copy = self  // the slots' accessors are mutating
        return copy.violations()
    }

    private mutating func violations() -> [String] {
        var problems: [String] = []
        var free = 0
        for (piece, slot) in partials.entries {
            let slot = Int(slot)
            if slotOfPiece[Int(piece)] != Int32(slot) { problems.append("partial piece \(piece): slot \(slot), mapped to \(slotOfPiece[Int(piece)])") }
            if slot < 0 { problems.append("partial piece \(piece) without slot") ; continue }
            let c = counters(slot)
            let states = (0..<Int(c.blocks)).map { state(slot, $0) }
            let freeHere = states.filter { $0 == 0 }.count
            free += freeHere
            if freeHere != Int(c.free) { problems.append("piece \(piece): \(freeHere) free blocks, counted \(c.free)") }
            let flagged = (0..<partials.count).first { partials[$0].piece == piece }.map { partials.stored($0).hasFree }
            if flagged != (freeHere > 0) { problems.append("piece \(piece): free-blocks flag \(String(describing: flagged)), \(freeHere) free") }
            let receivedHere = states.filter { $0 == Self.received }.count
            if receivedHere != Int(c.received) {
                problems.append("piece \(piece): \(receivedHere) blocks received, counted \(c.received)")
            }
            if let first = states.firstIndex(of: 0), first < Int(c.hint) {
                problems.append("piece \(piece): free block \(first) below the hint \(c.hint)")
            }
            if have.contains(Int(piece)) { problems.append("partial piece \(piece) already had") }
            if !started.contains(Int(piece)) { problems.append("partial piece \(piece) not marked started") }
        }
        if free != freeBlocksInPartials { problems.append("free blocks \(freeBlocksInPartials), counted \(free)") }
        if started.count != partials.count { problems.append("started \(started.count) != partial \(partials.count)") }
        let neither = layout.pieceCount - have.count - started.count
        if Int(fresh) != neither { problems.append("\(fresh) pieces counted fresh, \(neither) neither had nor started") }
        return problems
    }
}
