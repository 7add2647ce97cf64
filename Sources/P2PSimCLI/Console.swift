import Foundation
import ScenarioModel

/// Writing to the terminal: stderr lines, the rewritable progress line, and human-readable numbers.
enum Console {
    static func error(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) != 0 }

    /// Loads a scenario or prints every problem (one line each) and exits with status 2.
    static func loadScenario(_ path: String) throws -> Scenario {
        switch ScenarioLoader.load(path: path) {
        case .success(let scenario): return scenario
        case .failure(let failure):
            failure.lines.forEach(error)
            throw ExitCodeError.badInput
        }
    }

    /// "42.0 s", "14.0 min", "8.47 h", "3.2 d".
    static func duration(_ seconds: Double) -> String {
        switch seconds {
        case ..<1: return String(format: "%.1f ms", seconds * 1000)
        case ..<120: return String(format: "%.2f s", seconds)
        case ..<7200: return String(format: "%.2f min", seconds / 60)
        case ..<172_800: return String(format: "%.2f h", seconds / 3600)
        default: return String(format: "%.2f d", seconds / 86_400)
        }
    }

    /// "100 Mbps", "2.5 Mbps", "640 kbps".
    static func rate(_ bps: Double) -> String {
        switch bps {
        case 1e9...: return trim(bps / 1e9) + " Gbps"
        case 1e6...: return trim(bps / 1e6) + " Mbps"
        case 1e3...: return trim(bps / 1e3) + " kbps"
        default: return trim(bps) + " bps"
        }
    }

    /// "100 MiB", "1.5 GiB", "12345 B".
    static func size(_ bytes: Int64) -> String {
        let b = Double(bytes)
        switch b {
        case 1_073_741_824...: return trim(b / 1_073_741_824) + " GiB"
        case 1_048_576...: return trim(b / 1_048_576) + " MiB"
        case 1024...: return trim(b / 1024) + " KiB"
        default: return "\(bytes) B"
        }
    }

    static func trim(_ x: Double) -> String {
        let s = String(format: "%.2f", x)
        return s.hasSuffix(".00") ? String(s.dropLast(3)) : s.hasSuffix("0") ? String(s.dropLast()) : s
    }

    static func count(_ n: Double) -> String {
        switch n {
        case 1e9...: return String(format: "%.1fG", n / 1e9)
        case 1e6...: return String(format: "%.1fM", n / 1e6)
        case 1e3...: return String(format: "%.1fk", n / 1e3)
        default: return String(format: "%.0f", n)
        }
    }
}

/// Exit statuses as errors, so commands can stop from anywhere.
enum ExitCodeError: Error {
    case badInput
    case failure
}
