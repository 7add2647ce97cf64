import ScenarioModel
import SimulationEngine

/// Per-class download-time statistics and the headline ratios of a run.
public struct RunSummary: Sendable {
    public struct ClassStats: Sendable {
        public var name: String
        /// The class's place in the scenario.
        public var index: Int
        public var count: Int
        public var completed: Int
        /// Download times (completion minus arrival) of the peers that completed, seconds.
        public var mean: Double?
        public var median: Double?
        public var p95: Double?
        /// Mean time from arrival to the first complete piece, over the peers that got one.
        public var meanFirstPiece: Double?
        /// Bytes the class uploaded and downloaded in all.
        public var uploadedBytes: Int64
        public var downloadedBytes: Int64
    }

    public var classes: [ClassStats]
    /// distribution time / lower bound, when both exist.
    public var boundRatio: Double?

    public init(_ result: RunResult) {
        let peers = result.population.peers
        var times = [[Double]](repeating: [], count: result.population.classNames.count)
        var counts = [Int](repeating: 0, count: times.count)
        var firsts = [[Double]](repeating: [], count: times.count)
        var up = [Int64](repeating: 0, count: times.count), down = up
        for (i, peer) in peers.enumerated() {
            counts[peer.classIndex] += 1
            up[peer.classIndex] += result.uploadedBytes[i]
            down[peer.classIndex] += result.downloadedBytes[i]
            if let first = result.firstPiece[i] { firsts[peer.classIndex].append(Time.seconds(first - peer.arrival)) }
            if let done = result.completion[i] { times[peer.classIndex].append(Time.seconds(done - peer.arrival)) }
        }
        classes = result.population.classNames.enumerated().map { c, name in
            let sorted = times[c].sorted()
            return ClassStats(
                name: name, index: c, count: counts[c], completed: sorted.count,
                mean: sorted.isEmpty ? nil : sorted.reduce(0, +) / Double(sorted.count),
                median: Self.percentile(sorted, 0.5), p95: Self.percentile(sorted, 0.95),
                meanFirstPiece: firsts[c].isEmpty ? nil : firsts[c].reduce(0, +) / Double(firsts[c].count),
                uploadedBytes: up[c], downloadedBytes: down[c])
        }
        if let time = result.distributionTime, let bound = result.lowerBound, bound > 0 {
            boundRatio = time / bound
        }
    }

    /// Linear interpolation between closest ranks (the common "type 7" definition); nil when empty.
    static func percentile(_ sorted: [Double], _ p: Double) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let position = p * Double(sorted.count - 1)
        let low = Int(position.rounded(.down))
        let high = min(low + 1, sorted.count - 1)
        return sorted[low] + (sorted[high] - sorted[low]) * (position - Double(low))
    }
}
