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

    /// Polls until `condition` holds or `seconds` pass; returns the last status.
    func waitFor(_ session: TorrentSession, seconds: Double = 30,
                 _ condition: (SessionStatus) -> Bool) async -> SessionStatus {
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        var status = await session.status()
        while !condition(status), ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
            status = await session.status()
        }
        return status
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
