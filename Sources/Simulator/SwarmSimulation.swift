import Randomness
import ScenarioModel
import SimulationEngine
import Strategy

/// A BitTorrent swarm (p2p mode): the server is the initial seed, peers find each other through a
/// tracker, trade blocks over connections, and decide through the Strategy module's picker and chokers,
/// the same types a real client uses.
///
/// Node 0 is the server, node i + 1 is peer i. A connection has two *ends*, numbered 2c and 2c + 1; end
/// `e` belongs to node `ends[e].node`, its partner is `e ^ 1`, and network link `e` carries data from end e's
/// node to its partner. Per-end state is that node's view: does it choke the partner, is it interested,
/// which blocks has it requested, what has it received.
///
/// Messages: requests, `choke` and `unchoke` and data travel with the pair's latency; bitfields are
/// exchanged when a connection is set up (one round trip); `have`, `interested`, `not interested` and
/// `cancel` take effect at once (docs/model.md says why).
public final class SwarmSimulation: EventQueueOwner {
    enum Event: TransmissionEvent {
        case arrival(Int32)
        case transmission(link: Int32, generation: UInt32)
        case delivery(end: Int32, block: Int32)
        case connected(Int32)
        case unchokeArrives(end: Int32)
        case chokeArrives(end: Int32)
        case rechoke(Int32)
        case announce(Int32)
        case upkeep(Int32)
        case departure(Int32)
        case sample

        static func transmissionFinished(link: Int32, generation: UInt32) -> Event {
            .transmission(link: link, generation: generation)
        }

        var transmission: (link: Int32, generation: UInt32)? {
            if case .transmission(let link, let generation) = self { return (link, generation) }
            return nil
        }
    }

    public let scenario: Scenario
    public let population: PeerPopulation
    let layout: PieceLayout
    let settings: ProtocolSpec
    let leecherChoker: LeecherChoker
    let seedChoker: SeedChoker
    let pipeline: RequestPipeline
    let upkeep: PeerSetUpkeep
    let nodeCount: Int

    var queue = EventQueue<Event>()
    let network: FlowNetwork
    var strategyRNG: GSLRandom
    var trackerRNG: GSLRandom

    // Nodes.
    /// Line-aligned, and written in place without a copy-on-write check: a block's arrival starts here.
    let pickers = AlignedTable<PiecePicker>()
    /// Every node's peer-set availability counts, one set per node, in one allocation. A `have`'s updates
    /// are applied at the next event (or before anything reads the counts), so that the loads of their 50 to
    /// 80 scattered cache lines overlap with the rest of the event (see `DeferredAvailability`).
    let availability: DeferredAvailability
    /// Per node: what a block and a rechoke read (presence, byte counts, rechoke period).
    let nodes = AlignedTable<NodeState>()
    /// Per node: holds every piece (the server from the start). Apart from `nodes`, and dense: a `have`
    /// reads it for each of 50 to 80 partners.
    var complete: [Bool]
    /// Each node's peer set: its connection ends, with what a `have` needs to know of each partner.
    var partners: [[Partner]]
    /// Every node's pieces (a copy of the pickers' bitfields, written in `pieceCompleted` only).
    let haveTable: BitfieldTable
    var unchokedCount: [Int32]
    /// Per node: rechoke rounds and the optimistic slot (shared with the real client).
    var chokeRounds: [ChokeRounds]
    /// What each node had sent, in bits, when its current rechoke period began (for `UploadSlots`; read
    /// once a period, so kept out of the hot `NodeState`).
    var sentBitsAtPeriodStart: [Double]
    var announcePending: [Bool]
    /// When each node last announced (-1: never).
    var lastAnnounce: [SimTime]
    /// Each node's peer list: the tracker's last answer.
    var knownPeers: [[Int32]]
    /// Per node, read at upkeep only: bytes received as of the last upkeep, and the last upkeep that saw
    /// them grow (or the arrival): when it last made progress, to within one upkeep interval. (Not a time
    /// stamp per block: that would be a write to one more cache line at every block.)
    var receivedAtUpkeep: [Int64]
    var progressAt: [SimTime]
    var nextPeriodicAnnounce: [SimTime]
    var firstPiece: [SimTime?]
    var completion: [SimTime?]
    var departure: [SimTime?]
    /// Written at every block's arrival: a table, which a write reaches without a uniqueness check.
    let exchange = AlignedTable<Int64>()
    var trackerList: [Int32] = []
    var trackerPosition: [Int32]
    var globalCopies: [Int32]
    /// Scratch for `rechoke`: the candidates handed to the choker.
    var chokeBuffer: [ChokeCandidate] = []

    // Connection ends (e = 2c + k for connection c); the rest of an end's state is in `ConnectionEnd`.
    let ends = AlignedTable<ConnectionEnd>()
    /// Bytes sent to the partner in the previous rechoke period (read at rechokes only).
    let sentBefore = AlignedTable<Int64>()
    /// When this end last unchoked its partner (-1: never).
    let unchokedAt = AlignedTable<SimTime>()
    /// Per connection: since when neither side has been interested (-1: one side is, or not established).
    let uselessSince = AlignedTable<SimTime>()

    // Counts.
    var completedCount = 0
    var leecherCount = 0
    var seedCount = 0
    var duplicateBytes: Int64 = 0
    var bytesInFlight: Int64 = 0
    var bytesLost: Int64 = 0
    /// Bytes of blocks cut off mid-transmission when their connection closed (sent in part, never counted).
    var bytesCut: Int64 = 0
    /// Connections opened and not yet closed (established or still shaking hands).
    var openConnections = 0
    var recorder: RunRecorder
    /// Where every node's upload capacity goes: sent, or idle and why (see `UploadLedger`).
    var ledger: UploadLedger
    var firstCopy: FirstCopyTracker

    public init(scenario: Scenario, population: PeerPopulation? = nil) {
        self.scenario = scenario
        let population = population ?? PeerPopulation(scenario: scenario)
        self.population = population
        layout = PieceLayout(totalBytes: scenario.file.size, pieceBytes: scenario.file.pieceSize,
                             blockBytes: scenario.file.blockSize)
        settings = scenario.protocolSettings
        let chokeSettings = settings.chokeSettings
        leecherChoker = LeecherChoker(settings: chokeSettings)
        seedChoker = SeedChoker(algorithm: settings.seedChoker,
                                settings: chokeSettings)
        pipeline = RequestPipeline(minimum: settings.pipelineRequests, queueTime: settings.requestQueueTime)
        upkeep = PeerSetUpkeep(settings: settings.upkeepSettings)
        nodeCount = population.peers.count + 1
        let streams = RandomStreams(seed: scenario.seed)
        strategyRNG = streams.generator(for: .strategy)
        trackerRNG = streams.generator(for: .tracker)

        network = FlowNetwork(groups: MeterGroup.count)
        network.addNode(upload: population.server.upload, download: population.server.download, group: MeterGroup.server)
        for peer in population.peers {
            network.addNode(upload: peer.upload, download: peer.download, group: MeterGroup.peers)
        }
        let policy = settings.pieceSelection
        let empty = PiecePicker(layout: layout, policy: policy, randomFirstPieces: settings.randomFirstPieces,
                                endgame: settings.endgame)
        var seed = empty
        for p in 0..<layout.pieceCount { seed.markHave(p) }
        pickers.append(seed)
        for _ in population.peers { pickers.append(empty) }
        availability = DeferredAvailability(PieceAvailability(
            pieceCount: layout.pieceCount, sets: nodeCount,
            planes: PieceAvailability.planes(forCountsUpTo: settings.maxConnections)))
        nodes.reserveCapacity(nodeCount)
        nodes.append(NodeState(exchangeIndex: 0, freeRider: false))  // the server
        for peer in population.peers {
            nodes.append(NodeState(exchangeIndex: Int32(peer.classIndex + 1), freeRider: peer.behaviour == .freeRider))
        }
        complete = [true] + Array(repeating: false, count: population.peers.count)
        partners = Array(repeating: [], count: nodeCount)
        haveTable = BitfieldTable(rows: nodeCount, pieceCount: layout.pieceCount)
        for p in 0..<layout.pieceCount { haveTable.insert(0, p) }  // node 0, the seed
        unchokedCount = Array(repeating: 0, count: nodeCount)
        chokeRounds = [ChokeRounds(settings: chokeSettings, capacity: population.server.upload / 8)]
            + population.peers.map { ChokeRounds(settings: chokeSettings, capacity: $0.upload / 8) }
        sentBitsAtPeriodStart = Array(repeating: 0, count: nodeCount)
        announcePending = Array(repeating: false, count: nodeCount)
        lastAnnounce = Array(repeating: -1, count: nodeCount)
        knownPeers = Array(repeating: [], count: nodeCount)
        receivedAtUpkeep = Array(repeating: 0, count: nodeCount)
        progressAt = Array(repeating: 0, count: nodeCount)
        nextPeriodicAnnounce = Array(repeating: 0, count: nodeCount)
        firstPiece = Array(repeating: nil, count: nodeCount)
        completion = Array(repeating: nil, count: nodeCount)
        departure = Array(repeating: nil, count: nodeCount)
        for _ in 0..<((population.classNames.count + 1) * (population.classNames.count + 1)) { exchange.append(0) }
        trackerPosition = Array(repeating: -1, count: nodeCount)
        globalCopies = Array(repeating: 0, count: layout.pieceCount)
        recorder = RunRecorder(interval: scenario.output.timeseriesInterval)
        ledger = UploadLedger(nodes: nodeCount) { $0 > 0 && population.peers[$0 - 1].behaviour == .freeRider }
        network.recordsActivity = true
        firstCopy = FirstCopyTracker(layout: layout)
        // Every node may hold max_connections connections (two ends and two links each, one per node): room
        // for that many up front, so the tables are not copied as the swarm connects (capped: departures
        // and arrivals may open more over a run, and the tables still grow then).
        let ends = min(nodeCount * settings.maxConnections, 1 << 22)
        self.ends.reserveCapacity(ends)
        network.reserveLinks(ends)
        sentBefore.reserveCapacity(ends)
        unchokedAt.reserveCapacity(ends)
    }

    /// Runs to completion, to `stop_at`, or until a piece is lost. `progress` is called every 65,536
    /// events; `checkInvariants`, for tests, after every event.
    public func run(progress: ((SimulationProgress) -> Void)? = nil,
                    checkInvariants: ((SwarmSimulation) -> Void)? = nil) -> RunResult {
        let peerCount = population.peers.count
        queue.schedule(.arrival(0), at: 0)
        for (i, peer) in population.peers.enumerated() { queue.schedule(.arrival(Int32(i + 1)), at: peer.arrival) }
        if let leave = scenario.server.leaveAt { queue.schedule(.departure(0), at: leave) }
        queue.schedule(.sample, at: 0)
        let stopReason = runEvents(
            self, stopAt: scenario.stopAt, peers: peerCount, completed: { self.completedCount }, progress: progress,
            afterEvent: checkInvariants.map { check in { check(self) } }
        ) { event in
            handle(event)
        }
        let end = queue.now
        catchUp(0..<network.linkCount)  // blocks that ended by now count as sent
        ledger.settleAll(at: end, network: network)
        recorder.finish(at: end, network: network, serverGroup: MeterGroup.server, peerGroup: MeterGroup.peers,
                        swarm: counts(), upload: ledger.total, connections: openConnections)
        let outcome = result(end: end, stopReason: stopReason)
        assert({
            let problems = outcome.uploadAccountingViolations(bytesCut: bytesCut, linkCount: network.linkCount)
            if !problems.isEmpty { print("upload accounting: \(problems.prefix(5))") }
            return problems.isEmpty
        }(), "upload accounts do not add up")
        return outcome
    }

    /// Handles one event; returns a reason when the run must stop (a piece was lost).
    func handle(_ event: Event) -> StopReason? {
        defer {
            takeNetworkBacklog()
            refreshUploadAccounts()
        }
        if let third = queue.upcoming(after: 2), let receiver = receivingEnd(of: third) {
            network.prefetch(link: receiver ^ 1)
        }
        if let afterNext = queue.upcoming(after: 1), let receiver = receivingEnd(of: afterNext), !isStale(afterNext) {
            prefetch(receiver: receiver)
        }
        if availability.hasPending { availability.applyPending() }  // loaded since the last event
        let now = queue.now
        switch event {
        case .arrival(let n): arrive(Int(n))
        case .transmission(let link, let generation):
            guard let block = network.finishTransmission(link: link, generation: generation, queue: &queue) else { break }
            blockSent(block, on: Int(link))
        case .delivery(let end, let block): deliver(Int(end), block: Int(block))
        case .connected(let c): establish(Int(c))
        case .unchokeArrives(let end):
            let e = Int(end)
            guard ends[e].isOpen else { break }
            setUnchokedKnown(e, true)
            fill(e)
        case .chokeArrives(let end):
            let e = Int(end)
            guard ends[e].isOpen else { break }
            setUnchokedKnown(e, false)
            dropRequests(e)
            refillOthers(of: Int(ends[e].node), except: e)
        case .rechoke(let n): rechoke(Int(n))
        case .announce(let n): announce(Int(n))
        case .upkeep(let n): upkeep(Int(n))
        case .departure(let n): depart(Int(n))
        case .sample:
            refreshUploadAccounts()  // the reasons as of now, before the accounts are settled up to now
            ledger.settleAll(at: now, network: network)
            recorder.sample(at: now, network: network, serverGroup: MeterGroup.server, peerGroup: MeterGroup.peers,
                            swarm: counts(), upload: ledger.total, connections: openConnections)
            if bytesInFlight == 0, globalCopies.contains(0), leecherCount > 0 || completedCount < population.peers.count {
                catchUp(0..<network.linkCount)  // blocks behind deferred notices are in flight too
                if bytesInFlight == 0 { return .pieceLost }
            }
            if !queue.isEmpty { queue.schedule(.sample, at: now + scenario.output.timeseriesInterval) }
        }
        return nil
    }

    /// Starts loading what a coming block event reads, so that those cache misses (at 10,000 peers nearly
    /// each read is one) overlap with the work of the events before it. In two steps: three events ahead,
    /// only the link (`handle`), whose address needs no other read; two events ahead, what the link's record
    /// leads to: both ends of the connection (link `l` carries end `l`'s data to end `l ^ 1`), the receiver's
    /// picker and record, and the sender's record and pieces, among which the receiver picks its next
    /// request. Nothing more for a stale notice (its link changed rate since: about one block event in
    /// eight over a run), which reads only its link. A delivery's link too: the receiver's next request
    /// goes on it. A hint: it changes nothing. (Prefetching the current event's picker buffers measured
    /// slower: finding them means reading the picker, which stalls the event they are for.)
    @inline(__always)
    func prefetch(receiver f: Int) {
        let (x, y) = network.nodes(of: f ^ 1)
        ends.prefetch(f ^ 1, firstBytes: 64)  // the sender's end: its scalars, not its requests
        ends.prefetch(f)
        pickers.prefetch(y, firstBytes: 384)  // its hot part: the partial pieces and their slots
        haveTable.prefetch(x)
        nodes.prefetch(y)
        nodes.prefetch(x)
    }

    /// The end a block event delivers to (link `l` carries end `l`'s data to end `l ^ 1`), or a choke or
    /// unchoke reaches; nil for others. What `handle` loads ahead goes by it.
    @inline(__always)
    func receivingEnd(of event: Event) -> Int? {
        switch event {
        case .transmission(let link, _): return Int(link) ^ 1
        case .delivery(let end, _): return Int(end)
        // An unchoke makes the end's node request at once; a choke frees its requests there.
        case .unchokeArrives(let end), .chokeArrives(let end): return Int(end)
        default: return nil
        }
    }

    /// Whether the event is a transmission notice that its link has since replaced (see `FlowNetwork`).
    @inline(__always)
    func isStale(_ event: Event) -> Bool {
        guard case .transmission(let link, let generation) = event else { return false }
        return !network.isPending(link: link, generation: generation)
    }

    /// Re-reads the idle reason of every node whose counts or active links changed in this event.
    @inline(__always)
    func refreshUploadAccounts() {
        ledger.refreshMarked(at: queue.now, network: network) { self.unchokedCount[$0] < self.slotLimit(of: $0) }
    }

    /// Whether `node` has `piece` (its picker's bitfield, from the copy in `haveTable`).
    @inline(__always)
    func has(_ node: Int, _ piece: Int) -> Bool { haveTable.contains(node, piece) }

    func counts() -> SwarmCounts {
        SwarmCounts(leechers: leecherCount, seeds: seedCount, copies: globalCopies)
    }

    func result(end: SimTime, stopReason: StopReason) -> RunResult {
        var uploaded = network.uploadedBytes
        let serverUploaded = uploaded.removeFirst()
        let classes = population.classNames.count + 1
        let matrix = (0..<classes).map { from in Array(exchange[(from * classes)..<((from + 1) * classes)]) }
        return RunResult(
            scenario: scenario, population: population, completion: Array(completion.dropFirst()),
            departure: Array(departure.dropFirst()), firstPiece: Array(firstPiece.dropFirst()),
            uploadedBytes: uploaded, downloadedBytes: nodes.dropFirst().map(\.received),
            serverUploadedBytes: serverUploaded, timeseries: recorder.rows, endTime: end, stopReason: stopReason,
            events: queue.processed, exchange: matrix,
            piecesWithoutCopy: globalCopies.reduce(0) { $0 + ($1 == 0 ? 1 : 0) }, duplicateBytes: duplicateBytes,
            bytesLostInFlight: bytesLost, uploadShares: ledger.shares, firstCopy: firstCopy.cost,
            piecesHeld: (1..<nodeCount).map { pickers[$0].have.count })
    }
}
