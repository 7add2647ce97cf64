import Foundation
import NIOCore
import NIOPosix
import WireProtocol

/// Announces to an HTTP tracker. One call is one attempt; the caller retries with `Backoff`.
public struct TrackerClient: Sendable {
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case unreachable(String)
        case httpStatus(Int)
        case refused(String)
        case malformed(String)
        /// The reply went past `replyLimit` bytes (or announced a Content-Length beyond it).
        case tooLarge(limit: Int)
        /// No complete reply within the timeout.
        case timedOut(seconds: Double)

        public var description: String {
            switch self {
            case .unreachable(let why): return "tracker unreachable: \(why)"
            case .httpStatus(let code): return "tracker answered HTTP \(code)"
            case .refused(let reason): return "tracker refused: \(reason)"
            case .malformed(let why): return why
            case .tooLarge(let limit): return "tracker reply larger than \(Self.bytesText(limit))"
            case .timedOut(let seconds): return "tracker did not answer within \(Self.secondsText(seconds))"
            }
        }

        static func bytesText(_ bytes: Int) -> String {
            if bytes >= 1_048_576, bytes % 1_048_576 == 0 { return "\(bytes / 1_048_576) MiB" }
            if bytes >= 1024, bytes % 1024 == 0 { return "\(bytes / 1024) KiB" }
            return "\(bytes) bytes"
        }

        static func secondsText(_ seconds: Double) -> String {
            seconds == seconds.rounded() ? "\(Int(seconds)) s" : "\(seconds) s"
        }
    }

    /// The most bytes we read from a tracker for one announce, status line and headers included. A real
    /// reply is a few kilobytes (50 compact peers are 300 bytes; 50 dictionary peers about 3 KB), so 1 MiB
    /// leaves ample room while stopping a broken or hostile tracker from making us hold gigabytes: one
    /// that answered with 1.5 GB of junk had p2pclient hold 4.6 GB before it refused the reply.
    public static let maximumReplyBytes = 1 << 20

    public let announceURL: String
    /// Seconds for the whole exchange (connecting, sending, reading the reply to its end), not only for
    /// idle gaps: a tracker that drips a byte a second cannot hold an announce open longer than this.
    public let timeout: TimeInterval
    public let replyLimit: Int
    /// Where the connection runs (the session's group in p2pclient).
    public let group: any EventLoopGroup

    public init(announceURL: String, timeout: TimeInterval = 15, replyLimit: Int = TrackerClient.maximumReplyBytes,
                group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.announceURL = announceURL
        self.timeout = timeout
        self.replyLimit = replyLimit
        self.group = group
    }

    /// Sends one announce; returns the tracker's interval, peers and `min interval` (if it sent one).
    public func announce(_ request: AnnounceRequest) async throws(Failure)
        -> (interval: Int, peers: [AnnounceReply.PeerAddress], minInterval: Int?)
    {
        let body = try await TrackerHTTP.get(request.url(announce: announceURL), limit: replyLimit, timeout: timeout, on: group)
        do {
            switch try AnnounceReply.parse(body) {
            case .failure(let reason): throw Failure.refused(reason)
            case .peers(let interval, let peers, let minInterval): return (interval, peers, minInterval)
            }
        } catch let failure as Failure {
            throw failure
        } catch {
            throw .malformed("\(error)")
        }
    }
}
