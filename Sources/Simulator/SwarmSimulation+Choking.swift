import CPrefetch
import SimulationEngine
import Strategy

/// Interest, choking and unchoking: the simulator gathers plain facts, the Strategy module's chokers decide.
extension SwarmSimulation {
    /// End `e`'s node became interested in its partner. With `fill_free_slots` (libtorrent's behaviour), a
    /// partner with a free upload slot unchokes at once rather than at its next rechoke.
    func gainInterest(_ e: Int) {
        let y = Int(ends[e ^ 1].node)
        setInterest(e, true, partner: y)
        if nodes[y].present, !nodes[y].freeRider, ends[e ^ 1].amChoking,
           chokeRounds[y].givesFreeSlotAtOnce(unchoked: Int(unchokedCount[y]), isSeed: complete[y], leecherChoker.settings) {
            unchoke(e ^ 1)
        }
        if ends[e].unchokedKnown { fill(e) }
    }

    /// End `e`'s node has nothing left to want from its partner; the partner frees the slot and gives it
    /// to someone else at once.
    func loseInterest(_ e: Int) {
        setInterest(e, false, partner: Int(ends[e ^ 1].node))
        if !ends[e ^ 1].amChoking {
            choke(e ^ 1)
            refillSlots(Int(ends[e ^ 1].node))
        }
    }

    /// Sets end `e`'s interest and its copies in both peer sets.
    func setInterest(_ e: Int, _ on: Bool, partner y: Int) {
        guard ends[e].amInterested != on else { return }
        ends[e].amInterested = on
        ledger.accounts[y].interested += on ? 1 : -1
        if !ends[e ^ 1].amChoking { ledger.accounts[y].unchokedInterested += on ? 1 : -1 }
        ledger.mark(y)
        partners[Int(ends[e].node)][Int(ends[e].partnerSlot)].interested = on
        partners[y][Int(ends[e ^ 1].partnerSlot)].partnerInterested = on
        if ends[e].isEstablished { noteInterest(connection: e >> 1) }
    }

    /// Sets whether end `e`'s node knows its partner unchokes it, and the copy in its peer set.
    func setUnchokedKnown(_ e: Int, _ on: Bool) {
        ends[e].unchokedKnown = on
        partners[Int(ends[e].node)][Int(ends[e].partnerSlot)].unchokedKnown = on
    }

    /// A slot came free between rechokes (its peer lost interest or left): rechoke now, as libtorrent does,
    /// without moving the rate window or the optimistic rotation.
    func refillSlots(_ n: Int) {
        guard leecherChoker.settings.fillFreeSlots, nodes[n].present, !nodes[n].freeRider else { return }
        rechoke(n, periodic: false)
    }

    /// The most partners node `n` unchokes at once (its slots may have grown, see `UploadSlots`).
    func slotLimit(of n: Int) -> Int { chokeRounds[n].slotLimit(isSeed: complete[n], leecherChoker.settings) }

    /// End `e`'s node unchokes its partner; the partner learns it one latency later.
    func unchoke(_ e: Int) {
        let x = Int(ends[e].node)
        ends[e].amChoking = false
        partners[x][Int(ends[e].partnerSlot)].unchoking = true
        unchokedAt[e] = queue.now
        unchokedCount[x] += 1
        if ends[e ^ 1].amInterested { ledger.accounts[x].unchokedInterested += 1 }
        ledger.mark(x)
        queue.schedule(.unchokeArrives(end: Int32(e ^ 1)), at: queue.now + ends[e].latency)
    }

    /// End `e`'s node chokes its partner: requests it had queued are dropped; the partner learns it later.
    func choke(_ e: Int) {
        let x = Int(ends[e].node)
        ends[e].amChoking = true
        partners[x][Int(ends[e].partnerSlot)].unchoking = false
        unchokedCount[x] -= 1
        if ends[e ^ 1].amInterested { ledger.accounts[x].unchokedInterested -= 1 }
        ledger.mark(x)
        chokeRounds[x].released(e)
        _ = network.dropQueued(on: e, queue: &queue)
        queue.schedule(.chokeArrives(end: Int32(e ^ 1)), at: queue.now + ends[e].latency)
    }

    /// The bytes end `e`'s node sent to its partner in the chokers' window (kept in two places, see
    /// `ConnectionEnd.sentNow`).
    func sentWindow(_ e: Int) -> TransferWindow { TransferWindow(current: ends[e].sentNow, previous: sentBefore[e]) }

    /// Every `rechoke_interval` (`periodic`), and when a slot comes free: the leecher or seed choker
    /// decides from the last 20 s of transfers.
    func rechoke(_ n: Int, periodic: Bool = true) {
        guard nodes[n].present else { return }
        let now = queue.now
        if periodic { queue.schedule(.rechoke(Int32(n)), at: now + settings.rechokeInterval) }
        if complete[n] { catchUp(partners[n].lazy.map { Int($0.end) }) }  // a seed ranks by bytes sent
        var candidates = chokeBuffer
        chokeBuffer = []  // keep the buffer uniquely referenced while it is filled
        defer { chokeBuffer = candidates }
        candidates.removeAll(keepingCapacity: true)
        var sentInPeriod = 0.0
        if periodic {
            nodes[n].windowStart = now - settings.rechokeInterval  // the window now holds the period just ended
            nodes[n].periodStart = now
            let sentBits = network.sentBits(of: n, at: now)
            sentInPeriod = (sentBits - sentBitsAtPeriodStart[n]) / 8
            sentBitsAtPeriodStart[n] = sentBits
        }
        // The partners' ends are scattered over the swarm, a cache miss each: their loads start together
        // here, rather than one after another in the loop below, which branches on each.
        for p in partners[n] where p.established {
            ends.prefetch(Int(p.end), firstBytes: 64)
            unchokedAt.prefetch(Int(p.end))
        }
        for p in partners[n] {
            let e = Int(p.end)
            if p.established, ChokeCandidate.takesPart(interested: p.partnerInterested, unchoked: !ends[e].amChoking) {
                let transfers = complete[n] ? sentWindow(e) : ends[e].received  // a seed ranks by bytes sent
                candidates.append(ChokeCandidate(
                    id: e, interested: p.partnerInterested, rate: transfers.chokerRate(rechokeInterval: settings.rechokeInterval),
                    connectedAt: ends[e].connectedAt, lastBlockReceivedAt: ends[e].lastBlockAt >= 0 ? ends[e].lastBlockAt : nil,
                    unchoked: !ends[e].amChoking, unchokedAt: unchokedAt[e] >= 0 ? unchokedAt[e] : nil))
            }
            if periodic {  // a new period: its counts start from zero (after the candidate read them)
                ends[e].received.roll()
                var sent = sentWindow(e)
                sent.roll()
                (ends[e].sentNow, sentBefore[e]) = (sent.current, sent.previous)
            }
        }
        guard let decision = chokeRounds[n].decide(candidates, now: now, periodic: periodic, isSeed: complete[n],
                                                  sentInPeriod: sentInPeriod, leecher: leecherChoker, seed: seedChoker, using: &strategyRNG)
        else { return }
        for candidate in candidates {
            let e = candidate.id
            let keep = decision.unchoked.contains(e)
            if keep && ends[e].amChoking { unchoke(e) } else if !keep && !ends[e].amChoking { choke(e) }
        }
    }
}
