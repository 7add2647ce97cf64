import Foundation
import Testing
@testable import ScenarioModel
@testable import SimulationEngine
@testable import Simulator

/// Where the upload went: every node's capacity × time present, split exactly into sent and idle reasons.
@Suite struct UploadAccountingTests {
    static let freeRiderSwarm = """
        {"mode": "p2p", "file": {"size": "4 MiB", "piece_size": "64 KiB"}, "server": {"upload": "4 Mbps"},
         "peers": [{"class": "coop", "count": 20, "upload": "1 Mbps", "download": "10 Mbps", "seed_for": "20 s"},
                   {"class": "fr", "count": 8, "upload": "1 Mbps", "download": "10 Mbps", "behaviour": "free-rider"}],
         "network": {"latency": {"distribution": "uniform", "min": "10 ms", "max": "80 ms"}}}
        """
    static let lateArrivals = """
        {"mode": "p2p", "file": {"size": "4 MiB", "piece_size": "64 KiB"}, "server": {"upload": "2 Mbps", "leave_at": "400 s"},
         "peers": [{"class": "p", "count": 25, "upload": "1 Mbps", "download": "6 Mbps", "seed_for": "15 s",
                    "arrival": {"process": "poisson", "rate": 0.5}}],
         "network": {"latency": {"distribution": "uniform", "min": "5 ms", "max": "50 ms"}}}
        """

    @Test(arguments: [smallSwarm, smallSwarmWithDepartures, freeRiderSwarm, lateArrivals])
    func thePartsAddUpToCapacityTimesPresenceForEveryNode(_ json: String) throws {
        let sim = SwarmSimulation(scenario: try p2pScenario(json))
        let result = sim.run()
        #expect(result.uploadShares.count == sim.nodeCount)
        let problems = result.uploadAccountingViolations(bytesCut: sim.bytesCut, linkCount: sim.network.linkCount)
        #expect(problems.isEmpty, "\(problems.prefix(5))")
        #expect(result.uploadShares.allSatisfy { $0.idle.allSatisfy { $0 >= 0 } && $0.sent >= 0 })
        // The time series' idle columns are the same accounts, sampled: over the run they add up to the
        // total idle capacity (to the rounding of each row's average).
        let idle = result.uploadShares.reduce(Int128(0)) { $0 + $1.idle.reduce(0, +) }
        var fromRows = 0.0
        var previous: SimTime = 0
        for row in result.timeseries {
            fromRows += (row.idleBps ?? []).reduce(0, +) * Double(row.time - previous)
            previous = row.time
        }
        #expect(abs(fromRows - Double(idle)) <= 1e-6 * Double(idle) + 1e12, "rows \(fromRows), accounts \(idle)")
    }

    @Test func aBrokenAccountIsCaught() throws {
        let sim = SwarmSimulation(scenario: try p2pScenario(smallSwarm))
        var result = sim.run()
        result.uploadShares[3].idle[IdleReason.slotsUnused.rawValue] += 1
        #expect(!result.uploadAccountingViolations(bytesCut: sim.bytesCut, linkCount: sim.network.linkCount).isEmpty)
        var shifted = SwarmSimulation(scenario: try p2pScenario(smallSwarm)).run()
        shifted.uploadShares[2].sent -= 8_000_000_000 * 16_384  // one block fewer than the bytes say
        shifted.uploadShares[2].idle[0] += 8_000_000_000 * 16_384
        #expect(!shifted.uploadAccountingViolations(bytesCut: 0, linkCount: 0).isEmpty)
    }

    @Test func freeRidersIdleByChoiceAndTheOriginPaysAFirstCopy() throws {
        let result = SwarmSimulation(scenario: try p2pScenario(Self.freeRiderSwarm)).run()
        let accounting = try #require(UploadAccountingSummary(result))
        let groups = Dictionary(uniqueKeysWithValues: accounting.groups.map { ($0.key, $0.shares) })
        let freeRiders = try #require(groups["fr"])
        #expect(freeRiders.sent == 0)
        #expect(UploadAccountingSummary.ratio(freeRiders[.freeRiding], freeRiders.capacity) > 0.5)
        #expect(try #require(groups["coop"])[.freeRiding] == 0)
        let cost = try #require(result.firstCopy)
        #expect(cost.piecesOut == cost.pieceCount && cost.completedAt != nil)
        #expect(cost.pieceUploads >= Double(cost.pieceCount))  // one copy at the very least
        // summary.json carries the integers and the fractions, the origin under a key no class can take.
        let json = ResultWriter.summaryJSON(result)
        #expect(json.contains("\"origin seed\": {") && json.contains("\"free_riding_bit_ns\": ")
                && json.contains("\"capacity_departed_fraction\": ") && json.contains("\"first_copy\": {"))
    }

    @Test func aLoneSeedWithSlowPipelinesIsStarvedOfRequests() throws {
        // Ten peers at 20 Mbps down, 10-80 ms away, a fixed pipeline of five requests of 16 KiB each (Cohen's
        // client; the default keeps 3 s of data requested): a request round trip is longer than the
        // pipeline lasts, so the 100 Mbps seed waits for requests most of the time.
        let json = """
            {"mode": "p2p", "file": {"size": "8 MiB", "piece_size": "256 KiB"}, "server": {"upload": "100 Mbps"},
             "peers": [{"class": "home", "count": 10, "upload": "2 Mbps", "download": "20 Mbps", "seed_for": "forever"}],
             "protocol": {"request_queue_time": "0 s"},
             "network": {"latency": {"distribution": "uniform", "min": "10 ms", "max": "80 ms"}}}
            """
        let result = SwarmSimulation(scenario: try p2pScenario(json)).run()
        let origin = result.uploadShares[0]
        let largest = try #require(UploadAccountingSummary.largestIdle(origin).first)
        #expect(largest.0 == .requestsStarved && largest.1 > 0.3, "\(UploadAccountingSummary.largestIdle(origin))")
    }
}
