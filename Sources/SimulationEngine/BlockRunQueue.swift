import DequeModule

/// A run of `count` blocks of `bytes` bytes queued on a link, tagged `tag`, `tag + 1`, ...
struct BlockRun: Equatable {
    var bytes: Int32
    var count: Int32
    var tag: Int64
    /// The sender cannot start this block before then (the request is still travelling).
    var readyAt: SimTime
}

/// The runs of blocks a link holds behind the one in transmission, oldest first.
///
/// Why not a `Deque`: a busy link starts its next block once per block, at a random link among hundreds of
/// thousands. A deque's elements live in an allocation of their own, a cache miss that can only start once
/// the link's record is loaded (and every change pays a uniqueness check). Here the first
/// `inlineCapacity` runs sit in the link's record, which the simulator prefetches whole; a queue that long
/// covers the default pipeline (5 requests, one of them in transmission), and only a deeper one spills into
/// a deque.
struct BlockRunQueue: Sequence {
    /// A power of two: ring positions wrap with a mask.
    typealias Inline = InlineArray<4, BlockRun>
    static var inlineCapacity: Int { Inline.count }

    /// A ring: the oldest inline run is at `head`, the next at `head + 1` (modulo the capacity), so taking
    /// the first block touches that run alone.
    private var inline = Inline(repeating: BlockRun(bytes: 0, count: 0, tag: 0, readyAt: 0))
    /// Runs past the inline ones, oldest first; empty unless `count > inlineCapacity` (and then released, so
    /// a link that once had a long queue keeps no storage).
    private var spill: Deque<BlockRun> = []
    private var head: UInt8 = 0
    private var inlineCount: UInt8 = 0
    /// `spill.count`, kept here: reading it there would load the spill's storage.
    private var spillCount: Int32 = 0

    var count: Int { Int(inlineCount) + Int(spillCount) }
    var isEmpty: Bool { inlineCount == 0 }
    var first: BlockRun? { inlineCount == 0 ? nil : inline[Int(head)] }

    @inline(__always)
    private func slot(_ i: Int) -> Int { (Int(head) + i) & (Self.inlineCapacity - 1) }

    subscript(i: Int) -> BlockRun {
        precondition(i >= 0 && i < count, "run \(i) out of 0..<\(count)")
        return i < Self.inlineCapacity ? inline[slot(i)] : spill[i - Self.inlineCapacity]
    }

    mutating func append(_ run: BlockRun) {
        if Int(inlineCount) < Self.inlineCapacity {
            inline[slot(Int(inlineCount))] = run
            inlineCount += 1
        } else {
            spill.append(run)
            spillCount += 1
        }
    }

    /// Takes the first block of the first run (the queue must not be empty): its size and tag.
    mutating func takeFirstBlock() -> (bytes: Int32, tag: Int64) {
        precondition(inlineCount > 0, "no block queued")
        let h = Int(head)
        let run = inline[h]
        if run.count > 1 {
            inline[h].count -= 1
            inline[h].tag += 1
        } else {
            head = UInt8((h + 1) & (Self.inlineCapacity - 1))
            inlineCount -= 1
            if spillCount > 0 { append(takeFirstSpilled()) }
        }
        return (run.bytes, run.tag)
    }

    /// Removes the run at `i`; later runs move up one place.
    mutating func remove(at i: Int) {
        precondition(i >= 0 && i < count, "run \(i) out of 0..<\(count)")
        guard i < Self.inlineCapacity else {
            spill.remove(at: i - Self.inlineCapacity)
            dropSpilled()
            return
        }
        let n = Int(inlineCount)
        for j in i..<(n - 1) { inline[slot(j)] = inline[slot(j + 1)] }
        inlineCount -= 1
        if spillCount > 0 { append(takeFirstSpilled()) }
    }

    private mutating func takeFirstSpilled() -> BlockRun {
        let run = spill.removeFirst()
        dropSpilled()
        return run
    }

    /// A run left the spill: count it, and release the storage once the spill is empty.
    private mutating func dropSpilled() {
        spillCount -= 1
        if spillCount == 0 { spill = [] }
    }

    /// The index of the first run that satisfies `predicate`, if any.
    func firstIndex(where predicate: (BlockRun) -> Bool) -> Int? {
        for i in 0..<count where predicate(self[i]) { return i }
        return nil
    }

    mutating func removeAll() {
        head = 0
        inlineCount = 0
        if spillCount > 0 {
            spill = []
            spillCount = 0
        }
    }

    func makeIterator() -> Iterator { Iterator(queue: self) }

    struct Iterator: IteratorProtocol {
        let queue: BlockRunQueue
        var position = 0

        mutating func next() -> BlockRun? {
            guard position < queue.count else { return nil }
            defer { position += 1 }
            return queue[position]
        }
    }
}
