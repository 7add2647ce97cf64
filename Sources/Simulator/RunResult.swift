import ScenarioModel
import SimulationEngine

/// Why a run ended.
public enum StopReason: String, Sendable {
    /// Every peer completed the file.
    case allCompleted = "all-completed"
    /// The scenario's `stop_at` came first.
    case stopAt = "stop-at"
    /// Nothing was left to happen (for instance, no source could serve the peers still waiting).
    case nothingLeft = "nothing-left"
    /// p2p: some piece had no copy left among the nodes present, so no waiting peer could ever complete.
    case pieceLost = "piece-lost"
}

/// One row of timeseries.csv: counts at `time`, rates averaged over the interval that ends at `time`.
public struct TimeseriesRow: Equatable, Sendable {
    public var time: SimTime
    public var active: Int
    public var completed: Int
    public var serverUploadBps: Double
    public var aggregateUploadBps: Double
    public var aggregateDownloadBps: Double
    /// Present peers without the whole file, and present nodes with it (the server included).
    public var leechers: Int
    public var seeds: Int
    /// Complete copies of the rarest piece, mean copies per piece, and pieces with no copy, over the
    /// nodes present.
    public var minPieceCopies: Int
    public var meanPieceCopies: Double
    public var piecesWithoutCopy: Int
    /// p2p: idle upload capacity per `IdleReason` (bits per second, summed over nodes, averaged over the
    /// interval), open connections, and the mean peer-set size over the nodes present; nil otherwise.
    public var idleBps: [Double]?
    public var openConnections: Int?
    public var meanPeerSet: Double?
}

/// Piece-level counts of the nodes present, for a timeseries row.
public struct SwarmCounts: Sendable {
    public var leechers: Int
    public var seeds: Int
    public var minPieceCopies: Int
    public var meanPieceCopies: Double
    public var piecesWithoutCopy: Int

    /// From per-piece copy counts.
    public init<C: Collection>(leechers: Int, seeds: Int, copies: C) where C.Element == Int32 {
        self.leechers = leechers
        self.seeds = seeds
        var minimum = Int32.max
        var total = 0
        var zero = 0
        for c in copies {
            minimum = min(minimum, c)
            total += Int(c)
            if c == 0 { zero += 1 }
        }
        minPieceCopies = copies.isEmpty ? 0 : Int(minimum)
        meanPieceCopies = copies.isEmpty ? 0 : Double(total) / Double(copies.count)
        piecesWithoutCopy = zero
    }
}

/// What happened in a run, before formatting: the simulator's output and the writers' input.
public struct RunResult: Sendable {
    public var scenario: Scenario
    public var population: PeerPopulation
    /// Per peer, indexed like `population.peers`.
    public var completion: [SimTime?]
    public var departure: [SimTime?]
    /// When each peer completed its first piece.
    public var firstPiece: [SimTime?]
    public var uploadedBytes: [Int64]
    public var downloadedBytes: [Int64]
    public var serverUploadedBytes: Int64
    public var timeseries: [TimeseriesRow]
    public var endTime: SimTime
    public var stopReason: StopReason
    public var events: UInt64
    /// Bytes received, by sending class and receiving class: index 0 is the server, c + 1 is class c.
    public var exchange: [[Int64]]
    /// Pieces with no copy among the nodes present when the run ended.
    public var piecesWithoutCopy: Int
    /// Bytes received that the receiver already had (endgame duplicates).
    public var duplicateBytes: Int64
    /// Bytes that finished transmission but never arrived (the receiver had left).
    public var bytesLostInFlight: Int64
    /// p2p: each node's upload account (index 0 the origin seed, i + 1 peer i); empty otherwise.
    public var uploadShares: [UploadShares] = []
    /// p2p: the origin seed's first-copy cost.
    public var firstCopy: FirstCopyCost?
    /// p2p: pieces each peer held when the run ended (indexed like `population.peers`); empty otherwise.
    public var piecesHeld: [Int] = []

    public var completedCount: Int { completion.lazy.filter { $0 != nil }.count }

    /// The bounds for the drawn peers.
    public var bounds: LowerBounds { population.lowerBounds(fileBytes: scenario.file.size) }

    /// From the first arrival to the last completion, seconds; nil if some peer never completed.
    public var distributionTime: Double? {
        guard completedCount == completion.count, let first = population.peers.map(\.arrival).min(),
              let last = completion.compactMap({ $0 }).max() else { return nil }
        return Time.seconds(last - first)
    }

    /// The mode's lower bound when every peer arrived at once, else nil (the bounds assume a flash crowd).
    public var lowerBound: Double? {
        scenario.isFlashCrowd ? bounds.bound(for: scenario.mode) : nil
    }

    /// Bits uploaded over upload capacity × time present, over every peer and the server.
    public var uploadUtilization: Double {
        var capacityBits = 0.0
        var usedBits = Double(serverUploadedBytes) * 8
        let serverUntil = min(endTime, scenario.mode == .p2p ? (scenario.server.leaveAt ?? endTime) : endTime)
        capacityBits += population.server.upload * Time.seconds(serverUntil)
        for (i, peer) in population.peers.enumerated() where peer.arrival < endTime {
            let until = min(departure[i] ?? endTime, endTime)
            capacityBits += peer.upload * Time.seconds(max(0, until - peer.arrival))
            usedBits += Double(uploadedBytes[i]) * 8
        }
        return capacityBits > 0 ? usedBits / capacityBits : 0
    }

    /// Peers that never completed, by index.
    public var neverCompleted: [Int] { completion.indices.filter { completion[$0] == nil } }
}
