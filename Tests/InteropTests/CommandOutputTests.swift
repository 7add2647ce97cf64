import Foundation
import TestSupport
import Testing

/// Which stream p2pclient writes to, checked on the built executable: results a script reads (`create`'s
/// summary, `info`) on stdout; everything `get` and `seed` print (progress, --verbose diagnostics, the
/// closing totals) on stderr, as their help says. Two processes on 127.0.0.1, a few seconds.
@Suite struct CommandOutputTests {
    static let p2pclient = builtProduct("p2pclient")

    @Test func getAndSeedPrintOnlyToStderrAndAddressesAsHostColonPort() throws {
        let dir = try scratchDirectory("p2pclient-streams")
        defer { try? FileManager.default.removeItem(at: dir) }
        var rng = SplitMix64(seed: 3)
        try Data((0..<300_000).map { _ in UInt8(truncatingIfNeeded: rng.next()) }).write(to: dir.appendingPathComponent("payload.bin"))
        let created = try runProcess(Self.p2pclient, ["create", "payload.bin", "--tracker", "http://127.0.0.1:1/announce",
                                                      "-o", "payload.torrent"], in: dir, timeout: 30)
        #expect(created.status == 0 && created.stdout.contains("info-hash"), "\(created.stderr)")
        let info = try runProcess(Self.p2pclient, ["info", "payload.torrent"], in: dir, timeout: 30)
        #expect(info.stdout.hasPrefix("name       payload.bin\n") && info.stderr.isEmpty, "\(info.stdout)\(info.stderr)")

        // The seed reaches no one itself (--peer on a closed port); it is stopped by SIGTERM once the get
        // is done, and would stop by itself after 20 s.
        let port = try freePort()
        let seed = Process()
        seed.executableURL = Self.p2pclient
        seed.arguments = ["seed", "payload.torrent", "--data", ".", "--no-tracker", "--peer", "127.0.0.1:1", "--port", "\(port)",
                          "--bind", "127.0.0.1", "--seed-for", "20", "--verbose"]
        seed.currentDirectoryURL = dir
        let seedOut = Pipe(), seedErr = Pipe()
        seed.standardOutput = seedOut
        seed.standardError = seedErr
        try seed.run()
        defer { if seed.isRunning { kill(seed.processIdentifier, SIGKILL) } }
        let deadline = Date().addingTimeInterval(10)
        while !canConnect(port: port), Date() < deadline { usleep(50_000) }

        let get = try runProcess(Self.p2pclient, ["get", "payload.torrent", "-o", "down", "--no-tracker", "--peer", "127.0.0.1:\(port)",
                                                  "--port", "0", "--bind", "127.0.0.1", "--verbose"], in: dir, timeout: 30)
        kill(seed.processIdentifier, SIGTERM)
        let seedStdout = String(decoding: seedOut.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let seedStderr = String(decoding: seedErr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        seed.waitUntilExit()

        #expect(get.status == 0, "\(get.stderr)")
        #expect(get.stdout.isEmpty, "get wrote to stdout: \(get.stdout)")
        #expect(get.stderr.contains("p2pclient: connected to 127.0.0.1:\(port) "), "\(get.stderr)")
        #expect(get.stderr.contains("complete and verified"), "\(get.stderr)")
        #expect(seed.terminationStatus == 0, "\(seedStderr)")
        #expect(seedStdout.isEmpty, "seed wrote to stdout: \(seedStdout)")
        #expect(seedStderr.contains("p2pclient: listening on port \(port)"), "\(seedStderr)")
        #expect(seedStderr.contains("p2pclient: connected to 127.0.0.1:"), "\(seedStderr)")
        #expect(!(get.stderr + seedStderr).contains("[IPv4]"), "\(get.stderr)\(seedStderr)")
        // --verbose names each side's peer id, and at the end what it exchanged with each peer (the
        // calibration's exchange matrix is built from these lines): the whole file, one way.
        func peerID(in log: String) -> String? {
            log.split(separator: "\n").first { $0.hasPrefix("p2pclient: peer id ") }.map { String($0.dropFirst(19)) }
        }
        let seedID = try #require(peerID(in: seedStderr), "\(seedStderr)")
        let getID = try #require(peerID(in: get.stderr), "\(get.stderr)")
        #expect(seedID.count == 40 && getID.count == 40 && seedID != getID)
        #expect(get.stderr.contains("p2pclient: exchanged with peer \(seedID): received 300000 bytes, sent 0 bytes"), "\(get.stderr)")
        #expect(seedStderr.contains("p2pclient: exchanged with peer \(getID): received 0 bytes, sent 300000 bytes"), "\(seedStderr)")
    }
}
