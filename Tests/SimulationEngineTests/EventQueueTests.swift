import TestSupport
import Testing
@testable import SimulationEngine

@Suite struct EventQueueTests {
    @Test func eventsComeOutInTimeOrder() {
        var q = EventQueue<String>()
        q.schedule("c", at: 30)
        q.schedule("a", at: 10)
        q.schedule("b", at: 20)
        #expect([q.next()!.event, q.next()!.event, q.next()!.event] == ["a", "b", "c"])
        #expect(q.now == 30)
        #expect(q.next() == nil)
    }

    @Test func equalTimesRunInInsertionOrder() {
        var q = EventQueue<Int>()
        for i in 0..<100 { q.schedule(i, at: 5) }
        q.schedule(-1, at: 4)
        var out: [Int] = []
        while let (_, e) = q.next() { out.append(e) }
        #expect(out == [-1] + Array(0..<100))
    }

    @Test func scheduleAfterIsRelativeToNow() {
        var q = EventQueue<String>()
        q.schedule("first", at: 100)
        _ = q.next()
        q.schedule("later", after: 50)
        q.schedule("now", after: 0)
        #expect(q.next()! == (100, "now"))
        #expect(q.next()! == (150, "later"))
    }

    @Test func randomScheduleMatchesSortedOrder() {
        var rng = SplitMix64(seed: 42)
        var q = EventQueue<Int>()
        var expected: [(SimTime, Int)] = []
        for i in 0..<5000 {
            let t = SimTime(rng.next() % 1000)
            q.schedule(i, at: t)
            expected.append((t, i))
        }
        expected.sort { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
        var got: [(SimTime, Int)] = []
        while let (t, e) = q.next() { got.append((t, e)) }
        #expect(got.map(\.1) == expected.map(\.1))
        #expect(q.processed == 5000)
    }

    /// The look-ahead (`upcoming`, `upcoming(after:)`) names exactly the events the next
    /// pops return, as long as they fall in the current bucket, and nil otherwise; the simulator prefetches
    /// through it, so a wrong answer would cost only time, and only this test would see it.
    @Test func lookAheadNamesTheNextEventsOfTheBucket() {
        var rng = SplitMix64(seed: 7)
        var q = EventQueue<Int>()
        for i in 0..<3000 { q.schedule(i, at: SimTime(rng.next() % 4_000_000)) }
        var checked = 0
        while let due = q.nextTime {
            let bucket = due >> 20
            var copy = q
            var left = true  // still in the bucket (an event past it may come before a later one of it: no)
            let popped = (0..<4).map { _ -> Int? in
                let e = copy.next().flatMap { $0.time >> 20 == bucket ? $0.event : nil }
                if e == nil { left = false }
                return left ? e : nil
            }
            #expect(q.upcoming == popped[0])
            #expect((0..<4).map { q.upcoming(after: $0) } == popped)
            if popped[1] != nil { checked += 1 }
            // Now and then an event lands in the current bucket, as block ends do.
            if rng.next() % 3 == 0 { q.schedule(-checked, at: due + SimTime(rng.next() % 1000)) }
            _ = q.next()
        }
        #expect(checked > 1000)
    }

    /// A burst fills a ring slot far beyond a usual bucket; once the bucket has run, the slot must not
    /// keep room for the burst (it did, up to 4,096 entries a slot: a tenth of a large run's memory).
    @Test func ringSlotsDoNotKeepTheRoomOfABurst() {
        var q = EventQueue<Int>()
        for bucket in 1...100 {
            for i in 0..<1000 { q.schedule(i, at: SimTime(bucket) << 20 + SimTime(i)) }
        }
        var out = 0
        while q.next() != nil { out += 1 }
        #expect(out == 100_000)
        let kept = q.ring.largestOverflowCapacity
        #expect(kept == 0, "a slot keeps room for \(kept) entries beyond its region")
    }

    /// A copy of a queue is a value of its own: taking events from one leaves the other's ring untouched.
    @Test func aCopiedQueueKeepsItsOwnEvents() {
        var q = EventQueue<Int>()
        for i in 0..<900 { q.schedule(i, at: SimTime(i % 3) << 20 + SimTime(i)) }  // 3 buckets, past a slot's region
        var copy = q
        var fromOriginal: [Int] = []
        while let (_, e) = q.next() { fromOriginal.append(e) }
        q.schedule(-1, at: q.now + 1 << 20)
        var fromCopy: [Int] = []
        while let (_, e) = copy.next() { fromCopy.append(e) }
        #expect(fromOriginal.count == 900)
        #expect(fromCopy == fromOriginal)
    }

    @Test func removeAllKeepsOrderOfSurvivors() {
        var q = EventQueue<Int>()
        for i in 0..<200 { q.schedule(i, at: SimTime(i % 7)) }
        q.removeAll { $0 % 3 == 0 }
        var out: [Int] = []
        while let (_, e) = q.next() { out.append(e) }
        let expected = (0..<200).filter { $0 % 3 != 0 }.sorted { ($0 % 7, $0) < ($1 % 7, $1) }
        #expect(out == expected)
    }

    @Test func schedulingInThePastTraps() async {
        await #expect(processExitsWith: .failure) {
            var q = EventQueue<Int>()
            q.schedule(1, at: 10)
            _ = q.next()
            q.schedule(2, at: 5)
        }
    }
}


/// The calendar (current bucket, ring, far heap) against a plain sorted list, on the pattern a simulation
/// makes: handling an event schedules new ones, mostly soon (same bucket, next buckets), some far beyond
/// the ring's horizon, many at equal times; with quiet stretches and a compaction midway.
@Suite struct EventQueueCalendarTests {
    @Test func interleavedSchedulingMatchesAReferenceOrder() {
        for seed: UInt64 in 0..<12 {
            var rng = SplitMix64(seed: seed)
            var q = EventQueue<Int>()
            var reference: [(time: SimTime, id: Int)] = []  // pending, in (time, id) order; ids rise with scheduling
            var nextID = 0
            func add(_ t: SimTime) {
                q.schedule(nextID, at: t)
                // Sorted insert: after every pending event at or before t (ids only grow).
                var lo = 0, hi = reference.count
                while lo < hi {
                    let mid = (lo + hi) / 2
                    if reference[mid].time <= t { lo = mid + 1 } else { hi = mid }
                }
                reference.insert((t, nextID), at: lo)
                nextID += 1
            }
            for _ in 0..<50 { add(SimTime(rng.next() % 3_000_000)) }
            var handled = 0
            while let (t, id) = q.next() {
                let expected = reference.removeFirst()
                #expect(t == expected.time && id == expected.id, "seed \(seed), event \(handled)")
                guard t == expected.time && id == expected.id else { return }
                handled += 1
                guard handled < 20_000 else { continue }
                // One new event per event on average (two while the queue is short), so the run goes on.
                for _ in 0..<(reference.count < 40 ? 2 : Int(rng.next() % 3)) {
                    let delay: SimTime
                    switch rng.next() % 10 {
                    case 0: delay = 0
                    case 1: delay = SimTime(rng.next() % 1_000)  // same bucket
                    case 2: delay = SimTime(rng.next() % 30_000_000_000)  // often beyond the ring (~4.3 s)
                    case 3: delay = SimTime(rng.next() % 5) << 20  // bucket boundaries
                    default: delay = SimTime(rng.next() % 500_000_000)
                    }
                    add(t + delay)
                }
                if handled == 5_000 {
                    q.removeAll { $0 % 7 == 0 }
                    reference.removeAll { $0.id % 7 == 0 }
                    #expect(q.count == reference.count)
                }
            }
            #expect(reference.isEmpty && q.isEmpty, "seed \(seed)")
            #expect(handled > 15_000)
        }
    }

    /// Peeking (`nextTime`) brings the next bucket up without taking an event; an event then scheduled in
    /// an earlier bucket (still not before now) must come first, though the heap of the current bucket
    /// orders by the time's offset within one bucket.
    @Test func anEventScheduledBeforeAPeekedBucketComesFirst() {
        var q = EventQueue<String>()
        q.schedule("later", at: 5 << 20)  // offset 0 in bucket 5
        #expect(q.nextTime == 5 << 20)
        q.schedule("sooner", at: 2 << 20 + 1000)  // offset 1,000 in bucket 2
        q.schedule("soonest", at: 2 << 20 + 999)
        #expect(q.next()! == (2 << 20 + 999, "soonest"))
        q.schedule("between", at: 3 << 20)
        #expect(q.next()! == (2 << 20 + 1000, "sooner"))
        #expect(q.next()! == (3 << 20, "between"))
        #expect(q.next()! == (5 << 20, "later"))
        #expect(q.next() == nil)
    }

    @Test func nextTimeAndAdvanceSeeTheFarHeap() {
        var q = EventQueue<String>()
        q.schedule("far", at: 3_600_000_000_000)  // an hour: beyond the ring
        #expect(q.nextTime == 3_600_000_000_000)
        q.advance(to: 1_000_000_000_000)
        q.schedule("soon", at: 1_000_000_000_005)
        #expect(q.next()! == (1_000_000_000_005, "soon"))
        #expect(q.next()! == (3_600_000_000_000, "far"))
        #expect(q.next() == nil && q.isEmpty)
    }
}
