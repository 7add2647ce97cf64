import Strategy

/// How a client runs: where it listens, its limits, and the settings of the shared strategies. The
/// protocol's defaults are `ProtocolDefaults`, which the simulator's scenarios use too, so a scenario with
/// default `protocol` settings models this client.
public struct ClientConfiguration: Sendable {
    /// Address to listen on for incoming peers.
    public var bindHost = "0.0.0.0"
    /// Port to listen on; 0 picks a free one (it is then announced to the tracker).
    public var port = 6881
    /// Bytes per second, or nil for no limit.
    public var uploadLimit: Double?
    public var downloadLimit: Double?
    public var maxConnections = ProtocolDefaults.upkeep.maxConnections
    /// The peer-set upkeep, with the simulator's defaults (`PeerSetUpkeep.Settings.standard`); the tracker's
    /// `min interval`, when it sends one, replaces the default.
    public var upkeep = ProtocolDefaults.upkeep
    /// Peers from the tracker to try at once.
    public var maxHalfOpen = 8
    /// The chokers' settings. The slots expand (`UploadSlots`) only with an `uploadLimit`: without one the
    /// client does not know its capacity, and keeps `uploadSlots`, as libtorrent does.
    public var choke = ProtocolDefaults.choke
    public var seedChoker = ProtocolDefaults.seedChoker
    public var piecePolicy = ProtocolDefaults.piecePolicy
    public var randomFirstPieces = ProtocolDefaults.randomFirstPieces
    public var endgame = ProtocolDefaults.endgame
    /// libtorrent-style pipeline: keep 3 s of data requested, at least 5 blocks, at most 500.
    public var pipeline = ProtocolDefaults.pipeline
    /// Most requests from one peer waiting to be sent (128 MiB of blocks, a few hundred kilobytes of
    /// memory); a peer that queues more is disconnected. Ignoring requests instead would leave the peer
    /// waiting for them (Transmission keeps more than libtorrent's 500 outstanding).
    public var maxQueuedRequests = 8192
    /// Nanoseconds: a peer that has not completed its handshake by then is dropped.
    public var handshakeTimeout: Int64 = 10_000_000_000
    /// A peer that sends nothing for this long is dropped (BEP 3 suggests two minutes).
    public var idleTimeout: Int64 = 180_000_000_000
    /// A peer that sends none of the blocks we requested for this long has them requested elsewhere.
    public var requestTimeout = ProtocolDefaults.requestTimeout
    /// We send a keep-alive after this long without sending anything.
    public var keepAliveInterval: Int64 = 60_000_000_000
    /// Wait before trying an address again after a failed connection.
    public var reconnectDelay: Int64 = 20_000_000_000
    /// 20 bytes; the default is "-PC0100-" followed by random digits.
    public var peerID: [UInt8]

    public init(peerID: [UInt8]? = nil) {
        var rng = SystemRandomNumberGenerator()
        self.peerID = peerID ?? Array("-PC0100-".utf8) + (0..<12).map { _ in UInt8.random(in: 48...57, using: &rng) }
        precondition(self.peerID.count == 20, "a peer id has 20 bytes")
    }
}
