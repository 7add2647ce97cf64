import Foundation

/// One thing wrong with a scenario file: where (a JSON path such as `peers[0].upload`) and what.
public struct ScenarioIssue: Error, Equatable, Sendable, CustomStringConvertible {
    /// The JSON path of the offending value; empty for the document itself.
    public var path: String
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}

/// Why a scenario file could not be used. Every case means: exit status 2, nothing written.
public enum ScenarioLoadError: Error, Equatable, Sendable {
    case unreadable(path: String, reason: String)
    case syntax(path: String, JSONSyntaxError)
    case invalid(path: String, [ScenarioIssue])

    /// One line per problem, each starting with the file's path, ready for stderr.
    public var lines: [String] {
        switch self {
        case .unreadable(let path, let reason): return ["\(path): cannot read the scenario: \(reason)"]
        case .syntax(let path, let error): return ["\(path): not valid JSON: \(error)"]
        case .invalid(let path, let issues): return issues.map { "\(path): \($0)" }
        }
    }
}

/// Reads and validates scenario files.
public enum ScenarioLoader {
    /// Loads `path`, reporting every problem at once. Trace files named in the scenario are read relative
    /// to the scenario's folder.
    public static func load(path: String) -> Result<Scenario, ScenarioLoadError> {
        let url = URL(fileURLWithPath: path)
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            let reason = FileManager.default.fileExists(atPath: path) ? "permission denied or not a file" : "no such file"
            return .failure(.unreadable(path: path, reason: reason))
        }
        guard let text = String(data: data, encoding: .utf8) else {
            return .failure(.unreadable(path: path, reason: "not UTF-8 text"))
        }
        return load(text: text, path: path, baseDirectory: url.deletingLastPathComponent().path)
    }

    /// Validates scenario text; `path` is used in messages and for the default name.
    public static func load(text: String, path: String, baseDirectory: String?) -> Result<Scenario, ScenarioLoadError> {
        let json: JSONValue
        do {
            json = try JSONReader.parse(text)
        } catch {
            return .failure(.syntax(path: path, error))
        }
        let defaultName = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        let decoder = ScenarioDecoder(baseDirectory: baseDirectory, defaultName: defaultName)
        if let scenario = decoder.decode(json), decoder.issues.isEmpty { return .success(scenario) }
        return .failure(.invalid(path: path, decoder.issues))
    }
}
