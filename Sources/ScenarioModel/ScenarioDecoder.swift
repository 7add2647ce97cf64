import Foundation
import Randomness

/// Turns a parsed JSON document into a `Scenario`, collecting every problem rather than stopping at the first.
///
/// Rules: unknown keys are errors (a typo must never become a default); every message names the JSON path,
/// the bad value, and what was expected. Defaults are listed in `Defaults` and in docs/scenario-format.md.
public final class ScenarioDecoder {
    /// Defaults for optional keys, in scenario-file syntax (so the docs can quote them).
    public enum Defaults {
        public static let seed: UInt64 = 1
        public static let pieceSize = "256 KiB"
        public static let blockSize = "16 KiB"
        public static let serverDownload = "1 Gbps"
        public static let latency = "25 ms"
        public static let stopAt = "7 d"
        public static let timeseriesInterval = "10 s"
        public static let arrival = "flash-crowd at 0 s"
        public static let behaviour = Behaviour.cooperative
    }

    /// Allowed keys per object, by the object's path pattern. The JSON Schema test checks these against
    /// scenarios/scenario.schema.json.
    public static let knownKeys: [String: [String]] = [
        "": ["name", "comment", "seed", "mode", "file", "server", "peers", "network", "stop_at", "output", "protocol"],
        "file": ["comment", "size", "piece_size", "block_size"],
        "server": ["comment", "upload", "download", "leave_at"],
        "peers[]": ["comment", "class", "count", "upload", "download", "behaviour", "arrival", "seed_for"],
        "peers[].arrival": ["comment", "process", "at", "rate", "start", "over", "file"],
        "network": ["comment", "latency"],
        "output": ["comment", "timeseries_interval"],
        "protocol": ["comment", "piece_selection", "random_first_pieces", "endgame", "upload_slots", "expand_slots", "optimistic_unchoke",
                     "seed_choker", "rechoke_interval", "optimistic_interval", "snub_timeout", "pipeline_requests", "request_queue_time",
                     "max_connections", "tracker_peers", "announce_interval", "reannounce_below", "fill_free_slots",
                     "min_announce_interval", "stall_timeout"],
        "distribution": ["comment", "distribution", "value", "min", "max", "mean", "sd", "median", "sigma",
                         "scale", "shape", "values", "weights"],
    ]

    public private(set) var issues: [ScenarioIssue] = []
    let baseDirectory: String?
    let defaultName: String

    public init(baseDirectory: String?, defaultName: String) {
        self.baseDirectory = baseDirectory
        self.defaultName = defaultName
    }

    func fail(_ path: String, _ message: String) {
        issues.append(ScenarioIssue(path: path, message: message))
    }

    /// The scenario, or nil when something essential is missing (see `issues`). Callers must also check
    /// that `issues` is empty: a non-nil result with issues is not valid.
    public func decode(_ json: JSONValue) -> Scenario? {
        guard let root = object(json, at: "", kind: "the scenario") else { return nil }
        defer { checkKeys(root, at: "", allowed: Self.knownKeys[""]!) }

        let name = string(root, "name", at: "").map { validName($0, at: "name") } ?? defaultName
        let comment = string(root, "comment", at: "")
        let seed = root["seed"].flatMap { unsignedInteger($0, at: "seed") } ?? Defaults.seed
        let mode = root["mode"].flatMap { value -> Scenario.Mode? in
            enumeration(value, at: "mode", Scenario.Mode.self)
        }
        if root["mode"] == nil { fail("mode", "missing; expected \"client-server\" or \"p2p\"") }

        let file = root["file"].flatMap { decodeFile($0) }
        if root["file"] == nil { fail("file", "missing; expected an object such as {\"size\": \"100 MiB\"}") }
        let server = root["server"].flatMap { decodeServer($0) }
        if root["server"] == nil { fail("server", "missing; expected an object such as {\"upload\": \"100 Mbps\"}") }
        let peers = decodePeers(root["peers"])

        var latency = Distribution.constant(parseConstant(Defaults.latency, .duration))
        if let network = root["network"], let object = object(network, at: "network", kind: "the network") {
            checkKeys(object, at: "network", allowed: Self.knownKeys["network"]!)
            if let value = object["latency"] {
                latency = distribution(value, at: "network.latency", kind: .duration, allowZero: true) ?? latency
            }
        }

        let stopAt = root["stop_at"].flatMap { duration($0, at: "stop_at", positive: true) }
            ?? nanoseconds(fromSeconds: parseConstant(Defaults.stopAt, .duration))
        var interval = nanoseconds(fromSeconds: parseConstant(Defaults.timeseriesInterval, .duration))
        if let output = root["output"], let object = object(output, at: "output", kind: "the output settings") {
            checkKeys(object, at: "output", allowed: Self.knownKeys["output"]!)
            if let value = object["timeseries_interval"] {
                interval = duration(value, at: "output.timeseries_interval", positive: true) ?? interval
            }
        }
        if interval > 0, stopAt / interval > 10_000_000 {
            fail("output.timeseries_interval", "gives more than 10 million rows before stop_at; use a longer interval")
        }

        var protocolSettings = ProtocolSpec()
        if let value = root["protocol"] { protocolSettings = decodeProtocol(value) ?? protocolSettings }
        if let mode, mode == .clientServer {
            if root["protocol"] != nil { fail("protocol", "only applies to \"p2p\" mode; remove it or set \"mode\": \"p2p\"") }
            if case .object(let members)? = root["server"], members.contains(where: { $0.key == "leave_at" }) {
                fail("server.leave_at", "only applies to \"p2p\" mode (in client-server mode the server must stay)")
            }
            if case .array(let items)? = root["peers"] {
                for (i, item) in items.enumerated() {
                    if case .object(let members) = item, members.contains(where: { $0.key == "seed_for" }) {
                        fail("peers[\(i)].seed_for", "only applies to \"p2p\" mode (client-server clients leave when done)")
                    }
                }
            }
        }

        guard let mode, let file, let server, let peers else { return nil }
        return Scenario(
            name: name, comment: comment, seed: seed, mode: mode, file: file, server: server,
            peerClasses: peers, network: NetworkSpec(latency: latency), stopAt: stopAt,
            output: OutputSpec(timeseriesInterval: interval), protocolSettings: protocolSettings)
    }

    // MARK: - Sections

    func decodeFile(_ value: JSONValue) -> FileSpec? {
        guard let object = object(value, at: "file", kind: "the file") else { return nil }
        checkKeys(object, at: "file", allowed: Self.knownKeys["file"]!)
        let size = required(object, "size", at: "file", expect: "a size, e.g. \"100 MiB\"") {
            self.bytes($0, at: "file.size")
        }
        let piece = object["piece_size"].map { bytes($0, at: "file.piece_size") }
            ?? Int64(parseConstant(Defaults.pieceSize, .size))
        let block = object["block_size"].map { bytes($0, at: "file.block_size") }
            ?? Int64(parseConstant(Defaults.blockSize, .size))
        guard let size, let piece, let block else { return nil }
        if block > piece {
            fail("file.block_size", "\(block) bytes is larger than file.piece_size (\(piece) bytes); a block is part of a piece")
        }
        return FileSpec(size: size, pieceSize: piece, blockSize: block)
    }

    func decodeServer(_ value: JSONValue) -> ServerSpec? {
        guard let object = object(value, at: "server", kind: "the server") else { return nil }
        checkKeys(object, at: "server", allowed: Self.knownKeys["server"]!)
        let upload = required(object, "upload", at: "server", expect: "a rate, e.g. \"100 Mbps\"") {
            self.rate($0, at: "server.upload")
        }
        let download = object["download"].map { rate($0, at: "server.download") }
            ?? parseConstant(Defaults.serverDownload, .rate)
        let leaveAt = object["leave_at"].map { duration($0, at: "server.leave_at", positive: false) }
        guard let upload, let download else { return nil }
        if let leaveAt, leaveAt == nil { return nil }
        return ServerSpec(upload: upload, download: download, leaveAt: leaveAt ?? nil)
    }

    func decodePeers(_ value: JSONValue?) -> [PeerClass]? {
        guard let value else {
            fail("peers", "missing; expected an array of peer classes such as [{\"class\": \"home\", \"count\": 10, ...}]")
            return nil
        }
        guard case .array(let items) = value else {
            fail("peers", "\(value.shortDescription) is not an array of peer classes")
            return nil
        }
        if items.isEmpty { fail("peers", "is empty; expected at least one peer class") }
        var classes: [PeerClass] = []
        var names: [String: Int] = [:]
        var ok = true
        for (i, item) in items.enumerated() {
            let path = "peers[\(i)]"
            guard let peerClass = decodePeerClass(item, at: path) else {
                ok = false
                continue
            }
            if let first = names[peerClass.name] {
                fail("\(path).class", "\"\(peerClass.name)\" is already the name of peers[\(first)]; class names must be unique")
            }
            names[peerClass.name] = i
            classes.append(peerClass)
        }
        if ok, !items.isEmpty, classes.allSatisfy({ $0.count == 0 }) {
            fail("peers", "every class has count 0; expected at least one peer")
        }
        return ok ? classes : nil
    }

    func decodePeerClass(_ value: JSONValue, at path: String) -> PeerClass? {
        guard let object = object(value, at: path, kind: "a peer class") else { return nil }
        checkKeys(object, at: path, allowed: Self.knownKeys["peers[]"]!)
        let name = required(object, "class", at: path, expect: "a class name such as \"home\"") {
            self.string($0, at: "\(path).class").map { self.validClassName($0, at: "\(path).class") }
        }
        let upload = required(object, "upload", at: path, expect: "a rate or a distribution of rates") {
            self.distribution($0, at: "\(path).upload", kind: .rate, allowZero: true)
        }
        let download = required(object, "download", at: path, expect: "a rate or a distribution of rates") {
            self.distribution($0, at: "\(path).download", kind: .rate, allowZero: false)
        }
        let behaviour = object["behaviour"].map { enumeration($0, at: "\(path).behaviour", Behaviour.self) }
            ?? Defaults.behaviour
        var arrival: ArrivalProcess? = .flashCrowd(at: 0)
        if let value = object["arrival"] { arrival = decodeArrival(value, at: "\(path).arrival") }
        var seedFor: Distribution?? = .some(.constant(0))
        if let value = object["seed_for"] {
            if value == .string("forever") {
                seedFor = .some(nil)
            } else if case .string(let text) = value, case .failure = QuantityKind.duration.parse(text) {
                fail("\(path).seed_for", "\(value.shortDescription) is not a duration or \"forever\" (examples: \"0 s\", \"10 min\", \"forever\")")
                seedFor = nil
            } else {
                seedFor = distribution(value, at: "\(path).seed_for", kind: .duration, allowZero: true).map { .some($0) }
            }
        }

        var count: Int?
        if let value = object["count"] {
            count = integer(value, at: "\(path).count", range: 0...1_000_000)
        } else if case .trace(_, let times)? = arrival {
            count = times.count
        } else if arrival == nil, case .object(let members)? = object["arrival"],
                  members.contains(where: { $0.key == "process" && $0.value == .string("trace") }) {
            // The trace could not be read: its error says so; a missing count is not a second problem.
        } else {
            fail("\(path).count", "missing; expected the number of peers in this class, e.g. 100")
        }
        if let count, case .trace(let file, let times)? = arrival, object["count"] != nil, times.count != count {
            fail("\(path).count", "\(count) does not match the \(times.count) arrival times in \"\(file)\" (omit count to use the trace's)")
        }
        guard let name, let count, let upload, let download, let behaviour, let arrival, let seedFor else { return nil }
        return PeerClass(
            name: name, comment: string(object, "comment", at: path), count: count, upload: upload,
            download: download, behaviour: behaviour, arrival: arrival, seedFor: seedFor)
    }

    func decodeArrival(_ value: JSONValue, at path: String) -> ArrivalProcess? {
        guard let object = object(value, at: path, kind: "an arrival process") else { return nil }
        let processes = ["flash-crowd", "poisson", "uniform", "trace"]
        guard let processValue = object["process"] else {
            fail("\(path).process", "missing; expected one of \(quotedList(processes))")
            return nil
        }
        guard case .string(let process) = processValue, processes.contains(process) else {
            fail("\(path).process", "\(processValue.shortDescription) is not an arrival process; expected one of \(quotedList(processes))\(suggestion(processValue, processes))")
            return nil
        }
        let allowed: [String]
        switch process {
        case "flash-crowd": allowed = ["comment", "process", "at"]
        case "poisson": allowed = ["comment", "process", "rate", "start"]
        case "uniform": allowed = ["comment", "process", "start", "over"]
        default: allowed = ["comment", "process", "file"]
        }
        checkKeys(object, at: path, allowed: allowed, context: "for process \"\(process)\"")
        switch process {
        case "flash-crowd":
            let at = object["at"].map { duration($0, at: "\(path).at", positive: false) } ?? 0
            return at.map { .flashCrowd(at: $0) }
        case "poisson":
            let rate = required(object, "rate", at: path, expect: "arrivals per second, e.g. 0.5") {
                self.positiveNumber($0, at: "\(path).rate", expect: "a positive number of arrivals per second, e.g. 0.5")
            }
            let start = object["start"].map { duration($0, at: "\(path).start", positive: false) } ?? 0
            guard let rate, let start else { return nil }
            return .poisson(ratePerSecond: rate, start: start)
        case "uniform":
            let start = object["start"].map { duration($0, at: "\(path).start", positive: false) } ?? 0
            let over = required(object, "over", at: path, expect: "a duration, e.g. \"1 h\"") {
                self.duration($0, at: "\(path).over", positive: false)
            }
            guard let start, let over else { return nil }
            return .uniform(start: start, over: over)
        default:
            guard let file = required(object, "file", at: path, expect: "the path of a CSV file of arrival times", {
                self.string($0, at: "\(path).file")
            }) else { return nil }
            return readTrace(file, at: "\(path).file").map { .trace(path: file, times: $0) }
        }
    }

    func decodeProtocol(_ value: JSONValue) -> ProtocolSpec? {
        guard let object = object(value, at: "protocol", kind: "the protocol settings") else { return nil }
        checkKeys(object, at: "protocol", allowed: Self.knownKeys["protocol"]!)
        var p = ProtocolSpec()
        func int(_ key: String, _ range: ClosedRange<Int>, _ target: inout Int) {
            if let v = object[key], let n = integer(v, at: "protocol.\(key)", range: range) { target = n }
        }
        func bool(_ key: String, _ target: inout Bool) {
            guard let v = object[key] else { return }
            guard case .bool(let b) = v else { return fail("protocol.\(key)", "\(v.shortDescription) is not true or false") }
            target = b
        }
        func time(_ key: String, _ target: inout Int64) {
            if let v = object[key], let t = duration(v, at: "protocol.\(key)", positive: true) { target = t }
        }
        if let v = object["piece_selection"], let e = enumeration(v, at: "protocol.piece_selection", ProtocolSpec.PieceSelection.self) {
            p.pieceSelection = e
        }
        if let v = object["seed_choker"], let e = enumeration(v, at: "protocol.seed_choker", ProtocolSpec.SeedChoker.self) {
            p.seedChoker = e
        }
        int("random_first_pieces", 0...1_000_000, &p.randomFirstPieces)
        bool("endgame", &p.endgame)
        int("upload_slots", 0...1000, &p.uploadSlots)
        bool("expand_slots", &p.expandSlots)
        bool("optimistic_unchoke", &p.optimisticUnchoke)
        bool("fill_free_slots", &p.fillFreeSlots)
        time("rechoke_interval", &p.rechokeInterval)
        time("optimistic_interval", &p.optimisticInterval)
        time("snub_timeout", &p.snubTimeout)
        int("pipeline_requests", 1...1000, &p.pipelineRequests)
        if let v = object["request_queue_time"], let t = duration(v, at: "protocol.request_queue_time", positive: false) {
            p.requestQueueTime = t
        }
        int("max_connections", 1...10_000, &p.maxConnections)
        int("tracker_peers", 1...10_000, &p.trackerPeers)
        time("announce_interval", &p.announceInterval)
        int("reannounce_below", 0...10_000, &p.reannounceBelow)
        time("min_announce_interval", &p.minAnnounceInterval)
        time("stall_timeout", &p.stallTimeout)
        return p
    }

    /// A trace file: one arrival time in seconds per line (first column); an optional header line;
    /// blank lines and lines starting with '#' are skipped.
    func readTrace(_ file: String, at path: String) -> [Int64]? {
        let full = file.hasPrefix("/") || baseDirectory == nil ? file : "\(baseDirectory!)/\(file)"
        guard let data = FileManager.default.contents(atPath: full), let text = String(data: data, encoding: .utf8) else {
            fail(path, "\"\(file)\" cannot be read (looked for \(full))")
            return nil
        }
        var times: [Int64] = []
        for (n, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let field = line.split(separator: ",", maxSplits: 1).first.map(String.init) ?? line
            guard let seconds = Double(field.trimmingCharacters(in: .whitespaces)), seconds.isFinite, seconds >= 0 else {
                if times.isEmpty, Double(field) == nil, n == 0 { continue }  // header line
                fail(path, "\"\(file)\" line \(n + 1): \"\(field)\" is not an arrival time (expected seconds >= 0, e.g. 12.5)")
                return nil
            }
            times.append(nanoseconds(fromSeconds: seconds))
        }
        if times.isEmpty {
            fail(path, "\"\(file)\" holds no arrival times (expected one time in seconds per line)")
            return nil
        }
        return times.sorted()
    }

    // MARK: - Values

    /// A size in whole bytes, > 0.
    func bytes(_ value: JSONValue, at path: String) -> Int64? {
        guard let v = quantity(value, at: path, kind: .size) else { return nil }
        guard v >= 1, v == v.rounded(), v < 1e17 else {
            fail(path, "\(value.shortDescription) is not a whole, positive number of bytes")
            return nil
        }
        return Int64(v)
    }

    /// A rate in bits per second, > 0.
    func rate(_ value: JSONValue, at path: String) -> Double? {
        guard let v = quantity(value, at: path, kind: .rate) else { return nil }
        guard v > 0 else {
            fail(path, "\(value.shortDescription) must be greater than zero")
            return nil
        }
        return v
    }

    /// A duration in nanoseconds (>= 0, or > 0 when `positive`).
    func duration(_ value: JSONValue, at path: String, positive: Bool) -> Int64? {
        guard let v = quantity(value, at: path, kind: .duration) else { return nil }
        if positive, v <= 0 {
            fail(path, "\(value.shortDescription) must be longer than zero")
            return nil
        }
        guard v < 9e9 else {  // 9e9 s is 285 years: Int64 nanoseconds end at 292
            fail(path, "\(value.shortDescription) is too long (at most 100 years)")
            return nil
        }
        return nanoseconds(fromSeconds: v)
    }

    /// A "number unit" string in the base unit.
    func quantity(_ value: JSONValue, at path: String, kind: QuantityKind) -> Double? {
        guard case .string(let text) = value else {
            let base = kind == .size ? "B" : kind == .rate ? "bps" : "s"
            let hint = if case .number(let n) = value { "; write it as a string with a unit, e.g. \"\(n) \(base)\"" } else { "" }
            fail(path, "\(value.shortDescription) is not \(kind.article) (examples: \(kind.examples))\(hint)")
            return nil
        }
        switch kind.parse(text) {
        case .success(let v): return v
        case .failure(.negative):
            fail(path, "\(value.shortDescription) is negative; expected \(kind.article) >= 0")
        case .failure(.missingUnit):
            fail(path, "\(value.shortDescription) has no unit (examples: \(kind.examples))")
        case .failure(.notAQuantity(let suggestion)):
            let hint = suggestion.map { "; did you mean \"\($0)\"?" } ?? ""
            fail(path, "\(value.shortDescription) is not \(kind.article) (examples: \(kind.examples))\(hint)")
        }
        return nil
    }

    /// A constant quantity string or a distribution object, in the base unit.
    func distribution(_ value: JSONValue, at path: String, kind: QuantityKind, allowZero: Bool) -> Distribution? {
        if case .string = value {
            guard let v = quantity(value, at: path, kind: kind) else { return nil }
            if !allowZero, v <= 0 {
                fail(path, "\(value.shortDescription) must be greater than zero")
                return nil
            }
            return .constant(v)
        }
        guard case .object = value, let object = object(value, at: path, kind: "") else {
            fail(path, "\(value.shortDescription) is not \(kind.article) or a distribution (examples: \(kind.examples), {\"distribution\": \"uniform\", \"min\": ..., \"max\": ...})")
            return nil
        }
        let kinds = ["constant", "uniform", "exponential", "normal", "lognormal", "pareto", "empirical"]
        guard let nameValue = object["distribution"] else {
            fail("\(path).distribution", "missing; expected one of \(quotedList(kinds))")
            return nil
        }
        guard case .string(let name) = nameValue, kinds.contains(name) else {
            fail("\(path).distribution", "\(nameValue.shortDescription) is not a distribution; expected one of \(quotedList(kinds))\(suggestion(nameValue, kinds))")
            return nil
        }
        let parameters: [String]
        switch name {
        case "constant": parameters = ["value"]
        case "uniform": parameters = ["min", "max"]
        case "exponential": parameters = ["mean"]
        case "normal": parameters = ["mean", "sd"]
        case "lognormal": parameters = ["median", "sigma"]
        case "pareto": parameters = ["scale", "shape"]
        default: parameters = ["values", "weights"]
        }
        checkKeys(object, at: path, allowed: ["comment", "distribution"] + parameters, context: "for distribution \"\(name)\"")
        func q(_ key: String) -> Double? {
            required(object, key, at: path, expect: "\(kind.article), e.g. \(kind.examples.split(separator: ",")[0])") {
                self.quantity($0, at: "\(path).\(key)", kind: kind)
            }
        }
        func n(_ key: String, _ expect: String) -> Double? {
            required(object, key, at: path, expect: expect) {
                self.positiveNumber($0, at: "\(path).\(key)", expect: expect)
            }
        }
        let result: Distribution?
        switch name {
        case "constant":
            result = q("value").map { .constant($0) }
        case "uniform":
            let lo = q("min"), hi = q("max")
            if let lo, let hi, hi < lo {
                fail("\(path).max", "\(object["max"]!.shortDescription) is below min \(object["min"]!.shortDescription)")
            }
            result = lo.flatMap { lo in hi.map { .uniform(min: lo, max: max(lo, $0)) } }
        case "exponential":
            result = q("mean").map { .exponential(mean: $0) }
        case "normal":
            let mean = q("mean"), sd = q("sd")
            result = mean.flatMap { m in sd.map { .normal(mean: m, sd: $0) } }
        case "lognormal":
            let median = q("median"), sigma = n("sigma", "a positive number (the standard deviation of the logarithm), e.g. 0.5")
            result = median.flatMap { m in sigma.map { .lognormal(median: m, sigma: $0) } }
        case "pareto":
            let scale = q("scale"), shape = n("shape", "a positive number (the tail index alpha), e.g. 1.5")
            result = scale.flatMap { s in shape.map { .pareto(scale: s, shape: $0) } }
        default:
            result = empirical(object, at: path, kind: kind)
        }
        guard let result else { return nil }
        if case .constant(let v) = result, !allowZero, v <= 0 {
            fail("\(path).value", "must be greater than zero")
            return nil
        }
        if !allowZero, ["exponential", "lognormal", "pareto"].contains(name), (result.mean ?? 1) <= 0 {
            fail(path, "must describe values greater than zero")
            return nil
        }
        if name == "exponential" || name == "lognormal" || name == "pareto", let first = parameters.first,
           let v = object[first].flatMap({ if case .string(let t) = $0 { try? kind.parse(t).get() } else { nil } }), v <= 0 {
            fail("\(path).\(first)", "must be greater than zero")
            return nil
        }
        return result
    }

    func empirical(_ object: JSONObject, at path: String, kind: QuantityKind) -> Distribution? {
        guard let valuesJSON = object["values"], case .array(let valueItems) = valuesJSON, !valueItems.isEmpty else {
            fail("\(path).values", "\(object["values"]?.shortDescription ?? "missing"); expected a non-empty array of \(kind.rawValue)s, e.g. [\(kind.examples)]")
            return nil
        }
        let values = valueItems.enumerated().map { quantity($1, at: "\(path).values[\($0)]", kind: kind) }
        var weights = [Double](repeating: 1, count: valueItems.count)
        if let weightsJSON = object["weights"] {
            guard case .array(let weightItems) = weightsJSON, weightItems.count == valueItems.count else {
                fail("\(path).weights", "expected an array of \(valueItems.count) non-negative numbers, one per value")
                return nil
            }
            for (i, item) in weightItems.enumerated() {
                guard case .number(let text) = item, let w = Double(text), w >= 0 else {
                    fail("\(path).weights[\(i)]", "\(item.shortDescription) is not a non-negative number")
                    return nil
                }
                weights[i] = w
            }
            if weights.reduce(0, +) <= 0 {
                fail("\(path).weights", "add up to zero; at least one weight must be positive")
                return nil
            }
        }
        guard values.allSatisfy({ $0 != nil }) else { return nil }
        return .empirical(values: values.map { $0! }, weights: weights)
    }

    func positiveNumber(_ value: JSONValue, at path: String, expect: String) -> Double? {
        guard case .number(let text) = value, let v = Double(text), v > 0, v.isFinite else {
            fail(path, "\(value.shortDescription) is not \(expect)")
            return nil
        }
        return v
    }

    func integer(_ value: JSONValue, at path: String, range: ClosedRange<Int>) -> Int? {
        guard case .number(let text) = value, let v = Int(text), range.contains(v) else {
            fail(path, "\(value.shortDescription) is not a whole number from \(range.lowerBound) to \(range.upperBound)")
            return nil
        }
        return v
    }

    func unsignedInteger(_ value: JSONValue, at path: String) -> UInt64? {
        guard case .number(let text) = value, let v = UInt64(text) else {
            fail(path, "\(value.shortDescription) is not a whole number from 0 to \(UInt64.max)")
            return nil
        }
        return v
    }

    func string(_ value: JSONValue, at path: String) -> String? {
        guard case .string(let s) = value else {
            fail(path, "\(value.shortDescription) is not a string")
            return nil
        }
        return s
    }

    func string(_ object: JSONObject, _ key: String, at path: String) -> String? {
        object[key].flatMap { string($0, at: join(path, key)) }
    }

    func enumeration<E: RawRepresentable & CaseIterable>(_ value: JSONValue, at path: String, _: E.Type) -> E?
    where E.RawValue == String {
        let names = E.allCases.map(\.rawValue)
        guard case .string(let s) = value, let e = E(rawValue: s) else {
            fail(path, "\(value.shortDescription) is not allowed; expected one of \(quotedList(names))\(suggestion(value, names))")
            return nil
        }
        return e
    }

    /// Names become folder names and CSV fields: keep them plain.
    func validName(_ name: String, at path: String) -> String {
        let ok = !name.isEmpty && name != "." && name != ".." && name.count <= 100
            && name.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0) }
        if !ok { fail(path, "\"\(name)\" is not a usable name; expected letters, digits, '-', '_' or '.' (it names the output folder)") }
        return name
    }

    func validClassName(_ name: String, at path: String) -> String {
        let ok = !name.isEmpty && name.count <= 64
            && name.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0) }
        if !ok { fail(path, "\"\(name)\" is not a usable class name; expected letters, digits, '-', '_' or '.'") }
        return name
    }

    // MARK: - Objects and keys

    func object(_ value: JSONValue, at path: String, kind: String) -> JSONObject? {
        guard case .object(let members) = value else {
            fail(path, "\(value.shortDescription) is not an object; expected \(kind.isEmpty ? "an object" : kind) in braces { }")
            return nil
        }
        return JSONObject(members: members)
    }

    func checkKeys(_ object: JSONObject, at path: String, allowed: [String], context: String = "") {
        for key in object.keys where !allowed.contains(key) {
            let near = QuantityKind.closest(key, among: allowed)
            let hint = near.map { "did you mean \"\($0)\"?" } ?? "allowed keys\(context.isEmpty ? "" : " " + context): \(allowed.joined(separator: ", "))"
            fail(join(path, key), "unknown key; \(hint)")
        }
    }

    func required<T>(_ object: JSONObject, _ key: String, at path: String, expect: String,
                              _ parse: (JSONValue) -> T?) -> T? {
        guard let value = object[key] else {
            fail(join(path, key), "missing; expected \(expect)")
            return nil
        }
        return parse(value)
    }

    func suggestion(_ value: JSONValue, _ names: [String]) -> String {
        guard case .string(let s) = value, let near = QuantityKind.closest(s, among: names) else { return "" }
        return "; did you mean \"\(near)\"?"
    }

    func parseConstant(_ text: String, _ kind: QuantityKind) -> Double {
        guard case .success(let v) = kind.parse(text) else { preconditionFailure("bad default \(text)") }
        return v
    }
}

/// An object's members with key lookup; keeps file order for error reporting.
struct JSONObject {
    var members: [(key: String, value: JSONValue)]
    var keys: [String] { members.map(\.key) }
    subscript(key: String) -> JSONValue? { members.first { $0.key == key }?.value }
}

func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

func quotedList(_ names: [String]) -> String { names.map { "\"\($0)\"" }.joined(separator: ", ") }
