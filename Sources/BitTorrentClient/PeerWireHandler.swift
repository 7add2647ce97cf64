import NIOCore
import WireProtocol

/// The NIO end of one peer connection: reads the 68-byte handshake, then cuts the stream into messages
/// with `PeerMessageDecoder` (which refuses oversized frames before buffering them) and hands each to the
/// session. It decides nothing itself.
final class PeerWireHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    let session: TorrentSession
    let dialled: AnnounceReply.PeerAddress?
    var connection: PeerConnection?
    var handshakeBytes: [UInt8] = []
    var decoder: PeerMessageDecoder

    init(session: TorrentSession, dialled: AnnounceReply.PeerAddress?) {
        self.session = session
        self.dialled = dialled
        decoder = PeerMessageDecoder(pieceCount: session.layout.pieceCount)
    }

    func channelActive(context: ChannelHandlerContext) {
        guard let connection = session.opened(channel: context.channel, dialled: dialled) else {
            context.close(promise: nil)
            return
        }
        self.connection = connection
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let connection, !connection.isGone else { return }
        var buffer = unwrapInboundIn(data)
        let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
        session.bytesArrived(bytes.count, on: connection)
        var rest = bytes[...]
        if !connection.handshakeDone {
            handshakeBytes += rest
            rest = []
            let handshake: Handshake?
            do { handshake = try Handshake.decode(handshakeBytes[...]) } catch {
                session.drop(connection, because: "not a BitTorrent handshake")
                return
            }
            guard let handshake else { return }
            rest = handshakeBytes.dropFirst(Handshake.length)
            handshakeBytes = []
            session.handshakeArrived(handshake, on: connection)
            guard !connection.isGone else { return }
        }
        decoder.append(rest)
        do {
            while !connection.isGone, let message = try decoder.next() {
                session.messageArrived(message, on: connection)
            }
        } catch {
            session.drop(connection, because: "bad message: \(error)")
        }
        if connection.needsFlush { session.scheduleFlush() }
    }

    /// The socket can take more: blocks waiting for it may go.
    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { session.pumpUploads() }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let connection { session.drop(connection, because: "connection closed by the peer") }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if let connection { session.drop(connection, because: "\(error)") }
        context.close(promise: nil)
    }
}
