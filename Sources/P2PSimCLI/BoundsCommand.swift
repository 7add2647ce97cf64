import ArgumentParser
import Foundation
import ScenarioModel
import Simulator

struct BoundsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bounds",
        abstract: "Print the client-server and P2P lower bounds on distribution time for a scenario.",
        discussion: """
            Kurose & Ross: D_cs = max(N·F/u_s, F/d_min), D_p2p = max(F/u_s, F/d_min, N·F/(u_s + Σu_i)), \
            with F the file size, N the peers, u_s the server upload, u_i the peers' uploads (free-riders \
            count 0) and d_min the smallest peer download. Capacities drawn from distributions are drawn \
            with the scenario's seed, exactly as `run` draws them.
            """
    )

    @Argument(help: "A scenario file (JSON).")
    var file: String

    func run() throws {
        let scenario: Scenario
        do { scenario = try Console.loadScenario(file) } catch { throw ExitCode(Status.badInput) }
        let population = PeerPopulation(scenario: scenario)
        let b = population.lowerBounds(fileBytes: scenario.file.size)
        let uploads = population.peers.map { $0.behaviour == .freeRider ? 0 : $0.upload }.reduce(0, +)
        let dMin = population.peers.map(\.download).min() ?? 0
        let d = Console.duration
        print("""
            \(scenario.name): N = \(population.peers.count) peers, F = \(Console.size(scenario.file.size)), \
            u_s = \(Console.rate(scenario.server.upload)), d_min = \(Console.rate(dMin)), Σu_i = \(Console.rate(uploads))
            client-server  D_cs  = max(N·F/u_s, F/d_min)                     = max(\(d(b.serverTerm)), \(d(b.slowestDownloadTerm))) = \(d(b.clientServer))
            p2p            D_p2p = max(F/u_s, F/d_min, N·F/(u_s + Σu_i))     = max(\(d(b.serverOneCopyTerm)), \(d(b.slowestDownloadTerm)), \(d(b.aggregateUploadTerm))) = \(d(b.p2p))
            """)
        print(String(format: "client-server / p2p = %.2f", b.clientServer / b.p2p))
        if !scenario.isFlashCrowd {
            print("note: peers do not all arrive at once; the bounds assume they do, so `run` reports lower_bound_s = null")
        }
    }
}
