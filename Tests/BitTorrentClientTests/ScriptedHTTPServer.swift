import Foundation
import NIOCore
import NIOPosix

/// When the server's last connection opened and closed, on NIO's monotonic clock. The tests time the
/// client by it: a time taken around an `await` includes however long the test runner's two cooperative
/// threads were busy with other tests (a whole simulator swarm, at times), which says nothing of the client.
final class ConnectionTiming: @unchecked Sendable {
    private let lock = NSLock()
    private var opened: NIODeadline?
    private var closed: NIODeadline?

    func open() { lock.withLock { opened = .now(); closed = nil } }
    func close() { lock.withLock { closed = .now() } }

    /// Seconds the connection lasted, once it has closed.
    var lifetime: Double? {
        lock.withLock {
            guard let opened, let closed else { return nil }
            return Double((closed - opened).nanoseconds) / 1e9
        }
    }
}

/// A misbehaving (or well-behaved) HTTP server on 127.0.0.1 for the tracker client's tests. It answers the
/// first bytes of each connection by its script and never parses the request. `close()` shuts down its
/// own event loop, which closes every connection it still holds.
final class ScriptedHTTPServer: Sendable {
    enum Script: Sendable {
        /// These bytes, then the connection is closed (or `keepOpen`: left open, saying nothing more).
        case reply([UInt8], keepOpen: Bool = false)
        /// `head`, then `chunk` again and again, as fast as the client reads, until it hangs up.
        case endless(head: String, chunk: [UInt8])
        /// `head`, then one byte every `interval`, until the client hangs up.
        case drip(head: String, interval: TimeAmount)
    }

    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let channel: any Channel
    let port: Int
    let timing = ConnectionTiming()

    init(_ script: Script) async throws {
        let timing = timing
        channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ScriptHandler(script: script, timing: timing))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        port = channel.localAddress?.port ?? 0
    }

    var url: String { "http://127.0.0.1:\(port)/announce" }

    func close() async {
        try? await channel.close()
        try? await group.shutdownGracefully()
    }

    final class ScriptHandler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        let script: Script
        let timing: ConnectionTiming
        var answered = false

        init(script: Script, timing: ConnectionTiming) {
            self.script = script
            self.timing = timing
        }

        func channelActive(context: ChannelHandlerContext) {
            timing.open()
            context.fireChannelActive()
        }

        func channelInactive(context: ChannelHandlerContext) {
            timing.close()
            context.fireChannelInactive()
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard !answered else { return }
            answered = true
            let channel = context.channel
            switch script {
            case .reply(let bytes, let keepOpen):
                channel.writeAndFlush(ByteBuffer(bytes: bytes)).whenComplete { _ in
                    if !keepOpen { channel.close(promise: nil) }
                }
            case .endless(let head, let chunk):
                channel.writeAndFlush(ByteBuffer(string: head), promise: nil)
                Self.pump(ByteBuffer(bytes: chunk), on: channel)
            case .drip(let head, let interval):
                channel.writeAndFlush(ByteBuffer(string: head), promise: nil)
                channel.eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { task in
                    guard channel.isActive else { task.cancel(); return }
                    channel.writeAndFlush(ByteBuffer(string: "x"), promise: nil)
                }
            }
        }

        /// Writes `chunk` each time the previous one reached the socket (the client's reading paces it).
        static func pump(_ chunk: ByteBuffer, on channel: any Channel) {
            channel.writeAndFlush(chunk).whenSuccess {
                channel.eventLoop.execute { pump(chunk, on: channel) }
            }
        }
    }
}
