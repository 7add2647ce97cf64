import ArgumentParser
import Foundation
import ScenarioModel
import Simulator

/// `p2psim bench`: the speed and memory benchmark of the swarm model (docs/performance.md).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure simulation speed on flash crowds of growing size.",
        discussion: """
            Each size is a flash crowd on a 100 MiB file (256 KiB pieces, 16 KiB blocks) from one 100 Mbps \
            seed; peers upload 2 Mbps, download 20 Mbps and stay; latency 10-80 ms. The model is the one \
            `run` uses: every block is requested, pipelined and transferred. Prints wall time, events and \
            blocks per second, and the process's peak memory so far. Build with -c release.
            """
    )

    @Option(help: ArgumentHelp("Peer counts to run, smallest first.", valueName: "n,n,..."))
    var peers: String = "1000,2000,5000,10000"

    @Option(help: "File size.")
    var file: String = "100 MiB"

    @Option(help: "Mode: p2p or client-server.")
    var mode: String = "p2p"

    func run() throws {
        let sizes = peers.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !sizes.isEmpty else { throw ValidationError("--peers needs numbers, e.g. 1000,10000") }
        // Rows go out unbuffered, so a long benchmark shows each size as it finishes.
        func emit(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }
        emit("peers  simulated_s  ratio_to_bound  wall_s  events      events_per_s  blocks      blocks_per_s  peak_rss_MiB")
        for n in sizes {
            let text = """
                {"name": "bench-\(n)", "seed": 1, "mode": "\(mode)",
                 "file": {"size": "\(file)", "piece_size": "256 KiB", "block_size": "16 KiB"},
                 "server": {"upload": "100 Mbps"},
                 "peers": [{"class": "home", "count": \(n), "upload": "2 Mbps", "download": "20 Mbps"\(mode == "p2p" ? #", "seed_for": "forever""# : "")}],
                 "network": {"latency": {"distribution": "uniform", "min": "10 ms", "max": "80 ms"}},
                 "stop_at": "30 d", "output": {"timeseries_interval": "10 s"}}
                """
            let scenario: Scenario
            switch ScenarioLoader.load(text: text, path: "bench.json", baseDirectory: nil) {
            case .success(let s): scenario = s
            case .failure(let e):
                e.lines.forEach(Console.error)
                throw ExitCode(Status.badInput)
            }
            let started = ContinuousClock.now
            let progressLine = ProgressLine(enabled: Console.stderrIsTerminal, started: started)
            let result = Simulator.run(scenario) { progressLine.update($0) }
            progressLine.clear()
            let wall = started.duration(to: .now)
            let seconds = Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18
            let blocks = Double(result.downloadedBytes.reduce(0, +)) / Double(scenario.file.blockSize)
            var usage = rusage()
            getrusage(RUSAGE_SELF.rawValue, &usage)
            let ratio = result.distributionTime.flatMap { t in result.lowerBound.map { t / $0 } } ?? .nan
            emit(String(format: "%-6d %-12.1f %-15.4f %-7.2f %-11llu %-13.0f %-11.0f %-13.0f %.0f",
                         n, Double(result.endTime) / 1e9, ratio, seconds, result.events,
                         Double(result.events) / seconds, blocks, blocks / seconds, Double(usage.ru_maxrss) / 1024))
        }
    }
}
