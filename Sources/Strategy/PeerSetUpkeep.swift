/// What a node does about its peer set between announces, so that a leecher no partner can help does not
/// sit idle until its next regular announce: the simulator's peers and the real client both ask this.
///
/// Four rules, after real clients:
/// 1. **Redundant connections close** (libtorrent's `close_redundant_connections`, on by default): two
///    nodes that both hold the whole file have nothing to trade, and each keeps a connection slot busy
///    that a leecher could use.
/// 2. **The peer set fills from the peer list**: below its connection limit, a node (seed or leecher)
///    connects to peers it knows of and is not connected to, as libtorrent does continually. (The caller
///    does this at every look; it needs no decision.)
/// 3. **A node that cannot use its peer set seeks peers**: a leecher whose peer set is below
///    `reannounceBelow`, or that is interested in no established partner (none has a piece it lacks), or
///    that has received nothing for `stallTimeout` while interested (every partner chokes it); a seed
///    that no established partner is interested in. It asks the tracker for more as soon as the
///    tracker's `min interval` allows (BEP 3 trackers send it; a request that comes earlier waits, it is
///    not dropped).
/// 4. **Useless connections make room** (libtorrent's peer turnover and `inactivity_timeout`, quicker):
///    while it seeks peers with a full peer set, a leecher closes the connections over which neither side
///    has been interested for `uselessAfter`.
///
/// Pure: a snapshot in, a decision out; no clock (times are the caller's nanoseconds), no I/O.
public struct PeerSetUpkeep: Sendable, Equatable {
    public struct Settings: Sendable, Equatable {
        /// How often a node looks over its peer set, nanoseconds.
        public var interval: Int64
        /// The tracker's `min interval`: no announce comes sooner after the last one, nanoseconds.
        public var minAnnounceInterval: Int64
        /// A leecher interested in partners that has received nothing for this long is stalled.
        public var stallTimeout: Int64
        /// Neither side interested for this long makes a connection useless (closed only to make room).
        public var uselessAfter: Int64
        /// Below this many connections a leecher seeks more.
        public var reannounceBelow: Int
        /// The peer-set limit.
        public var maxConnections: Int

        /// The defaults, for the simulator's scenarios and the real client alike: a look every 5 s (a real
        /// client looks every second; the rules' own timeouts are a minute), the tracker's `min interval` and
        /// the stall time-out a minute each (60 s is what trackers commonly send as `min interval`, and
        /// BitTorrent's snub time-out), a connection useless after a minute (libtorrent's
        /// `inactivity_timeout` is 10 minutes, too long for a stalled peer waiting for room), a new search
        /// below 20 connections, 80 at most.
        public static let standard = Settings(
            interval: 5_000_000_000, minAnnounceInterval: 60_000_000_000, stallTimeout: 60_000_000_000,
            uselessAfter: 60_000_000_000, reannounceBelow: 20, maxConnections: 80)

        public init(interval: Int64, minAnnounceInterval: Int64, stallTimeout: Int64, uselessAfter: Int64,
                    reannounceBelow: Int, maxConnections: Int) {
            self.interval = interval
            self.minAnnounceInterval = minAnnounceInterval
            self.stallTimeout = stallTimeout
            self.uselessAfter = uselessAfter
            self.reannounceBelow = reannounceBelow
            self.maxConnections = maxConnections
        }
    }

    /// One connection as the node sees it.
    public struct Partner: Sendable, Equatable {
        /// The caller's handle; returned in decisions.
        public var id: Int
        /// The handshake is done (interest is known).
        public var established: Bool
        /// The partner holds the whole file.
        public var partnerIsSeed: Bool
        /// We want a piece the partner has.
        public var weAreInterested: Bool
        /// The partner wants a piece we have.
        public var theyAreInterested: Bool
        /// Since when neither side has been interested (nil: one side is, or the connection is new).
        public var uselessSince: Int64?

        public init(id: Int, established: Bool, partnerIsSeed: Bool, weAreInterested: Bool, theyAreInterested: Bool,
                    uselessSince: Int64?) {
            self.id = id
            self.established = established
            self.partnerIsSeed = partnerIsSeed
            self.weAreInterested = weAreInterested
            self.theyAreInterested = theyAreInterested
            self.uselessSince = uselessSince
        }
    }

    /// The node's own state.
    public struct Node: Sendable, Equatable {
        public var isSeed: Bool
        public var now: Int64
        /// When the node last received a block (or arrived, if it never did).
        public var lastReceivedAt: Int64
        /// When it last announced (nil: never).
        public var lastAnnounceAt: Int64?

        public init(isSeed: Bool, now: Int64, lastReceivedAt: Int64, lastAnnounceAt: Int64?) {
            self.isSeed = isSeed
            self.now = now
            self.lastReceivedAt = lastReceivedAt
            self.lastAnnounceAt = lastAnnounceAt
        }
    }

    /// Why a leecher seeks peers (for logs and docs).
    public enum Need: String, Sendable, Equatable {
        case fewConnections = "few connections"
        case nobodyHasWhatWeLack = "no partner has a piece we lack"
        case chokedEverywhere = "nothing received while interested"
        case nobodyWantsWhatWeHave = "no partner wants a piece we have"
    }

    public struct Decision: Sendable, Equatable {
        /// Connections to close, in the order of the snapshot.
        public var close: [Int] = []
        /// Why the node seeks peers; nil: it does not.
        public var need: Need?
        /// When to announce (now or at the tracker's `min interval`); nil with no need.
        public var announceAt: Int64?

        public init(close: [Int] = [], need: Need? = nil, announceAt: Int64? = nil) {
            self.close = close
            self.need = need
            self.announceAt = announceAt
        }
    }

    public var settings: Settings

    public init(settings: Settings = .standard) { self.settings = settings }

    /// Rule 1 on its own, for a caller that learns a partner's pieces outside a look (a bitfield, a `have`):
    /// two seeds have nothing to trade.
    public static func isRedundant(weAreSeed: Bool, partnerIsSeed: Bool) -> Bool { weAreSeed && partnerIsSeed }

    public func decide(_ node: Node, partners: [Partner]) -> Decision {
        var decision = Decision()
        if node.isSeed {
            decision.close = partners.filter { $0.established && Self.isRedundant(weAreSeed: true, partnerIsSeed: $0.partnerIsSeed) }
                .map(\.id)
            let closing = Set(decision.close)
            let rest = partners.filter { !closing.contains($0.id) }
            if !rest.contains(where: { !$0.established || $0.theyAreInterested }) {
                decision.need = .nobodyWantsWhatWeHave
                decision.announceAt = announceTime(now: node.now, lastAnnounceAt: node.lastAnnounceAt)
            }
            return decision
        }
        decision.need = need(node, partners: partners)
        guard decision.need != nil else { return decision }
        decision.announceAt = announceTime(now: node.now, lastAnnounceAt: node.lastAnnounceAt)
        if partners.count >= settings.maxConnections {
            decision.close = partners.filter { p in
                guard p.established, let since = p.uselessSince else { return false }
                return node.now - since >= settings.uselessAfter
            }.map(\.id)
        }
        return decision
    }

    /// The earliest time the tracker may be asked again: now, or the last announce plus `min interval`.
    public func announceTime(now: Int64, lastAnnounceAt: Int64?) -> Int64 {
        guard let last = lastAnnounceAt else { return now }
        return max(now, last + settings.minAnnounceInterval)
    }

    /// Rule 3's first case on its own, for a caller that just lost a connection: the peer set is short.
    public func isShortOfConnections(_ count: Int) -> Bool { count < settings.reannounceBelow }

    func need(_ node: Node, partners: [Partner]) -> Need? {
        if isShortOfConnections(partners.count) { return .fewConnections }
        let established = partners.filter(\.established)
        guard !established.isEmpty else { return nil }  // handshakes under way: interest is not known yet
        if !established.contains(where: \.weAreInterested) { return .nobodyHasWhatWeLack }
        if node.now - node.lastReceivedAt >= settings.stallTimeout { return .chokedEverywhere }
        return nil
    }
}
