import ScenarioModel
import SimulationEngine

/// Progress of a running simulation, for a progress line: simulated time and counts only.
public struct SimulationProgress: Sendable {
    public var now: SimTime
    public var completed: Int
    public var peers: Int
    public var events: UInt64
}

/// Client-server distribution: the server sends the whole file to every client, as an HTTP or FTP server
/// would, and clients never upload.
///
/// A client connects (one round trip, as a connection in the swarm does) and sends its request, which
/// reaches the server three latencies after the client arrived; the server then streams the
/// file to it block by block over a link of the flow network, sharing its upload with every other client
/// being served; each block reaches the client one latency after it leaves the server. A client that has
/// every byte completes and leaves.
public struct ClientServerSimulation {
    enum Event: TransmissionEvent {
        case arrival(Int32)
        case requestAtServer(Int32)
        case transmission(link: Int32, generation: UInt32)
        case delivery(peer: Int32, bytes: Int32)
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

    public init(scenario: Scenario, population: PeerPopulation? = nil) {
        self.scenario = scenario
        self.population = population ?? PeerPopulation(scenario: scenario)
    }

    /// Runs to completion or `stop_at`. `progress` is called every 65,536 events.
    /// `checkInvariants`, for tests, is called with the network after every event.
    public func run(progress: ((SimulationProgress) -> Void)? = nil,
                    checkInvariants: ((FlowNetwork) -> Void)? = nil) -> RunResult {
        let peers = population.peers
        let file = scenario.file
        let network = FlowNetwork(groups: MeterGroup.count)
        network.addNode(upload: population.server.upload, download: population.server.download, group: MeterGroup.server)
        for peer in peers {
            let node = network.addNode(upload: peer.upload, download: peer.download, group: MeterGroup.peers)
            network.addLink(from: 0, to: node)  // link i carries the file to peer i
        }
        let latency = peers.indices.map { population.latency.between(0, $0 + 1) }

        let box = QueueBox<Event>()
        for (i, peer) in peers.enumerated() { box.queue.schedule(.arrival(Int32(i)), at: peer.arrival) }
        let interval = scenario.output.timeseriesInterval
        box.queue.schedule(.sample, at: 0)

        var recorder = RunRecorder(interval: interval)
        var downloaded = [Int64](repeating: 0, count: peers.count)
        var completion = [SimTime?](repeating: nil, count: peers.count)
        var completedCount = 0
        var firstPiece = [SimTime?](repeating: nil, count: peers.count)
        let firstPieceBytes = min(file.pieceSize, file.size)
        /// Piece copies: the server holds every piece; a client holds the pieces it has received in full
        /// (blocks arrive in file order), and leaves when complete.
        func counts(_ now: SimTime) -> SwarmCounts {
            // heldBy[k]: clients holding exactly k whole pieces; piece p has 1 + (clients holding > p) copies.
            var heldBy = [Int32](repeating: 0, count: file.pieceCount + 1)
            var leechers = 0
            for i in peers.indices where completion[i] == nil && peers[i].arrival <= now {
                leechers += 1
                heldBy[Int(downloaded[i] / file.pieceSize)] += 1
            }
            var copies = [Int32](repeating: 1, count: file.pieceCount)
            var holding: Int32 = 0
            for p in stride(from: file.pieceCount - 1, through: 0, by: -1) {
                holding += heldBy[p + 1]
                copies[p] += holding
            }
            return SwarmCounts(leechers: leechers, seeds: 1, copies: copies)
        }
        let fullBlocks = Int(file.size / file.blockSize)
        let lastBlock = Int(file.size % file.blockSize)

        let stopReason = runEvents(
            box, stopAt: scenario.stopAt, peers: peers.count, completed: { completedCount }, progress: progress,
            afterEvent: checkInvariants.map { check in { check(network) } }
        ) { event in
            let now = box.queue.now
            switch event {
            case .arrival(let p):
                recorder.arrived()
                // The connection's round trip (as a swarm's connection takes one), then the request.
                box.queue.schedule(.requestAtServer(p), at: now + 3 * latency[Int(p)])
            case .requestAtServer(let p):
                let link = Int(p)
                if fullBlocks > 0 { network.send(bytes: Int(file.blockSize), count: fullBlocks, firstTag: 0, on: link, queue: &box.queue) }
                if lastBlock > 0 { network.send(bytes: lastBlock, firstTag: Int64(fullBlocks), on: link, queue: &box.queue) }
            case .transmission(let link, let generation):
                guard let block = network.finishTransmission(link: link, generation: generation, queue: &box.queue)
                else { break }
                box.queue.schedule(.delivery(peer: link, bytes: Int32(block.bytes)), at: now + latency[Int(link)])
            case .delivery(let p, let bytes):
                let i = Int(p)
                downloaded[i] += Int64(bytes)
                if firstPiece[i] == nil, downloaded[i] >= firstPieceBytes { firstPiece[i] = now }
                if downloaded[i] == file.size {
                    completion[i] = now
                    completedCount += 1
                    recorder.completed()
                    recorder.departed()
                }
            case .sample:
                recorder.sample(at: now, network: network, serverGroup: MeterGroup.server, peerGroup: MeterGroup.peers,
                                swarm: counts(now))
                // Keep sampling only while something else can still happen.
                if !box.queue.isEmpty { box.queue.schedule(.sample, at: now + interval) }
            }
            return nil
        }
        let end = box.queue.now
        recorder.finish(at: end, network: network, serverGroup: MeterGroup.server, peerGroup: MeterGroup.peers, swarm: counts(end))

        var uploaded = network.uploadedBytes
        let serverUploaded = uploaded.removeFirst()
        var exchange = [[Int64]](repeating: [Int64](repeating: 0, count: population.classNames.count + 1),
                                 count: population.classNames.count + 1)
        for (i, peer) in peers.enumerated() { exchange[0][peer.classIndex + 1] += downloaded[i] }
        return RunResult(
            scenario: scenario, population: population, completion: completion, departure: completion,
            firstPiece: firstPiece, uploadedBytes: uploaded, downloadedBytes: downloaded,
            serverUploadedBytes: serverUploaded, timeseries: recorder.rows, endTime: end, stopReason: stopReason,
            events: box.queue.processed, exchange: exchange, piecesWithoutCopy: 0, duplicateBytes: 0,
            bytesLostInFlight: 0)
    }
}
