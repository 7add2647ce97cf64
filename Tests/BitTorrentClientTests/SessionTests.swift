import Crypto
import Foundation
import NIOPosix
import Synchronization
import Testing
import TestSupport
@testable import BitTorrentClient
import Strategy
@testable import WireProtocol

/// Whole sessions talking to each other over 127.0.0.1 in this process: hash failures, rate limits, resume.
@Suite(.serialized) struct SessionTests {
    /// A single-file torrent of random bytes, and helpers to put sessions on it.
    final class LocalTorrent {
        let dir: URL
        let data: [UInt8]
        let metainfo: Metainfo
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        var sessions: [TorrentSession] = []
        /// What the sessions logged, for failure messages.
        let events = Events()

        final class Events: Sendable {
            let lines = Mutex<[String]>([])
            func add(_ line: String) { lines.withLock { $0.append(line) } }
            var text: String { lines.withLock { $0.joined(separator: "\n") } }
        }

        init(bytes: Int, pieceLength: Int = 65_536, seed: UInt64 = 7) throws {
            dir = try scratchDirectory("session")
            var rng = SplitMix64(seed: seed)
            let data = (0..<bytes).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            self.data = data
            let hashes = stride(from: 0, to: bytes, by: pieceLength).map {
                Array(Insecure.SHA1.hash(data: data[$0..<min($0 + pieceLength, bytes)]))
            }
            metainfo = try Metainfo(bytes: Metainfo.encode(
                announce: nil, name: "data.bin", pieceLength: Int64(pieceLength), pieceHashes: hashes,
                files: [.init(path: ["data.bin"], length: Int64(bytes))], singleFile: true))
        }

        /// A folder holding `bytes` as the torrent's file.
        func folder(_ name: String, holding bytes: [UInt8]?) throws -> URL {
            let url = dir.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            if let bytes { try Data(bytes).write(to: url.appendingPathComponent("data.bin")) }
            return url
        }

        /// A session on 127.0.0.1; `claim` overrides what it believes it has (a lying peer).
        func session(_ name: String, holding bytes: [UInt8]?, claim: PieceBitfield? = nil,
                     configure: (inout ClientConfiguration) -> Void = { _ in }) async throws -> (TorrentSession, AnnounceReply.PeerAddress) {
            let storage = try TorrentStorage(metainfo: metainfo, root: try folder(name, holding: bytes))
            try storage.preallocate()
            var configuration = ClientConfiguration()
            configuration.bindHost = "127.0.0.1"
            configuration.port = 0
            configure(&configuration)
            let events = self.events
            let session = TorrentSession(metainfo: metainfo, storage: storage, have: claim ?? storage.recheck(),
                                         configuration: configuration, eventLoop: group.next(),
                                         log: { events.add("\(name): \($0)") })
            let port = try await session.start()
            sessions.append(session)
            return (session, AnnounceReply.PeerAddress(host: "127.0.0.1", port: UInt16(port)))
        }

        func downloaded(_ name: String) -> [UInt8]? {
            (try? Data(contentsOf: dir.appendingPathComponent(name).appendingPathComponent("data.bin"))).map { Array($0) }
        }

        func close() async {
            for session in sessions { await session.close() }
            try? await group.shutdownGracefully()
            try? FileManager.default.removeItem(at: dir)
        }
    }

    /// Polls until `condition` holds or `seconds` pass; returns the last status. The full suite runs the
    /// simulator's long synchronous tests on the same two threads as this task, which can then wait past
    /// the deadline without polling (the sessions run on their own threads meanwhile): so the status is
    /// read once more after the deadline, rather than judged by a read from before the wait.
    func waitFor(_ session: TorrentSession, seconds: Double = 90,
                 _ condition: (SessionStatus) -> Bool) async -> SessionStatus {
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        var status = await session.status()
        while !condition(status), ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
            status = await session.status()
        }
        return condition(status) ? status : await session.status()
    }

    @Test func aPieceThatFailsItsHashIsFetchedAgainAndItsSenderBanned() async throws {
        let t = try LocalTorrent(bytes: 1_048_576)
        var corrupt = t.data
        for i in stride(from: 1000, to: corrupt.count, by: 65_536) { corrupt[i] ^= 0xFF }  // one byte in every piece
        let full = PieceBitfield(pieceCount: t.metainfo.pieceHashes.count, full: true)
        let (_, liarAddress) = try await t.session("liar", holding: corrupt, claim: full)
        let (_, seedAddress) = try await t.session("seed", holding: t.data)
        let (leecher, _) = try await t.session("leecher", holding: nil)

        leecher.addPeers([liarAddress])
        let failed = await waitFor(leecher) { $0.hashFailures > 0 }
        #expect(failed.hashFailures >= 1, "\(t.events.text)")
        #expect(failed.piecesHave == 0)
        let banned = try await leecher.eventLoop.submit { leecher.bannedAddresses }.get()
        #expect(banned.contains(liarAddress))

        leecher.addPeers([seedAddress])
        let done = await waitFor(leecher) { $0.isComplete }
        #expect(done.isComplete, "\(t.events.text)")
        #expect(t.downloaded("leecher") == t.data)
        // Never back to the liar: it stays unconnected while the good seed finishes the job.
        let connectedTo = try await leecher.eventLoop.submit { leecher.connections.compactMap(\.dialled) }.get()
        #expect(!connectedTo.contains(liarAddress))
        await t.close()
    }

    enum Limit: CaseIterable { case upload, download }

    /// 2 MiB through a 1 MiB/s limit cannot take much less than 2 s (the bucket saves up 0.2 s of burst).
    @Test(arguments: Limit.allCases)
    func rateLimitsHold(_ limit: Limit) async throws {
        let t = try LocalTorrent(bytes: 2 * 1_048_576)
        let (_, seedAddress) = try await t.session("seed", holding: t.data) {
            if limit == .upload { $0.uploadLimit = 1_048_576 }
        }
        let (leecher, _) = try await t.session("leecher", holding: nil) {
            if limit == .download { $0.downloadLimit = 1_048_576 }
        }
        let start = ContinuousClock.now
        leecher.addPeers([seedAddress])
        let done = await waitFor(leecher) { $0.isComplete }
        let elapsed = ContinuousClock.now - start
        #expect(done.isComplete)
        #expect(elapsed >= .milliseconds(1_600), "\(elapsed)")
        #expect(t.downloaded("leecher") == t.data)
        await t.close()
    }

    @Test func aPartlyDownloadedFolderResumes() async throws {
        let t = try LocalTorrent(bytes: 1_048_576)
        var half = t.data
        for i in 524_288..<half.count { half[i] = 0 }  // pieces 8...15 missing
        let (_, seedAddress) = try await t.session("seed", holding: t.data)
        let (leecher, _) = try await t.session("leecher", holding: half)
        #expect(await leecher.status().piecesHave == 8)
        leecher.addPeers([seedAddress])
        let done = await waitFor(leecher) { $0.isComplete }
        #expect(done.isComplete)
        #expect(done.downloadedBytes - done.wastedBytes == 524_288)  // only the missing half came over the wire
        #expect(t.downloaded("leecher") == t.data)
        await t.close()
    }
}

/// A raw TCP peer for the tests that must misbehave on purpose (blocking socket with a read timeout).
final class RawPeer {
    let fd: Int32

    init(port: UInt16) throws {
        let (fd, result) = loopbackSocket(port: Int(port)) { connect($0, $1, $2) }
        self.fd = fd
        guard result == 0 else { throw CocoaError(.fileReadUnknown) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    func send(_ bytes: [UInt8]) { _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, bytes.count, Int32(MSG_NOSIGNAL)) } }

    /// Exactly `count` bytes, or nil if the connection closed or nothing came for 5 s.
    func read(_ count: Int) -> [UInt8]? {
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: count)
        while out.count < count {
            let n = recv(fd, &buffer, count - out.count, 0)
            if n <= 0 { return nil }
            out += buffer[0..<n]
        }
        return out
    }

    /// True once the other side has closed the connection (reads to the end, at most 5 s per read).
    func closedByPeer() -> Bool {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n == 0 { return true }
            if n < 0 { return false }  // timed out: still open
        }
    }
}

extension SessionTests {
    @Test func silentPeersGetKeepAlivesAndAreDroppedWhenIdle() async throws {
        let t = try LocalTorrent(bytes: 262_144)
        let (seed, address) = try await t.session("seed", holding: t.data) {
            $0.keepAliveInterval = 500_000_000
            $0.idleTimeout = 2_000_000_000
        }
        let peer = try RawPeer(port: address.port)
        peer.send(Handshake(infoHash: t.metainfo.infoHash, peerID: Array("-RAW001-aaaaaaaaaaaa".utf8)).encoded)
        #expect(peer.read(68).map { Array($0[28..<48]) } == t.metainfo.infoHash)
        let bitfield = PeerMessage.bitfield(PieceBitfield(pieceCount: 4, full: true).wireBytes).encoded
        #expect(peer.read(bitfield.count) == bitfield)
        #expect(peer.read(4) == [0, 0, 0, 0], "no keep-alive within 5 s")  // we said nothing: it keeps the line open
        #expect(peer.closedByPeer(), "an idle peer was not dropped")
        #expect(await seed.status().peers == 0)
        await t.close()
    }

    /// Hostile bytes cost the peer its connection, never the session: each case is a fresh connection.
    @Test func hostileBytesCloseOnlyThatConnection() async throws {
        let t = try LocalTorrent(bytes: 262_144)
        let (seed, address) = try await t.session("seed", holding: t.data)
        let handshake = Handshake(infoHash: t.metainfo.infoHash, peerID: Array("-RAW001-bbbbbbbbbbbb".utf8)).encoded
        let cases: [(String, [UInt8])] = [
            ("not BitTorrent", Array("GET / HTTP/1.1\r\n\r\n".utf8) + Array(repeating: 0, count: 60)),
            ("another torrent", Handshake(infoHash: Array(repeating: 9, count: 20), peerID: Array(repeating: 1, count: 20)).encoded),
            ("a 2 GiB frame", handshake + [0x7F, 0xFF, 0xFF, 0xFF, 7]),
            ("a request out of range", handshake + PeerMessage.request(piece: 99, offset: 0, length: 16_384).encoded),
            ("a 1 MiB request", handshake + PeerMessage.request(piece: 0, offset: 0, length: 1_048_576).encoded),
            ("a bitfield with spare bits", handshake + PeerMessage.bitfield([0xFF]).encoded),
        ]
        for (name, bytes) in cases {
            let peer = try RawPeer(port: address.port)
            peer.send(bytes)
            #expect(peer.closedByPeer(), "\(name): still connected")
        }
        // The session still serves a well-behaved peer.
        let (leecher, _) = try await t.session("leecher", holding: nil)
        leecher.addPeers([address])
        #expect(await waitFor(leecher) { $0.isComplete }.isComplete)
        #expect(await seed.status().failure == nil)
        await t.close()
    }
}
