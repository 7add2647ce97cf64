import ArgumentParser
import Foundation
import ScenarioModel
import Simulator

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Simulate a scenario and write summary.json, peers.csv and timeseries.csv.",
        discussion: """
            The scenario is validated first; any problem is reported and nothing is written (status 2). \
            Results are written to a temporary folder and moved into place only when the run finishes.
            """
    )

    @Argument(help: "A scenario file (JSON).")
    var file: String

    @Option(name: .shortAndLong, help: ArgumentHelp("Output folder.", discussion: "Default: results/<scenario name>/", valueName: "dir"))
    var out: String?

    @Flag(help: "Replace results already in the output folder.")
    var force = false

    @Flag(name: .shortAndLong, help: "No progress line and no summary.")
    var quiet = false

    @Option(help: ArgumentHelp("Use this seed instead of the scenario's.", valueName: "n"))
    var seed: UInt64?

    func run() throws {
        var scenario: Scenario
        do { scenario = try Console.loadScenario(file) } catch { throw ExitCode(Status.badInput) }
        if let seed { scenario.seed = seed }
        let outDir = out ?? "results/\(scenario.name)"
        do {
            try ResultWriter.checkDestination(outDir, force: force)  // before the run, not after it
        } catch {
            Console.error("p2psim: \(error)")
            throw ExitCode(Status.badInput)
        }

        let started = ContinuousClock.now
        let progressLine = ProgressLine(enabled: !quiet && Console.stderrIsTerminal, started: started)
        let result = Simulator.run(scenario) { progressLine.update($0) }
        progressLine.clear()
        let elapsed = started.duration(to: .now)
        do {
            try ResultWriter.write(result, to: outDir, force: force)
        } catch {
            Console.error("p2psim: \(error)")
            throw ExitCode(Status.failure)
        }
        if !quiet {
            print(EndOfRunSummary.text(result, outDir: outDir))
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            Console.error(String(format: "wall time %.2f s, %@ events (%@ events/s)", seconds,
                                 Console.count(Double(result.events)),
                                 Console.count(Double(result.events) / max(seconds, 1e-9))))
        }
    }

}

/// The progress line on stderr: simulated time, peers done, events per second; redrawn at most 5 times
/// a second, only when stderr is a terminal.
final class ProgressLine {
    let enabled: Bool
    let started: ContinuousClock.Instant
    var lastDraw: ContinuousClock.Instant
    var drawn = false

    init(enabled: Bool, started: ContinuousClock.Instant) {
        self.enabled = enabled
        self.started = started
        lastDraw = started
    }

    func update(_ p: SimulationProgress) {
        guard enabled else { return }
        let now = ContinuousClock.now
        guard lastDraw.duration(to: now) > .milliseconds(200) else { return }
        lastDraw = now
        let wall = started.duration(to: now)
        let seconds = Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18
        let line = "  simulated \(Console.duration(Double(p.now) / 1e9)) | \(p.completed)/\(p.peers) peers done | "
            + "\(Console.count(Double(p.events) / max(seconds, 1e-9))) events/s"
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
        drawn = true
    }

    func clear() {
        if drawn { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
