import Testing
@testable import Strategy
@testable import WireProtocol

@Suite struct PeerConnectionStateMachineTests {
    // 12 pieces of 32 KiB (2 blocks each), the last one 1,000 bytes.
    let layout = PieceLayout(totalBytes: 11 * 32_768 + 1_000, pieceBytes: 32_768, blockBytes: 16_384)
    let hash = [UInt8](repeating: 7, count: 20)

    func open() -> PeerConnectionStateMachine {
        var m = PeerConnectionStateMachine(layout: layout, infoHash: hash)
        #expect(m.handshakeReceived(Handshake(infoHash: hash, peerID: Array(repeating: 1, count: 20))) == [])
        return m
    }

    @Test func aWrongInfoHashClosesAtTheHandshake() {
        var m = PeerConnectionStateMachine(layout: layout, infoHash: hash)
        #expect(m.handshakeReceived(Handshake(infoHash: Array(repeating: 9, count: 20), peerID: Array(repeating: 1, count: 20)))
                == [.close("handshake for another torrent")])
        #expect(m.messageReceived(.unchoke) == [])  // nothing happens on a closed connection
    }

    @Test func requestsGoOutOnlyWhenUnchokedAndComeBackOnChoke() {
        var m = open()
        _ = m.messageReceived(.bitfield([0xFF, 0xF0]))
        let block = BlockRef(piece: 3, block: 1)
        #expect(m.request([block]) == [])  // still choked
        _ = m.messageReceived(.unchoke)
        #expect(m.request([block, block]) == [.send(.request(piece: 3, offset: 16_384, length: 16_384))])
        #expect(m.request([BlockRef(piece: 11, block: 0)]) == [.send(.request(piece: 11, offset: 0, length: 1_000))])
        #expect(m.messageReceived(.choke) == [.requestsDropped([block, BlockRef(piece: 11, block: 0)])])
        #expect(m.outstanding.isEmpty)
    }

    @Test func blocksArriveOnlyIfRequested() {
        var m = open()
        _ = m.messageReceived(.bitfield([0xFF, 0xF0]))
        _ = m.messageReceived(.unchoke)
        _ = m.request([BlockRef(piece: 0, block: 0)])
        let data = [UInt8](repeating: 5, count: 16_384)
        #expect(m.messageReceived(.piece(piece: 0, offset: 0, block: data)) == [.received(BlockRef(piece: 0, block: 0), data)])
        #expect(m.messageReceived(.piece(piece: 0, offset: 0, block: data)) == [])  // a second copy
        #expect(m.messageReceived(.piece(piece: 5, offset: 16_384, block: data)) == [])  // never requested
        #expect(m.unrequestedBlocks == 2 && m.isOpen)
    }

    /// A block the peer had already sent when it choked us is still taken, once.
    @Test func aBlockInFlightAtAChokeIsWelcome() {
        var m = open()
        _ = m.messageReceived(.bitfield([0xFF, 0xF0]))
        _ = m.messageReceived(.unchoke)
        let blocks = [BlockRef(piece: 1, block: 0), BlockRef(piece: 1, block: 1)]
        _ = m.request(blocks)
        #expect(m.messageReceived(.choke) == [.requestsDropped(blocks)])
        let data = [UInt8](repeating: 1, count: 16_384)
        #expect(m.messageReceived(.piece(piece: 1, offset: 16_384, block: data)) == [.received(blocks[1], data)])
        #expect(m.messageReceived(.piece(piece: 1, offset: 16_384, block: data)) == [])
        #expect(m.unrequestedBlocks == 1 && m.outstanding.isEmpty)
    }

    /// aria2 sends its bitfield again mid-stream instead of `have` messages: the new pieces count as haves.
    @Test func aLateBitfieldAddsItsNewPiecesAsHaves() {
        var c = open()
        _ = c.messageReceived(.keepAlive)
        #expect(c.messageReceived(.bitfield([0x80, 0x00])) == [.peerHas(c.peerHave)])  // first, after a keep-alive
        _ = c.messageReceived(.unchoke)
        #expect(c.messageReceived(.bitfield([0xA0, 0x10])) == [.peerGotPiece(2), .peerGotPiece(11)])
        #expect(c.peerHave.pieces == [0, 2, 11])
        #expect(c.messageReceived(.bitfield([0x00, 0x00])) == [])  // a peer never loses a piece
        #expect(c.peerHave.pieces == [0, 2, 11])
    }

    @Test func hostileMessagesCloseTheConnection() {
        var a = open()
        #expect(a.messageReceived(.have(piece: 12)) == [.close("have for piece 12 of 12")])
        var b = open()
        #expect(b.messageReceived(.bitfield([0xFF, 0xFF])) == [.close("bad bitfield (spareBitsSet)")])
        var c = open()
        _ = c.messageReceived(.unchoke)
        #expect(c.messageReceived(.bitfield([0xFF, 0xF1])) == [.close("bad bitfield (spareBitsSet)")])
        var d = open()
        #expect(d.messageReceived(.request(piece: 11, offset: 0, length: 16_384))
                == [.close("request out of range: piece 11, offset 0, length 16384")])
        var e = open()
        #expect(e.messageReceived(.piece(piece: 2, offset: 32_000, block: Array(repeating: 0, count: 1_000)))
                == [.close("piece message out of range")])
    }

    @Test func requestsAreServedOnlyWhileWeUnchoke() {
        var m = open()
        _ = m.messageReceived(.interested)
        #expect(m.peerInterested)
        #expect(m.messageReceived(.request(piece: 1, offset: 0, length: 16_384)) == [])  // we choke it
        #expect(m.setChoking(false) == [.send(.unchoke)])
        #expect(m.setChoking(false) == [])
        #expect(m.messageReceived(.request(piece: 1, offset: 0, length: 16_384)) == [.serve(piece: 1, offset: 0, length: 16_384)])
        #expect(m.setInterested(true) == [.send(.interested)])
    }
}
