import ScenarioModel

/// The entry point: runs a scenario in its mode.
public enum Simulator {
    public enum RunError: Error, CustomStringConvertible {
        case modeNotAvailable(Scenario.Mode)

        public var description: String {
            switch self {
            case .modeNotAvailable(let mode):
                return "mode \"\(mode.rawValue)\" cannot be simulated by this version yet (only \"client-server\"); `p2psim bounds` still works for it"
            }
        }
    }

    public static func run(_ scenario: Scenario, progress: ((SimulationProgress) -> Void)? = nil) throws(RunError) -> RunResult {
        switch scenario.mode {
        case .clientServer: return ClientServerSimulation(scenario: scenario).run(progress: progress)
        case .p2p: throw .modeNotAvailable(.p2p)
        }
    }
}
