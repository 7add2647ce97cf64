import Testing
@testable import ScenarioModel
import Randomness

/// A valid client-server scenario; each bad case below changes one thing in it.
let validScenario = """
    {
      "name": "t", "seed": 7, "mode": "client-server",
      "file": { "size": "100 MiB", "piece_size": "256 KiB", "block_size": "16 KiB" },
      "server": { "upload": "100 Mbps" },
      "peers": [
        { "class": "home", "count": 100, "upload": "2 Mbps", "download": "20 Mbps",
          "arrival": { "process": "flash-crowd", "at": "0 s" } }
      ],
      "network": { "latency": { "distribution": "uniform", "min": "10 ms", "max": "80 ms" } },
      "stop_at": "48 h",
      "output": { "timeseries_interval": "10 s" }
    }
    """

func load(_ text: String) -> Result<Scenario, ScenarioLoadError> {
    ScenarioLoader.load(text: text, path: "s.json", baseDirectory: nil)
}

/// The messages for `text`, without the file prefix.
func messages(_ text: String) -> [String] {
    switch load(text) {
    case .success: return []
    case .failure(.invalid(_, let issues)): return issues.map(\.description)
    case .failure(let other): return other.lines
    }
}

func replacing(_ old: String, with new: String) -> String {
    precondition(validScenario.contains(old), "test fixture does not contain \(old)")
    return validScenario.replacingOccurrences(of: old, with: new)
}

import Foundation

@Suite struct ScenarioValidationTests {
    @Test func theValidScenarioDecodesToBaseUnits() throws {
        let s = try load(validScenario).get()
        #expect(s.name == "t" && s.seed == 7 && s.mode == .clientServer)
        #expect(s.file == FileSpec(size: 104_857_600, pieceSize: 262_144, blockSize: 16_384))
        #expect(s.server.upload == 100e6)
        #expect(s.peerClasses[0].upload == .constant(2e6))
        #expect(s.peerClasses[0].arrival == .flashCrowd(at: 0))
        #expect(s.network.latency == .uniform(min: 0.010, max: 0.080))
        #expect(s.stopAt == 48 * 3600 * 1_000_000_000)
        #expect(s.output.timeseriesInterval == 10_000_000_000)
        #expect(s.isFlashCrowd)
    }

    @Test func defaultsFillOptionalKeys() throws {
        let s = try load("""
            {"mode": "client-server", "file": {"size": "1 MiB"}, "server": {"upload": "1 Mbps"},
             "peers": [{"class": "a", "count": 1, "upload": "1 Mbps", "download": "1 Mbps"}]}
            """).get()
        #expect(s.name == "s")  // from the file name
        #expect(s.seed == 1)
        #expect(s.file.pieceSize == 262_144 && s.file.blockSize == 16_384)
        #expect(s.network.latency == .constant(0.025))
        #expect(s.stopAt == 7 * 86_400 * 1_000_000_000)
        #expect(s.peerClasses[0].behaviour == .cooperative)
        #expect(s.peerClasses[0].arrival == .flashCrowd(at: 0))
    }

    /// Each bad scenario with the exact message it must produce.
    static let badCases: [(String, String, String)] = [
        (#""upload": "2 Mbps""#, #""upload": "2 Mbsp""#,
         #"peers[0].upload: "2 Mbsp" is not a rate (examples: "2 Mbps", "500 kbps", "1.5 MB/s"); did you mean "2 Mbps"?"#),
        (#""upload": "2 Mbps""#, #""upload": "fast""#,
         #"peers[0].upload: "fast" is not a rate (examples: "2 Mbps", "500 kbps", "1.5 MB/s")"#),
        (#""upload": "100 Mbps""#, #""upload": 100"#,
         #"server.upload: 100 is not a rate (examples: "2 Mbps", "500 kbps", "1.5 MB/s"); write it as a string with a unit, e.g. "100 bps""#),
        (#""upload": "100 Mbps""#, #""upload": "0 Mbps""#, #"server.upload: "0 Mbps" must be greater than zero"#),
        (#""download": "20 Mbps""#, #""download": "20""#,
         #"peers[0].download: "20" has no unit (examples: "2 Mbps", "500 kbps", "1.5 MB/s")"#),
        (#""size": "100 MiB""#, #""size": "-5 MiB""#, #"file.size: "-5 MiB" is negative; expected a size >= 0"#),
        (#""size": "100 MiB""#, #""size": "0.5 B""#, #"file.size: "0.5 B" is not a whole, positive number of bytes"#),
        (#""block_size": "16 KiB""#, #""block_size": "1 MiB""#,
         "file.block_size: 1048576 bytes is larger than file.piece_size (262144 bytes); a block is part of a piece"),
        (#""piece_size""#, #""peice_size""#, #"file.peice_size: unknown key; did you mean "piece_size"?"#),
        (#""seed": 7"#, #""seed": "7""#, #"seed: "7" is not a whole number from 0 to 18446744073709551615"#),
        (#""seed": 7"#, #""seed": -1"#, "seed: -1 is not a whole number from 0 to 18446744073709551615"),
        (#""mode": "client-server""#, #""mode": "client-srever""#,
         #"mode: "client-srever" is not allowed; expected one of "client-server", "p2p"; did you mean "client-server"?"#),
        (#""count": 100"#, #""count": 2.5"#, "peers[0].count: 2.5 is not a whole number from 0 to 1000000"),
        (#""count": 100"#, #""count": 0"#, "peers: every class has count 0; expected at least one peer"),
        (#""count": 100, "#, "", "peers[0].count: missing; expected the number of peers in this class, e.g. 100"),
        (#""process": "flash-crowd", "at": "0 s""#, #""process": "flash_crowd""#,
         #"peers[0].arrival.process: "flash_crowd" is not an arrival process; expected one of "flash-crowd", "poisson", "uniform", "trace"; did you mean "flash-crowd"?"#),
        (#""process": "flash-crowd", "at": "0 s""#, #""process": "poisson", "at": "0 s""#,
         #"peers[0].arrival.at: unknown key; allowed keys for process "poisson": comment, process, rate, start"#),
        (#""process": "flash-crowd", "at": "0 s""#, #""process": "poisson", "rate": 0"#,
         "peers[0].arrival.rate: 0 is not a positive number of arrivals per second, e.g. 0.5"),
        (#""process": "flash-crowd", "at": "0 s""#, #""process": "trace", "file": "nope.csv""#,
         #"peers[0].arrival.file: "nope.csv" cannot be read (looked for nope.csv)"#),
        (#""min": "10 ms", "max": "80 ms""#, #""min": "80 ms", "max": "10 ms""#,
         #"network.latency.max: "10 ms" is below min "80 ms""#),
        (#""distribution": "uniform""#, #""distribution": "gaussian""#,
         #"network.latency.distribution: "gaussian" is not a distribution; expected one of "constant", "uniform", "exponential", "normal", "lognormal", "pareto", "empirical""#),
        (#""distribution": "uniform", "min": "10 ms", "max": "80 ms""#, #""distribution": "pareto", "scale": "10 ms""#,
         "network.latency.shape: missing; expected a positive number (the tail index alpha), e.g. 1.5"),
        (#""stop_at": "48 h""#, #""stop_at": "48 hours""#,
         #"stop_at: "48 hours" is not a duration (examples: "80 ms", "10 s", "48 h")"#),
        (#""stop_at": "48 h""#, #""stop_at": "0 s""#, #"stop_at: "0 s" must be longer than zero"#),
        (#""timeseries_interval": "10 s""#, #""timeseries_interval": "1 us""#,
         "output.timeseries_interval: gives more than 10 million rows before stop_at; use a longer interval"),
        (#""name": "t""#, #""name": "../x""#,
         #"name: "../x" is not a usable name; expected letters, digits, '-', '_' or '.' (it names the output folder)"#),
        (#""class": "home""#, #""class": "home,2""#,
         #"peers[0].class: "home,2" is not a usable class name; expected letters, digits, '-', '_' or '.'"#),
        (#""stop_at": "48 h","#, #""stop_at": "48 h", "stopat": 3,"#, #"stopat: unknown key; did you mean "stop_at"?"#),
        (#""server": { "upload": "100 Mbps" },"#, "", #"server: missing; expected an object such as {"upload": "100 Mbps"}"#),
        (#""peers": ["#, #""peers": 3, "unused": ["#, "peers: 3 is not an array of peer classes"),
    ]

    @Test(arguments: badCases)
    func badScenarioGivesItsMessage(old: String, new: String, expected: String) {
        let got = messages(replacing(old, with: new))
        #expect(got.contains(expected), "got: \(got)")
    }

    @Test func everyProblemIsReportedAtOnce() {
        var text = replacing(#""upload": "2 Mbps""#, with: #""upload": "2 Mbsp""#)
        text = text.replacingOccurrences(of: #""seed": 7"#, with: #""seed": "x""#)
        text = text.replacingOccurrences(of: #""stop_at": "48 h""#, with: #""stop_at": "soon""#)
        let got = messages(text)
        #expect(got.count == 3, "got: \(got)")
        #expect(got.map { $0.split(separator: ":")[0] } == ["seed", "peers[0].upload", "stop_at"])
    }

    @Test func duplicateClassNamesAreRefused() {
        let text = replacing("\"peers\": [", with: #""peers": [{"class": "home", "count": 1, "upload": "1 Mbps", "download": "1 Mbps"},"#)
        #expect(messages(text) == [#"peers[1].class: "home" is already the name of peers[0]; class names must be unique"#])
    }

    @Test func syntaxErrorsGiveLineAndColumn() {
        let cases: [(String, String)] = [
            ("{\"a\": 1,\n \"a\": 2}", #"line 2, column 2: duplicate key "a""#),
            ("{\"a\": [1, 2,]}", "line 1, column 13: trailing comma before ']'"),
            ("{\"a\": 01}", "line 1, column 8: numbers may not have leading zeros"),
            ("{\"a\": 1} x", "line 1, column 10: unexpected text after the end of the document"),
            ("{\n  // note\n}", "line 2, column 3: comments are not allowed in JSON (use a \"comment\" key)"),
            ("{\"a\": \"é", "line 1, column 7: unterminated string"),
        ]
        for (text, expected) in cases {
            #expect(load(text).failureLines == ["s.json: not valid JSON: \(expected)"])
        }
    }

    @Test func jsonReaderKeepsOrderAndUnicode() throws {
        let value = try JSONReader.parse(#"{"b": [true, null, -1.5e3], "a": "\u00e9\ud83d\ude00\n"}"#)
        #expect(value == .object([
            ("b", .array([.bool(true), .null, .number("-1.5e3")])),
            ("a", .string("é😀\n")),
        ]))
    }

    @Test func traceArrivalsAreReadRelativeToTheScenario() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("p2psim-trace-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "arrival_s\n5\n1.5\n\n# late\n30\n".write(to: dir.appendingPathComponent("arrivals.csv"), atomically: true, encoding: .utf8)
        let text = replacing(#""count": 100, "#, with: "").replacingOccurrences(
            of: #""process": "flash-crowd", "at": "0 s""#, with: #""process": "trace", "file": "arrivals.csv""#)
        let s = try ScenarioLoader.load(text: text, path: "s.json", baseDirectory: dir.path).get()
        #expect(s.peerClasses[0].count == 3)
        #expect(s.peerClasses[0].arrival == .trace(path: "arrivals.csv", times: [1_500_000_000, 5_000_000_000, 30_000_000_000]))
        #expect(!s.isFlashCrowd)

        try "1\nsoon\n".write(to: dir.appendingPathComponent("arrivals.csv"), atomically: true, encoding: .utf8)
        let bad = ScenarioLoader.load(text: text, path: "s.json", baseDirectory: dir.path)
        #expect(bad.failureLines == [#"s.json: peers[0].arrival.file: "arrivals.csv" line 2: "soon" is not an arrival time (expected seconds >= 0, e.g. 12.5)"#])
    }

    @Test func distributionsDecode() throws {
        func latency(_ json: String) throws -> Distribution {
            try load(replacing(#"{ "distribution": "uniform", "min": "10 ms", "max": "80 ms" }"#, with: json)).get().network.latency
        }
        #expect(try latency(#""5 ms""#) == .constant(0.005))
        #expect(try latency(#"{"distribution": "exponential", "mean": "50 ms"}"#) == .exponential(mean: 0.05))
        #expect(try latency(#"{"distribution": "normal", "mean": "50 ms", "sd": "5 ms"}"#) == .normal(mean: 0.05, sd: 0.005))
        #expect(try latency(#"{"distribution": "lognormal", "median": "40 ms", "sigma": 0.5}"#) == .lognormal(median: 0.04, sigma: 0.5))
        #expect(try latency(#"{"distribution": "pareto", "scale": "10 ms", "shape": 2}"#) == .pareto(scale: 0.01, shape: 2))
        #expect(try latency(#"{"distribution": "empirical", "values": ["10 ms", "100 ms"], "weights": [3, 1]}"#)
                == .empirical(values: [0.01, 0.1], weights: [3, 1]))
    }
}

extension Result where Failure == ScenarioLoadError {
    var failureLines: [String] {
        if case .failure(let e) = self { return e.lines }
        return []
    }
}
