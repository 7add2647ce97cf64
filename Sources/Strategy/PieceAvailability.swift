/// How many peers in a peer set have each piece, for one peer set (a client's) or for many in one
/// allocation (a simulated swarm keeps one set per peer), stored so that the rarest of a set of pieces is
/// found a word at a time.
///
/// Why bit-sliced: rarest first must find a rare piece without looking at every piece for every request,
/// and a swarm of 10,000 peers makes hundreds of millions of count updates (every `have` reaches 50 to 80
/// peer sets), so an update must touch as little memory as possible. The counts are kept as *bit planes*:
/// plane k holds bit k of the count of 64 pieces in one word. The planes of one word sit next to each other,
/// so an update is a ripple carry through one cache line (two planes on average), and the pieces of lowest
/// count among any candidate set come out of `planes × pieces / 64` word operations, from the top plane
/// down: keep the candidates whose bit is 0 whenever at least one candidate has a 0 there.
///
/// Why many sets in one value: a `have` updates 50 to 80 peer sets scattered over the swarm; with one
/// allocation per set each update paid a second cache miss for the allocation's header.
///
/// The number of planes grows with the largest count (7 planes hold counts up to 127).
public struct PieceAvailability: Sendable {
    public let pieceCount: Int
    /// Words per plane: ceil(pieceCount / 64).
    public let wordCount: Int
    /// Number of peer sets counted.
    public let sets: Int
    /// Bit planes per word; counts go up to 2^planes - 1 before another plane is added.
    public private(set) var planes: Int
    /// `storage[(set * wordCount + w) * planes + k]` is plane k of pieces 64w ..< 64w + 64 in `set`.
    @usableFromInline var storage: [UInt64]

    /// Counts of zero for `sets` peer sets; `planes` sized for the largest count expected (it grows anyway).
    public init(pieceCount: Int, sets: Int = 1, planes: Int = 4) {
        precondition(pieceCount >= 0 && sets >= 1 && planes >= 1)
        self.pieceCount = pieceCount
        wordCount = (pieceCount + 63) / 64
        self.sets = sets
        self.planes = planes
        storage = [UInt64](repeating: 0, count: sets * wordCount * planes)
    }

    /// Planes enough for counts up to `maximum`.
    public static func planes(forCountsUpTo maximum: Int) -> Int {
        max(1, Int.bitWidth - max(1, maximum).leadingZeroBitCount)
    }

    /// Where the planes of `piece`'s word in `set` start. Traps on an index out of range: the updates write
    /// through unchecked pointers.
    @inline(__always)
    func offset(_ piece: Int, _ set: Int) -> Int {
        precondition(piece >= 0 && piece < pieceCount && set >= 0 && set < sets, "piece \(piece) or set \(set) out of range")
        return (set * wordCount + piece >> 6) * planes
    }

    /// Number of peers in `set` known to have `piece`.
    public func count(of piece: Int, in set: Int = 0) -> Int {
        let base = offset(piece, set), shift = UInt64(piece & 63)
        var c = 0
        for k in 0..<planes { c |= Int((storage[base + k] >> shift) & 1) << k }
        return c
    }

    /// The largest count the planes can hold without growing.
    public var capacity: Int { (1 << planes) - 1 }

    /// One more peer in `set` has `piece` (a `have`, or part of a bitfield).
    public mutating func increment(_ piece: Int, in set: Int = 0) {
        let bit: UInt64 = 1 << UInt64(piece & 63)
        let base = offset(piece, set), planes = planes
        let wrapped = storage.withUnsafeMutableBufferPointer { Self.addOne(bit, at: base, planes: planes, in: $0) }
        if wrapped { growAfterWrap(piece, in: set) }
    }

    /// Adds one to the count whose planes start at `s[base]`, at the piece's `bit`: a ripple carry through
    /// the planes. True when every plane was 1, so the count wrapped to 0 and needs another plane.
    @inline(__always)
    static func addOne(_ bit: UInt64, at base: Int, planes: Int, in s: UnsafeMutableBufferPointer<UInt64>) -> Bool {
        for k in 0..<planes {
            let old = s[base + k]
            s[base + k] = old ^ bit
            if old & bit == 0 { return false }  // no carry
        }
        return true
    }

    /// A count of `piece` in `set` wrapped to 0: with one more plane, its top bit makes it 2^(old planes).
    private mutating func growAfterWrap(_ piece: Int, in set: Int) {
        addPlane()
        storage[offset(piece, set) + planes - 1] |= UInt64(1) << UInt64(piece & 63)
    }

    /// One more peer has `piece` in each of `sets`: a `have` reaching every partner's peer set. The counts
    /// are those of `increment(_:in:)` set by set; the storage is reached once, not once per set, which
    /// matters at hundreds of millions of updates a run. (In a large swarm each count is a cache miss: a
    /// caller that wants them loaded first asks `countAddresses` for their addresses.)
    public mutating func increment<Sets: Collection<Int32>>(_ piece: Int, inEach sets: Sets) {
        precondition(piece >= 0 && piece < pieceCount, "piece \(piece) out of range")
        let bit: UInt64 = 1 << UInt64(piece & 63)
        var pending = sets.makeIterator()
        while true {
            let planes = planes, setCount = self.sets, rowStride = wordCount * planes, word = (piece >> 6) * planes
            // Runs until every set is counted (nil) or a count wraps (that set, to be given another plane).
            let wrapped: Int? = storage.withUnsafeMutableBufferPointer { s in
                while let set = pending.next() {
                    let set = Int(set)
                    precondition(set >= 0 && set < setCount, "set \(set) out of range")
                    if Self.addOne(bit, at: set * rowStride + word, planes: planes, in: s) { return set }
                }
                return nil
            }
            guard let set = wrapped else { return }
            growAfterWrap(piece, in: set)
        }
    }

    /// Hands `body` the address of `piece`'s counts in each of `sets`, for a caller that asks the processor
    /// to load them ahead of an update (a hint: the addresses are valid only until the counts change).
    public func countAddresses<Sets: Sequence<Int32>>(of piece: Int, inEach sets: Sets, _ body: (UnsafeRawPointer) -> Void) {
        precondition(piece >= 0 && piece < pieceCount, "piece \(piece) out of range")
        let rowStride = wordCount * planes, word = (piece >> 6) * planes, setCount = self.sets
        storage.withUnsafeBufferPointer { s in
            guard let start = s.baseAddress else { return }
            for set in sets where set >= 0 && Int(set) < setCount { body(start + Int(set) * rowStride + word) }
        }
    }

    /// One fewer peer in `set` has `piece` (a peer with it left).
    public mutating func decrement(_ piece: Int, in set: Int = 0) {
        precondition(count(of: piece, in: set) > 0, "availability of piece \(piece) would go negative")
        let bit: UInt64 = 1 << UInt64(piece & 63)
        let base = offset(piece, set), planes = planes
        storage.withUnsafeMutableBufferPointer { s in
            for k in 0..<planes {
                let old = s[base + k]
                s[base + k] = old ^ bit
                if old & bit != 0 { return }  // no borrow
            }
        }
    }

    /// A peer with `pieces` joined `set` (its bitfield arrived).
    public mutating func add(_ pieces: PieceBitfield, in set: Int = 0) {
        for piece in pieces.pieces { increment(piece, in: set) }
    }

    /// A peer with `pieces` left `set`.
    public mutating func remove(_ pieces: PieceBitfield, in set: Int = 0) {
        for piece in pieces.pieces { decrement(piece, in: set) }
    }

    /// A peer with `pieces` joined `set`: only the pieces not in `except` are counted.
    public mutating func add(_ pieces: BitfieldView, except: BitfieldView, in set: Int) {
        Self.forEachPiece(of: pieces, except: except, count: pieceCount) { increment($0, in: set) }
    }

    /// A peer with `pieces` left `set`: only the pieces not in `except` are taken out.
    public mutating func remove(_ pieces: BitfieldView, except: BitfieldView, in set: Int) {
        Self.forEachPiece(of: pieces, except: except, count: pieceCount) { decrement($0, in: set) }
    }

    /// Calls `body` with every piece of `pieces` that is not in `except`, a word at a time.
    private static func forEachPiece(of pieces: BitfieldView, except: BitfieldView, count: Int, _ body: (Int) -> Void) {
        precondition(pieces.pieceCount == count && except.pieceCount == count, "bitfields of another torrent")
        for w in 0..<pieces.words.count {
            var bits = pieces.words[w] & ~except.words[w]
            while bits != 0 {
                body(w << 6 + bits.trailingZeroBitCount)
                bits &= bits - 1
            }
        }
    }

    /// Among the pieces whose bits `candidates(w)` sets in word w, those of lowest count in `set`, as words
    /// in `result` (which must hold `wordCount` words). Returns how many there are (0 if no candidate).
    /// - Complexity: O(planes × pieces / 64).
    @inlinable
    public func rarest(_ candidates: (Int) -> UInt64, in set: Int = 0,
                       into result: UnsafeMutableBufferPointer<UInt64>) -> Int {
        precondition(result.count >= wordCount && set >= 0 && set < sets)
        var any: UInt64 = 0
        for w in 0..<wordCount {
            result[w] = candidates(w)
            any |= result[w]
        }
        guard any != 0 else { return 0 }
        let start = set * wordCount * planes, planes = planes
        storage.withUnsafeBufferPointer { s in
            for k in stride(from: planes - 1, through: 0, by: -1) {
                var zeros: UInt64 = 0
                for w in 0..<wordCount { zeros |= result[w] & ~s[start + w * planes + k] }
                guard zeros != 0 else { continue }  // every candidate has bit k: it does not separate them
                for w in 0..<wordCount { result[w] &= ~s[start + w * planes + k] }
            }
        }
        var total = 0
        for w in 0..<wordCount { total += result[w].nonzeroBitCount }
        return total
    }

    private mutating func addPlane() {
        let old = storage, oldPlanes = planes
        planes += 1
        storage = [UInt64](repeating: 0, count: sets * wordCount * planes)
        for row in 0..<(sets * wordCount) {
            for k in 0..<oldPlanes { storage[row * planes + k] = old[row * oldPlanes + k] }
        }
    }
}

extension PieceAvailability {
    /// Checks the storage size and that no plane sets a bit past the last piece. O(sets × planes × pieces / 64).
    public func invariantViolations() -> [String] {
        var problems: [String] = []
        if storage.count != sets * wordCount * planes { problems.append("storage \(storage.count) != \(sets) × \(wordCount) × \(planes)") }
        let spare = pieceCount & 63
        if spare != 0, wordCount > 0 {
            let mask = ~UInt64(0) << UInt64(spare)
            for set in 0..<sets {
                for k in 0..<planes where storage[offset(pieceCount - 1, set) + k] & mask != 0 {
                    problems.append("set \(set), plane \(k) counts a piece past \(pieceCount - 1)")
                }
            }
        }
        return problems
    }
}
