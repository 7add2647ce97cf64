import Crypto
import Testing
@testable import WireProtocol

@Suite struct MetainfoTests {
    let hashes = [[UInt8](repeating: 0xAB, count: 20), [UInt8](repeating: 0xCD, count: 20)]

    @Test func singleFileTorrentRoundTripsWithItsInfoHash() throws {
        let bytes = Metainfo.encode(announce: "http://127.0.0.1:6969/announce", name: "file.bin", pieceLength: 16_384,
                                    pieceHashes: hashes, files: [.init(path: ["file.bin"], length: 20_000)], singleFile: true)
        let m = try Metainfo(bytes: bytes)
        #expect(m.name == "file.bin" && m.isSingleFile && m.totalLength == 20_000 && m.pieceHashes == hashes)
        #expect(m.announce == "http://127.0.0.1:6969/announce")
        // The info-hash is the SHA-1 of the info dictionary's bytes as they stand in the file.
        let text = String(decoding: bytes, as: UTF8.self)
        let infoStart = text.range(of: "4:infod")!.upperBound.utf16Offset(in: text) - 1
        let infoBytes = Array(bytes[infoStart..<(bytes.count - 1)])
        #expect(m.infoHash == Array(Insecure.SHA1.hash(data: infoBytes)))
        #expect(m.infoHash.count == 20)
    }

    @Test func multiFileTorrentKeepsItsPaths() throws {
        let files: [Metainfo.File] = [.init(path: ["docs", "a.txt"], length: 10_000), .init(path: ["b.bin"], length: 20_000)]
        let bytes = Metainfo.encode(announce: nil, name: "folder", pieceLength: 16_384, pieceHashes: hashes, files: files, singleFile: false)
        let m = try Metainfo(bytes: bytes)
        #expect(!m.isSingleFile && m.files == files && m.announce == nil)
    }

    @Test(arguments: ["..", ".", "", "/etc", "a/b", "evil\\x", "nul\0"])
    func pathsThatWouldEscapeAreRefused(component: String) {
        let files: [Metainfo.File] = [.init(path: ["ok", component], length: 30_000)]
        let bytes = Metainfo.encode(announce: nil, name: "folder", pieceLength: 16_384, pieceHashes: hashes, files: files, singleFile: false)
        #expect(throws: Metainfo.Problem.unsafePath(component)) { try Metainfo(bytes: bytes) }
    }

    @Test func inconsistentTorrentsAreRefused() {
        let tooFewHashes = Metainfo.encode(announce: nil, name: "f", pieceLength: 16_384, pieceHashes: [hashes[0]],
                                           files: [.init(path: ["f"], length: 20_000)], singleFile: true)
        #expect(throws: Metainfo.Problem.invalid("info.pieces", "holds 1 hashes for 2 pieces")) { try Metainfo(bytes: tooFewHashes) }
        #expect(throws: Metainfo.Problem.missing("info dictionary")) { try Metainfo(bytes: Array("de".utf8)) }
        let badName = Metainfo.encode(announce: nil, name: "..", pieceLength: 16_384, pieceHashes: hashes,
                                      files: [.init(path: [".."], length: 20_000)], singleFile: true)
        #expect(throws: Metainfo.Problem.unsafePath("..")) { try Metainfo(bytes: badName) }
    }
}
