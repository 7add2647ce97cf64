extension FlowNetwork {
    /// The physics the model promises, checked from scratch (not from the meters): every node's active
    /// links add up to at most its upload (sending) and download (receiving) capacity, idle links carry
    /// no rate, and the active-link lists match the links. Returns what is wrong (empty when all is well).
    /// - Complexity: O(nodes + links); for tests, after every event.
    public func invariantViolations(tolerance: Double = 1e-9) -> [String] {
        var problems: [String] = []
        var sent = [Double](repeating: 0, count: nodeCount)
        var received = [Double](repeating: 0, count: nodeCount)
        for l in 0..<links.count {
            let link = links[l]
            let active = link.currentBytes > 0
            if !active && link.rate != 0 { problems.append("idle link \(l) has rate \(link.rate)") }
            if link.rate < 0 { problems.append("link \(l) has negative rate \(link.rate)") }
            if active != (link.outSlot >= 0) || active != (link.inSlot >= 0) {
                problems.append("link \(l) active=\(active) but slots \(link.outSlot), \(link.inSlot)")
            }
            if link.outSlot >= 0 {
                let out = outgoing[Int(link.sender)][Int(link.outSlot)]
                if out.link != Int32(l) { problems.append("link \(l) not at its outgoing slot") }
                if out.receiver != link.receiver || out.rate != link.rate {
                    problems.append("link \(l) listed with receiver \(out.receiver) at \(out.rate) bps, is \(link.receiver) at \(link.rate)")
                }
            }
            if link.inSlot >= 0 {
                let inc = incoming[Int(link.receiver)][Int(link.inSlot)]
                if inc.link != Int32(l) { problems.append("link \(l) not at its incoming slot") }
                if inc.sender != link.sender { problems.append("link \(l) listed with sender \(inc.sender), is \(link.sender)") }
            }
            if link.deferred {  // a deferred notice needs a next block, ready when the current one ends
                if !link.scheduled || !active { problems.append("link \(l) deferred without a pending block") }
                if let next = link.queue.first {
                    if next.readyAt > link.finishAt { problems.append("link \(l) deferred, next block not ready in time") }
                } else {
                    problems.append("link \(l) deferred with nothing queued")
                }
            }
            sent[Int(link.sender)] += link.rate
            received[Int(link.receiver)] += link.rate
        }
        for n in 0..<nodeCount {
            let node = nodes[n]
            if node.outCount != outgoing[n].count { problems.append("node \(n) counts \(node.outCount) active links, has \(outgoing[n].count)") }
            // A node recorded as splitting its upload equally must do so exactly (recompute skips it).
            if node.equalSplit, !outgoing[n].isEmpty {
                let equal = node.upload / Double(outgoing[n].count)
                for l in outgoing[n].map({ Int($0.link) }) where links[l].rate != equal || allowances[l] < equal {
                    problems.append("node \(n) marked equal split, link \(l) rate \(links[l].rate) allowance \(allowances[l]), share \(equal)")
                }
            }
            if sent[n] > node.upload * (1 + tolerance) {
                problems.append("node \(n) sends \(sent[n]) bps, above its upload \(node.upload)")
            }
            if received[n] > node.download * (1 + tolerance) {
                problems.append("node \(n) receives \(received[n]) bps, above its download \(node.download)")
            }
            #if P2PSIM_INVARIANTS
            let meterGap = abs(nodes[n].sending.rate - sent[n])
            if meterGap > max(1e-6, sent[n] * 1e-9) { problems.append("node \(n) sent meter \(nodes[n].sending.rate) != \(sent[n])") }
            let receivedGap = abs(receivedMeter[n].rate - received[n])
            if receivedGap > max(1e-6, received[n] * 1e-9) {
                problems.append("node \(n) received meter \(receivedMeter[n].rate) != \(received[n])")
            }
            #endif
        }
        let reference = ratesFromScratch()
        for l in 0..<links.count where links[l].rate != reference[l] {
            problems.append("link \(l) rate \(links[l].rate), from scratch \(reference[l])")
        }
        return problems
    }

    /// Every link's rate computed from the active link sets alone, both steps for every node: what the
    /// incremental `recompute` (which skips the nodes whose rates cannot change) must agree with exactly.
    func ratesFromScratch() -> [Double] {
        var allowance = [Double](repeating: 0, count: links.count)
        var rates = [Double](repeating: 0, count: links.count)
        var shares: [Double] = [], order: [Int32] = []
        for x in 0..<nodeCount where !incoming[x].isEmpty {
            let claims = incoming[x].map { inc in
                let s = Int(links[Int(inc.link)].sender)  // from the record, not the list's copy
                return nodes[s].upload / Double(outgoing[s].count)
            }
            let download = nodes[x].download
            let given = WaterFilling.fill(capacity: download, limits: claims, shares: &shares, order: &order)
            let extra = max(0, download - given) / Double(claims.count)
            for (i, inc) in incoming[x].enumerated() { allowance[Int(inc.link)] = shares[i] + extra }
        }
        for y in 0..<nodeCount where !outgoing[y].isEmpty {
            WaterFilling.fill(capacity: nodes[y].upload, limits: outgoing[y].map { allowance[Int($0.link)] }, shares: &shares,
                              order: &order)
            for (i, out) in outgoing[y].enumerated() { rates[Int(out.link)] = shares[i] }
        }
        return rates
    }
}
