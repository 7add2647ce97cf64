import ScenarioModel

/// The entry point: runs a scenario in its mode.
public enum Simulator {
    public static func run(_ scenario: Scenario, progress: ((SimulationProgress) -> Void)? = nil) -> RunResult {
        switch scenario.mode {
        case .clientServer: return ClientServerSimulation(scenario: scenario).run(progress: progress)
        case .p2p: return SwarmSimulation(scenario: scenario).run(progress: progress)
        }
    }
}
