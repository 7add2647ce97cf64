import Randomness
import Strategy

/// A validated scenario: everything a run needs, in base units (bytes, bits per second, nanoseconds).
///
/// Produced only by `ScenarioDecoder`, which has checked every field, so the simulator may trust it.
/// Field-by-field documentation, with defaults, is in docs/scenario-format.md.
public struct Scenario: Sendable {
    public enum Mode: String, Sendable, CaseIterable {
        case clientServer = "client-server"
        case p2p = "p2p"
    }

    public var name: String
    public var comment: String?
    public var seed: UInt64
    public var mode: Mode
    public var file: FileSpec
    public var server: ServerSpec
    public var peerClasses: [PeerClass]
    public var network: NetworkSpec
    /// The run ends at this simulated time even if peers have not completed.
    public var stopAt: Int64
    public var output: OutputSpec
    /// BitTorrent settings (p2p mode).
    public var protocolSettings: ProtocolSpec

    /// Total number of peers over all classes.
    public var peerCount: Int { peerClasses.reduce(0) { $0 + $1.count } }

    /// True when every peer arrives at one and the same instant (the bounds' assumption).
    public var isFlashCrowd: Bool {
        var instant: Int64?
        for peerClass in peerClasses where peerClass.count > 0 {
            guard case .flashCrowd(let at) = peerClass.arrival else { return false }
            if let instant, instant != at { return false }
            instant = at
        }
        return true
    }
}

public struct FileSpec: Sendable, Equatable {
    public var size: Int64
    public var pieceSize: Int64
    public var blockSize: Int64

    public var pieceCount: Int { Int((size + pieceSize - 1) / pieceSize) }
    /// Number of blocks over the whole file (the last block of each piece may be shorter).
    public var blockCount: Int {
        let fullPieces = size / pieceSize
        let lastPiece = size % pieceSize
        let perPiece = (pieceSize + blockSize - 1) / blockSize
        return Int(fullPieces * perPiece + (lastPiece + blockSize - 1) / blockSize)
    }
}

/// The server: the only source in client-server mode, the initial seed in p2p mode.
public struct ServerSpec: Sendable, Equatable {
    /// Upload capacity, bits per second.
    public var upload: Double
    /// Download capacity, bits per second (the server never downloads the file; kept for symmetry).
    public var download: Double
    /// p2p mode: when the initial seed leaves the swarm (nanoseconds); nil: it stays.
    public var leaveAt: Int64?
}

/// How a peer behaves towards others.
public enum Behaviour: String, Sendable, CaseIterable {
    case cooperative
    /// Never uploads to anyone; still downloads what others give it.
    case freeRider = "free-rider"
}

/// A group of peers that share capacities (or capacity distributions), behaviour and arrival process.
public struct PeerClass: Sendable {
    public var name: String
    public var comment: String?
    public var count: Int
    /// Upload capacity, bits per second: drawn once per peer.
    public var upload: Distribution
    /// Download capacity, bits per second: drawn once per peer.
    public var download: Distribution
    public var behaviour: Behaviour
    public var arrival: ArrivalProcess
    /// p2p mode: how long a peer stays after completing, seconds (drawn per peer); nil: forever.
    public var seedFor: Distribution?
}

/// The BitTorrent protocol settings of a p2p scenario: which strategies, and their parameters.
/// Defaults follow Cohen (2003) and BEP 3 except where noted in docs/scenario-format.md.
public struct ProtocolSpec: Sendable, Equatable {
    /// The names a scenario may use are the Strategy module's own, so the two cannot drift apart.
    public typealias PieceSelection = PiecePicker.Policy
    public typealias SeedChoker = Strategy.SeedChoker.Algorithm

    public var pieceSelection = ProtocolDefaults.piecePolicy
    public var randomFirstPieces = ProtocolDefaults.randomFirstPieces
    public var endgame = ProtocolDefaults.endgame
    public var uploadSlots = ProtocolDefaults.choke.uploadSlots
    /// Open more slots while the upload runs below 90 % of capacity (libtorrent's auto-expand choker; see
    /// `UploadSlots`).
    public var expandSlots = ProtocolDefaults.choke.expandSlots
    public var optimisticUnchoke = ProtocolDefaults.choke.optimisticUnchoke
    public var seedChoker = ProtocolDefaults.seedChoker
    public var rechokeInterval = ProtocolDefaults.choke.rechokeInterval
    public var optimisticInterval = ProtocolDefaults.choke.optimisticInterval
    public var snubTimeout = ProtocolDefaults.choke.snubTimeout
    /// The fewest requests kept outstanding per connection, and the whole pipeline when
    /// `requestQueueTime` is 0 (Cohen's client: 5).
    public var pipelineRequests = ProtocolDefaults.pipeline.minimum
    /// Keep this much data requested per connection at its measured rate (libtorrent, and p2pclient: 3 s);
    /// 0: a fixed pipeline of `pipelineRequests`.
    public var requestQueueTime = ProtocolDefaults.pipeline.queueTime
    public var maxConnections = ProtocolDefaults.upkeep.maxConnections
    public var trackerPeers = ProtocolDefaults.trackerPeers
    public var announceInterval = ProtocolDefaults.announceInterval
    /// Give a slot that comes free between rechokes away at once (libtorrent), rather than at the next
    /// rechoke (Cohen's original client).
    public var fillFreeSlots = ProtocolDefaults.choke.fillFreeSlots
    /// A leecher seeks more peers when its peer set falls below this many connections (see
    /// `PeerSetUpkeep`).
    public var reannounceBelow = ProtocolDefaults.upkeep.reannounceBelow
    /// The tracker's `min interval`: no announce comes sooner after the last one (an earlier request waits).
    public var minAnnounceInterval = ProtocolDefaults.upkeep.minAnnounceInterval
    /// A leecher interested in partners that received nothing for this long is stalled and seeks peers.
    public var stallTimeout = ProtocolDefaults.upkeep.stallTimeout
    /// How often a node looks over its peer set, and when a connection is useless: not scenario keys (the
    /// Strategy module's defaults, which say why).
    public var upkeepInterval = ProtocolDefaults.upkeep.interval
    public var uselessAfter = ProtocolDefaults.upkeep.uselessAfter

    /// The chokers' settings.
    public var chokeSettings: ChokeSettings {
        ChokeSettings(uploadSlots: uploadSlots, optimisticUnchoke: optimisticUnchoke, rechokeInterval: rechokeInterval,
                      optimisticInterval: optimisticInterval, snubTimeout: snubTimeout, expandSlots: expandSlots,
                      fillFreeSlots: fillFreeSlots)
    }

    /// The upkeep rules' settings.
    public var upkeepSettings: PeerSetUpkeep.Settings {
        PeerSetUpkeep.Settings(interval: upkeepInterval, minAnnounceInterval: minAnnounceInterval,
                               stallTimeout: stallTimeout, uselessAfter: uselessAfter,
                               reannounceBelow: reannounceBelow, maxConnections: maxConnections)
    }

    public init() {}
}

/// When the peers of a class arrive. Times are simulated nanoseconds.
public enum ArrivalProcess: Sendable, Equatable {
    /// Every peer at the same instant.
    case flashCrowd(at: Int64)
    /// Exponential inter-arrival times with `rate` arrivals per second, the first after `start`.
    case poisson(ratePerSecond: Double, start: Int64)
    /// Independent arrival times uniform in [start, start + over], sorted.
    case uniform(start: Int64, over: Int64)
    /// Arrival times read from a CSV file; `path` as written in the scenario.
    case trace(path: String, times: [Int64])
}

public struct NetworkSpec: Sendable, Equatable {
    /// One-way latency between any two nodes, seconds. Each unordered pair gets its own draw.
    public var latency: Distribution
}

public struct OutputSpec: Sendable, Equatable {
    /// Spacing of timeseries.csv rows, nanoseconds.
    public var timeseriesInterval: Int64
}
