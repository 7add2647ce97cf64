import Testing
@testable import SimulationEngine

/// Deferred notices (FlowNetwork) may change when a block is reported, never the transfers: the same
/// workload run with latencies known to the links and with latency 0 (every notice at the block's end) gives
/// every block the same end time, including when requests are cancelled or dropped mid-stream. A block
/// reported at its arrival is a delivery event a simulator does not need.
@Suite struct DeferredNoticeTests {
    enum Event: TransmissionEvent {
        case notice(Int32, UInt32)
        case send(link: Int, bytes: Int, count: Int, tag: Int64, readyIn: SimTime)
        case cancel(link: Int, tag: Int64)
        case drop(link: Int)

        static func transmissionFinished(link: Int32, generation: UInt32) -> Event { .notice(link, generation) }
        var transmission: (link: Int32, generation: UInt32)? {
            if case .notice(let l, let g) = self { return (l, g) }
            return nil
        }
    }

    struct Sent: Hashable, Comparable {
        var link: Int
        var tag: Int64
        var end: SimTime
        static func < (a: Sent, b: Sent) -> Bool { (a.end, a.link, a.tag) < (b.end, b.link, b.tag) }
    }

    /// Runs `workload` on a fresh network; returns every block sent and how many were reported on arrival.
    func run(nodes: [(Double, Double)], links: [(Int, Int, SimTime)], workload: [(SimTime, Event)], defer: Bool)
        -> (sent: [Sent], onArrival: Int, problems: [String]) {
        let net = FlowNetwork()
        for (up, down) in nodes { net.addNode(upload: up, download: down) }
        for (s, r, latency) in links { net.addLink(from: s, to: r, latency: `defer` ? latency : 0) }
        var q = EventQueue<Event>()
        for (t, e) in workload { q.schedule(e, at: t) }
        var sent: [Sent] = []
        var problems: [String] = []
        var onArrival = 0
        func record(_ link: Int, _ block: SentBlock) {
            // A deferred notice comes when the block arrives, a plain one when it ends.
            if q.now != block.finishedAt && q.now != block.finishedAt + links[link].2 {
                problems.append("block \(block.tag) on \(link) reported at \(q.now), ended \(block.finishedAt)")
            }
            if q.now != block.finishedAt { onArrival += 1 }
            sent.append(Sent(link: link, tag: block.tag, end: block.finishedAt))
        }
        while let (_, e) = q.next() {
            switch e {
            case .notice(let l, let g):
                if let block = net.finishTransmission(link: l, generation: g, queue: &q) { record(Int(l), block) }
            case .send(let link, let bytes, let count, let tag, let readyIn):
                net.send(bytes: bytes, count: count, firstTag: tag, readyAt: q.now + readyIn, on: link, queue: &q)
            case .cancel(let link, let tag):
                net.cancel(tag: tag, on: link, queue: &q)
            case .drop(let link):
                _ = net.dropQueued(on: link, queue: &q)
            }
            net.takeBacklog { link, block in
                if block.finishedAt + links[Int(link)].2 < q.now { problems.append("backlog block \(block.tag) arrives in the past") }
                sent.append(Sent(link: Int(link), tag: block.tag, end: block.finishedAt))
            }
            problems += net.invariantViolations()
        }
        for l in 0..<net.linkCount { net.catchUp(l, queue: &q) }
        net.takeBacklog { link, block in sent.append(Sent(link: Int(link), tag: block.tag, end: block.finishedAt)) }
        return (sent.sorted(), onArrival, problems)
    }

    @Test func deferredNoticesGiveTheSameTransfersWithFewerEvents() {
        var saved = 0
        withEverySeed(0..<30) { seed, rng in
            let nodeCount = Int(rng.next() % 6) + 2
            let nodes = (0..<nodeCount).map { _ in
                (Double(rng.next() % 4_000_000 + 100_000), Double(rng.next() % 4_000_000 + 100_000))
            }
            var links: [(Int, Int, SimTime)] = []
            for s in 0..<nodeCount {
                for r in 0..<nodeCount where r != s && rng.next() % 2 == 0 {
                    links.append((s, r, SimTime(rng.next() % 80_000_000 + 1_000_000)))  // 1-81 ms
                }
            }
            guard !links.isEmpty else { return }
            var workload: [(SimTime, Event)] = []
            var tag: Int64 = 0
            for _ in 0..<80 {
                let link = Int(rng.next() % UInt64(links.count))
                let at = SimTime(rng.next() % 3_000_000_000)
                switch rng.next() % 10 {
                case 0: workload.append((at, .cancel(link: link, tag: Int64(rng.next() % UInt64(max(1, tag))))))
                case 1: workload.append((at, .drop(link: link)))
                default:
                    let count = Int(rng.next() % 6) + 1
                    let readyIn = rng.next() % 3 == 0 ? SimTime(rng.next() % 50_000_000) : 0
                    workload.append((at, .send(link: link, bytes: Int(rng.next() % 16_384) + 1, count: count, tag: tag,
                                               readyIn: readyIn)))
                    tag += Int64(count)
                }
            }
            let plain = run(nodes: nodes, links: links, workload: workload, defer: false)
            let deferred = run(nodes: nodes, links: links, workload: workload, defer: true)
            #expect(plain.problems.isEmpty && deferred.problems.isEmpty, "seed \(seed): \(deferred.problems.prefix(3))")
            #expect(deferred.sent == plain.sent, "seed \(seed): the transfers differ")
            #expect(plain.onArrival == 0)
            saved += deferred.onArrival
        }
        #expect(saved > 100, "only \(saved) blocks were reported on arrival")
    }
    /// Handing out the backlog can roll other links forward (a block delivered at once triggers requests
    /// elsewhere); what they add must be handed out too, not dropped with the batch.
    @Test func theBacklogIsDrainedEvenWhenItGrowsMeanwhile() {
        let net = FlowNetwork()
        net.addNode(upload: 8000, download: 0)  // 1,000 B/s, shared by two links: 0.2 s per 100-byte block
        net.addNode(upload: 0, download: 1e9)
        net.addNode(upload: 0, download: 1e9)
        let a = net.addLink(from: 0, to: 1, latency: 100_000_000), b = net.addLink(from: 0, to: 2, latency: 100_000_000)
        var q = EventQueue<Event>()
        net.send(bytes: 100, count: 3, firstTag: 10, on: a, queue: &q)
        net.send(bytes: 100, count: 3, firstTag: 20, on: b, queue: &q)
        // Both first blocks end at 0.2 s; their notices are deferred to 0.3 s. Before 0.25 s only the stale
        // notices of the first rates (b's start re-rated a) come up.
        while let t = q.nextTime, t < 250_000_000 {
            guard case .notice(let l, let g) = q.next()!.event else { continue }
            #expect(net.finishTransmission(link: l, generation: g, queue: &q) == nil)
        }
        q.advance(to: 250_000_000)
        net.catchUp(a, queue: &q)
        var handed: [Int64] = []
        net.takeBacklog { link, block in
            handed.append(block.tag)
            if Int(link) == a { net.catchUp(b, queue: &q) }
        }
        #expect(handed == [10, 20])
        #expect(net.backlog.isEmpty)
    }
}
