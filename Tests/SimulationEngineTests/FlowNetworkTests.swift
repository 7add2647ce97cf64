import Testing
@testable import SimulationEngine

/// The smallest event type the network can drive: only transmission notices.
enum NetEvent: TransmissionEvent, Equatable {
    case notice(Int32, UInt32)
    case enqueue(link: Int, bytes: Int)

    static func transmissionFinished(link: Int32, generation: UInt32) -> NetEvent { .notice(link, generation) }
    var transmission: (link: Int32, generation: UInt32)? {
        if case .notice(let l, let g) = self { return (l, g) }
        return nil
    }
}

@Suite struct FlowNetworkTests {
    /// Runs the queue dry, returning (time, link, block) for each finished transmission.
    func drain(_ net: FlowNetwork, _ q: inout EventQueue<NetEvent>, check: Bool = true) -> [(SimTime, Int, SentBlock)] {
        var done: [(SimTime, Int, SentBlock)] = []
        while let (t, e) = q.next() {
            switch e {
            case .notice(let l, let g):
                if let block = net.finishTransmission(link: l, generation: g, queue: &q) { done.append((t, Int(l), block)) }
            case .enqueue(let link, let bytes):
                net.send(bytes: bytes, firstTag: 0, on: link, queue: &q)
            }
            if check { #expect(net.invariantViolations() == []) }
        }
        return done
    }

    @Test func oneTransferTakesSizeOverTheBottleneck() {
        let net = FlowNetwork()
        net.addNode(upload: 8_000_000, download: 100_000_000)  // 1 MB/s up
        net.addNode(upload: 0, download: 4_000_000)  // 0.5 MB/s down: the bottleneck
        let link = net.addLink(from: 0, to: 1)
        var q = EventQueue<NetEvent>()
        net.send(bytes: 500_000, count: 2, firstTag: 7, on: link, queue: &q)
        let done = drain(net, &q)
        #expect(done.map(\.0) == [1_000_000_000, 2_000_000_000])
        #expect(done.map(\.2.tag) == [7, 8])
        #expect(net.uploadedBytes == [1_000_000, 0])
    }

    @Test func senderSharesFairlyAndGivesSpareToWhoCanUseIt() {
        let net = FlowNetwork()
        net.addNode(upload: 100, download: 0)
        net.addNode(upload: 0, download: 10)
        net.addNode(upload: 0, download: 1000)
        net.addNode(upload: 0, download: 1000)
        var q = EventQueue<NetEvent>()
        for r in 1...3 { net.send(bytes: 1000, firstTag: 0, on: net.addLink(from: 0, to: r), queue: &q) }
        #expect(net.rate(of: 0) == 10)
        #expect(net.rate(of: 1) == 45)
        #expect(net.rate(of: 2) == 45)
        #expect(net.invariantViolations() == [])
    }

    @Test func receiverSpareGoesToTheFasterSender() {
        // Receiver 2 (download 100) is fed by a slow sender (5) and a fast one (1000): it takes 5 + 95.
        let net = FlowNetwork()
        net.addNode(upload: 5, download: 0)
        net.addNode(upload: 1000, download: 0)
        net.addNode(upload: 0, download: 100)
        var q = EventQueue<NetEvent>()
        let slow = net.addLink(from: 0, to: 2), fast = net.addLink(from: 1, to: 2)
        net.send(bytes: 1000, firstTag: 0, on: slow, queue: &q)
        net.send(bytes: 1000, firstTag: 0, on: fast, queue: &q)
        #expect(net.rate(of: slow) == 5)
        #expect(net.rate(of: fast) == 95)
    }

    @Test func ratesChangeWhenTransfersStartAndEnd() {
        let net = FlowNetwork()
        net.addNode(upload: 8000, download: 0)  // 1000 bytes/s
        net.addNode(upload: 0, download: 1e9)
        net.addNode(upload: 0, download: 1e9)
        var q = EventQueue<NetEvent>()
        let a = net.addLink(from: 0, to: 1), b = net.addLink(from: 0, to: 2)
        net.send(bytes: 1000, firstTag: 0, on: a, queue: &q)
        q.schedule(.enqueue(link: b, bytes: 250), at: 500_000_000)
        // a: 500 bytes alone in 0.5 s, then shares: b's 250 bytes at 500 B/s take 0.5 s, a sends 250 more;
        // then a alone sends its last 250 at 1000 B/s: a ends at 1.25 s, b at 1.0 s.
        let done = drain(net, &q)
        #expect(done.map(\.1) == [b, a])
        #expect(done.map(\.0) == [1_000_000_000, 1_250_000_000])
        #expect(net.groupSentMeter[0].bits(at: 1_250_000_000) == 1250 * 8)
    }

    @Test func randomWorkloadsKeepThePhysics() {
        withEverySeed(0..<20) { seed, rng in
            let net = FlowNetwork()
            let nodes = Int(rng.next() % 8) + 2
            for _ in 0..<nodes {
                net.addNode(upload: Double(rng.next() % 1_000_000 + 1000), download: Double(rng.next() % 1_000_000 + 1000))
            }
            var links: [Int] = []
            for s in 0..<nodes { for r in 0..<nodes where r != s && rng.next() % 2 == 0 { links.append(net.addLink(from: s, to: r)) } }
            guard !links.isEmpty else { return }
            var q = EventQueue<NetEvent>()
            var sent = 0
            for _ in 0..<60 {
                let link = links[Int(rng.next() % UInt64(links.count))]
                let bytes = Int(rng.next() % 20_000) + 1
                sent += bytes
                q.schedule(.enqueue(link: link, bytes: bytes), at: SimTime(rng.next() % 2_000_000_000))
            }
            let done = drain(net, &q)
            // Conservation: every byte queued was sent, once.
            #expect(done.reduce(0) { $0 + $1.2.bytes } == sent, "seed \(seed)")
            #expect(net.uploadedBytes.reduce(0, +) == Int64(sent), "seed \(seed)")
            // The meters integrate the rates: bits metered equal bits sent, within rounding of the ceil'd ends.
            // (The group meters, which the time series read; every node is in group 0 here. The per-node
            // meters exist in debug builds only, for `invariantViolations`.)
            let end = q.now
            let metered = net.groupSentMeter[0].bits(at: end)
            #expect(abs(metered - Double(sent * 8)) < 1e-3 * Double(sent * 8), "seed \(seed)")
            let received = net.groupReceivedMeter[0].bits(at: end)
            #expect(abs(received - metered) < 1e-6 * metered, "seed \(seed)")
        }
    }

    @Test func staleNoticesAreDroppedWhenTheyPileUp() {
        // One sender, many receivers joining one by one: every join changes every rate.
        let net = FlowNetwork()
        net.addNode(upload: 1e6, download: 0)
        var q = EventQueue<NetEvent>()
        for r in 1...600 {
            net.addNode(upload: 0, download: 1e9)
            q.schedule(.enqueue(link: net.addLink(from: 0, to: r), bytes: 100_000), at: SimTime(r))
        }
        var peak = 0
        var finished = 0
        while let (_, e) = q.next() {
            switch e {
            case .notice(let l, let g): if net.finishTransmission(link: l, generation: g, queue: &q) != nil { finished += 1 }
            case .enqueue(let link, let bytes): net.send(bytes: bytes, firstTag: 0, on: link, queue: &q)
            }
            peak = max(peak, q.count)
        }
        #expect(finished == 600)
        // 600 joins would leave ~180,000 stale notices; compaction keeps the queue far smaller.
        #expect(peak < 140_000)
    }
}
