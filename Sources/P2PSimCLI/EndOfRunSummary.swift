import Foundation
import ScenarioModel
import Simulator

/// The one-screen summary printed after a run.
enum EndOfRunSummary {
    static func text(_ result: RunResult, outDir: String) -> String {
        let s = result.scenario
        let summary = RunSummary(result)
        var lines: [String] = []
        lines.append("\(s.name): \(s.mode.rawValue), \(result.population.peers.count) peers, file \(Console.size(s.file.size)), seed \(s.seed)")
        if let time = result.distributionTime {
            var line = "  distribution time  \(Console.duration(time))"
            if let bound = result.lowerBound, let ratio = summary.boundRatio {
                let name = s.mode == .clientServer ? "D_cs" : "D_p2p"
                line += String(format: "   (lower bound %@ = %@, ratio %.4f)", name, Console.duration(bound), ratio)
            }
            lines.append(line)
        } else {
            lines.append("  distribution time  none: \(result.population.peers.count - result.completedCount) peers did not complete")
        }
        lines.append("  completed          \(result.completedCount) of \(result.population.peers.count)   (run ended: \(result.stopReason.rawValue) at \(Console.duration(Double(result.endTime) / 1e9)))")
        lines.append("  server uploaded    \(Console.size(result.serverUploadedBytes))"
                     + String(format: "   (upload utilization %.1f %%)", 100 * result.uploadUtilization))
        if result.piecesWithoutCopy > 0 {
            lines.append("  pieces lost        \(result.piecesWithoutCopy) pieces had no copy left among the peers present")
        }
        for c in summary.classes {
            var line = "  class \(c.name): \(c.completed)/\(c.count) done"
            if let mean = c.mean, let median = c.median, let p95 = c.p95 {
                line += ", download time mean \(Console.duration(mean)), median \(Console.duration(median)), p95 \(Console.duration(p95))"
            }
            lines.append(line)
        }
        lines.append("  results in \(outDir)/ (summary.json, peers.csv, timeseries.csv, exchange.csv)")
        return lines.joined(separator: "\n")
    }
}
