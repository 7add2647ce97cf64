import SimulationEngine

/// Keeps the running counts of a simulation and turns them into timeseries rows.
///
/// Rates in a row are exact averages over the interval that ends at the row's time, read from the
/// network's rate meters (so no bit is missed or counted twice, whatever the interval).
struct RunRecorder {
    private(set) var rows: [TimeseriesRow] = []
    private(set) var active = 0
    private(set) var completedCount = 0
    /// Where the current interval started: the meters' readings at the last row.
    private struct Baseline {
        var time: SimTime = 0
        var serverBits = 0.0
        var peerUpBits = 0.0
        var peerDownBits = 0.0
        var upload = UploadShares()
    }
    private var last = Baseline()
    private var beforeLast = Baseline()
    let interval: SimTime

    init(interval: SimTime) {
        self.interval = interval
        rows.reserveCapacity(1024)
    }

    mutating func arrived() { active += 1 }
    mutating func departed() { active -= 1 }
    mutating func completed() { completedCount += 1 }

    /// A row at `now`. `upload` is the swarm's upload accounts settled up to now and `connections` its open
    /// connections (p2p only; nil leaves those columns empty).
    mutating func sample(at now: SimTime, network: FlowNetwork, serverGroup: Int, peerGroup: Int, swarm: SwarmCounts,
                         upload: UploadShares? = nil, connections: Int? = nil) {
        let server = network.groupSentMeter[serverGroup].bits(at: now)
        let peerUp = network.groupSentMeter[peerGroup].bits(at: now)
        let peerDown = network.groupReceivedMeter[peerGroup].bits(at: now)
        let span = Double(now - last.time) / 1e9
        func rate(_ bits: Double, _ before: Double) -> Double { span > 0 ? max(0, bits - before) / span : 0 }
        rows.append(TimeseriesRow(
            time: now, active: active, completed: completedCount,
            serverUploadBps: rate(server, last.serverBits), aggregateUploadBps: rate(peerUp, last.peerUpBits),
            aggregateDownloadBps: rate(peerDown, last.peerDownBits), leechers: swarm.leechers, seeds: swarm.seeds,
            minPieceCopies: swarm.minPieceCopies, meanPieceCopies: swarm.meanPieceCopies,
            piecesWithoutCopy: swarm.piecesWithoutCopy,
            idleBps: upload.map { idleRates($0, since: last.upload, over: now - last.time) },
            openConnections: connections,
            meanPeerSet: connections.map { swarm.leechers + swarm.seeds > 0 ? 2 * Double($0) / Double(swarm.leechers + swarm.seeds) : 0 }))
        beforeLast = last
        last = Baseline(time: now, serverBits: server, peerUpBits: peerUp, peerDownBits: peerDown,
                        upload: upload ?? UploadShares())
    }

    /// Idle capacity per reason over the interval, as an average rate (bits per second) summed over nodes.
    private func idleRates(_ now: UploadShares, since before: UploadShares, over span: SimTime) -> [Double] {
        IdleReason.allCases.map { span > 0 ? Double(now[$0] - before[$0]) / Double(span) : 0 }
    }

    /// Adds the closing row at `end`. A row already taken at `end` is taken again, since events at the
    /// same instant may have run after it.
    mutating func finish(at end: SimTime, network: FlowNetwork, serverGroup: Int, peerGroup: Int, swarm: SwarmCounts,
                         upload: UploadShares? = nil, connections: Int? = nil) {
        if let row = rows.last, row.time == end {
            rows.removeLast()
            last = beforeLast
        }
        sample(at: end, network: network, serverGroup: serverGroup, peerGroup: peerGroup, swarm: swarm, upload: upload,
               connections: connections)
    }
}
