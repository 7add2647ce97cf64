/// How many peers in our peer set have each piece, with the pieces kept ordered by that count.
///
/// Why ordered: rarest-first must find a rare piece without scanning every piece for every request.
/// Pieces sit in `order` grouped in buckets of equal count (bucket c holds the pieces with count c, from
/// `bucketStart[c]` up to `bucketStart[c + 1]`); a count changes by swapping the piece to its bucket's edge
/// and moving the boundary, the technique of libtorrent's piece picker. Every update is O(1).
public struct PieceAvailability: Sendable {
    public let pieceCount: Int
    @usableFromInline var counts: [UInt16]
    @usableFromInline var order: [Int32]
    @usableFromInline var position: [Int32]
    /// bucketStart[c]: index in `order` of the first piece with count >= c. bucketStart[0] == 0.
    @usableFromInline var bucketStart: [Int32]

    public init(pieceCount: Int) {
        self.pieceCount = pieceCount
        counts = Array(repeating: 0, count: pieceCount)
        order = (0..<Int32(pieceCount)).map { $0 }
        position = order
        bucketStart = [0, Int32(pieceCount)]
    }

    /// Number of peers known to have `piece`.
    @inlinable
    public func count(of piece: Int) -> Int { Int(counts[piece]) }

    /// The largest count a bucket exists for.
    public var maxCount: Int { bucketStart.count - 2 }

    /// One more peer has `piece` (a `have`, or part of a bitfield).
    public mutating func increment(_ piece: Int) {
        let c = Int(counts[piece])
        if c + 2 >= bucketStart.count { bucketStart.append(Int32(pieceCount)) }
        let last = Int(bucketStart[c + 1]) - 1  // last slot of bucket c
        swapSlots(Int(position[piece]), last)
        bucketStart[c + 1] -= 1
        counts[piece] = UInt16(c + 1)
    }

    /// One fewer peer has `piece` (a peer with it left).
    public mutating func decrement(_ piece: Int) {
        let c = Int(counts[piece])
        precondition(c > 0, "availability of piece \(piece) would go negative")
        let first = Int(bucketStart[c])  // first slot of bucket c
        swapSlots(Int(position[piece]), first)
        bucketStart[c] += 1
        counts[piece] = UInt16(c - 1)
    }

    /// A peer with these pieces joined (or left) our peer set.
    public mutating func add(_ pieces: PieceBitfield) { for p in pieces.pieces { increment(p) } }
    public mutating func remove(_ pieces: PieceBitfield) { for p in pieces.pieces { decrement(p) } }

    /// The slice of `order` holding the pieces with count `c`.
    @inlinable
    public func bucket(_ c: Int) -> Range<Int> {
        guard c + 1 < bucketStart.count else { return pieceCount..<pieceCount }
        return Int(bucketStart[c])..<Int(bucketStart[c + 1])
    }

    /// The piece at `index` in count order.
    @inlinable
    public func piece(at index: Int) -> Int { Int(order[index]) }

    private mutating func swapSlots(_ i: Int, _ j: Int) {
        guard i != j else { return }
        let a = order[i], b = order[j]
        order[i] = b
        order[j] = a
        position[Int(b)] = Int32(i)
        position[Int(a)] = Int32(j)
    }
}

extension PieceAvailability {
    /// Checks that `order` is a permutation grouped by count and that `position` inverts it. O(pieces).
    public func invariantViolations() -> [String] {
        var problems: [String] = []
        if bucketStart.first != 0 || bucketStart.last != Int32(pieceCount) { problems.append("bucket bounds \(bucketStart)") }
        for c in 0..<(bucketStart.count - 1) {
            if bucketStart[c] > bucketStart[c + 1] { problems.append("buckets out of order at \(c)") }
            for i in bucket(c) where counts[Int(order[i])] != c {
                problems.append("piece \(order[i]) with count \(counts[Int(order[i])]) in bucket \(c)")
            }
        }
        for (i, p) in order.enumerated() where position[Int(p)] != Int32(i) { problems.append("position of \(p)") }
        return problems
    }
}
