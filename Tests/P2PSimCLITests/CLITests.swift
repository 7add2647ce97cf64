import Foundation
import TestSupport
import Testing

/// End-to-end tests of the `p2psim` executable: exit statuses, messages, and files written (or not).
@Suite struct CLITests {
    /// Runs p2psim with `arguments` in `directory` (bounded: killed after 120 s).
    func p2psim(_ arguments: [String], in directory: URL) throws -> ProcessOutput {
        try runProcess(builtProduct("p2psim"), arguments, in: directory)
    }

    func scratch() throws -> URL { try scratchDirectory("p2psim-cli") }

    static let good = """
        {"name": "tiny", "seed": 3, "mode": "client-server",
         "file": {"size": "2 MiB"}, "server": {"upload": "10 Mbps"},
         "peers": [{"class": "home", "count": 5, "upload": "1 Mbps",
                    "download": {"distribution": "uniform", "min": "2 Mbps", "max": "20 Mbps"}}],
         "network": {"latency": {"distribution": "uniform", "min": "10 ms", "max": "80 ms"}},
         "output": {"timeseries_interval": "1 s"}}
        """

    func write(_ text: String, _ name: String, in dir: URL) throws {
        try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }

    @Test func validateAcceptsAGoodFile() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        try write(Self.good, "good.json", in: dir)
        let r = try p2psim(["validate", "good.json"], in: dir)
        #expect(r.status == 0)
        #expect(r.stdout == "good.json: ok (client-server, 5 peers in 1 class, file 2 MiB, seed 3)\n")
    }

    @Test func badFilesGiveEveryErrorStatusTwoAndWriteNothing() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bad = Self.good.replacingOccurrences(of: #""upload": "1 Mbps""#, with: #""upload": "1 Mbsp""#)
            .replacingOccurrences(of: #""seed": 3"#, with: #""seed": 3, "sead": 4"#)
        try write(bad, "bad.json", in: dir)
        let expected = """
            bad.json: peers[0].upload: "1 Mbsp" is not a rate (examples: "2 Mbps", "500 kbps", "1.5 MB/s"); did you mean "1 Mbps"?
            bad.json: sead: unknown key; did you mean "seed"?

            """
        for command in [["validate", "bad.json"], ["run", "bad.json", "--out", "out"], ["bounds", "bad.json"]] {
            let r = try p2psim(command, in: dir)
            #expect(r.status == 2, "\(command)")
            #expect(r.stderr == expected, "\(command)")
            #expect(r.stdout == "")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["bad.json"])
        let missing = try p2psim(["run", "missing.json"], in: dir)
        #expect(missing.status == 2 && missing.stderr == "missing.json: cannot read the scenario: no such file\n")
    }

    @Test func twoRunsGiveIdenticalBytesAndResultsAreNeverOverwrittenSilently() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        try write(Self.good, "good.json", in: dir)
        let first = try p2psim(["run", "good.json", "--out", "a"], in: dir)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("tiny: client-server, 5 peers"))
        #expect(first.stdout.contains("lower bound D_cs"))
        let second = try p2psim(["run", "good.json", "--out", "b", "--quiet"], in: dir)
        #expect(second.status == 0 && second.stdout == "")
        for name in ["summary.json", "peers.csv", "timeseries.csv"] {
            let a = try Data(contentsOf: dir.appendingPathComponent("a/\(name)"))
            let b = try Data(contentsOf: dir.appendingPathComponent("b/\(name)"))
            #expect(a == b, "\(name) differs between two runs")
            #expect(!a.isEmpty)
        }
        // Existing results are refused without --force, and kept.
        let before = try Data(contentsOf: dir.appendingPathComponent("a/peers.csv"))
        let refused = try p2psim(["run", "good.json", "--out", "a", "--seed", "9"], in: dir)
        #expect(refused.status == 2)
        #expect(refused.stderr == "p2psim: a already holds results; use --force to replace them, or --out to choose another folder\n")
        #expect(try Data(contentsOf: dir.appendingPathComponent("a/peers.csv")) == before)
        // --force replaces them, and leaves no temporary folder behind.
        let forced = try p2psim(["run", "good.json", "--out", "a", "--seed", "9", "--force", "--quiet"], in: dir)
        #expect(forced.status == 0)
        #expect(try Data(contentsOf: dir.appendingPathComponent("a/peers.csv")) != before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["a", "b", "good.json"])
        let summary = try String(contentsOf: dir.appendingPathComponent("a/summary.json"), encoding: .utf8)
        #expect(summary.contains(#""seed": 9,"#))
    }

    @Test func defaultOutputFolderIsResultsSlashName() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        try write(Self.good, "good.json", in: dir)
        let r = try p2psim(["run", "good.json", "--quiet"], in: dir)
        #expect(r.status == 0)
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("results/tiny/summary.json").path))
    }

    @Test func unwritableOutputFailsCleanly() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        try write(Self.good, "good.json", in: dir)
        try write("not a folder", "blocker", in: dir)
        let r = try p2psim(["run", "good.json", "--out", "blocker/out", "--quiet"], in: dir)
        #expect(r.status == 1)
        #expect(r.stderr.hasPrefix("p2psim: cannot write results to blocker/out"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["blocker", "good.json"])
    }

    @Test func boundsPrintsBothBounds() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Kurose & Ross: F/u = 1 h, u_s = 10u, N = 30: D_cs = 3 h, D_p2p = 0.75 h.
        let text = """
            {"mode": "client-server", "file": {"size": "450 MB"}, "server": {"upload": "10 Mbps"},
             "peers": [{"class": "p", "count": 30, "upload": "1 Mbps", "download": "10 Mbps"}]}
            """
        try write(text, "kr.json", in: dir)
        let r = try p2psim(["bounds", "kr.json"], in: dir)
        #expect(r.status == 0)
        #expect(r.stdout.contains("= max(3.00 h, 6.00 min) = 3.00 h"))
        #expect(r.stdout.contains("= 45.00 min"))
        #expect(r.stdout.contains("client-server / p2p = 4.00"))
    }

    /// A short benchmark: the crowd stops at `--stop-at`, each size runs `--repeat` times (the model's work,
    /// its events, is the same every time), and a bad option is named as the option, before any run.
    @Test func benchStopsEarlyRepeatsAndNamesABadOption() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try p2psim(["bench", "--peers", "12", "--file", "2 MiB", "--stop-at", "2 s", "--repeat", "2"], in: dir)
        #expect(r.status == 0)
        let rows = r.stdout.split(separator: "\n").map { $0.split(separator: " ") }
        #expect(rows.count == 3 && rows[0].first == "peers")
        guard rows.count == 3 else { return }
        #expect(rows[1][0] == "12" && rows[1][1] == "2.0" && rows[1][2] == "nan")  // stopped, so no ratio
        #expect(rows[1][4] == rows[2][4], "the same events in both runs")
        let bad = try p2psim(["bench", "--peers", "12", "--stop-at", "5 parsec"], in: dir)
        #expect(bad.status == 2)
        #expect(bad.stdout == "")
        #expect(bad.stderr == #"p2psim bench --stop-at: "5 parsec" is not a duration (examples: "80 ms", "10 s", "48 h")"# + "\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }

    @Test func helpTeachesTheCommands() throws {
        let r = try p2psim(["--help"], in: FileManager.default.temporaryDirectory)
        #expect(r.status == 0)
        for word in ["run", "validate", "bounds", "Same file and seed, same output bytes."] {
            #expect(r.stdout.contains(word))
        }
    }
}
