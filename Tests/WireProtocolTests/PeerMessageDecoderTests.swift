import TestSupport
import Testing
@testable import Strategy
@testable import WireProtocol

@Suite struct PeerMessageDecoderTests {
    let messages: [PeerMessage] = [
        .keepAlive, .choke, .unchoke, .interested, .notInterested, .have(piece: 7), .bitfield([0b1010_0000, 0]),
        .request(piece: 1, offset: 16_384, length: 16_384), .piece(piece: 1, offset: 0, block: Array(repeating: 9, count: 300)),
        .cancel(piece: 1, offset: 16_384, length: 16_384), .ignored(id: 9),
    ]

    func decodeAll(_ chunks: [[UInt8]]) throws -> [PeerMessage] {
        var decoder = PeerMessageDecoder(pieceCount: 12)
        var out: [PeerMessage] = []
        for chunk in chunks {
            decoder.append(chunk)
            while let m = try decoder.next() { out.append(m) }
        }
        #expect(decoder.buffered == 0)
        return out
    }

    @Test func sameMessagesWhateverTheSplit() throws {
        let stream = messages.flatMap(\.encoded)
        #expect(try decodeAll([stream]) == messages)
        #expect(try decodeAll(stream.map { [$0] }) == messages)  // a byte at a time
        var rng = SplitMix64(seed: 4)
        var chunks: [[UInt8]] = []
        var i = 0
        while i < stream.count {
            let n = min(stream.count - i, Int(rng.next() % 17) + 1)
            chunks.append(Array(stream[i..<(i + n)]))
            i += n
        }
        #expect(try decodeAll(chunks) == messages)
    }

    @Test func hostileFramesAreRefusedBeforeTheyCostMemory() throws {
        var decoder = PeerMessageDecoder(pieceCount: 12)
        decoder.append([0x7F, 0xFF, 0xFF, 0xFF, 7])  // a 2 GiB frame announced
        #expect(throws: PeerMessageDecoder.Problem.frameTooLarge(0x7FFF_FFFF)) { try decoder.next() }

        var wrong = PeerMessageDecoder(pieceCount: 12)
        wrong.append([0, 0, 0, 3, 4, 0, 0])  // `have` with a 2-byte payload
        #expect(throws: PeerMessageDecoder.Problem.badPayloadLength(id: 4, length: 2)) { try wrong.next() }

        var greedy = PeerMessageDecoder(pieceCount: 12)
        greedy.append(PeerMessage.request(piece: 0, offset: 0, length: 1 << 20).encoded)
        #expect(throws: PeerMessageDecoder.Problem.requestTooLarge(1 << 20)) { try greedy.next() }

        var truncated = PeerMessageDecoder(pieceCount: 12)
        truncated.append(Array(PeerMessage.have(piece: 3).encoded.prefix(6)))
        #expect(try truncated.next() == nil)  // waits for the rest; nothing is invented
    }

    @Test func bitfieldWithSpareBitsIsRefusedByTheBitfield() throws {
        let decoded = try decodeAll([PeerMessage.bitfield([0xFF, 0xFF]).encoded])
        guard case .bitfield(let bytes) = decoded.first else { Issue.record("no bitfield"); return }
        #expect(throws: PieceBitfield.WireError.spareBitsSet) { try PieceBitfield(wireBytes: bytes, pieceCount: 12) }
    }

    @Test func handshakeRoundTripsAndToleratesExtensionBits() throws {
        let ours = Handshake(infoHash: Array(repeating: 1, count: 20), peerID: Array("-PS0001-abcdefghijkl".utf8))
        #expect(ours.encoded.count == 68 && ours.reserved == Array(repeating: 0, count: 8))
        var theirs = ours.encoded
        theirs[25] = 0x10  // e.g. the extension protocol bit
        let read = try #require(try Handshake.decode(theirs[...]))
        #expect(read.infoHash == ours.infoHash && read.peerID == ours.peerID && read.reserved[5] == 0x10)
        #expect(try Handshake.decode(theirs.prefix(30)) == nil)
        #expect(throws: Handshake.Problem.notBitTorrent) { try Handshake.decode(Array("GET / HTTP/1.1\r\n".utf8)[...]) }
    }
}
