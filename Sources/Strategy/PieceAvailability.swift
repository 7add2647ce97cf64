/// How many peers in our peer set have each piece, stored so that the rarest of a set of pieces is found
/// a word at a time.
///
/// Why bit-sliced: rarest first must find a rare piece without looking at every piece for every request,
/// and a swarm of 10,000 peers makes hundreds of millions of count updates (every `have` reaches 50 to 80
/// peer sets), so an update must touch as little memory as possible. The counts are kept as *bit planes*:
/// plane k holds bit k of the count of 64 pieces in one word. The planes of one word sit next to each other,
/// so an update is a ripple carry through one cache line (two planes on average), and the pieces of lowest
/// count among any candidate set come out of `planes × pieces / 64` word operations, from the top plane
/// down: keep the candidates whose bit is 0 whenever at least one candidate has a 0 there.
///
/// The number of planes grows with the largest count (7 planes hold counts up to 127).
public struct PieceAvailability: Sendable {
    public let pieceCount: Int
    /// Words per plane: ceil(pieceCount / 64).
    public let wordCount: Int
    /// Bit planes per word; counts go up to 2^planes - 1 before another plane is added.
    public private(set) var planes: Int
    /// Word-major: `storage[w * planes + k]` is plane k of pieces 64w ..< 64w + 64.
    @usableFromInline var storage: [UInt64]

    public init(pieceCount: Int, planes: Int = 4) {
        precondition(pieceCount >= 0 && planes >= 1)
        self.pieceCount = pieceCount
        wordCount = (pieceCount + 63) / 64
        self.planes = planes
        storage = [UInt64](repeating: 0, count: wordCount * planes)
    }

    /// Number of peers known to have `piece`.
    public func count(of piece: Int) -> Int {
        let base = (piece >> 6) * planes, shift = UInt64(piece & 63)
        var c = 0
        for k in 0..<planes { c |= Int((storage[base + k] >> shift) & 1) << k }
        return c
    }

    /// The largest count the planes can hold without growing.
    public var capacity: Int { (1 << planes) - 1 }

    /// One more peer has `piece` (a `have`, or part of a bitfield).
    public mutating func increment(_ piece: Int) {
        let bit: UInt64 = 1 << UInt64(piece & 63)
        let overflow: Bool = storage.withUnsafeMutableBufferPointer { s in
            let base = (piece >> 6) * planes
            for k in 0..<planes {
                let old = s[base + k]
                s[base + k] = old ^ bit
                if old & bit == 0 { return false }  // no carry
            }
            return true  // every plane was 1: the count wrapped to 0
        }
        if overflow {
            addPlane()
            storage[(piece >> 6) * planes + planes - 1] |= bit
        }
    }

    /// One fewer peer has `piece` (a peer with it left).
    public mutating func decrement(_ piece: Int) {
        precondition(count(of: piece) > 0, "availability of piece \(piece) would go negative")
        let bit: UInt64 = 1 << UInt64(piece & 63)
        storage.withUnsafeMutableBufferPointer { s in
            let base = (piece >> 6) * planes
            for k in 0..<planes {
                let old = s[base + k]
                s[base + k] = old ^ bit
                if old & bit != 0 { return }  // no borrow
            }
        }
    }

    /// Among the pieces whose bits `candidates(w)` sets in word w, those of lowest count, as words in
    /// `result` (which must hold `wordCount` words). Returns how many there are (0 if no candidate).
    /// - Complexity: O(planes × pieces / 64).
    @inlinable
    public func rarest(_ candidates: (Int) -> UInt64, into result: UnsafeMutableBufferPointer<UInt64>) -> Int {
        precondition(result.count >= wordCount)
        var any: UInt64 = 0
        for w in 0..<wordCount {
            result[w] = candidates(w)
            any |= result[w]
        }
        guard any != 0 else { return 0 }
        storage.withUnsafeBufferPointer { s in
            for k in stride(from: planes - 1, through: 0, by: -1) {
                var zeros: UInt64 = 0
                for w in 0..<wordCount { zeros |= result[w] & ~s[w * planes + k] }
                guard zeros != 0 else { continue }  // every candidate has bit k: it does not separate them
                for w in 0..<wordCount { result[w] &= ~s[w * planes + k] }
            }
        }
        var total = 0
        for w in 0..<wordCount { total += result[w].nonzeroBitCount }
        return total
    }

    private mutating func addPlane() {
        let old = storage, oldPlanes = planes
        planes += 1
        storage = [UInt64](repeating: 0, count: wordCount * planes)
        for w in 0..<wordCount {
            for k in 0..<oldPlanes { storage[w * planes + k] = old[w * oldPlanes + k] }
        }
    }
}

extension PieceAvailability {
    /// Checks the storage size and that no plane sets a bit past the last piece. O(planes × pieces / 64).
    public func invariantViolations() -> [String] {
        var problems: [String] = []
        if storage.count != wordCount * planes { problems.append("storage \(storage.count) != \(wordCount) × \(planes)") }
        let spare = pieceCount & 63
        if spare != 0, wordCount > 0 {
            let mask = ~UInt64(0) << UInt64(spare)
            for k in 0..<planes where storage[(wordCount - 1) * planes + k] & mask != 0 {
                problems.append("plane \(k) counts a piece past \(pieceCount - 1)")
            }
        }
        return problems
    }
}
