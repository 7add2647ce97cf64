// Simulator: turns a validated Scenario into a run of the engine, and a run into result files.
// Owns the peers' facts (capacities, arrivals, latencies), the client-server model, run recording and
// result writing. Reads no wall clock (progress reports carry simulated time and event counts only).
import Randomness
import ScenarioModel
import SimulationEngine

/// Every peer of a run with its drawn facts, in a fixed order: classes as listed, peers within a class by
/// arrival. Peer `i` is network node `i + 1`; node 0 is the server.
///
/// Drawn from separate streams (capacities, arrivals, latency), each with a sub-stream per class, so a
/// change to one class or to a strategy leaves every other draw as it was.
public struct PeerPopulation: Sendable {
    public struct Peer: Sendable, Equatable {
        public var classIndex: Int
        public var upload: Double  // bits per second
        public var download: Double  // bits per second
        public var arrival: SimTime
        public var behaviour: Behaviour
        /// p2p: how long the peer seeds after completing; nil: forever.
        public var seedFor: SimTime?
    }

    public let peers: [Peer]
    public let classNames: [String]
    public let server: ServerSpec
    public let latency: PairLatency

    public init(scenario: Scenario) {
        let streams = RandomStreams(seed: scenario.seed)
        var peers: [Peer] = []
        for (c, peerClass) in scenario.peerClasses.enumerated() {
            let capacityRNG = streams.generator(for: .capacities, substream: UInt64(c))
            let arrivalRNG = streams.generator(for: .arrivals, substream: UInt64(c))
            let behaviourRNG = streams.generator(for: .behaviour, substream: UInt64(c))
            let arrivals = Self.arrivalTimes(peerClass.arrival, count: peerClass.count, rng: arrivalRNG)
            for k in 0..<peerClass.count {
                let up = peerClass.upload.sample(using: capacityRNG)
                // A download capacity of zero would stall forever: draws are floored at 1 bit/s.
                let down = max(1, peerClass.download.sample(using: capacityRNG))
                let seedFor = peerClass.seedFor.map { SimTime(($0.sample(using: behaviourRNG) * 1e9).rounded()) }
                peers.append(Peer(classIndex: c, upload: up, download: down, arrival: arrivals[k],
                                  behaviour: peerClass.behaviour, seedFor: seedFor))
            }
        }
        self.peers = peers
        classNames = scenario.peerClasses.map(\.name)
        server = scenario.server
        latency = PairLatency(key: streams.key(for: .latency), distribution: scenario.network.latency)
    }

    /// Arrival times of one class, sorted.
    static func arrivalTimes(_ process: ArrivalProcess, count: Int, rng: GSLRandom) -> [SimTime] {
        switch process {
        case .flashCrowd(let at):
            return Array(repeating: at, count: count)
        case .poisson(let rate, let start):
            var t = Double(start) / 1e9
            return (0..<count).map { _ in
                t += rng.exponential(mean: 1 / rate)
                return SimTime((t * 1e9).rounded())
            }
        case .uniform(let start, let over):
            return (0..<count).map { _ in start + SimTime((Double(over) * rng.uniform()).rounded()) }.sorted()
        case .trace(_, let times):
            return Array(times.prefix(count))
        }
    }

    /// The bounds for these peers' drawn capacities (free-riders count as uploading nothing).
    public func lowerBounds(fileBytes: Int64) -> LowerBounds {
        LowerBounds(
            fileBytes: fileBytes, serverUpload: server.upload,
            peerUploads: peers.map { $0.behaviour == .freeRider ? 0 : $0.upload },
            peerDownloads: peers.map(\.download))
    }
}

/// One-way latency between two nodes: the latency distribution's quantile at a counter-based uniform draw
/// for the unordered pair, so each pair always has the same latency, in either direction and whatever the
/// order in which the simulation meets it.
public struct PairLatency: Sendable {
    public let key: UInt64
    public let distribution: Distribution

    public func between(_ a: Int, _ b: Int) -> SimTime {
        if case .constant(let seconds) = distribution { return SimTime((seconds * 1e9).rounded()) }
        let seconds = distribution.quantile(PairHash.uniform(key: key, a, b))
        return SimTime((max(0, seconds) * 1e9).rounded())
    }
}
