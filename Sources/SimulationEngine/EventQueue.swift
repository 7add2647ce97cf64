/// The simulation's clock and agenda: events come out ordered by (time, insertion sequence).
///
/// Equal times run in the order they were scheduled, so a run is a pure function of its inputs.
/// Scheduling in the past is a programming error and traps. `Event` is the simulator's own enum: the
/// engine never looks inside it.
///
/// Why not one heap: a large swarm keeps ~100,000 events pending, and between two of them the simulator
/// touches hundreds of megabytes, so every level of a big heap was a cache miss (a pop cost ~450 ns at
/// 10,000 peers). Nearly every event is due within a second (block ends and arrivals, messages), so the
/// queue is a *calendar*: time is cut into buckets of 2^20 ns (~1 ms); a ring of 4,096 buckets holds the
/// events of the next ~4.3 s unsorted; only the current bucket is a heap, small enough to stay in cache;
/// later events (rechokes, announces) wait in a second heap until their bucket comes up. The order is
/// exactly that of one heap, entry for entry.
/// - Complexity: `schedule` O(1) within the ring, O(log n) beyond it; `next` amortized O(log b) for b
///   events in a bucket.
public struct EventQueue<Event> {
    @usableFromInline typealias Entry = EventEntry<Event>

    @usableFromInline static var bucketShift: SimTime { 20 }
    @usableFromInline static var ringSize: Int { 4096 }

    /// Every pending event of bucket `current` or earlier.
    @usableFromInline var near = CurrentBucket<Event>()
    /// Buckets `current + 1 ..< current + ringSize`, at slot `bucket % ringSize`, unsorted.
    @usableFromInline var ring = EventRing<Entry>(slots: Self.ringSize, capacity: Self.slotCapacity)
    @inlinable var ringCount: Int { ring.total }
    /// Events scheduled beyond the ring's horizon when they were scheduled.
    @usableFromInline var far = EventHeap<Event>()
    /// The bucket `near` covers (time >> bucketShift).
    @usableFromInline var current = 0

    @usableFromInline var nextSequence: UInt64 = 0
    @usableFromInline var _now: SimTime = 0
    @usableFromInline var _processed: UInt64 = 0
    /// The time of the event being handled (or last handled).
    @inlinable public var now: SimTime { _now }
    /// How many events have been taken off the queue.
    @inlinable public var processed: UInt64 { _processed }

    public init() {}

    @inlinable public var count: Int { near.count + ringCount + far.count }
    @inlinable public var isEmpty: Bool { count == 0 }

    /// The ring, not shared with a copy of this queue: a copy made before a mutation gets its own.
    @inlinable
    mutating func uniqueRing() -> EventRing<Entry> {
        if !isKnownUniquelyReferenced(&ring) { ring = ring.copy() }
        return ring
    }

    /// The time of the next event, if any. (Mutating: it may bring the next bucket up.)
    @inlinable public var nextTime: SimTime? {
        mutating get { bringUpNextBucket() ? near.first?.time : nil }
    }

    /// The earliest pending event if it falls in the current bucket, else nil: a cheap look ahead, e.g. to
    /// prefetch what it will read. It does not take the event nor move the clock.
    @inlinable public var upcoming: Event? { near.first?.event }

    /// The pending event `k` places after `upcoming` (0: `upcoming`), if it falls in the current bucket and
    /// the look can be had cheaply (at most one past `upcoming` while the bucket holds an earlier bucket's
    /// event), else nil.
    @inlinable public func upcoming(after k: Int) -> Event? { near.entry(after: k)?.event }

    /// Schedules `event` at absolute time `time` (not before `now`).
    @inlinable
    public mutating func schedule(_ event: Event, at time: SimTime) {
        precondition(time >= now, "event scheduled in the past (\(time) < now \(now))")
        let entry = Entry(time: time, sequence: nextSequence, event: event)
        nextSequence &+= 1
        let bucket = Int(time >> Self.bucketShift)
        if bucket <= current {
            // An earlier bucket than the current one: a peek (`nextTime`) brought a later bucket up before
            // this was scheduled. The current bucket then holds two buckets' events, as a heap ordered by time
            // first (see `CurrentBucket`).
            near.push(entry, earlierBucket: bucket < current)
        } else if bucket - current < Self.ringSize {
            uniqueRing().append(entry, to: bucket & (Self.ringSize - 1))
        } else {
            far.push(entry)
        }
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
        guard bringUpNextBucket() else { return nil }
        let top = near.popMin()
        _now = top.time
        _processed &+= 1
        checkInvariants()
        return (top.time, top.event)
    }

    /// Moves the clock forward to `time` without an event (used to close a run at `stop_at`).
    public mutating func advance(to time: SimTime) {
        precondition(time >= now, "the clock cannot go back")
        precondition(nextTime.map { $0 >= time } ?? true, "advancing past a pending event")
        _now = time
    }

    /// Makes `near` hold the earliest pending event; false if there is none. Empty buckets are skipped
    /// with the occupancy bits, and a quiet stretch with nothing in the ring jumps to the far heap's bucket.
    @inlinable
    mutating func bringUpNextBucket() -> Bool {
        while near.isEmpty {
            near.startBucket()
            var bucket = Int.max
            if ringCount > 0 { bucket = nextOccupiedBucket() }
            if let f = far.first { bucket = min(bucket, Int(f.time >> Self.bucketShift)) }
            guard bucket != Int.max else { return false }
            current = bucket
            let slot = bucket & (Self.ringSize - 1)
            if ring.isOccupied(slot) {
                // The slot holds bucket `current` only: the ring spans fewer buckets than it has slots.
                uniqueRing().drain(slot, into: &near.items)
            }
            while let f = far.first, Int(f.time >> Self.bucketShift) <= current { near.items.append(far.popMin()) }
            near.sortBucket()
        }
        return true
    }

    /// Entries a ring slot holds without overflow: more than a usual bucket (about 170 events at 10,000
    /// peers). With the swarm's 32-byte entries, 8 KiB a slot and 32 MiB for the ring, reserved up front;
    /// the system gives it pages as slots are first written.
    @usableFromInline static var slotCapacity: Int { 256 }

    /// The first occupied bucket after `current` (the ring must hold an event).
    @inlinable
    func nextOccupiedBucket() -> Int {
        let mask = Self.ringSize - 1
        let start = (current + 1) & mask
        var w = start >> 6
        let words = Self.ringSize / 64
        var bits = ring.occupied[w] & (~0 << UInt64(start & 63))
        for _ in 0...words {
            if bits != 0 {
                let slot = w << 6 + bits.trailingZeroBitCount
                return current + ((slot - current) & mask)
            }
            w = (w + 1) % words
            bits = ring.occupied[w]
        }
        preconditionFailure("ring count \(ringCount) but no occupied slot")
    }
}

extension EventQueue {
    /// Checks the heaps' order, that each ring slot holds only its bucket, and that nothing is due before
    /// `now`. Compiled in debug builds only (flag P2PSIM_INVARIANTS), where every mutation calls it;
    /// O(n), so it runs only while the queue is small.
    @inlinable @inline(__always)
    func checkInvariants() {
        #if P2PSIM_INVARIANTS
        if count <= 64 { _checkInvariants() }
        #endif
    }

    @usableFromInline
    func _checkInvariants() {
        precondition(near.orderViolation() == nil && far.orderViolation() == nil, "event heap order broken")
        precondition(near.entries.allSatisfy { Int($0.time >> Self.bucketShift) <= current }, "a later bucket in the current one")
        precondition(!near.sorted || near.entries.allSatisfy { Int($0.time >> Self.bucketShift) == current },
                     "two buckets in the current one, ordered as one")
        // Occupied slots only (a full scan of the ring per operation made debug runs crawl); an entry in a
        // slot not marked occupied would show as a ring count above the sum.
        var inRing = 0
        for w in 0..<(Self.ringSize / 64) where ring.occupied[w] != 0 {
            var bits = ring.occupied[w]
            while bits != 0 {
                let slot = w << 6 + bits.trailingZeroBitCount
                bits &= bits - 1
                precondition(ring.count(of: slot) > 0, "slot \(slot) marked occupied but empty")
                inRing += ring.count(of: slot)
                ring.forEach(in: slot) { e in
                    let bucket = Int(e.time >> Self.bucketShift)
                    precondition(bucket > current && bucket - current < Self.ringSize && bucket & (Self.ringSize - 1) == slot,
                                 "event of bucket \(bucket) in slot \(slot) (current \(current))")
                }
            }
        }
        precondition(inRing == ringCount, "ring count")
        if let first = near.first { precondition(first.time >= now, "an event is due before now") }
    }
}

extension EventQueue {
    /// Removes every event for which `isDead` holds. Order among the survivors is unchanged, since it is
    /// fixed by (time, sequence). - Complexity: O(n).
    public mutating func removeAll(where isDead: (Event) -> Bool) {
        near.removeAll(where: isDead)
        far.removeAll(where: isDead)
        if ringCount > 0 { uniqueRing().removeAll { isDead($0.event) } }
        checkInvariants()
    }
}
