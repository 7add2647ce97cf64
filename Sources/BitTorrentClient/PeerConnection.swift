import DequeModule
import NIOCore
import Strategy
import WireProtocol

/// What the session keeps about one peer connection: the wire state machine and the measurements the
/// chokers and the progress line read. Owned by `TorrentSession` and touched only on its event loop.
final class PeerConnection {
    let id: Int
    let channel: Channel
    /// The address we dialled (the peer's listening address), or nil for a connection the peer opened.
    let dialled: AnnounceReply.PeerAddress?
    let remoteDescription: String
    var machine: PeerConnectionStateMachine
    var peerID: [UInt8]?
    var isGone = false
    /// Set when the handshake arrived; nanoseconds on the session's clock.
    var connectedAt: Int64
    var lastReceivedAt: Int64
    var lastSentAt: Int64
    var lastBlockAt: Int64?
    var unchokedAt: Int64?
    /// When the peer last unchoked us.
    var unchokedUsAt: Int64?
    /// Payload bytes over the current and the previous rechoke period: the chokers' rolling 20 s.
    var received = TransferWindow(), sent = TransferWindow()
    /// Payload bytes since the last status report (the progress line's "right now").
    var tickReceived: Int64 = 0, tickSent: Int64 = 0
    /// The peer's requests waiting to be sent (for upload tokens, with a limit). Emptied when we choke it:
    /// requests made before a choke are void (BEP 3).
    var serveQueue: Deque<ServeRequest> = []
    var readPaused = false
    /// Written to since the last flush (flushes happen once per event-loop turn, never mid-decision).
    var needsFlush = false
    /// The pieces of this peer counted in the session's availability: what must be taken back when it goes.
    var counted: PieceBitfield
    /// It let our requests sit for `requestTimeout`: they went back to the picker, and until it sends a
    /// block it gets one request at a time (libtorrent's snubbed peers).
    var snubbed = false
    /// Since when neither side has been interested (nil: one side is); the peer-set upkeep reads it.
    var uselessSince: Int64?

    init(id: Int, channel: Channel, dialled: AnnounceReply.PeerAddress?, layout: PieceLayout, infoHash: [UInt8], now: Int64) {
        self.id = id
        self.channel = channel
        self.dialled = dialled
        remoteDescription = dialled?.description ?? channel.remoteAddress?.hostPortText ?? "peer \(id)"
        machine = PeerConnectionStateMachine(layout: layout, infoHash: infoHash)
        counted = PieceBitfield(pieceCount: layout.pieceCount)
        connectedAt = now
        lastReceivedAt = now
        lastSentAt = now
    }

    var handshakeDone: Bool { peerID != nil }

    struct ServeRequest: Equatable {
        var piece: Int
        var offset: Int
        var length: Int
    }

    /// Queues a message on the channel; the session flushes at the end of the event-loop turn.
    func write(_ message: PeerMessage, now: Int64) {
        guard !isGone else { return }
        channel.write(ByteBuffer(bytes: message.encoded), promise: nil)
        needsFlush = true
        lastSentAt = now
    }
}
