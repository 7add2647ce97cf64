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

