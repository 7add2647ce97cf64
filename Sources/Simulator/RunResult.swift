import ScenarioModel
import SimulationEngine

/// Why a run ended.
public enum StopReason: String, Sendable {
    /// Every peer completed the file.
    case allCompleted = "all-completed"
    /// The scenario's `stop_at` came first.
    case stopAt = "stop-at"
    /// Nothing was left to happen (for instance, no source could serve the peers still waiting).
    case nothingLeft = "nothing-left"
}

/// One row of timeseries.csv: counts at `time`, rates averaged over the interval that ends at `time`.
public struct TimeseriesRow: Equatable, Sendable {
    public var time: SimTime
    public var active: Int
    public var completed: Int
    public var serverUploadBps: Double
    public var aggregateUploadBps: Double
    public var aggregateDownloadBps: Double
}

/// What happened in a run, before formatting: the simulator's output and the writers' input.
public struct RunResult: Sendable {
    public var scenario: Scenario
    public var population: PeerPopulation
    /// Per peer, indexed like `population.peers`.
    public var completion: [SimTime?]
    public var departure: [SimTime?]
    public var uploadedBytes: [Int64]
    public var downloadedBytes: [Int64]
    public var serverUploadedBytes: Int64
    public var timeseries: [TimeseriesRow]
    public var endTime: SimTime
    public var stopReason: StopReason
    public var events: UInt64

    public var completedCount: Int { completion.lazy.filter { $0 != nil }.count }

    /// The bounds for the drawn peers.
    public var bounds: LowerBounds { population.lowerBounds(fileBytes: scenario.file.size) }

    /// From the first arrival to the last completion, seconds; nil if some peer never completed.
    public var distributionTime: Double? {
        guard completedCount == completion.count, let first = population.peers.map(\.arrival).min(),
              let last = completion.compactMap({ $0 }).max() else { return nil }
        return Time.seconds(last - first)
    }

    /// The mode's lower bound when every peer arrived at once, else nil (the bounds assume a flash crowd).
    public var lowerBound: Double? {
        scenario.isFlashCrowd ? bounds.bound(for: scenario.mode) : nil
    }
}
