import ArgumentParser
import ScenarioModel

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check scenario files and report every problem at once.",
        discussion: "Prints one line per problem (file, JSON path, bad value, what is expected) and exits with status 2 if any file has a problem. Writes nothing."
    )

    @Argument(help: "Scenario files (JSON).")
    var files: [String]

    func run() throws {
        var bad = false
        for file in files {
            switch ScenarioLoader.load(path: file) {
            case .success(let scenario):
                let classes = scenario.peerClasses.count
                print("\(file): ok (\(scenario.mode.rawValue), \(scenario.peerCount) peers in \(classes) class\(classes == 1 ? "" : "es"), file \(Console.size(scenario.file.size)), seed \(scenario.seed))")
            case .failure(let failure):
                failure.lines.forEach(Console.error)
                bad = true
            }
        }
        if bad { throw ExitCode(Status.badInput) }
    }
}
