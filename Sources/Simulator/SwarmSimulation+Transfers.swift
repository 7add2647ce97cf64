import CPrefetch
import SimulationEngine
import Strategy

/// Requests, block deliveries, pieces and completion.
extension SwarmSimulation {
    @inline(__always)
    func blockRef(_ tag: Int) -> BlockRef { BlockRef(piece: tag / layout.blocksPerPiece, block: tag % layout.blocksPerPiece) }

    @inline(__always)
    func tag(_ b: BlockRef) -> Int64 { Int64(b.piece) * Int64(layout.blocksPerPiece) + Int64(b.block) }

    /// A block left end `e`'s node: it reaches the partner one latency after its last bit was sent, which
    /// is now for a deferred notice (see `FlowNetwork`). A block the network reports late may have ended
    /// before the sender's last rechoke: it counts in the period it ended in.
    func blockSent(_ block: SentBlock, on e: Int) {
        let sender = Int(ends[e].node)
        if sender == 0, !firstCopy.isDone { firstCopy.originSent(tag: Int(block.tag), bytes: block.bytes, at: block.finishedAt) }
        if block.finishedAt >= nodes[sender].periodStart {
            ends[e].sentNow += Int64(block.bytes)
        } else {
            sentBefore[e] += Int64(block.bytes)
        }
        bytesInFlight += Int64(block.bytes)
        let arrival = block.finishedAt + ends[e].latency
        if arrival == queue.now {
            deliver(e ^ 1, block: Int(block.tag))
        } else {
            queue.schedule(.delivery(end: Int32(e ^ 1), block: Int32(block.tag)), at: arrival)
        }
    }

    /// Blocks the network found finished while rolling a link forward: sent, and on their way.
    func takeNetworkBacklog() {
        network.takeBacklog { link, block in blockSent(block, on: Int(link)) }
    }

    /// Rolls `links` forward to now, so every block that ended behind a deferred notice counts as sent
    /// (and is on its way), before sent or in-flight bytes are read.
    func catchUp<Links: Sequence<Int>>(_ links: Links) {
        for l in links { network.catchUp(l, queue: &queue) }
        takeNetworkBacklog()
    }

    /// Tops up end `e`'s pipeline of requests to its partner, if it may and wants to request.
    func fill(_ e: Int) {
        guard ends[e].isEstablished, ends[e].isOpen, ends[e].unchokedKnown, ends[e].amInterested else { return }
        let x = Int(ends[e].node), y = Int(ends[e ^ 1].node)
        let room = requestDepth(e, node: x) - ends[e].requests.count
        guard room > 0, !complete[x] else { return }
        let theirs = haveTable.view(y)
        withUnsafeTemporaryAllocation(of: BlockRef.self, capacity: room) { picked in
            let n = pickers[x].pick(from: theirs, rarity: availability.peerSet(x),
                                    isRequestedHere: { self.ends[e].requests.contains($0) },
                                    outstandingHere: ends[e].requests.count, into: picked, using: &strategyRNG)
            if n == 0 {
                if ends[e].requests.isEmpty, !pickers[x].isInterested(in: theirs) { loseInterest(e) }
                return
            }
            // A request reaches the partner after one latency; if the partner already chokes us it is ignored
            // there (our requests stay outstanding until the choke reaches us).
            let serving = !ends[e ^ 1].amChoking
            let ready = queue.now + ends[e].latency
            for block in picked[..<n] {
                ends[e].requests.append(block)
                if serving {
                    network.send(bytes: layout.bytes(of: block), firstTag: tag(block), readyAt: ready, on: e ^ 1, queue: &queue)
                }
            }
        }
    }

    /// The pipeline for end `e`: fixed, or sized from what the connection delivered over the rate window.
    func requestDepth(_ e: Int, node x: Int) -> Int {
        pipeline.depth(received: ends[e].received, now: queue.now, windowStart: nodes[x].windowStart,
                       connectedAt: ends[e].connectedAt, blockBytes: Int(layout.blockBytes))
    }

    /// After requests were freed at `x` (a choke, a closed connection), its other connections may take them.
    /// Only partners it may request from are tried (the peer set's copies of the ends' flags): the others
    /// would be turned away by `fill` after a cache miss each.
    func refillOthers(of x: Int, except: Int) {
        // What each fill reads first, scattered over the swarm: loaded together, not one fill at a time.
        for p in partners[x] where p.mayRequest && Int(p.end) != except {
            ends.prefetch(Int(p.end))
            network.prefetch(link: Int(p.end) ^ 1)
            haveTable.prefetch(Int(p.node))
        }
        for p in partners[x] where p.mayRequest && Int(p.end) != except { fill(Int(p.end)) }
    }

    /// The partner choked end `e`'s node: every outstanding request on `e` is void.
    func dropRequests(_ e: Int) {
        let x = Int(ends[e].node)
        if !complete[x] { for block in ends[e].requests { pickers[x].requestDropped(block) } }
        ends[e].requests.removeAll()
    }

    /// A block sent by end `f ^ 1`'s node arrives at end `f`'s node.
    func deliver(_ f: Int, block tag: Int) {
        let y = Int(ends[f].node), x = Int(ends[f ^ 1].node)
        let block = blockRef(tag)
        let bytes = Int64(layout.bytes(of: block))
        bytesInFlight -= bytes
        guard nodes[y].present else {
            bytesLost += bytes
            return
        }
        nodes[y].received += bytes
        let classes = population.classNames.count + 1
        exchange[Int(nodes[x].exchangeIndex) * classes + Int(nodes[y].exchangeIndex)] += bytes
        if ends[f].isOpen {
            ends[f].requests.remove(block)
            ends[f].received.add(bytes)
            ends[f].lastBlockAt = queue.now
        }
        if complete[y] {
            duplicateBytes += bytes
            return
        }
        switch pickers[y].blockReceived(block) {
        case .duplicate:
            duplicateBytes += bytes
        case .stored(let completedPiece, let otherRequests):
            if otherRequests > 0 { cancelDuplicates(of: block, at: y, except: f) }
            if let piece = completedPiece { pieceCompleted(piece, at: y) }
        }
        if ends[f].isOpen { fill(f) }
    }

    /// Endgame: the block arrived, so its other outstanding requests are cancelled (a cancel is instant
    /// here; a copy already being transmitted still arrives and is counted as a duplicate). Only ends that
    /// may request can hold requests: a choke or lost interest leaves none (the swarm tests check it).
    func cancelDuplicates(of block: BlockRef, at y: Int, except f: Int) {
        for p in partners[y] where p.mayRequest && Int(p.end) != f {
            let e = Int(p.end)
            guard ends[e].requests.remove(block) else { continue }
            network.cancel(tag: tag(block), on: e ^ 1, queue: &queue)
            fill(e)
        }
    }

    func pieceCompleted(_ piece: Int, at y: Int) {
        globalCopies[piece] += 1
        if firstPiece[y] == nil { firstPiece[y] = queue.now }
        haveTable.insert(y, piece)
        // `have` to every established partner still downloading and lacking the piece: its count (a partner
        // holding the piece never asks for its count again, see `DeferredAvailability`), and interest in us.
        // The partners are gathered (on the stack) with their rows loading, then kept if they lack the piece,
        // so that the loads of their counts are independent and their misses overlap. The counts are updated
        // at the next event: they are scattered over the swarm, and by then they have arrived.
        let count = partners[y].count
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: 2 * count) { scratch in
            // The partners' nodes in the first half, their places in the peer set in the second.
            var gathered = 0
            for (i, p) in partners[y].enumerated() where p.established && !complete[Int(p.node)] {
                scratch[gathered] = p.node
                scratch[count + gathered] = Int32(i)
                gathered += 1
                haveTable.prefetch(Int(p.node))
            }
            var n = 0
            for k in 0..<gathered where !has(Int(scratch[k]), piece) {
                scratch[n] = scratch[k]
                scratch[count + n] = scratch[count + k]
                n += 1
            }
            // Every count first: a partner that becomes interested may request at once, but only from its own
            // counts (brought up to date before it chooses), so the order of the two loops changes nothing.
            availability.increment(piece, inEach: UnsafeBufferPointer(rebasing: scratch[..<n]),
                                   prefetch: { p2psim_prefetch($0) })
            // A partner interested already, whom y unchokes, may have had nothing left to ask y for (what it
            // lacked of y's pieces was requested elsewhere) and sits with an empty pipeline: the new piece is
            // something to ask for (p2pclient tops a connection up at every `have`). A pipeline that is not
            // empty is topped up at its next block anyway.
            for k in 0..<n {
                let i = Int(scratch[count + k])
                let partner = partners[y][i]
                if !partner.partnerInterested {
                    gainInterest(Int(partner.end) ^ 1)
                } else if partner.unchoking, ends[Int(partner.end) ^ 1].requests.isEmpty {
                    fill(Int(partner.end) ^ 1)
                }
            }
        }
        if pickers[y].isComplete { becomeSeed(y) }
    }

    func becomeSeed(_ y: Int) {
        let now = queue.now
        complete[y] = true
        completion[y] = now
        completedCount += 1
        recorder.completed()
        leecherCount -= 1
        seedCount += 1
        for p in partners[y] {
            let e = Int(p.end)
            for block in ends[e].requests { network.cancel(tag: tag(block), on: e ^ 1, queue: &queue) }
            ends[e].requests.removeAll()
            if ends[e].amInterested { loseInterest(e) }
        }
        if let stay = population.peers[y - 1].seedFor { queue.schedule(.departure(Int32(y)), at: now + stay) }
    }
}
