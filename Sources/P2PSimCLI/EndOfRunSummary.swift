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
        let accounting = UploadAccountingSummary(result)
        if let accounting { lines += uploadLines(accounting, result) }
        if result.piecesWithoutCopy > 0 {
            lines.append("  pieces lost        \(result.piecesWithoutCopy) pieces had no copy left among the peers present")
        }
        for c in summary.classes {
            var line = "  class \(c.name): \(c.completed)/\(c.count) done"
            if let mean = c.mean, let median = c.median, let p95 = c.p95 {
                line += ", download time mean \(Console.duration(mean)), median \(Console.duration(median)), p95 \(Console.duration(p95))"
            }
            if let held = accounting?.incompleteHeld[c.index] {
                line += String(format: "; the %d incomplete hold %.1f %% of the file on average", c.count - c.completed, 100 * held)
            }
            lines.append(line)
        }
        lines.append("  results in \(outDir)/ (summary.json, peers.csv, timeseries.csv, exchange.csv)")
        return lines.joined(separator: "\n")
    }

    /// Where the upload went: the share sent and the largest idle reasons, for the origin seed and the peers;
    /// the origin's first-copy cost; capacity that left with departed peers.
    static func uploadLines(_ accounting: UploadAccountingSummary, _ result: RunResult) -> [String] {
        var lines: [String] = []
        for (name, shares) in [("origin seed", accounting.groups[0].shares), ("peers", accounting.peers)] where shares.capacity > 0 {
            let idle = UploadAccountingSummary.largestIdle(shares).prefix(3)
                .map { String(format: "%@ %.1f %%", $0.0.key.replacingOccurrences(of: "_", with: " "), 100 * $0.1) }
            lines.append(String(format: "  upload %-11@ sent %.1f %%", name, 100 * UploadAccountingSummary.ratio(shares.sent, shares.capacity))
                         + (idle.isEmpty ? "" : "; idle: " + idle.joined(separator: ", ")))
        }
        if let cost = result.firstCopy {
            let first = cost.completedAt == nil
                ? "\(cost.piecesOut) of \(cost.pieceCount) pieces left it"
                : String(format: "%.2f copies of the file before every piece had left it once (ideal 1.00)", cost.ratioToIdeal)
            lines.append("  origin first copy  \(first)")
        }
        if accounting.departedFraction > 0.0005 {
            lines.append(String(format: "  departed capacity  %.1f %% of the upload D_p2p counts left with peers that departed", 100 * accounting.departedFraction))
        }
        return lines
    }
}
