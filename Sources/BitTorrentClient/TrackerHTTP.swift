import NIOCore
import NIOHTTP1
import NIOPosix

/// One HTTP/1.1 GET to a tracker, bounded in size and in time, over SwiftNIO.
///
/// URLSession's `data(for:)` reads a whole body into memory before we see any of it, and its timeout only
/// limits idle gaps: a tracker that streamed 1.5 GB of junk made p2pclient hold 4.6 GB for 12-17 s. Here
/// the bytes are counted as they come off the socket, before the HTTP decoder (so status line, headers and
/// body all count, whether the body has a Content-Length, is chunked, or runs to the end of the
/// connection), and one deadline covers the whole exchange from name resolution to the last byte. Either
/// limit closes the connection at once; nothing past `limit` is ever buffered.
enum TrackerHTTP {
    typealias Failure = TrackerClient.Failure

    /// GETs `url` (http only) and returns the body of a 200 reply.
    static func get(_ url: String, limit: Int, timeout: Double, on group: any EventLoopGroup) async throws(Failure)
        -> [UInt8]
    {
        let target = try Target(url)
        let loop = group.next()
        let promise = loop.makePromise(of: [UInt8].self)
        let timeAmount = TimeAmount.nanoseconds(Int64(max(timeout, 0) * 1e9))
        let deadline = loop.scheduleTask(in: timeAmount) { promise.fail(Failure.timedOut(seconds: timeout)) }
        promise.futureResult.whenComplete { _ in deadline.cancel() }

        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: target.path, headers: [
            "Host": target.authority, "User-Agent": "p2pclient", "Accept-Encoding": "identity", "Connection": "close",
        ])
        ClientBootstrap(group: loop)
            .connectTimeout(timeAmount)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    try pipeline.addHandler(ReplySizeLimit(limit: limit, promise: promise))
                    try pipeline.addHandler(HTTPRequestEncoder())
                    try pipeline.addHandler(ByteToMessageHandler(HTTPResponseDecoder(leftOverBytesStrategy: .dropBytes)))
                    try pipeline.addHandler(ReplyCollector(request: head, limit: limit, promise: promise))
                }
            }
            .connect(host: target.host, port: target.port)
            .whenComplete { result in
                switch result {
                case .success(let channel):
                    // However the exchange ends (reply, limit, deadline, error), the connection goes with it.
                    promise.futureResult.whenComplete { _ in channel.close(promise: nil) }
                case .failure(let error):
                    promise.fail(connectFailure(error, target: target, timeout: timeout))
                }
            }
        do {
            return try await promise.futureResult.get()
        } catch let failure as Failure {
            throw failure
        } catch {
            throw .unreachable("\(error)")
        }
    }

    /// A connection that could not be made, as one line.
    static func connectFailure(_ error: any Error, target: Target, timeout: Double) -> Failure {
        if case ChannelError.connectTimeout = error { return .timedOut(seconds: timeout) }
        if let failed = error as? NIOConnectionError {
            if let first = failed.connectionErrors.first {
                return .unreachable("cannot connect to \(target.authority): \(reason(first.error))")
            }
            if failed.dnsAError != nil || failed.dnsAAAAError != nil {
                return .unreachable("cannot resolve \(target.host)")
            }
        }
        return .unreachable("cannot connect to \(target.authority): \(reason(error))")
    }

    /// "Connection refused" rather than NIO's "connection reset (error set): Connection refused) (errno: 111)".
    static func reason(_ error: any Error) -> String {
        if let io = error as? IOError { return String(cString: strerror(io.errnoCode)) }
        if case ChannelError.connectTimeout = error { return "timed out" }
        return "\(error)"
    }

    /// Where an `http://host[:port]/path?query` URL points. Parsed by hand so that the announce's query
    /// (percent-encoded binary info-hash and peer id) goes out byte for byte as `AnnounceRequest` wrote it.
    struct Target: Equatable {
        var host: String
        var port: Int
        /// host[:port] as written in the URL (brackets kept for IPv6): the Host header.
        var authority: String
        /// The request target: path and query, at least "/".
        var path: String

        init(_ url: String) throws(Failure) {
            let lower = url.lowercased()
            if lower.hasPrefix("https://") {
                throw .unreachable("\(url): https trackers are not supported (p2pclient speaks plain HTTP to trackers)")
            }
            guard lower.hasPrefix("http://") else { throw .unreachable("\(url) is not an http URL") }
            let rest = url.dropFirst("http://".count)
            let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
            var authority = rest[..<authorityEnd]
            if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
            var path = String(rest[authorityEnd...].prefix(while: { $0 != "#" }))
            if !path.hasPrefix("/") { path = "/" + path }

            var host = Substring(authority)
            var portText: Substring?
            if authority.hasPrefix("[") {
                guard let close = authority.firstIndex(of: "]") else { throw .unreachable("\(url): bad IPv6 address") }
                host = authority[authority.index(after: authority.startIndex)..<close]
                let after = authority[authority.index(after: close)...]
                if after.hasPrefix(":") { portText = after.dropFirst() } else if !after.isEmpty {
                    throw .unreachable("\(url): bad address")
                }
            } else if let colon = authority.lastIndex(of: ":") {
                host = authority[..<colon]
                portText = authority[authority.index(after: colon)...]
            }
            var port = 80
            if let portText, !portText.isEmpty {
                guard let p = Int(portText), (1...65_535).contains(p) else { throw .unreachable("\(url): bad port") }
                port = p
            }
            guard !host.isEmpty else { throw .unreachable("\(url) names no host") }
            self.host = String(host)
            self.port = port
            self.authority = String(authority)
            self.path = path
        }
    }
}

/// First in the pipeline: counts every byte the tracker sends and, past `limit`, fails the exchange
/// (which closes the connection) and drops what else arrives, so the decoder behind never holds more.
final class ReplySizeLimit: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    let limit: Int
    let promise: EventLoopPromise<[UInt8]>
    var received = 0

    init(limit: Int, promise: EventLoopPromise<[UInt8]>) {
        self.limit = limit
        self.promise = promise
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard received <= limit else { return }
        received += unwrapInboundIn(data).readableBytes
        if received > limit {
            promise.fail(TrackerClient.Failure.tooLarge(limit: limit))
            return
        }
        context.fireChannelRead(data)
    }
}

/// Last in the pipeline: sends the request once connected, then takes the decoded reply. Refuses a
/// status other than 200 and a Content-Length over the limit as soon as the head arrives.
final class ReplyCollector: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    let request: HTTPRequestHead
    let limit: Int
    let promise: EventLoopPromise<[UInt8]>
    var body = ByteBuffer()

    init(request: HTTPRequestHead, limit: Int, promise: EventLoopPromise<[UInt8]>) {
        self.request = request
        self.limit = limit
        self.promise = promise
    }

    func channelActive(context: ChannelHandlerContext) {
        context.write(wrapOutboundOut(.head(request)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            guard head.status == .ok else {
                promise.fail(TrackerClient.Failure.httpStatus(Int(head.status.code)))
                return
            }
            if let length = head.headers.first(name: "content-length").flatMap({ Int($0) }), length > limit {
                promise.fail(TrackerClient.Failure.tooLarge(limit: limit))
            }
        case .body(var part):
            body.writeBuffer(&part)  // under `limit`: ReplySizeLimit counts every byte before the decoder
        case .end:
            promise.succeed(Array(body.readableBytesView))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        // After a complete reply this does nothing (a promise keeps its first result).
        promise.fail(TrackerClient.Failure.unreachable("the tracker closed the connection before its reply was complete"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if error is HTTPParserError {
            promise.fail(TrackerClient.Failure.malformed("the tracker's answer is not HTTP (\(error))"))
        } else {
            promise.fail(TrackerClient.Failure.unreachable("connection to the tracker failed: \(TrackerHTTP.reason(error))"))
        }
        context.close(promise: nil)
    }
}
