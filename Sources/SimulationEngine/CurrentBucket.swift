/// The current bucket's events, for `EventQueue`: sorted once when the bucket comes up, latest first, so
/// that taking the earliest is taking the last entry, and the next ones are read where they lie.
///
/// Why not a heap: every event of a run passes through here, and a heap pays about log(n) comparisons and
/// moves to take each one (n about 170 at 10,000 peers); one sort per bucket pays fewer, and the look
/// ahead (`first`, `entry(after:)`) becomes plain reads. An event scheduled into the current bucket after it came up
/// is rare (most are due a latency or a block later): it is inserted in place.
///
/// If an event of an *earlier* bucket joins (a peek, `EventQueue.nextTime`, brought this bucket up before
/// the event was scheduled), keys no longer order the entries: they become a heap in (time, sequence)
/// order until the bucket is empty. An ascending array is already such a heap.
@usableFromInline
struct CurrentBucket<Event> {
    /// While `sorted`: the entries, latest key first.
    @usableFromInline var items: [EventEntry<Event>] = []
    /// False once an earlier bucket's event joined; the entries are then in `heap`.
    @usableFromInline var sorted = true
    @usableFromInline var heap = EventHeap<Event>()

    @inlinable init() {}

    @inlinable var count: Int { sorted ? items.count : heap.count }
    @inlinable var isEmpty: Bool { sorted ? items.isEmpty : heap.isEmpty }
    /// Every entry, in no particular order.
    var entries: [EventEntry<Event>] { sorted ? items : heap.items }

    /// The earliest entry.
    @inlinable var first: EventEntry<Event>? { sorted ? items.last : heap.first }

    /// The entry `k` places after `first` (0: `first`), if the bucket is sorted; nil beyond it, or for a
    /// heap past `second`.
    @inlinable func entry(after k: Int) -> EventEntry<Event>? {
        guard sorted else { return k == 0 ? heap.first : k == 1 ? heap.second : nil }
        return k < items.count ? items[items.count - 1 - k] : nil
    }

    /// A new bucket: `items` is filled next (in any order), then `sortBucket` orders it.
    @inlinable
    mutating func startBucket() {
        precondition(isEmpty, "a bucket starts while the last one still holds events")
        sorted = true
    }

    /// Orders the entries of the bucket just brought up (all of one bucket, so keys order them).
    @inlinable
    mutating func sortBucket() {
        items.withUnsafeMutableBufferPointer { $0.sort { $0.key > $1.key } }
    }

    /// Adds an entry of the current bucket, or (`earlierBucket`) of an earlier one.
    @inlinable
    mutating func push(_ entry: EventEntry<Event>, earlierBucket: Bool) {
        if sorted && earlierBucket {
            sorted = false
            heap.items = items.reversed()  // ascending: a heap in (time, sequence) order
            items = []
        }
        guard sorted else {
            heap.push(entry)
            return
        }
        // After the last entry with a greater key (binary search over the descending keys).
        var low = 0, high = items.count
        while low < high {
            let middle = (low + high) / 2
            if items[middle].key > entry.key { low = middle + 1 } else { high = middle }
        }
        items.insert(entry, at: low)
    }

    /// Removes and returns the earliest entry (the bucket must not be empty).
    @inlinable
    mutating func popMin() -> EventEntry<Event> {
        sorted ? items.removeLast() : heap.popMin()
    }

    /// Removes every entry whose event `isDead`; the survivors keep their order.
    mutating func removeAll(where isDead: (Event) -> Bool) {
        if sorted { items.removeAll { isDead($0.event) } } else { heap.removeAll(where: isDead) }
    }

    /// The index of an entry out of order, if any (for the queue's invariant checks).
    func orderViolation() -> Int? {
        guard sorted else { return heap.orderViolation() }
        for i in items.indices.dropFirst() where items[i - 1].key <= items[i].key { return i }
        return nil
    }
}
