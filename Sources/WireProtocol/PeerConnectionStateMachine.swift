import Strategy

/// One peer connection's BitTorrent state, as a state machine with no I/O (in the manner of SwiftNIO's
/// handler state machines): each input is a method that returns the actions to carry out, and inputs that
/// a well-behaved peer never sends close the connection with a reason instead of trapping.
///
/// It tracks the four flags of BEP 3 (am/peer choking, am/peer interested), what the peer has, the blocks we
/// requested and the requests the peer made. It decides nothing: which blocks to request comes from
/// `PiecePicker`, whom to unchoke from the chokers. The NIO client executes the actions.
public struct PeerConnectionStateMachine: Sendable {
    public enum State: Equatable, Sendable {
        case awaitingHandshake
        /// Handshake done; the peer may send its bitfield as its first message.
        case open(sawFirstMessage: Bool)
        case closed(String)
    }

    /// What the connection must do.
    public enum Action: Equatable, Sendable {
        case send(PeerMessage)
        /// The peer told us what it has (bitfield, or a `have`): update availability and interest.
        case peerHas(PieceBitfield)
        case peerGotPiece(Int)
        /// A block we asked for arrived.
        case received(BlockRef, [UInt8])
        /// The peer choked us: these requests will not be answered; give them back to the picker.
        case requestsDropped([BlockRef])
        /// The peer wants this block and we unchoke it: read it from storage and send it.
        case serve(piece: Int, offset: Int, length: Int)
        /// The peer no longer wants a block it requested: drop it if it is still queued for sending.
        case unserve(piece: Int, offset: Int, length: Int)
        case close(String)
    }

    public let layout: PieceLayout
    public let infoHash: [UInt8]
    public private(set) var state: State = .awaitingHandshake
    public private(set) var amChoking = true
    public private(set) var amInterested = false
    public private(set) var peerChoking = true
    public private(set) var peerInterested = false
    public private(set) var peerHave: PieceBitfield
    /// Blocks we requested and have not received.
    public private(set) var outstanding: [BlockRef] = []
    /// Requests voided by the peer's last choke: a block already on its way may still arrive (libtorrent
    /// sends what is in its send buffer), and is then welcome.
    public private(set) var voidedByChoke: [BlockRef] = []
    /// Blocks that arrived without being requested (late after a cancel, or a hostile peer).
    public private(set) var unrequestedBlocks = 0

    public init(layout: PieceLayout, infoHash: [UInt8]) {
        self.layout = layout
        self.infoHash = infoHash
        peerHave = PieceBitfield(pieceCount: layout.pieceCount)
    }

    public var isOpen: Bool { if case .open = state { true } else { false } }

    // MARK: Inputs from the peer

    public mutating func handshakeReceived(_ handshake: Handshake) -> [Action] {
        guard state == .awaitingHandshake else { return close("a second handshake") }
        guard handshake.infoHash == infoHash else { return close("handshake for another torrent") }
        state = .open(sawFirstMessage: false)
        return []
    }

    public mutating func messageReceived(_ message: PeerMessage) -> [Action] {
        guard case .open(let sawFirst) = state else { return [] }
        // Keep-alives and messages we ignore may come before the bitfield (aria2 sends a keep-alive first).
        if message != .keepAlive, !message.isIgnored { state = .open(sawFirstMessage: true) }
        switch message {
        case .keepAlive, .ignored:
            return []
        case .choke:
            peerChoking = true
            let dropped = outstanding
            outstanding.removeAll()
            voidedByChoke = dropped
            return dropped.isEmpty ? [] : [.requestsDropped(dropped)]
        case .unchoke:
            peerChoking = false
            return []
        case .interested:
            peerInterested = true
            return []
        case .notInterested:
            peerInterested = false
            return []
        case .have(let piece):
            guard Int(piece) < layout.pieceCount else { return close("have for piece \(piece) of \(layout.pieceCount)") }
            guard peerHave.insert(Int(piece)) else { return [] }
            return [.peerGotPiece(Int(piece))]
        case .bitfield(let bytes):
            let pieces: PieceBitfield
            do {
                pieces = try PieceBitfield(wireBytes: bytes, pieceCount: layout.pieceCount)
            } catch {
                return close("bad bitfield (\(error))")
            }
            guard sawFirst else {
                peerHave = pieces
                return [.peerHas(peerHave)]
            }
            // BEP 3 sends the bitfield first only, but aria2 sends it again later in place of `have`
            // messages: its new pieces count as haves (a peer never loses a piece).
            return pieces.pieces.filter { peerHave.insert($0) }.map { .peerGotPiece($0) }
        case .request(let piece, let offset, let length):
            guard let block = validBlock(piece, offset, length) else {
                return close("request out of range: piece \(piece), offset \(offset), length \(length)")
            }
            guard !amChoking else { return [] }  // requests while choked are ignored (BEP 3)
            return [.serve(piece: block.piece, offset: block.offset, length: block.length)]
        case .cancel(let piece, let offset, let length):
            guard let block = validBlock(piece, offset, length) else { return close("cancel out of range") }
            return [.unserve(piece: block.piece, offset: block.offset, length: block.length)]
        case .piece(let piece, let offset, let bytes):
            guard !bytes.isEmpty, validBlock(piece, offset, UInt32(bytes.count)) != nil else {
                return close("piece message out of range")
            }
            let ref = BlockRef(piece: Int(piece), block: Int(offset) / Int(layout.blockBytes))
            if Int(offset) % Int(layout.blockBytes) == 0, bytes.count == layout.bytes(of: ref) {
                if let i = outstanding.firstIndex(of: ref) {
                    outstanding.remove(at: i)
                    return [.received(ref, bytes)]
                }
                if let i = voidedByChoke.firstIndex(of: ref) {
                    voidedByChoke.remove(at: i)
                    return [.received(ref, bytes)]
                }
            }
            unrequestedBlocks += 1
            return []
        }
    }

    // MARK: Our decisions

    public mutating func setChoking(_ choke: Bool) -> [Action] {
        guard isOpen, choke != amChoking else { return [] }
        amChoking = choke
        return [.send(choke ? .choke : .unchoke)]
    }

    public mutating func setInterested(_ interested: Bool) -> [Action] {
        guard isOpen, interested != amInterested else { return [] }
        amInterested = interested
        return [.send(interested ? .interested : .notInterested)]
    }

    /// Sends requests for blocks the picker chose; refuses while choked or for blocks the peer lacks.
    public mutating func request(_ blocks: [BlockRef]) -> [Action] {
        guard isOpen, !peerChoking else { return [] }
        var actions: [Action] = []
        for block in blocks where peerHave.contains(Int(block.piece)) && !outstanding.contains(block) {
            outstanding.append(block)
            actions.append(.send(.request(piece: UInt32(block.piece), offset: UInt32(Int(block.block) * Int(layout.blockBytes)),
                                          length: UInt32(layout.bytes(of: block)))))
        }
        return actions
    }

    /// Cancels a request (endgame: the block came from someone else).
    public mutating func cancel(_ block: BlockRef) -> [Action] {
        guard isOpen, let i = outstanding.firstIndex(of: block) else { return [] }
        outstanding.remove(at: i)
        return [.send(.cancel(piece: UInt32(block.piece), offset: UInt32(Int(block.block) * Int(layout.blockBytes)),
                              length: UInt32(layout.bytes(of: block))))]
    }

    // MARK: Internals

    mutating func close(_ reason: String) -> [Action] {
        state = .closed(reason)
        return [.close(reason)]
    }

    /// A block inside its piece, aligned to a block boundary or not (peers may ask for any range up to the
    /// request limit, which the decoder already enforced).
    func validBlock(_ piece: UInt32, _ offset: UInt32, _ length: UInt32) -> (piece: Int, offset: Int, length: Int)? {
        let p = Int(piece), o = Int(offset), l = Int(length)
        guard p < layout.pieceCount, l > 0, o + l <= layout.bytes(ofPiece: p) else { return nil }
        return (p, o, l)
    }
}
