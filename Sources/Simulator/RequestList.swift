import Strategy

/// The blocks one end has requested from its partner and not yet received, oldest first.
///
/// Why not an array: each block's arrival removes one request and the refill appends one, at a random
/// connection of a large swarm. An array's elements live in an allocation of their own, a cache miss that
/// can only start once the end's record is loaded; here the first `inlineCapacity` requests sit in the
/// record itself (the default pipeline is 5), and only a deeper pipeline spills into an array.
struct RequestList: Sequence {
    /// Room for 7 requests: with them the end's record (`ConnectionEnd`) fills two cache lines exactly.
    typealias Inline = InlineArray<7, BlockRef>
    static var inlineCapacity: Int { Inline.count }

    /// Requests past the inline ones, oldest first; empty unless `count > inlineCapacity`, and then released:
    /// `count` and `remove` read the spill's header at every block, a cache miss if an emptied buffer stayed.
    private var spill: [BlockRef] = []
    private var inlineCount: UInt8 = 0
    private var inline = Inline(repeating: BlockRef(piece: 0, block: 0))

    var count: Int { Int(inlineCount) + spill.count }
    var isEmpty: Bool { inlineCount == 0 }

    subscript(i: Int) -> BlockRef {
        precondition(i >= 0 && i < count, "request \(i) out of 0..<\(count)")
        return i < Self.inlineCapacity ? inline[i] : spill[i - Self.inlineCapacity]
    }

    mutating func append(_ block: BlockRef) {
        if Int(inlineCount) < Self.inlineCapacity {
            inline[Int(inlineCount)] = block
            inlineCount += 1
        } else {
            spill.append(block)
        }
    }

    func contains(_ block: BlockRef) -> Bool {
        for i in 0..<Int(inlineCount) where inline[i] == block { return true }
        return !spill.isEmpty && spill.contains(block)
    }

    /// Removes the oldest request for `block`; false if there is none. Later requests move up one place.
    @discardableResult
    mutating func remove(_ block: BlockRef) -> Bool {
        let n = Int(inlineCount)
        for i in 0..<n where inline[i] == block {
            for j in i..<(n - 1) { inline[j] = inline[j + 1] }
            if spill.isEmpty {
                inlineCount -= 1
            } else {
                inline[n - 1] = spill.removeFirst()
                releaseSpillIfEmpty()
            }
            return true
        }
        guard let i = spill.firstIndex(of: block) else { return false }
        spill.remove(at: i)
        releaseSpillIfEmpty()
        return true
    }

    private mutating func releaseSpillIfEmpty() {
        if spill.isEmpty { spill = [] }
    }

    mutating func removeAll() {
        inlineCount = 0
        if !spill.isEmpty { spill = [] }
    }

    func makeIterator() -> Iterator { Iterator(list: self) }

    struct Iterator: IteratorProtocol {
        let list: RequestList
        var position = 0

        mutating func next() -> BlockRef? {
            guard position < list.count else { return nil }
            defer { position += 1 }
            return list[position]
        }
    }
}
