import Foundation
import Testing
@testable import ScenarioModel
@testable import SimulationEngine
@testable import Simulator

/// A client-server scenario from a few parameters (text, so it goes through the real validator).
func csScenario(peers: Int, file: String = "10 MiB", server: String = "100 Mbps", upload: String = "1 Mbps",
                download: String = "\"1 Gbps\"", latency: String = "\"1 ms\"", arrival: String = #"{"process": "flash-crowd"}"#,
                stopAt: String = "30 d", seed: Int = 7, extraClasses: String = "") throws -> Scenario {
    let text = """
        {"name": "cs", "seed": \(seed), "mode": "client-server",
         "file": {"size": "\(file)"}, "server": {"upload": "\(server)"},
         "peers": [{"class": "c", "count": \(peers), "upload": "\(upload)", "download": \(download), "arrival": \(arrival)}\(extraClasses)],
         "network": {"latency": \(latency)}, "stop_at": "\(stopAt)"}
        """
    switch ScenarioLoader.load(text: text, path: "cs.json", baseDirectory: nil) {
    case .success(let s): return s
    case .failure(let e): throw ScenarioFailure(lines: e.lines)
    }
}

struct ScenarioFailure: Error { var lines: [String] }

@Suite struct ClientServerTests {
    @Test(arguments: [1, 2, 10, 100, 1000])
    func flashCrowdLandsWithinTwoPercentOfDcs(peers: Int) throws {
        let scenario = try csScenario(peers: peers, file: peers >= 1000 ? "2 MiB" : "10 MiB", latency: #"{"distribution": "uniform", "min": "1 ms", "max": "5 ms"}"#)
        let result = ClientServerSimulation(scenario: scenario).run()
        let time = try #require(result.distributionTime)
        let bound = try #require(result.lowerBound)
        #expect(bound == result.bounds.clientServer)
        #expect(time >= bound, "faster than physics: \(time) < \(bound)")
        #expect(time <= bound * 1.02, "N=\(peers): \(time) s vs D_cs \(bound) s")
        #expect(result.completedCount == peers && result.stopReason == .allCompleted)
    }

    @Test func slowestDownloadBindsWhenServerIsFast() throws {
        // 4 clients, one with a 2 Mbps download: D_cs = F/d_min dominates N·F/u_s.
        let scenario = try csScenario(
            peers: 3, server: "100 Mbps", download: #""50 Mbps""#,
            extraClasses: #", {"class": "slow", "count": 1, "upload": "1 Mbps", "download": "2 Mbps"}"#)
        let result = ClientServerSimulation(scenario: scenario).run()
        let b = result.bounds
        #expect(b.clientServer == b.slowestDownloadTerm)
        let time = try #require(result.distributionTime)
        #expect(time >= b.clientServer && time <= b.clientServer * 1.01)
        // The fast clients are not held back by the slow one: the server gives them its spare capacity.
        let fast = result.completion.prefix(3).compactMap { $0 }.map(Time.seconds)
        #expect(fast.allSatisfy { $0 < 0.3 * time })
    }

    @Test func heterogeneousClientsNeverBeatTheBound() throws {
        for seed in 1...5 {
            let scenario = try csScenario(
                peers: 40, file: "4 MiB", server: "20 Mbps",
                download: #"{"distribution": "lognormal", "median": "5 Mbps", "sigma": 1}"#,
                latency: #"{"distribution": "exponential", "mean": "30 ms"}"#, seed: seed)
            let result = ClientServerSimulation(scenario: scenario).run()
            let time = try #require(result.distributionTime)
            #expect(time >= result.bounds.clientServer, "seed \(seed)")
        }
    }

    @Test func capacitiesAreNeverExceededAndBytesAreConserved() throws {
        let scenario = try csScenario(
            peers: 30, file: "1 MiB", server: "10 Mbps",
            download: #"{"distribution": "uniform", "min": "100 kbps", "max": "5 Mbps"}"#,
            latency: #"{"distribution": "uniform", "min": "5 ms", "max": "200 ms"}"#,
            arrival: #"{"process": "poisson", "rate": 2}"#)
        var checks = 0
        let result = ClientServerSimulation(scenario: scenario).run(checkInvariants: { network in
            checks += 1
            let problems = network.invariantViolations()
            if !problems.isEmpty { Issue.record("after \(checks) events: \(problems.prefix(3))") }
        })
        #expect(checks > 1000)
        #expect(result.completedCount == 30)
        #expect(result.serverUploadedBytes == result.downloadedBytes.reduce(0, +))
        #expect(result.downloadedBytes.allSatisfy { $0 == scenario.file.size })
        #expect(result.uploadedBytes.allSatisfy { $0 == 0 })
        // The timeseries integrates to the bytes moved.
        let bits = zip(result.timeseries.dropFirst(), result.timeseries).reduce(0.0) {
            $0 + $1.0.serverUploadBps * Time.seconds($1.0.time - $1.1.time)
        }
        #expect(abs(bits - Double(result.serverUploadedBytes * 8)) < 1e-6 * bits)
    }

    @Test func stopAtLeavesPeersIncompleteAndSaysSo() throws {
        let scenario = try csScenario(peers: 10, file: "10 MiB", server: "10 Mbps", stopAt: "30 s")
        let result = ClientServerSimulation(scenario: scenario).run()
        #expect(result.stopReason == .stopAt)
        #expect(result.endTime == 30_000_000_000)
        #expect(result.completedCount == 0)
        #expect(result.distributionTime == nil)
        #expect(result.downloadedBytes.allSatisfy { $0 > 0 && $0 < scenario.file.size })
        #expect(result.timeseries.last?.time == 30_000_000_000)
        #expect(result.timeseries.last?.active == 10)
    }

    @Test func arrivalsFollowTheirProcess() throws {
        let poisson = try csScenario(peers: 2000, arrival: #"{"process": "poisson", "rate": 4, "start": "10 s"}"#)
        let times = PeerPopulation(scenario: poisson).peers.map { Time.seconds($0.arrival) }
        #expect(times == times.sorted() && times[0] > 10)
        let meanGap = (times.last! - 10) / 2000
        #expect(abs(meanGap - 0.25) < 0.02)

        let uniform = try csScenario(peers: 1000, arrival: #"{"process": "uniform", "start": "1 min", "over": "1 h"}"#)
        let u = PeerPopulation(scenario: uniform).peers.map { Time.seconds($0.arrival) }
        #expect(u.min()! >= 60 && u.max()! <= 3660 && abs(u.reduce(0, +) / 1000 - 1860) < 60)
        #expect(!uniform.isFlashCrowd)
        #expect(ClientServerSimulation(scenario: uniform).run().lowerBound == nil)
    }

    @Test func streamsKeepPeersWhenAnotherSettingChanges() throws {
        // Changing the arrival process must not change the drawn capacities.
        let a = try csScenario(peers: 50, download: #"{"distribution": "uniform", "min": "1 Mbps", "max": "9 Mbps"}"#)
        let b = try csScenario(peers: 50, download: #"{"distribution": "uniform", "min": "1 Mbps", "max": "9 Mbps"}"#,
                               arrival: #"{"process": "poisson", "rate": 1}"#)
        #expect(PeerPopulation(scenario: a).peers.map(\.download) == PeerPopulation(scenario: b).peers.map(\.download))
        let latencyA = PeerPopulation(scenario: a).latency
        #expect(latencyA.between(0, 5) == latencyA.between(5, 0))
    }

    @Test func sameScenarioSameBytes() throws {
        let scenario = try csScenario(
            peers: 25, file: "2 MiB", server: "5 Mbps",
            download: #"{"distribution": "pareto", "scale": "500 kbps", "shape": 1.5}"#,
            latency: #"{"distribution": "normal", "mean": "50 ms", "sd": "20 ms"}"#,
            arrival: #"{"process": "poisson", "rate": 0.5}"#)
        let first = ResultWriter.files(for: ClientServerSimulation(scenario: scenario).run())
        let second = ResultWriter.files(for: ClientServerSimulation(scenario: scenario).run())
        #expect(first.map(\.contents) == second.map(\.contents))
        var other = scenario
        other.seed = 8
        #expect(ResultWriter.files(for: ClientServerSimulation(scenario: other).run())[1].contents != first[1].contents)
    }
}
