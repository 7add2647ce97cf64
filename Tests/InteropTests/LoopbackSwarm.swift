import Crypto
import Foundation
import TestSupport
import WireProtocol

/// The processes of one interop test on 127.0.0.1: Debian's opentracker, libtorrent, aria2 and p2pclient,
/// each started here and stopped by its PID, with its output in a log file. Every wait is bounded.
final class LoopbackSwarm {
    let dir: URL
    var processes: [(name: String, process: Process)] = []
    private(set) var trackerURL = ""

    static let python = URL(fileURLWithPath: "/usr/bin/python3")
    static let libtorrentPeer = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Scripts/libtorrent_peer.py")
    static let p2pclient = builtProduct("p2pclient")
    static let aria2 = URL(fileURLWithPath: "/usr/bin/aria2c")
    static let transmissionCLI = URL(fileURLWithPath: "/usr/bin/transmission-cli")

    init(_ name: String) throws {
        dir = try scratchDirectory("swarm-\(name)")
    }

    /// Stops everything still running; keeps the folder when P2PSIM_KEEP_INTEROP is set (for debugging).
    func stopAll() {
        for (_, process) in processes where process.isRunning { kill(process.processIdentifier, SIGTERM) }
        let deadline = Date().addingTimeInterval(2)
        while processes.contains(where: { $0.process.isRunning }), Date() < deadline { usleep(50_000) }
        for (_, process) in processes where process.isRunning { kill(process.processIdentifier, SIGKILL) }
        if ProcessInfo.processInfo.environment["P2PSIM_KEEP_INTEROP"] == nil { try? FileManager.default.removeItem(at: dir) }
    }

    /// A file of `bytes` pseudo-random bytes in `folder`, and its torrent announcing to the tracker, which is
    /// started with the torrent's info-hash whitelisted.
    func shareFile(bytes: Int, in folder: String, seed: UInt64 = 1) throws -> (torrent: URL, file: URL) {
        let port = try freePort()
        trackerURL = "http://127.0.0.1:\(port)/announce"
        let source = dir.appendingPathComponent(folder)
        try FileManager.default.createDirectory(at: source, withIntermediateDirectories: true)
        let file = source.appendingPathComponent("payload.bin")
        var rng = SplitMix64(seed: seed)
        var data = Data(count: bytes)
        data.withUnsafeMutableBytes { raw in
            let words = raw.bindMemory(to: UInt64.self)
            for i in 0..<words.count { words[i] = rng.next() }
        }
        try data.write(to: file)
        let torrent = dir.appendingPathComponent("payload.torrent")
        let created = try runProcess(Self.p2pclient, ["create", file.path, "--tracker", trackerURL, "--piece-size", "256KiB",
                                                      "-o", torrent.path], in: dir)
        guard created.status == 0 else { throw SwarmError("p2pclient create failed: \(created.stderr)") }
        let info = try Metainfo(bytes: Array(try Data(contentsOf: torrent)))
        // Debian's opentracker tracks whitelisted info-hashes only; it chroots to -d, so -w is relative to it.
        try (info.infoHash.map { String(format: "%02x", $0) }.joined() + "\n")
            .write(to: dir.appendingPathComponent("whitelist"), atomically: true, encoding: .utf8)
        try start("opentracker", URL(fileURLWithPath: "/usr/bin/opentracker"),
                  ["-i", "127.0.0.1", "-p", "\(port)", "-P", "\(port)", "-d", dir.path, "-w", "whitelist"])
        try waitForListener(port: port)
        return (torrent, file)
    }

    /// Starts a process with its output in `NAME.log`.
    @discardableResult
    func start(_ name: String, _ executable: URL, _ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = dir
        let log = dir.appendingPathComponent("\(name).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        processes.append((name, process))
        return process
    }

    @discardableResult
    func libtorrent(_ name: String, _ mode: String, torrent: URL, folder: String, timeout: Int = 150,
                    uploadLimit: Int = 0) throws -> Process {
        try FileManager.default.createDirectory(at: dir.appendingPathComponent(folder), withIntermediateDirectories: true)
        return try start(name, Self.python, [Self.libtorrentPeer.path, mode, torrent.path, folder, "--timeout", "\(timeout)",
                                             "--upload-limit", "\(uploadLimit)"])
    }

    @discardableResult
    func p2pclient(_ name: String, _ arguments: [String]) throws -> Process {
        try start(name, Self.p2pclient, arguments + ["--port", "0", "--bind", "127.0.0.1", "--verbose"])
    }

    /// aria2 as a leecher that exits once its download is complete and checked.
    func aria2(_ name: String, torrent: URL, folder: String) throws -> Process {
        try start(name, Self.aria2, [
            "--dir=\(folder)", "--seed-time=0", "--check-integrity=true", "--enable-dht=false", "--enable-dht6=false",
            "--bt-enable-lpd=false", "--enable-peer-exchange=false", "--listen-port=\(try freePort())",
            "--console-log-level=warn", "--summary-interval=0", "--bt-stop-timeout=150", torrent.path,
        ])
    }

    /// transmission-cli as a leecher that goes on seeding (it never exits by itself). DHT and port
    /// mapping cannot be switched off on its command line; without a network they find nothing.
    @discardableResult
    func transmission(_ name: String, torrent: URL, folder: String) throws -> Process {
        try FileManager.default.createDirectory(at: dir.appendingPathComponent(folder), withIntermediateDirectories: true)
        return try start(name, Self.transmissionCLI, [
            "-w", dir.appendingPathComponent(folder).path, "-g", dir.appendingPathComponent(name + "-config").path,
            "-p", "\(try freePort())", "-M", "-B", "-D", "-U", torrent.path,
        ])
    }

    /// Polls until the file at `relativePath` has the SHA-256 `expected`; false after `timeout` seconds.
    func waitForFile(_ relativePath: String, sha256 expected: String?, timeout: Double) async -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let expected, sha256(relativePath) == expected { return true }
            try? await Task.sleep(for: .milliseconds(500))
        }
        return false
    }

    /// The exit status, or nil if the process is still running after `timeout` seconds. Polls with
    /// `Task.sleep`, so a long wait does not hold one of the test runner's few threads.
    func wait(_ process: Process, timeout: Double) async -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { try? await Task.sleep(for: .milliseconds(100)) }
        return process.isRunning ? nil : process.terminationStatus
    }

    func log(_ name: String) -> String {
        (try? String(contentsOf: dir.appendingPathComponent("\(name).log"), encoding: .utf8)) ?? ""
    }

    /// Every log, for a failure message.
    var logs: String {
        processes.map { name, _ in
            let text = (try? String(contentsOf: dir.appendingPathComponent("\(name).log"), encoding: .utf8)) ?? ""
            return "--- \(name) ---\n" + text.split(separator: "\n").suffix(25).joined(separator: "\n")
        }.joined(separator: "\n")
    }

    func sha256(_ relativePath: String) -> String? {
        guard let data = try? Data(contentsOf: dir.appendingPathComponent(relativePath)) else { return nil }
        return SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    func waitForListener(port: Int) throws {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if canConnect(port: port) { return }
            usleep(50_000)
        }
        throw SwarmError("nothing listens on 127.0.0.1:\(port) after 10 s")
    }
}

struct SwarmError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A TCP port free on 127.0.0.1 right now, below Linux's ephemeral range (32768-60999): the kernel never
/// hands such a port to another process's `bind(0)` or outgoing connection between our check and the
/// tool's own bind (it once did, and a tracker's port went to a BitTorrent peer of a parallel test).
func freePort() throws -> Int {
    var rng = SystemRandomNumberGenerator()
    for _ in 0..<200 {
        let port = Int.random(in: 20_000..<32_000, using: &rng)
        if canBind(port: port) { return port }
    }
    throw SwarmError("no free port found in 20000-31999")
}

func canBind(port: Int) -> Bool {
    let (fd, result) = loopbackSocket(port: port) { bind($0, $1, $2) }
    if fd >= 0 { close(fd) }
    return result == 0
}

func canConnect(port: Int) -> Bool {
    let (fd, result) = loopbackSocket(port: port) { connect($0, $1, $2) }
    if fd >= 0 { close(fd) }
    return result == 0
}
