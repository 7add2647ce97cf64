import Foundation
import Testing
import TestSupport

/// p2pclient in swarms with real BitTorrent clients on 127.0.0.1, with Debian's opentracker as the
/// tracker: libtorrent (python3-libtorrent) and aria2. Every download is checked by SHA-256 against the
/// original file. Serialized: each swarm wants the two cores to itself.
@Suite(.serialized, .enabled(if: Interop.swarmToolsPresent || ProcessInfo.processInfo.environment["CI"] != nil))
struct LoopbackSwarmTests {
    static let size = 20 * 1_048_576

    @Test func downloadsFromALibtorrentSeeder() throws {
        let swarm = try LoopbackSwarm("lt-seeds")
        defer { swarm.stopAll() }
        let (torrent, file) = try swarm.shareFile(bytes: Self.size, in: "seed")
        try swarm.libtorrent("libtorrent-seed", "seed", torrent: torrent, folder: "seed")
        let get = try swarm.p2pclient("p2pclient-get", ["get", torrent.path, "-o", "p2pclient"])
        #expect(swarm.wait(get, timeout: 120) == 0, "\(swarm.logs)")
        #expect(swarm.sha256("p2pclient/payload.bin") == swarm.sha256("seed/\(file.lastPathComponent)"))
    }

    @Test func libtorrentDownloadsFromP2pclient() throws {
        let swarm = try LoopbackSwarm("p2pclient-seeds-lt")
        defer { swarm.stopAll() }
        let (torrent, _) = try swarm.shareFile(bytes: Self.size, in: "seed")
        try swarm.p2pclient("p2pclient-seed", ["seed", torrent.path, "--data", "seed"])
        let get = try swarm.libtorrent("libtorrent-get", "get", torrent: torrent, folder: "libtorrent", timeout: 120)
        #expect(swarm.wait(get, timeout: 130) == 0, "\(swarm.logs)")
        #expect(swarm.sha256("libtorrent/payload.bin") == swarm.sha256("seed/payload.bin"))
    }

    @Test func aria2DownloadsFromP2pclient() throws {
        let swarm = try LoopbackSwarm("p2pclient-seeds-aria2")
        defer { swarm.stopAll() }
        let (torrent, _) = try swarm.shareFile(bytes: Self.size, in: "seed")
        try swarm.p2pclient("p2pclient-seed", ["seed", torrent.path, "--data", "seed"])
        let get = try swarm.aria2("aria2-get", torrent: torrent, folder: "aria2")
        #expect(swarm.wait(get, timeout: 130) == 0, "\(swarm.logs)")
        #expect(swarm.sha256("aria2/payload.bin") == swarm.sha256("seed/payload.bin"))
    }

    /// One libtorrent seed, two p2pclients and one aria2 leecher. The seed's upload is limited, so the
    /// leechers also trade among themselves; the p2pclients keep seeding for a while after completing.
    @Test func aMixedSwarmFinishes() throws {
        let swarm = try LoopbackSwarm("mixed")
        defer { swarm.stopAll() }
        let (torrent, _) = try swarm.shareFile(bytes: Self.size, in: "seed")
        try swarm.libtorrent("libtorrent-seed", "seed", torrent: torrent, folder: "seed", uploadLimit: 3_000_000)
        let a = try swarm.p2pclient("p2pclient-a", ["get", torrent.path, "-o", "a", "--seed-for", "20"])
        let b = try swarm.p2pclient("p2pclient-b", ["get", torrent.path, "-o", "b", "--seed-for", "20"])
        let c = try swarm.aria2("aria2", torrent: torrent, folder: "c")
        for (name, process) in [("p2pclient a", a), ("p2pclient b", b), ("aria2", c)] {
            #expect(swarm.wait(process, timeout: 150) == 0, "\(name) did not finish\n\(swarm.logs)")
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
