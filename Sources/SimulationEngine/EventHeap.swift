/// An event with its place in the order: time first, then the sequence number it was scheduled with.
///
/// The order is kept in `key` as well: the low 20 bits of the time (the offset within a 2^20 ns bucket of
/// `EventQueue`) above the low 44 bits of the sequence. Within one bucket, comparing keys alone gives the
/// (time, sequence) order in one comparison instead of two: the current bucket (`CurrentBucket`), which
/// every event passes through, is sorted by it.
@usableFromInline
struct EventEntry<Event> {
    @usableFromInline var time: SimTime
    @usableFromInline var key: UInt64
    @usableFromInline var event: Event

    /// Time bits below a bucket's start (see `EventQueue.bucketShift`), and the sequence bits below them.
    @inlinable static var offsetBits: UInt64 { 20 }
    @inlinable static var sequenceBits: UInt64 { 64 - offsetBits }

    /// - Precondition: `sequence < 2^44` (a run would need 17 trillion events to reach it).
    @inlinable
    init(time: SimTime, sequence: UInt64, event: Event) {
        precondition(sequence >> Self.sequenceBits == 0, "event sequence \(sequence) beyond 2^44")
        self.time = time
        key = UInt64(truncatingIfNeeded: time) << Self.sequenceBits | sequence
        self.event = event
    }

    /// The sequence number the entry was scheduled with.
    @inlinable var sequence: UInt64 { key & (1 << Self.sequenceBits - 1) }

    /// (time, sequence) order, for entries of any times. Equal times have equal offsets, so their keys
    /// order them by sequence.
    @inlinable @inline(__always)
    func precedes(_ other: EventEntry) -> Bool {
        time < other.time || (time == other.time && key < other.key)
    }
}

@usableFromInline
struct EventHeap<Event> {
    @usableFromInline var items: [EventEntry<Event>] = []

    @inlinable init() {}

    @inlinable var count: Int { items.count }
    @inlinable var isEmpty: Bool { items.isEmpty }
    @inlinable var first: EventEntry<Event>? { items.first }

    /// The entry `popMin` would return after `first`: the least of the root's children.
    @inlinable var second: EventEntry<Event>? {
        let end = min(5, items.count)
        guard end > 1 else { return nil }
        var best = 1
        for k in 2..<end where items[k].precedes(items[best]) { best = k }
        return items[best]
    }

    @inlinable
    mutating func push(_ entry: EventEntry<Event>) {
        items.append(entry)
        siftUp(items.count - 1)
    }

    /// Removes and returns the earliest entry; the heap must not be empty.
    @inlinable
    mutating func popMin() -> EventEntry<Event> {
        let top = items[0]
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            siftDown(0)
        }
        return top
    }

    /// Restores the heap order after entries were appended to `items` directly.
    @inlinable
    mutating func heapify() {
        guard items.count > 1 else { return }
        for i in stride(from: (items.count - 2) / 4, through: 0, by: -1) { siftDown(i) }
    }

    mutating func removeAll(where isDead: (Event) -> Bool) {
        items.removeAll { isDead($0.event) }
        heapify()
    }

    @inlinable
    mutating func siftUp(_ start: Int) {
        var child = start
        let entry = items[child]
        while child > 0 {
            let parent = (child - 1) / 4
            guard entry.precedes(items[parent]) else { break }
            items[child] = items[parent]
            child = parent
        }
        items[child] = entry
    }

    @inlinable
    mutating func siftDown(_ start: Int) {
        var parent = start
        let entry = items[parent]
        let count = items.count
        while true {
            let first = 4 * parent + 1
            guard first < count else { break }
            var child = first
            let end = min(first + 4, count)
            var k = first + 1
            while k < end {
                if items[k].precedes(items[child]) { child = k }
                k += 1
            }
            guard items[child].precedes(entry) else { break }
            items[parent] = items[child]
            parent = child
        }
        items[parent] = entry
    }

    /// Where the heap order is broken, if anywhere. O(n).
    func orderViolation() -> Int? {
        for i in items.indices.dropFirst() where items[i].precedes(items[(i - 1) / 4]) { return i }
        return nil
    }
}
