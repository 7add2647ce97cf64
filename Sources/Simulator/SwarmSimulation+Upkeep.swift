import SimulationEngine
import Strategy

/// Looking after each node's peer set between announces: the simulator gathers the facts, the Strategy
/// module's `PeerSetUpkeep` decides (redundant connections close, a stalled leecher seeks peers).
extension SwarmSimulation {
    /// Every `upkeep.settings.interval`, for every node present.
    func upkeep(_ n: Int) {
        guard nodes[n].present else { return }
        let now = queue.now
        queue.schedule(.upkeep(Int32(n)), at: now + upkeep.settings.interval)
        if nodes[n].received > receivedAtUpkeep[n] {
            receivedAtUpkeep[n] = nodes[n].received
            progressAt[n] = now
        }
        let snapshot = partners[n].map { p in
            PeerSetUpkeep.Partner(
                id: Int(p.end) >> 1, established: p.established, partnerIsSeed: complete[Int(p.node)],
                weAreInterested: p.interested, theyAreInterested: p.partnerInterested,
                uselessSince: uselessSince[Int(p.end) >> 1] >= 0 ? uselessSince[Int(p.end) >> 1] : nil)
        }
        let decision = upkeep.decide(
            PeerSetUpkeep.Node(isSeed: complete[n], now: now, lastReceivedAt: progressAt[n],
                               lastAnnounceAt: lastAnnounceTime(n)),
            partners: snapshot)
        for c in decision.close { close(c) }
        guard nodes[n].present else { return }
        connectToKnownPeers(n)
        if decision.need != nil, let at = decision.announceAt, at <= now { requestAnnounce(n) }
    }

    /// Fills `n`'s peer set from its peer list (the tracker's answers): peers still present, not yet
    /// connected, with room, and not both seeds (a connection to a peer that has left fails at once).
    /// The list keeps only the peers that had no room, for a later try: the others are connected, gone,
    /// or of no use.
    func connectToKnownPeers(_ n: Int) {
        guard !knownPeers[n].isEmpty, partners[n].count < settings.maxConnections else { return }
        var later: [Int32] = []
        for m32 in knownPeers[n] {
            let m = Int(m32)
            guard nodes[m].present, !(complete[n] && complete[m]), !isConnected(n, m) else { continue }
            if partners[n].count < settings.maxConnections, partners[m].count < settings.maxConnections {
                open(n, m)
            } else {
                later.append(m32)
            }
        }
        knownPeers[n] = later
    }

    /// Asks the tracker (one round trip away, with the server) no sooner than its `min interval` allows:
    /// a request that comes earlier is deferred to then, not dropped.
    func requestAnnounce(_ n: Int) {
        guard !announcePending[n] else { return }
        let now = queue.now
        let send = upkeep.announceTime(now: now, lastAnnounceAt: lastAnnounceTime(n))
        announcePending[n] = true
        queue.schedule(.announce(Int32(n)), at: send + 2 * population.latency.between(n, 0))
    }

    /// When `n` last announced, if it has.
    func lastAnnounceTime(_ n: Int) -> SimTime? { lastAnnounce[n] >= 0 ? lastAnnounce[n] : nil }

    /// Connection `c`'s interest changed: it becomes useless when neither side is interested any more.
    func noteInterest(connection c: Int) {
        let useful = ends[2 * c].amInterested || ends[2 * c + 1].amInterested
        if useful {
            uselessSince[c] = -1
        } else if uselessSince[c] < 0 {
            uselessSince[c] = queue.now
        }
    }
}
