import SimulationEngine
import Strategy

/// Arrivals, the tracker, connections and departures.
extension SwarmSimulation {
    func arrive(_ n: Int) {
        let now = queue.now
        nodes[n].present = true
        ledger.open(n, capacity: n == 0 ? population.server.upload : population.peers[n - 1].upload, at: now,
                    network: network)
        nodes[n].windowStart = now
        progressAt[n] = now
        nodes[n].periodStart = now
        if n > 0 { recorder.arrived() }
        trackerPosition[n] = Int32(trackerList.count)
        trackerList.append(Int32(n))
        if complete[n] {
            seedCount += 1
            for p in 0..<layout.pieceCount { globalCopies[p] += 1 }
        } else {
            leecherCount += 1
        }
        // The tracker sits with the server: one round trip to it before the first peers are known.
        announcePending[n] = true
        queue.schedule(.announce(Int32(n)), at: now + 2 * population.latency.between(n, 0))
        if !nodes[n].freeRider { queue.schedule(.rechoke(Int32(n)), at: now + settings.rechokeInterval) }
        queue.schedule(.upkeep(Int32(n)), at: now + upkeep.settings.interval)
    }

    /// Asks the tracker for up to `tracker_peers` random present peers, keeps them as the peer list, and
    /// connects to those with room (a seed, to those still downloading).
    func announce(_ n: Int) {
        guard nodes[n].present else { return }
        let now = queue.now
        announcePending[n] = false
        lastAnnounce[n] = now
        if now >= nextPeriodicAnnounce[n] {
            nextPeriodicAnnounce[n] = now + settings.announceInterval
            queue.schedule(.announce(Int32(n)), at: nextPeriodicAnnounce[n])
        }
        knownPeers[n] = trackerSample(excluding: n).map(Int32.init)
        connectToKnownPeers(n)
    }

    /// Up to `tracker_peers` distinct present nodes other than `n`, at random.
    func trackerSample(excluding n: Int) -> [Int] {
        let others = trackerList.count - (trackerPosition[n] >= 0 ? 1 : 0)
        if others <= settings.trackerPeers { return trackerList.map(Int.init).filter { $0 != n } }
        var chosen: [Int] = []
        chosen.reserveCapacity(settings.trackerPeers)
        while chosen.count < settings.trackerPeers {
            let m = Int(trackerList[trackerRNG.integer(below: trackerList.count)])
            if m != n && !chosen.contains(m) { chosen.append(m) }
        }
        return chosen
    }

    func isConnected(_ n: Int, _ m: Int) -> Bool {
        partners[n].contains { $0.node == Int32(m) }
    }

    /// Opens a connection from `n` to `m`; it is usable after one round trip.
    func open(_ n: Int, _ m: Int) {
        let c = ends.count / 2
        let latency = population.latency.between(n, m)
        for (node, partner) in [(n, m), (m, n)] {
            precondition(partners[node].count < Int(UInt16.max), "peer set too large")
            partners[node].append(Partner(end: Int32(ends.count), node: Int32(partner)))
            ends.append(ConnectionEnd(node: node, latency: latency, openedAt: queue.now))
            ends[ends.count - 1].partnerSlot = UInt16(partners[node].count - 1)
            sentBefore.append(0)
            unchokedAt.append(-1)
        }
        openConnections += 1
        let forward = network.addLink(from: n, to: m, latency: latency)
        let backward = network.addLink(from: m, to: n, latency: latency)
        precondition(forward == 2 * c && backward == 2 * c + 1, "links and connection ends out of step")
        uselessSince.append(-1)
        queue.schedule(.connected(Int32(c)), at: queue.now + 2 * latency)
    }

    /// Handshake done: bitfields are exchanged, interest follows.
    func establish(_ c: Int) {
        guard ends[2 * c].isOpen else { return }
        for e in [2 * c, 2 * c + 1] {
            ends[e].isEstablished = true
            ends[e].connectedAt = queue.now
            let x = Int(ends[e].node)
            ledger.accounts[x].established += 1
            ledger.mark(x)
            partners[x][Int(ends[e].partnerSlot)].established = true
        }
        for e in [2 * c, 2 * c + 1] {
            let x = Int(ends[e].node), y = Int(ends[e ^ 1].node)
            guard !complete[x] else { continue }
            let theirs = haveTable.view(y)
            availability.add(theirs, in: x, ownerHas: haveTable.view(x))  // the pieces x lacks
            if pickers[x].isInterested(in: theirs) { gainInterest(e) }
        }
        noteInterest(connection: c)
    }

    func depart(_ n: Int) {
        guard nodes[n].present else { return }
        nodes[n].present = false
        ledger.close(n, at: queue.now, network: network)
        departure[n] = queue.now
        if n > 0 { recorder.departed() }
        if complete[n] { seedCount -= 1 } else { leecherCount -= 1 }
        let position = Int(trackerPosition[n])
        let last = trackerList.removeLast()
        if position < trackerList.count {
            trackerList[position] = last
            trackerPosition[Int(last)] = Int32(position)
        }
        trackerPosition[n] = -1
        for p in pickers[n].have.pieces { globalCopies[p] -= 1 }
        for p in partners[n] { close(Int(p.end) >> 1) }
    }

    /// Closes connection `c`: transfers on it stop, requests on it are freed, both sides forget it.
    func close(_ c: Int) {
        guard ends[2 * c].isOpen else { return }
        for e in [2 * c, 2 * c + 1] { forgetInLedger(e) }
        openConnections -= 1
        ends[2 * c].isOpen = false
        ends[2 * c + 1].isOpen = false
        var slotFreed = [false, false]
        for (k, e) in [2 * c, 2 * c + 1].enumerated() {
            let x = Int(ends[e].node), y = Int(ends[e ^ 1].node)
            bytesCut += Int64(network.close(e, queue: &queue))
            if !ends[e].amChoking {
                ends[e].amChoking = true
                unchokedCount[x] -= 1
                slotFreed[k] = true
            }
            chokeRounds[x].released(e)
            if !complete[x] {
                if ends[e].isEstablished { availability.remove(haveTable.view(y), from: x, ownerHas: haveTable.view(x)) }
                for block in ends[e].requests { pickers[x].requestDropped(block) }
            }
            ends[e].requests.removeAll()
            let slot = Int(ends[e].partnerSlot)
            partners[x].remove(at: slot)
            for j in slot..<partners[x].count { ends[Int(partners[x][j].end)].partnerSlot = UInt16(j) }
        }
        for (k, e) in [2 * c, 2 * c + 1].enumerated() {
            let x = Int(ends[e].node)
            guard nodes[x].present else { continue }
            if slotFreed[k] { refillSlots(x) }
            guard !complete[x] else { continue }
            refillOthers(of: x, except: -1)
            if upkeep.isShortOfConnections(partners[x].count) { requestAnnounce(x) }  // at once, not at the next look
        }
    }

    /// End `e`'s connection closes: its node loses a connection, maybe an interested partner, maybe one
    /// it unchoked (the ledger's counts; see `UploadLedger`).
    private func forgetInLedger(_ e: Int) {
        let x = Int(ends[e].node)
        if ends[e].isEstablished { ledger.accounts[x].established -= 1 }
        if ends[e ^ 1].amInterested {
            ledger.accounts[x].interested -= 1
            if !ends[e].amChoking { ledger.accounts[x].unchokedInterested -= 1 }
        }
        ledger.mark(x)
    }
}
