import Foundation
import Testing
import TestSupport
@testable import BitTorrentClient
@testable import WireProtocol

/// The tracker client against Debian's opentracker on 127.0.0.1, started and stopped by PID.
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/opentracker")
                    || ProcessInfo.processInfo.environment["CI"] != nil))
struct TrackerInteropTests {
    @Test func announcesReachOpentrackerAndPeersFindEachOther() async throws {
        let dir = try scratchDirectory("opentracker")
        defer { try? FileManager.default.removeItem(at: dir) }
        let infoHash = (0..<20).map { UInt8($0 * 11) }
        // Debian's opentracker only tracks whitelisted info-hashes; it chroots to -d, so -w is relative to it.
        try (infoHash.map { String(format: "%02x", $0) }.joined() + "\n").write(
            to: dir.appendingPathComponent("whitelist"), atomically: true, encoding: .utf8)
        let port = try freePort()
        let tracker = Process()
        tracker.executableURL = URL(fileURLWithPath: "/usr/bin/opentracker")
        tracker.arguments = ["-i", "127.0.0.1", "-p", "\(port)", "-P", "\(port)", "-d", dir.path, "-w", "whitelist"]
        tracker.standardOutput = FileHandle.nullDevice
        tracker.standardError = FileHandle.nullDevice
        try tracker.run()
        defer { stop(tracker) }
        let client = TrackerClient(announceURL: "http://127.0.0.1:\(port)/announce", timeout: 5)
        let first = AnnounceRequest(infoHash: infoHash, peerID: Array("-PS0001-aaaaaaaaaaaa".utf8), port: 7001,
                                    left: 100, event: .started)
        // The tracker needs a moment to listen: retry with a short backoff, bounded.
        var reply: (interval: Int, peers: [AnnounceReply.PeerAddress], minInterval: Int?)?
        var backoff = Backoff(initial: 50_000_000, maximum: 400_000_000)
        for _ in 0..<12 where reply == nil {
            do { reply = try await client.announce(first) } catch {
                try await Task.sleep(nanoseconds: UInt64(backoff.nextDelay()))
            }
        }
        let firstReply = try #require(reply, "opentracker never answered on port \(port)")
        #expect(firstReply.interval > 0)

        var second = first
        second.peerID = Array("-PS0001-bbbbbbbbbbbb".utf8)
        second.port = 7002
        let secondReply = try await client.announce(second)
        #expect(secondReply.peers.contains(.init(host: "127.0.0.1", port: 7001)), "\(secondReply.peers)")

        var stopped = first
        stopped.event = .stopped
        _ = try await client.announce(stopped)

        // An info-hash the tracker does not know: its failure reason comes back as a clear refusal.
        var unknown = first
        unknown.infoHash = Array(repeating: 0xEE, count: 20)
        do {
            _ = try await client.announce(unknown)
        } catch {
                guard case .refused(let reason) = error else { Issue.record("expected a refusal, got \(error)"); return }
            #expect(reason == "Requested download is not authorized for use with this tracker.")
        }
    }

    /// Stops a process by its PID: SIGTERM, then SIGKILL 0.3 s later (opentracker does not always act on
    /// SIGTERM, and `waitUntilExit` needs a run loop that async tests do not have).
    func stop(_ process: Process) {
        let pid = process.processIdentifier
        kill(pid, SIGTERM)
        usleep(300_000)
        kill(pid, SIGKILL)
    }

    @Test func anUnreachableTrackerIsOneClearError() async {
        let client = TrackerClient(announceURL: "http://127.0.0.1:1/announce", timeout: 2)
        let request = AnnounceRequest(infoHash: Array(repeating: 1, count: 20), peerID: Array(repeating: 2, count: 20),
                                      port: 7003, left: 1)
        do {
            _ = try await client.announce(request)
            Issue.record("announce to a closed port succeeded")
        } catch {
            guard case .unreachable = error else { Issue.record("expected unreachable, got \(error)"); return }
        }
    }
}
