import Strategy

/// Looking after the peer set between announces, by the Strategy module's `PeerSetUpkeep`, the rules the
/// simulated peers follow: redundant connections close, useless ones make room for a stalled leecher,
/// and a session that cannot use its peer set asks for an early announce (which `TrackerAnnouncer` sends
/// once the tracker's `min interval` allows). Filling the peer set from the known peers is `connectMore`,
/// every second.
extension TorrentSession {
    /// Every `configuration.upkeep.interval`, from `housekeeping`.
    func upkeepIfDue(now: Int64) {
        for c in connections where c.handshakeDone {
            if c.machine.amInterested || c.machine.peerInterested {
                c.uselessSince = nil
            } else if c.uselessSince == nil {
                c.uselessSince = now
            }
        }
        guard now >= nextUpkeepAt else { return }
        nextUpkeepAt = now + configuration.upkeep.interval
        let upkeep = PeerSetUpkeep(settings: configuration.upkeep)
        let snapshot = connections.map { c in
            PeerSetUpkeep.Partner(id: c.id, established: c.handshakeDone, partnerIsSeed: c.counted.isComplete,
                                  weAreInterested: c.machine.amInterested, theyAreInterested: c.machine.peerInterested,
                                  uselessSince: c.uselessSince)
        }
        let decision = upkeep.decide(
            PeerSetUpkeep.Node(isSeed: picker.isComplete, now: now, lastReceivedAt: lastBlockReceivedAt ?? createdAt,
                               lastAnnounceAt: lastAnnounceAt),
            partners: snapshot)
        for id in decision.close {
            guard let c = connections.first(where: { $0.id == id }) else { continue }
            if picker.isComplete { dropFellowSeed(c) } else { drop(c, because: "useless both ways, making room") }
        }
        if let need = decision.need, announceWantedAt == nil {
            log("seeking peers: \(need.rawValue)")
        }
        announceWantedAt = decision.announceAt
    }

    /// The tracker answered (`minInterval`: its `min interval` in seconds, if it sent one): an early
    /// announce is no longer wanted, and the next may come no sooner than that from now, but no later than
    /// the simulated peers' default (60 s). opentracker sends half its interval, about 14 minutes: a
    /// session that cannot use its peer set would wait that long, where the model's peers ask again after a
    /// minute; p2pclient keeps to the model's rule.
    public func announced(minInterval: Int?) {
        eventLoop.execute { [self] in announced(at: Self.clock(), minInterval: minInterval.map { Int64($0) * 1_000_000_000 }) }
    }

    func announced(at now: Int64, minInterval: Int64?) {
        lastAnnounceAt = now
        announceWantedAt = nil
        let ceiling = PeerSetUpkeep.Settings.standard.minAnnounceInterval
        configuration.upkeep.minAnnounceInterval = min(minInterval ?? ceiling, ceiling)
    }
}
