import Foundation
import ScenarioModel
import SimulationEngine

/// Writes a run's result files (summary.json, peers.csv, timeseries.csv) all-or-nothing.
///
/// Files go to a temporary folder beside the destination, which is renamed into place only when every
/// file is written: a failed or interrupted run never leaves half a result, and never replaces an earlier
/// one. Numbers are formatted with fixed rules so that equal runs give equal bytes.
public enum ResultWriter {
    public enum WriteError: Error, CustomStringConvertible {
        case destinationNotEmpty(String)
        case destinationIsFile(String)
        case io(String)

        public var description: String {
            switch self {
            case .destinationNotEmpty(let path): return "\(path) already holds results; use --force to replace them, or --out to choose another folder"
            case .destinationIsFile(let path): return "\(path) is a file, not a folder"
            case .io(let message): return message
            }
        }
    }

    /// The file names and their contents, in writing order.
    public static func files(for result: RunResult) -> [(name: String, contents: String)] {
        [("summary.json", summaryJSON(result)), ("peers.csv", peersCSV(result)), ("timeseries.csv", timeseriesCSV(result)),
         ("exchange.csv", exchangeCSV(result))]
    }

    /// Refuses a destination that is a file, or a folder that already holds results (unless `force`).
    /// Returns whether the folder exists. Callers may check before a long run, and `write` checks again.
    @discardableResult
    public static func checkDestination(_ directory: String, force: Bool) throws(WriteError) -> Bool {
        let fm = FileManager.default
        let path = URL(fileURLWithPath: directory).standardizedFileURL.path
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: path, isDirectory: &isDirectory) else { return false }
        if !isDirectory.boolValue { throw .destinationIsFile(directory) }
        let nonEmpty = !((try? fm.contentsOfDirectory(atPath: path))?.isEmpty ?? true)
        if nonEmpty && !force { throw .destinationNotEmpty(directory) }
        return true
    }

    /// Writes the files into `directory`. Refuses a non-empty existing folder unless `force`; with
    /// `force`, the old folder is removed only after the new one is complete.
    public static func write(_ result: RunResult, to directory: String, force: Bool) throws(WriteError) {
        let fm = FileManager.default
        let target = URL(fileURLWithPath: directory).standardizedFileURL
        let exists = try checkDestination(directory, force: force)

        let parent = target.deletingLastPathComponent()
        let suffix = String(UInt64.random(in: 0...UInt64.max), radix: 36)  // a name, not a simulation draw
        let staging = parent.appendingPathComponent(".\(target.lastPathComponent).tmp-\(suffix)")
        let old = parent.appendingPathComponent(".\(target.lastPathComponent).old-\(suffix)")
        do {
            try fm.createDirectory(at: parent, withIntermediateDirectories: true)
            try fm.createDirectory(at: staging, withIntermediateDirectories: false)
            for (name, contents) in files(for: result) {
                try Data(contents.utf8).write(to: staging.appendingPathComponent(name), options: .atomic)
            }
            if exists { try fm.moveItem(at: target, to: old) }
            do {
                try fm.moveItem(at: staging, to: target)
            } catch {
                if exists { try? fm.moveItem(at: old, to: target) }  // put the earlier results back
                throw error
            }
            if exists { try? fm.removeItem(at: old) }
        } catch {
            try? fm.removeItem(at: staging)
            throw .io("cannot write results to \(directory): \(error.localizedDescription)")
        }
    }

    // MARK: - Formats

    static func seconds(_ t: SimTime) -> String { String(format: "%.6f", Double(t) / 1e9) }
    static func seconds(_ s: Double) -> String { String(format: "%.6f", s) }
    static func bps(_ r: Double) -> String { String(format: "%.0f", r) }

    public static func peersCSV(_ result: RunResult) -> String {
        var out = "peer,class,behaviour,upload_bps,download_bps,arrival_s,first_piece_s,completion_s,departure_s,uploaded_bytes,downloaded_bytes\n"
        for (i, peer) in result.population.peers.enumerated() {
            let fields = [
                String(i), result.population.classNames[peer.classIndex], peer.behaviour.rawValue,
                bps(peer.upload), bps(peer.download), seconds(peer.arrival), result.firstPiece[i].map(seconds) ?? "",
                result.completion[i].map(seconds) ?? "", result.departure[i].map(seconds) ?? "",
                String(result.uploadedBytes[i]), String(result.downloadedBytes[i]),
            ]
            out += fields.joined(separator: ",") + "\n"
        }
        return out
    }

    public static func timeseriesCSV(_ result: RunResult) -> String {
        var out = "time_s,active,completed,server_upload_bps,aggregate_upload_bps,aggregate_download_bps,"
            + "leechers,seeds,min_piece_copies,mean_piece_copies,pieces_without_copy,open_connections,mean_peer_set,"
            + IdleReason.allCases.map { "idle_\($0.key)_bps" }.joined(separator: ",") + "\n"
        for row in result.timeseries {
            out += "\(seconds(row.time)),\(row.active),\(row.completed),\(bps(row.serverUploadBps)),"
                + "\(bps(row.aggregateUploadBps)),\(bps(row.aggregateDownloadBps)),\(row.leechers),\(row.seeds),"
                + "\(row.minPieceCopies),\(String(format: "%.3f", row.meanPieceCopies)),\(row.piecesWithoutCopy),"
                + "\(row.openConnections.map(String.init) ?? ""),\(row.meanPeerSet.map { String(format: "%.3f", $0) } ?? ""),"
                + (row.idleBps?.map(bps) ?? Array(repeating: "", count: IdleReason.allCases.count)).joined(separator: ",")
                + "\n"
        }
        return out
    }

    /// Bytes received by each class from each class; the server appears as class "server".
    public static func exchangeCSV(_ result: RunResult) -> String {
        let names = ["server"] + result.population.classNames
        var out = "from_class,to_class,bytes\n"
        for (from, row) in result.exchange.enumerated() {
            for (to, bytes) in row.enumerated() where to > 0 { out += "\(names[from]),\(names[to]),\(bytes)\n" }
        }
        return out
    }

    public static func summaryJSON(_ result: RunResult) -> String {
        let summary = RunSummary(result)
        let accounting = UploadAccountingSummary(result)
        var json = JSONWriter()
        json.object {
            $0.field("name", string: result.scenario.name)
            $0.field("seed", raw: String(result.scenario.seed))
            $0.field("mode", string: result.scenario.mode.rawValue)
            $0.field("peers", raw: String(result.population.peers.count))
            $0.field("file_bytes", raw: String(result.scenario.file.size))
            $0.field("distribution_time_s", raw: result.distributionTime.map(seconds) ?? "null")
            $0.field("lower_bound_s", raw: result.lowerBound.map(seconds) ?? "null")
            $0.field("bound_ratio", raw: summary.boundRatio.map { String(format: "%.6f", $0) } ?? "null")
            $0.field("completed", raw: String(result.completedCount))
            $0.field("incomplete", raw: String(result.population.peers.count - result.completedCount))
            $0.field("stop_reason", string: result.stopReason.rawValue)
            $0.field("simulated_until_s", raw: seconds(result.endTime))
            $0.field("server_uploaded_bytes", raw: String(result.serverUploadedBytes))
            $0.field("upload_utilization", raw: String(format: "%.6f", result.uploadUtilization))
            $0.field("duplicate_bytes", raw: String(result.duplicateBytes))
            $0.field("pieces_without_copy", raw: String(result.piecesWithoutCopy))
            $0.field("never_completed", raw: "[" + result.neverCompleted.map(String.init).joined(separator: ", ") + "]")
            $0.field("events", raw: String(result.events))
            if let accounting { uploadAccountingJSON(accounting, result, into: &$0) }
            $0.field("classes") { classes in
                classes.object {
                    for c in summary.classes {
                        $0.field(c.name) { entry in
                            entry.object {
                                $0.field("count", raw: String(c.count))
                                $0.field("completed", raw: String(c.completed))
                                $0.field("mean_download_s", raw: c.mean.map(seconds) ?? "null")
                                $0.field("median_download_s", raw: c.median.map(seconds) ?? "null")
                                $0.field("p95_download_s", raw: c.p95.map(seconds) ?? "null")
                                $0.field("mean_first_piece_s", raw: c.meanFirstPiece.map(seconds) ?? "null")
                                $0.field("uploaded_bytes", raw: String(c.uploadedBytes))
                                $0.field("downloaded_bytes", raw: String(c.downloadedBytes))
                                if let held = accounting?.incompleteHeld[c.index] {
                                    $0.field("incomplete_held_fraction", raw: String(format: "%.6f", held))
                                }
                            }
                        }
                    }
                }
            }
        }
        return json.text + "\n"
    }
}

extension ResultWriter {
    /// summary.json's `upload_accounting` (per group: the exact integers in bit·ns, then each as a share of
    /// capacity), `first_copy` and `capacity_departed_fraction`.
    static func uploadAccountingJSON(_ accounting: UploadAccountingSummary, _ result: RunResult, into json: inout JSONWriter) {
        func fraction(_ x: Double) -> String { String(format: "%.6f", x) }
        json.field("upload_accounting") { groups in
            groups.object {
                for (key, shares) in accounting.groups {
                    $0.field(key) { entry in
                        entry.object {
                            $0.field("capacity_bit_ns", raw: String(describing: shares.capacity))
                            $0.field("sent_bit_ns", raw: String(describing: shares.sent))
                            for reason in IdleReason.allCases {
                                $0.field("\(reason.key)_bit_ns", raw: String(describing: shares[reason]))
                            }
                            $0.field("sent", raw: fraction(UploadAccountingSummary.ratio(shares.sent, shares.capacity)))
                            for reason in IdleReason.allCases {
                                $0.field(reason.key, raw: fraction(UploadAccountingSummary.ratio(shares[reason], shares.capacity)))
                            }
                        }
                    }
                }
            }
        }
        json.field("capacity_departed_fraction", raw: fraction(accounting.departedFraction))
        if let cost = result.firstCopy {
            json.field("first_copy") { entry in
                entry.object {
                    $0.field("pieces", raw: String(cost.pieceCount))
                    $0.field("pieces_out", raw: String(cost.piecesOut))
                    $0.field("origin_uploaded_bytes", raw: String(cost.bytesUploaded))
                    $0.field("piece_uploads", raw: String(format: "%.3f", cost.pieceUploads))
                    $0.field("ratio_to_ideal", raw: String(format: "%.6f", cost.ratioToIdeal))
                    $0.field("completed_at_s", raw: cost.completedAt.map(seconds) ?? "null")
                }
            }
        }
    }
}

/// A minimal JSON writer with fields in the order written (deterministic, two-space indentation).
struct JSONWriter {
    private(set) var text = ""
    private var depth = 0
    private var first = true

    mutating func object(_ body: (inout JSONWriter) -> Void) {
        text += "{"
        depth += 1
        first = true
        body(&self)
        depth -= 1
        text += "\n" + String(repeating: "  ", count: depth) + "}"
        first = false
    }

    private mutating func key(_ name: String) {
        text += (first ? "" : ",") + "\n" + String(repeating: "  ", count: depth) + Self.quote(name) + ": "
        first = false
    }

    mutating func field(_ name: String, raw: String) {
        key(name)
        text += raw
    }

    mutating func field(_ name: String, string: String) {
        key(name)
        text += Self.quote(string)
    }

    mutating func field(_ name: String, _ body: (inout JSONWriter) -> Void) {
        key(name)
        body(&self)
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 { out += String(format: "\\u%04x", scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }
}
