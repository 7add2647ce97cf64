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

            To compare two builds, run each several times (--repeat) or stop the crowds early (--stop-at): \
            `p2psim bench --peers 10000 --stop-at "100 s" --repeat 3` takes about two minutes. \
            docs/performance.md says how this machine's timings vary.
            """
    )

    @Option(help: ArgumentHelp("Peer counts to run, smallest first.", valueName: "n,n,..."))
    var peers: String = "1000,2000,5000,10000"

    @Option(help: "File size.")
    var file: String = "100 MiB"

    @Option(help: "Mode: p2p or client-server.")
    var mode: String = "p2p"

    @Option(help: ArgumentHelp("Simulated time at which each run stops, complete or not.", valueName: "duration"))
    var stopAt: String = "30 d"

    @Option(help: ArgumentHelp("Runs of each size, a row each.", valueName: "n"))
    var `repeat`: Int = 1

    /// Where a bad option shows in the generated scenario, and the option to name instead.
    static let optionOfPath = [("file.size", "--file"), ("mode", "--mode"), ("stop_at", "--stop-at"),
                               ("peers[0].count", "--peers")]

    /// The peer counts of `--peers`, nil unless every entry is a count of at least 1.
    var sizes: [Int]? {
        let entries = peers.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        let sizes = entries.compactMap { Int($0) }.filter { $0 > 0 }
        return sizes.count == entries.count ? sizes : nil
    }

    func validate() throws {
        guard sizes != nil else {
            throw ValidationError("--peers needs peer counts of at least 1, e.g. 1000,10000 (got \"\(peers)\")")
        }
        guard `repeat` >= 1 else { throw ValidationError("--repeat needs a count of at least 1") }
    }

    func run() throws {
        let sizes = self.sizes ?? []
        // Rows go out unbuffered, so a long benchmark shows each size as it finishes.
        func emit(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }
        // Every scenario is built before the first run: a bad option fails at once, before the table.
        var scenarios: [(peers: Int, scenario: Scenario)] = []
        for n in sizes {
            let text = """
                {"name": "bench-\(n)", "seed": 1, "mode": \(Self.quoted(mode)),
                 "file": {"size": \(Self.quoted(file)), "piece_size": "256 KiB", "block_size": "16 KiB"},
                 "server": {"upload": "100 Mbps"},
                 "peers": [{"class": "home", "count": \(n), "upload": "2 Mbps", "download": "20 Mbps"\(mode == "p2p" ? #", "seed_for": "forever""# : "")}],
                 "network": {"latency": {"distribution": "uniform", "min": "10 ms", "max": "80 ms"}},
                 "stop_at": \(Self.quoted(stopAt)), "output": {"timeseries_interval": "10 s"}}
                """
            switch ScenarioLoader.load(text: text, path: "bench.json", baseDirectory: nil) {
            case .success(let scenario): scenarios.append((n, scenario))
            case .failure(let e):
                e.lines.map(Self.namingOptions).forEach(Console.error)
                throw ExitCode(Status.badInput)
            }
        }
        emit("peers  simulated_s  ratio_to_bound  wall_s  events      events_per_s  blocks      blocks_per_s  peak_rss_MiB")
        for (n, scenario) in scenarios {
            for _ in 0..<`repeat` { emit(Self.row(n, measuring: scenario)) }
        }
    }

    /// Runs `scenario` once: its row of the table.
    static func row(_ n: Int, measuring scenario: Scenario) -> String {
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
        return String(format: "%-6d %-12.1f %-15.4f %-7.2f %-11llu %-13.0f %-11.0f %-13.0f %.0f",
                      n, Double(result.endTime) / 1e9, ratio, seconds, result.events,
                      Double(result.events) / seconds, blocks, blocks / seconds, Double(usage.ru_maxrss) / 1024)
    }

    /// `text` as a JSON string literal, so that no option value can change the scenario's structure.
    static func quoted(_ text: String) -> String {
        String(decoding: (try? JSONEncoder().encode(text)) ?? Data(#""""#.utf8), as: UTF8.self)
    }

    /// A loader message about the generated scenario, told in terms of the option that caused it.
    static func namingOptions(_ line: String) -> String {
        for (path, option) in optionOfPath where line.hasPrefix("bench.json: \(path): ") {
            return "p2psim bench \(option): " + line.dropFirst("bench.json: \(path): ".count)
        }
        return line
    }
}
