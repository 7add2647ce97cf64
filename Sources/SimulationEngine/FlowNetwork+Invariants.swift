extension FlowNetwork {
    /// The physics the model promises, checked from scratch (not from the meters): every node's active
    /// links add up to at most its upload (sending) and download (receiving) capacity, idle links carry
    /// no rate, and the active-link lists match the links. Returns what is wrong (empty when all is well).
    /// - Complexity: O(nodes + links); for tests, after every event.
    public func invariantViolations(tolerance: Double = 1e-9) -> [String] {
        var problems: [String] = []
        var sent = [Double](repeating: 0, count: nodeCount)
        var received = [Double](repeating: 0, count: nodeCount)
        for (l, link) in links.enumerated() {
            let active = link.currentBytes > 0
            if !active && link.rate != 0 { problems.append("idle link \(l) has rate \(link.rate)") }
            if link.rate < 0 { problems.append("link \(l) has negative rate \(link.rate)") }
            if active != (link.outSlot >= 0) || active != (link.inSlot >= 0) {
                problems.append("link \(l) active=\(active) but slots \(link.outSlot), \(link.inSlot)")
            }
            if link.outSlot >= 0, outgoing[Int(link.sender)][Int(link.outSlot)] != Int32(l) {
                problems.append("link \(l) not at its outgoing slot")
            }
            if link.inSlot >= 0, incoming[Int(link.receiver)][Int(link.inSlot)] != Int32(l) {
                problems.append("link \(l) not at its incoming slot")
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
            if sent[n] > upload[n] * (1 + tolerance) {
                problems.append("node \(n) sends \(sent[n]) bps, above its upload \(upload[n])")
            }
            if received[n] > download[n] * (1 + tolerance) {
                problems.append("node \(n) receives \(received[n]) bps, above its download \(download[n])")
            }
            let meterGap = abs(sentMeter[n].rate - sent[n])
            if meterGap > max(1e-6, sent[n] * 1e-9) { problems.append("node \(n) sent meter \(sentMeter[n].rate) != \(sent[n])") }
        }
        return problems
    }
}
