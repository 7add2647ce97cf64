import BitTorrentClient
import Foundation
import Testing
import TestSupport
import WireProtocol

/// p2pclient in swarms with real BitTorrent clients on 127.0.0.1, with Debian's opentracker as the
/// tracker: libtorrent (python3-libtorrent) and aria2. Every download is checked by SHA-256 against the
/// original file. Serialized: each swarm wants the two cores to itself.
@Suite(.serialized, .enabled(if: Interop.swarmToolsPresent || ProcessInfo.processInfo.environment["CI"] != nil))
struct LoopbackSwarmTests {
    static let size = 20 * 1_048_576

    @Test func downloadsFromALibtorrentSeeder() async throws {
        let swarm = try LoopbackSwarm("lt-seeds")
        defer { swarm.stopAll() }
        let (torrent, file) = try swarm.shareFile(bytes: Self.size, in: "seed")
        try swarm.libtorrent("libtorrent-seed", "seed", torrent: torrent, folder: "seed")
        let get = try swarm.p2pclient("p2pclient-get", ["get", torrent.path, "-o", "p2pclient"])
        #expect(await swarm.wait(get, timeout: 120) == 0, "\(swarm.logs)")
        #expect(swarm.sha256("p2pclient/payload.bin") == swarm.sha256("seed/\(file.lastPathComponent)"))
    }

    @Test func libtorrentDownloadsFromP2pclient() async throws {
        let swarm = try LoopbackSwarm("p2pclient-seeds-lt")
        defer { swarm.stopAll() }
        let (torrent, _) = try swarm.shareFile(bytes: Self.size, in: "seed")
        try swarm.p2pclient("p2pclient-seed", ["seed", torrent.path, "--data", "seed"])
        let get = try swarm.libtorrent("libtorrent-get", "get", torrent: torrent, folder: "libtorrent", timeout: 120)
        #expect(await swarm.wait(get, timeout: 130) == 0, "\(swarm.logs)")
        #expect(swarm.sha256("libtorrent/payload.bin") == swarm.sha256("seed/payload.bin"))
    }

    @Test func aria2DownloadsFromP2pclient() async throws {
        let swarm = try LoopbackSwarm("p2pclient-seeds-aria2")
        defer { swarm.stopAll() }
        let (torrent, _) = try swarm.shareFile(bytes: Self.size, in: "seed")
        try swarm.p2pclient("p2pclient-seed", ["seed", torrent.path, "--data", "seed"])
        let get = try swarm.aria2("aria2-get", torrent: torrent, folder: "aria2")
        #expect(await swarm.wait(get, timeout: 130) == 0, "\(swarm.logs)")
        #expect(swarm.sha256("aria2/payload.bin") == swarm.sha256("seed/payload.bin"))
    }

    /// Transmission (transmission-cli) seeds to p2pclient, then a second Transmission downloads from that
    /// p2pclient. Two Transmissions, because Transmission knows peers by IP address: every peer here is
    /// 127.0.0.1, so once one of them is a seed, a seeding Transmission takes any newcomer for it.
    @Test func transmissionSeedsToP2pclientAndDownloadsFromIt() async throws {
        let swarm = try LoopbackSwarm("transmission")
        defer { swarm.stopAll() }
        let (torrent, _) = try swarm.shareFile(bytes: Self.size, in: "seed")
        let original = swarm.sha256("seed/payload.bin")
        let seeder = try swarm.transmission("transmission-seed", torrent: torrent, folder: "seed")
        let get = try swarm.p2pclient("p2pclient", ["get", torrent.path, "-o", "p2pclient", "--seed-for", "300"])
        #expect(await swarm.waitForFile("p2pclient/payload.bin", sha256: original, timeout: 120),
                "p2pclient did not get the file from transmission\n\(swarm.logs)")
        kill(seeder.processIdentifier, SIGTERM)
        _ = await swarm.wait(seeder, timeout: 10)
        try swarm.transmission("transmission-get", torrent: torrent, folder: "transmission")
        // p2pclient finds the newcomer at its next announce: with nobody wanting its pieces it asks the
        // tracker within a minute (`PeerSetUpkeep`), and dials it.
        #expect(await swarm.waitForFile("transmission/payload.bin", sha256: original, timeout: 180),
                "transmission did not get the file from p2pclient\n\(swarm.logs)")
        #expect(get.isRunning)
    }

    /// One libtorrent seed, two p2pclients and one aria2 leecher. The seed's upload is limited, so the
    /// leechers also trade among themselves; the p2pclients keep seeding for a while after completing.
    @Test func aMixedSwarmFinishes() async throws {
        let swarm = try LoopbackSwarm("mixed")
        defer { swarm.stopAll() }
        let (torrent, _) = try swarm.shareFile(bytes: Self.size, in: "seed")
        try swarm.libtorrent("libtorrent-seed", "seed", torrent: torrent, folder: "seed", uploadLimit: 3_000_000)
        let a = try swarm.p2pclient("p2pclient-a", ["get", torrent.path, "-o", "a", "--seed-for", "20"])
        let b = try swarm.p2pclient("p2pclient-b", ["get", torrent.path, "-o", "b", "--seed-for", "20"])
        let c = try swarm.aria2("aria2", torrent: torrent, folder: "c")
        for (name, process) in [("p2pclient a", a), ("p2pclient b", b), ("aria2", c)] {
            #expect(await swarm.wait(process, timeout: 150) == 0, "\(name) did not finish\n\(swarm.logs)")
        }
        let original = swarm.sha256("seed/payload.bin")
        for folder in ["a", "b", "c"] { #expect(swarm.sha256("\(folder)/payload.bin") == original, "\(folder)") }
        // The p2pclients served others too (each reports its totals when it exits).
        let uploaded = ["p2pclient-a", "p2pclient-b"].map { name in
            swarm.log(name).split(separator: "\n").compactMap { line -> Int? in
                guard let range = line.range(of: "uploaded ") else { return nil }
                return Int(line[range.upperBound...].prefix { $0.isNumber })
            }.last ?? 0
        }
        #expect(uploaded.reduce(0, +) > 0, "\(uploaded)\n\(swarm.logs)")
    }
}

/// The command line's promises: Ctrl-C tells the tracker, errors are one line with a status.
@Suite(.serialized, .enabled(if: Interop.swarmToolsPresent || ProcessInfo.processInfo.environment["CI"] != nil))
struct ClientCommandLineTests {
    @Test func ctrlCStopsASeedAndTellsTheTracker() async throws {
        let swarm = try LoopbackSwarm("sigint")
        defer { swarm.stopAll() }
        let (torrent, _) = try swarm.shareFile(bytes: 1_048_576, in: "seed")
        let seed = try swarm.p2pclient("p2pclient-seed", ["seed", torrent.path, "--data", "seed"])
        var port: UInt16?
        for _ in 0..<100 where port == nil {
            try await Task.sleep(for: .milliseconds(100))
            if let line = swarm.log("p2pclient-seed").split(separator: "\n").first(where: { $0.contains("listening on port ") }) {
                port = UInt16(line.split(separator: " ").last ?? "")
            }
        }
        let seedAddress = AnnounceReply.PeerAddress(host: "127.0.0.1", port: try #require(port, "\(swarm.logs)"))
        let info = try Metainfo(bytes: Array(try Data(contentsOf: torrent)))
        let tracker = TrackerClient(announceURL: swarm.trackerURL, timeout: 5)
        func peersSeen(as id: String) async throws -> [AnnounceReply.PeerAddress] {
            try await tracker.announce(AnnounceRequest(infoHash: info.infoHash, peerID: Array(id.utf8), port: 9, left: 1,
                                                       event: .started)).peers
        }
        var seen: [AnnounceReply.PeerAddress] = []
        for _ in 0..<50 where !seen.contains(seedAddress) {
            seen = try await peersSeen(as: "-XX0001-aaaaaaaaaaaa")
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(seen.contains(seedAddress), "the seed never reached the tracker\n\(swarm.logs)")

        kill(seed.processIdentifier, SIGINT)
        #expect(await swarm.wait(seed, timeout: 10) == 0, "\(swarm.logs)")
        #expect(swarm.log("p2pclient-seed").contains("interrupted; stopping"))
        let after = try await peersSeen(as: "-XX0001-bbbbbbbbbbbb")
        #expect(!after.contains(seedAddress), "the tracker still lists the seed after Ctrl-C: \(after)")
    }

    @Test func errorsAreOneLineWithAStatus() async throws {
        let dir = try scratchDirectory("p2pclient-errors")
        defer { try? FileManager.default.removeItem(at: dir) }
        func run(_ arguments: [String]) throws -> ProcessOutput {
            try runProcess(LoopbackSwarm.p2pclient, arguments, in: dir, timeout: 60)
        }
        let missing = try run(["get", "missing.torrent", "-o", "out"])
        #expect(missing.status == 2)
        #expect(missing.stderr == "p2pclient: missing.torrent: cannot read the file\n")

        // A valid torrent whose tracker does not answer: three attempts, then one line and status 1.
        try Data(repeating: 7, count: 40_000).write(to: dir.appendingPathComponent("x.bin"))
        _ = try run(["create", "x.bin", "--tracker", "http://127.0.0.1:1/announce", "--piece-size", "16KiB", "-o", "x.torrent"])
        let unreachable = try run(["get", "x.torrent", "-o", "out", "--port", "0", "--quiet"])
        #expect(unreachable.status == 1)
        #expect(unreachable.stderr.split(separator: "\n").last?.hasPrefix("p2pclient: tracker unreachable") == true,
                "\(unreachable.stderr)")

        let badRate = try run(["get", "x.torrent", "-o", "out", "--upload-limit", "fast"])
        #expect(badRate.status == 2)
        #expect(badRate.stderr == "p2pclient: --upload-limit fast is not a positive rate (examples: 2MiB/s, 500KiB/s, 16Mbps)\n")

        try Data("not a folder".utf8).write(to: dir.appendingPathComponent("file"))
        let badFolder = try run(["get", "x.torrent", "-o", "file"])
        #expect(badFolder.status == 2)
        #expect(badFolder.stderr == "p2pclient: file is not a folder\n")

        try FileManager.default.createDirectory(at: dir.appendingPathComponent("empty"), withIntermediateDirectories: true)
        let nothingToSeed = try run(["seed", "x.torrent", "--data", "empty"])
        #expect(nothingToSeed.status == 1)
        #expect(nothingToSeed.stderr == "p2pclient: empty holds 0 of the 3 pieces of x.bin; seed needs them all (get downloads the rest)\n")
    }

    /// A full disk: p2pclient downloads into a 1 MiB tmpfs and says so in one line, with status 1.
    @Test(.enabled(if: Interop.canMountTmpfs)) func aFullDiskIsOneLineAndStatus1() async throws {
        let swarm = try LoopbackSwarm("disk-full")
        defer { swarm.stopAll() }
        let source = swarm.dir.appendingPathComponent("seed")
        try FileManager.default.createDirectory(at: source, withIntermediateDirectories: true)
        var rng = SplitMix64(seed: 3)
        try Data((0..<4_194_304).map { _ in UInt8(truncatingIfNeeded: rng.next()) })
            .write(to: source.appendingPathComponent("payload.bin"))
        let created = try runProcess(LoopbackSwarm.p2pclient, ["create", "seed/payload.bin", "-o", "payload.torrent"], in: swarm.dir)
        #expect(created.status == 0)
        let small = swarm.dir.appendingPathComponent("small")
        try FileManager.default.createDirectory(at: small, withIntermediateDirectories: true)
        #expect(try runProcess(URL(fileURLWithPath: "/bin/mount"), ["-t", "tmpfs", "-o", "size=1m", "tmpfs", small.path],
                               in: swarm.dir).status == 0)
        defer { _ = try? runProcess(URL(fileURLWithPath: "/bin/umount"), [small.path], in: swarm.dir) }
        let port = try freePort()
        try swarm.start("p2pclient-seed", LoopbackSwarm.p2pclient, [
            "seed", "payload.torrent", "--data", "seed", "--port", "\(port)", "--bind", "127.0.0.1", "--no-tracker",
            "--peer", "127.0.0.1:9", "--quiet",
        ])
        try swarm.waitForListener(port: port)
        let get = try runProcess(LoopbackSwarm.p2pclient, [
            "get", "payload.torrent", "-o", "small", "--port", "0", "--bind", "127.0.0.1", "--no-tracker",
            "--peer", "127.0.0.1:\(port)", "--quiet",
        ], in: swarm.dir, timeout: 60)
        #expect(get.status == 1)
        let lines = get.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(get.stderr)")
        #expect(lines.last?.hasPrefix("p2pclient: cannot write ") == true, "\(get.stderr)")
    }
}
