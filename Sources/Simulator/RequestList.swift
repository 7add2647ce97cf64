import DequeModule
import Strategy

/// The blocks one end has requested from its partner and not yet received, oldest first.
///
/// Why not an array: each block's arrival removes one request and the refill appends one, at a random
/// connection of a large swarm. An array's elements live in an allocation of their own, a cache miss that
/// can only start once the end's record is loaded; here the first `inlineCapacity` requests sit in the
/// record itself, and only a deeper pipeline spills into a deque (a 3-s queue at a fast link holds hundreds;
/// blocks arrive in request order, so the oldest is taken from the front, in constant time).
struct RequestList: Sequence {
    /// Room for 7 requests: with them the end's record (`ConnectionEnd`) fills two cache lines exactly.
    typealias Inline = InlineArray<7, BlockRef>
    static var inlineCapacity: Int { Inline.count }

    /// Requests past the inline ones, oldest first; empty unless `count > inlineCapacity`, and then released
    /// (`remove` reads the spill's storage at every block, a cache miss if an emptied buffer stayed).
    private var spill: Deque<BlockRef> = []
    private var inlineCount: UInt8 = 0
    /// `spill.count`, kept here: reading it there would load the spill's storage.
    private var spillCount: UInt16 = 0
    private var inline = Inline(repeating: BlockRef(piece: 0, block: 0))

    var count: Int { Int(inlineCount) + Int(spillCount) }
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
            spillCount += 1
        }
    }

    func contains(_ block: BlockRef) -> Bool {
        for i in 0..<Int(inlineCount) where inline[i] == block { return true }
        return spillCount > 0 && spill.contains(block)
    }

    /// Removes the oldest request for `block`; false if there is none. Later requests move up one place.
    @discardableResult
    mutating func remove(_ block: BlockRef) -> Bool {
        let n = Int(inlineCount)
        for i in 0..<n where inline[i] == block {
            for j in i..<(n - 1) { inline[j] = inline[j + 1] }
            if spillCount == 0 {
                inlineCount -= 1
            } else {
                inline[n - 1] = spill.removeFirst()
                spillCount -= 1
                releaseSpillIfEmpty()
            }
            return true
        }
        guard spillCount > 0, let i = spill.firstIndex(of: block) else { return false }
        spill.remove(at: i)
        spillCount -= 1
        releaseSpillIfEmpty()
        return true
    }

    private mutating func releaseSpillIfEmpty() {
        if spillCount == 0 { spill = [] }
    }

    mutating func removeAll() {
        inlineCount = 0
        if spillCount > 0 {
            spill = []
            spillCount = 0
        }
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
