import Foundation
import TestSupport
import Testing

/// p2pclient's torrent files against real BitTorrent software: libtorrent (Debian's python3-libtorrent)
/// and mktorrent. Runs where they are installed (.ci/run installs them); on CI (CI=true) a missing tool is
/// a failure, not a skip.
@Suite(.enabled(if: Interop.available || ProcessInfo.processInfo.environment["CI"] != nil))
struct TorrentInteropTests {
    @Test func libtorrentAgreesOnInfoHashAndVerifiesEveryPiece() throws {
        let dir = try Interop.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = (0..<1_300_000).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) }
        try Data(data).write(to: dir.appendingPathComponent("payload.bin"))
        let created = try Interop.run(Interop.p2pclient, ["create", "payload.bin", "--tracker", "http://127.0.0.1:6969/announce",
                                                         "--piece-size", "64KiB", "-o", "payload.torrent"], in: dir)
        #expect(created.status == 0, "\(created.stderr)")
        let ourHash = try #require(created.stdout.split(separator: " ").last).trimmingCharacters(in: .whitespacesAndNewlines)

        // libtorrent reads the torrent, computes the same info-hash, and finds every piece of the data valid.
        let script = """
            import sys, time, libtorrent as lt
            ti = lt.torrent_info('payload.torrent')
            s = lt.session({'enable_dht': False, 'enable_lsd': False, 'enable_upnp': False, 'enable_natpmp': False,
                            'listen_interfaces': '127.0.0.1:0'})
            h = s.add_torrent({'ti': ti, 'save_path': '.'})
            h.force_recheck()
            deadline = time.time() + 30
            while time.time() < deadline:
                st = h.status()
                if st.state == lt.torrent_status.seeding or (st.progress >= 1.0 and st.state != lt.torrent_status.checking_files):
                    break
                time.sleep(0.1)
            st = h.status()
            print(str(ti.info_hash()), ti.num_pieces(), int(st.progress * 1000), st.num_pieces)
            """
        let checked = try Interop.run(URL(fileURLWithPath: "/usr/bin/python3"), ["-c", script], in: dir)
        #expect(checked.status == 0, "\(checked.stderr)")
        let fields = checked.stdout.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        #expect(fields == [ourHash, "20", "1000", "20"], "libtorrent said: \(checked.stdout) \(checked.stderr)")
    }

    @Test func mktorrentAndP2pclientMakeTheSameTorrent() throws {
        let dir = try Interop.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data((0..<700_000).map { UInt8(truncatingIfNeeded: $0 * 31) }).write(to: dir.appendingPathComponent("f.bin"))
        let ours = try Interop.run(Interop.p2pclient, ["create", "f.bin", "--piece-size", "256KiB", "-o", "ours.torrent"], in: dir)
        #expect(ours.status == 0)
        let theirs = try Interop.run(URL(fileURLWithPath: "/usr/bin/mktorrent"), ["-l", "18", "-o", "theirs.torrent", "f.bin"], in: dir)
        #expect(theirs.status == 0, "\(theirs.stderr)")
        let info = try Interop.run(Interop.p2pclient, ["info", "theirs.torrent"], in: dir)
        #expect(info.status == 0)
        let ourHash = ours.stdout.split(separator: " ").last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        #expect(info.stdout.contains("info-hash  \(ourHash ?? "?")"), "mktorrent's torrent: \(info.stdout)")
    }

    @Test func hostileTorrentsGiveOneClearLine() throws {
        let dir = try Interop.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let escaping = "d4:infod5:filesld6:lengthi5e4:pathl2:..6:passwdeee4:name1:x12:piece lengthi16384e6:pieces20:aaaaaaaaaaaaaaaaaaaaee"
        try Data(escaping.utf8).write(to: dir.appendingPathComponent("evil.torrent"))
        let r = try Interop.run(Interop.p2pclient, ["info", "evil.torrent"], in: dir)
        #expect(r.status != 0)
        #expect(r.stderr.contains(#"refused: the torrent names the path "..", which would leave the download folder"#), "\(r.stderr)")
    }
}

enum Interop {
    static var available: Bool {
        FileManager.default.isExecutableFile(atPath: "/usr/bin/mktorrent") && libtorrentPresent
    }

    static var swarmToolsPresent: Bool {
        ["/usr/bin/opentracker", "/usr/bin/aria2c", "/usr/bin/transmission-cli"].allSatisfy { FileManager.default.isExecutableFile(atPath: $0) }
            && libtorrentPresent
    }

    /// Whether this machine lets us mount a small tmpfs (root in a VM: yes; an unprivileged container: no).
    static let canMountTmpfs: Bool = {
        guard getuid() == 0, let dir = try? scratchDirectory("tmpfs-probe") else { return false }
        defer { try? FileManager.default.removeItem(at: dir) }
        let mounted = (try? runProcess(URL(fileURLWithPath: "/bin/mount"), ["-t", "tmpfs", "-o", "size=64k", "tmpfs", dir.path],
                                       in: FileManager.default.temporaryDirectory, timeout: 10).status) == 0
        if mounted {
            _ = try? runProcess(URL(fileURLWithPath: "/bin/umount"), [dir.path], in: FileManager.default.temporaryDirectory,
                                timeout: 10)
        }
        return mounted
    }()

    /// Debian's libtorrent bindings load only in Debian's own Python (a pyenv python3 may come first on PATH).
    static var libtorrentPresent: Bool {
        (try? run(URL(fileURLWithPath: "/usr/bin/python3"), ["-c", "import libtorrent"],
                  in: FileManager.default.temporaryDirectory).status) == 0
    }

    static var p2pclient: URL { builtProduct("p2pclient") }

    static func scratch() throws -> URL { try scratchDirectory("p2pclient-interop") }

    static func run(_ executable: URL, _ arguments: [String], in directory: URL) throws -> ProcessOutput {
        try runProcess(executable, arguments, in: directory, timeout: 60)
    }
}
