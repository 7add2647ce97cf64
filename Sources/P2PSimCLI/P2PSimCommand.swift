// P2PSimCLI: the `p2psim` command line. Owns argument parsing, messages, exit statuses, the progress
// line and the end-of-run summary; the only module that reads the wall clock (for the progress line and
// the timing on stderr, never for results). Simulation logic lives in Simulator.
import ArgumentParser

/// `p2psim`: the root command.
public struct P2PSimCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "p2psim",
        abstract: "Simulate file distribution, client-server or BitTorrent swarm, and write CSV to plot.",
        discussion: """
            A scenario file (JSON) describes the file, the server, the peers and the network; see \
            docs/scenario-format.md. Same file and seed, same output bytes.

            Examples:
              p2psim validate scenarios/quickstart.json
              p2psim bounds scenarios/quickstart.json
              p2psim run scenarios/quickstart.json --out results/quickstart
            """,
        subcommands: [RunCommand.self, ValidateCommand.self, BoundsCommand.self, BenchCommand.self]
    )

    public init() {}
}

/// Exit statuses: 0 success, 1 failure while running or writing, 2 bad input (scenario or arguments).
enum Status {
    static let badInput: Int32 = 2
    static let failure: Int32 = 1
}
