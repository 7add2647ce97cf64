import Crypto
import Foundation
import Testing
import TestSupport
@testable import BitTorrentClient
@testable import WireProtocol

/// A multi-file torrent over known bytes: files of 10,000, 0 and 25,000 bytes in 16 KiB pieces, so pieces
/// straddle file boundaries and one file is empty.
struct Fixture {
    let data: [UInt8] = (0..<35_000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 8) }
    let pieceLength = 16_384
    let files: [Metainfo.File] = [.init(path: ["a.bin"], length: 10_000), .init(path: ["empty"], length: 0),
                                  .init(path: ["sub", "b.bin"], length: 25_000)]

    var metainfo: Metainfo {
        let hashes = stride(from: 0, to: data.count, by: pieceLength).map {
            Array(Insecure.SHA1.hash(data: data[$0..<min($0 + pieceLength, data.count)]))
        }
        return try! Metainfo(bytes: Metainfo.encode(announce: nil, name: "set", pieceLength: Int64(pieceLength),
                                                    pieceHashes: hashes, files: files, singleFile: false))
    }

    func piece(_ p: Int) -> [UInt8] { Array(data[(p * pieceLength)..<min((p + 1) * pieceLength, data.count)]) }
}

@Suite struct TorrentStorageTests {
    let fixture = Fixture()

    @Test func blocksWrittenAcrossFilesReadBackAndVerify() throws {
        let root = try scratchDirectory("storage")
        defer { try? FileManager.default.removeItem(at: root) }
        let storage = try TorrentStorage(metainfo: fixture.metainfo, root: root)
        try storage.preallocate()
        #expect(try FileManager.default.attributesOfItem(atPath: root.path + "/set/sub/b.bin")[.size] as? Int == 25_000)
        #expect(storage.recheck().isEmpty)  // preallocated zeros match no hash
        for p in 0..<3 {
            let bytes = fixture.piece(p)
            for offset in stride(from: 0, to: bytes.count, by: 4096) {  // blocks, in pieces that straddle files
                try storage.write(piece: p, offset: offset, bytes: Array(bytes[offset..<min(offset + 4096, bytes.count)]))
            }
        }
        #expect(storage.recheck().isComplete)
        #expect(try storage.read(piece: 0, offset: 9_990, length: 20) == Array(fixture.data[9_990..<10_010]))
        #expect(try Data(contentsOf: root.appendingPathComponent("set/a.bin")) == Data(fixture.data[0..<10_000]))
    }

    @Test func restartRechecksAndKeepsOnlyGoodPieces() throws {
        let root = try scratchDirectory("storage")
        defer { try? FileManager.default.removeItem(at: root) }
        let first = try TorrentStorage(metainfo: fixture.metainfo, root: root)
        try first.preallocate()
        try first.write(piece: 1, offset: 0, bytes: fixture.piece(1))
        var corrupt = fixture.piece(2)
        corrupt[5] ^= 0xFF
        try first.write(piece: 2, offset: 0, bytes: corrupt)
        // A new storage on the same folder: piece 1 is kept, the corrupt piece 2 is not.
        let again = try TorrentStorage(metainfo: fixture.metainfo, root: root)
        try again.preallocate()
        #expect(again.recheck().pieces == [1])
    }

    @Test func blocksOutsideTheirPieceAreRefused() throws {
        let root = try scratchDirectory("storage")
        defer { try? FileManager.default.removeItem(at: root) }
        let storage = try TorrentStorage(metainfo: fixture.metainfo, root: root)
        try storage.preallocate()
        #expect(throws: TorrentStorage.Failure.outOfRange(piece: 2, offset: 2_000, length: 1_000)) {
            try storage.write(piece: 2, offset: 2_000, bytes: Array(repeating: 0, count: 1_000))  // last piece is 2,232 bytes
        }
        #expect(throws: TorrentStorage.Failure.outOfRange(piece: 3, offset: 0, length: 1)) { try storage.read(piece: 3, offset: 0, length: 1) }
        #expect(throws: TorrentStorage.Failure.outOfRange(piece: -1, offset: 0, length: 1)) { try storage.read(piece: -1, offset: 0, length: 1) }
    }

    @Test func aSymbolicLinkInTheFolderIsNeverFollowed() throws {
        let root = try scratchDirectory("storage")
        let elsewhere = try scratchDirectory("elsewhere")
        defer {
            try? FileManager.default.removeItem(at: root)
            try? FileManager.default.removeItem(at: elsewhere)
        }
        try FileManager.default.createDirectory(at: root.appendingPathComponent("set"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: root.appendingPathComponent("set/sub"), withDestinationURL: elsewhere)
        let storage = try TorrentStorage(metainfo: fixture.metainfo, root: root)
        #expect(throws: TorrentStorage.Failure.outside(root.standardizedFileURL.path + "/set/sub")) { try storage.preallocate() }
        #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere.path).isEmpty)
    }
}
