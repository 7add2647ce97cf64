/// How many peers in our peer set have each piece, with the pieces kept ordered by that count.
///
/// Why ordered: rarest-first must find a rare piece without scanning every piece for every request.
/// Pieces sit in `order` grouped in buckets of equal count (bucket c holds the pieces with count c, from
/// `bucketStart[c]` up to `bucketStart[c + 1]`); a count changes by swapping the piece to its bucket's edge
/// and moving the boundary, the technique of libtorrent's piece picker. Every update is O(1).
///
/// Storage: one contiguous array per peer, `[counts | order | position | bucketStart...]`, so an update
/// touches one allocation (a swarm of 10,000 peers makes hundreds of millions of updates).
public struct PieceAvailability: Sendable {
    public let pieceCount: Int
    @usableFromInline var storage: [Int32]

    public init(pieceCount: Int) {
        self.pieceCount = pieceCount
        storage = [Int32](repeating: 0, count: 3 * pieceCount + 2)
        for p in 0..<pieceCount {
            storage[pieceCount + p] = Int32(p)  // order
            storage[2 * pieceCount + p] = Int32(p)  // position
        }
        storage[3 * pieceCount] = 0
        storage[3 * pieceCount + 1] = Int32(pieceCount)
    }

    @inlinable var orderBase: Int { pieceCount }
    @inlinable var positionBase: Int { 2 * pieceCount }
    @inlinable var bucketBase: Int { 3 * pieceCount }

    /// Number of peers known to have `piece`.
    @inlinable
    public func count(of piece: Int) -> Int { Int(storage[piece]) }

    /// The largest count a bucket exists for.
    public var maxCount: Int { storage.count - bucketBase - 2 }

    /// One more peer has `piece` (a `have`, or part of a bitfield).
    public mutating func increment(_ piece: Int) {
        let n = pieceCount
        if Int(storage[piece]) + 2 >= storage.count - 3 * n { storage.append(Int32(n)) }
        storage.withUnsafeMutableBufferPointer { s in
            let c = Int(s[piece])
            let boundary = 3 * n + c + 1
            let last = Int(s[boundary]) - 1  // last slot of bucket c
            Self.swapSlots(s, n, Int(s[2 * n + piece]), last)
            s[boundary] -= 1
            s[piece] = Int32(c + 1)
        }
    }

    /// One fewer peer has `piece` (a peer with it left).
    public mutating func decrement(_ piece: Int) {
        let n = pieceCount
        precondition(storage[piece] > 0, "availability of piece \(piece) would go negative")
        storage.withUnsafeMutableBufferPointer { s in
            let c = Int(s[piece])
            let boundary = 3 * n + c
            let first = Int(s[boundary])  // first slot of bucket c
            Self.swapSlots(s, n, Int(s[2 * n + piece]), first)
            s[boundary] += 1
            s[piece] = Int32(c - 1)
        }
    }

    /// The slice of `order` holding the pieces with count `c`.
    @inlinable
    public func bucket(_ c: Int) -> Range<Int> {
        guard c + 1 <= maxCount + 1 else { return pieceCount..<pieceCount }
        return Int(storage[bucketBase + c])..<Int(storage[bucketBase + c + 1])
    }

    /// The piece at `index` in count order.
    @inlinable
    public func piece(at index: Int) -> Int { Int(storage[orderBase + index]) }

    @inline(__always)
    private static func swapSlots(_ s: UnsafeMutableBufferPointer<Int32>, _ n: Int, _ i: Int, _ j: Int) {
        guard i != j else { return }
        let a = s[n + i], b = s[n + j]
        s[n + i] = b
        s[n + j] = a
        s[2 * n + Int(b)] = Int32(i)
        s[2 * n + Int(a)] = Int32(j)
    }
}

extension PieceAvailability {
    /// Checks that `order` is a permutation grouped by count and that `position` inverts it. O(pieces).
    public func invariantViolations() -> [String] {
        var problems: [String] = []
        let bounds = Array(storage[bucketBase...])
        if bounds.first != 0 || bounds.last != Int32(pieceCount) { problems.append("bucket bounds \(bounds)") }
        for c in 0..<(bounds.count - 1) {
            if bounds[c] > bounds[c + 1] { problems.append("buckets out of order at \(c)") }
            for i in bucket(c) where count(of: piece(at: i)) != c {
                problems.append("piece \(piece(at: i)) with count \(count(of: piece(at: i))) in bucket \(c)")
            }
        }
        for i in 0..<pieceCount where storage[positionBase + piece(at: i)] != Int32(i) { problems.append("position of \(piece(at: i))") }
        return problems
    }
}
