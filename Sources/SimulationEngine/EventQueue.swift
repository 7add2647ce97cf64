/// The simulation's clock and agenda: a priority queue of events ordered by (time, insertion sequence).
///
/// Equal times run in the order they were scheduled, so a run is a pure function of its inputs.
/// Scheduling in the past is a programming error and traps. `Event` is the simulator's own enum: the
/// engine never looks inside it.
///
/// A 4-ary min-heap stored in one array: half the depth of a binary heap, and the four children of a node
/// share a cache line or two, which matters with millions of pending events.
/// - Complexity: `schedule` and `next` are O(log n).
public struct EventQueue<Event> {
    @usableFromInline
    struct Entry {
        @usableFromInline var time: SimTime
        @usableFromInline var sequence: UInt64
        @usableFromInline var event: Event

        @inlinable
        init(time: SimTime, sequence: UInt64, event: Event) {
            self.time = time
            self.sequence = sequence
            self.event = event
        }

        @inlinable @inline(__always)
        func precedes(_ other: Entry) -> Bool {
            time < other.time || (time == other.time && sequence < other.sequence)
        }
    }

    @usableFromInline var heap: [Entry] = []
    @usableFromInline var nextSequence: UInt64 = 0
    @usableFromInline var _now: SimTime = 0
    @usableFromInline var _processed: UInt64 = 0
    /// The time of the event being handled (or last handled).
    @inlinable public var now: SimTime { _now }
    /// How many events have been taken off the queue.
    @inlinable public var processed: UInt64 { _processed }

    public init() {}

    @inlinable public var count: Int { heap.count }
    @inlinable public var isEmpty: Bool { heap.isEmpty }
    /// The time of the next event, if any.
    @inlinable public var nextTime: SimTime? { heap.first?.time }

    /// Schedules `event` at absolute time `time` (not before `now`).
    @inlinable
    public mutating func schedule(_ event: Event, at time: SimTime) {
        precondition(time >= now, "event scheduled in the past (\(time) < now \(now))")
        heap.append(Entry(time: time, sequence: nextSequence, event: event))
        nextSequence &+= 1
        siftUp(heap.count - 1)
        checkInvariants()
    }

    /// Schedules `event` `delay` nanoseconds from now (delay >= 0).
    @inlinable
    public mutating func schedule(_ event: Event, after delay: SimTime) {
        precondition(delay >= 0, "negative delay \(delay)")
        schedule(event, at: now + delay)
    }

    /// Removes the earliest event, advances the clock to its time, and returns it.
    @inlinable
    public mutating func next() -> (time: SimTime, event: Event)? {
        guard !heap.isEmpty else { return nil }
        let top = heap[0]
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            siftDown(0)
        }
        _now = top.time
        _processed &+= 1
        checkInvariants()
        return (top.time, top.event)
    }

    /// Moves the clock forward to `time` without an event (used to close a run at `stop_at`).
    public mutating func advance(to time: SimTime) {
        precondition(time >= now, "the clock cannot go back")
        precondition(heap.first.map { $0.time >= time } ?? true, "advancing past a pending event")
        _now = time
    }

    @inlinable
    mutating func siftUp(_ start: Int) {
        var child = start
        let entry = heap[child]
        while child > 0 {
            let parent = (child - 1) / 4
            guard entry.precedes(heap[parent]) else { break }
            heap[child] = heap[parent]
            child = parent
        }
        heap[child] = entry
    }

    @inlinable
    mutating func siftDown(_ start: Int) {
        var parent = start
        let entry = heap[parent]
        let count = heap.count
        while true {
            let first = 4 * parent + 1
            guard first < count else { break }
            var child = first
            let end = min(first + 4, count)
            var k = first + 1
            while k < end {
                if heap[k].precedes(heap[child]) { child = k }
                k += 1
            }
            guard heap[child].precedes(entry) else { break }
            heap[parent] = heap[child]
            parent = child
        }
        heap[parent] = entry
    }
}

extension EventQueue {
    /// Checks the heap property and that nothing is due before `now`. Compiled in debug builds only
    /// (flag P2PSIM_INVARIANTS), where every mutation calls it; O(n), so keep test queues small.
    @inlinable @inline(__always)
    func checkInvariants() {
        #if P2PSIM_INVARIANTS
        if heap.count <= 64 { _checkInvariants() }
        #endif
    }

    @usableFromInline
    func _checkInvariants() {
        for i in heap.indices.dropFirst() {
            precondition(!heap[i].precedes(heap[(i - 1) / 4]), "event heap order broken at \(i)")
        }
        if let first = heap.first { precondition(first.time >= now, "an event is due before now") }
    }
}

extension EventQueue {
    /// Removes every event for which `isDead` holds, then restores the heap. Order among the survivors is
    /// unchanged, since it is fixed by (time, sequence). - Complexity: O(n).
    public mutating func removeAll(where isDead: (Event) -> Bool) {
        heap.removeAll { isDead($0.event) }
        if heap.count > 1 {
            for i in stride(from: (heap.count - 2) / 4, through: 0, by: -1) { siftDown(i) }
        }
        checkInvariants()
    }
}
