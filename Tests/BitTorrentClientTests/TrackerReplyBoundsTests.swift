import Foundation
import NIOCore
import Testing
@testable import BitTorrentClient
import WireProtocol

/// The tracker client against junk HTTP servers on 127.0.0.1: every reply is bounded in size (refused at
/// `TrackerClient.maximumReplyBytes`, never buffered past it) and in time (one deadline for the whole
/// exchange). Each server is started by the test and closed by it.
@Suite struct TrackerReplyBoundsTests {
    static let request = AnnounceRequest(infoHash: Array(repeating: 1, count: 20), peerID: Array("-PC0100-aaaaaaaaaaaa".utf8),
                                         port: 7000, left: 1)
    static let mebibyteJunk = [UInt8](repeating: UInt8(ascii: "x"), count: 65_536)

    /// Announces once to a server playing `script`; returns the failure (nil on success), how long the
    /// connection lasted as the server saw it (see `ConnectionTiming`; the time around the `await` if the
    /// server saw none), and the reply.
    func announce(_ script: ScriptedHTTPServer.Script, timeout: Double = 10)
        async throws -> (failure: TrackerClient.Failure?, seconds: Double, reply: (interval: Int, peers: [AnnounceReply.PeerAddress], minInterval: Int?)?)
    {
        let server = try await ScriptedHTTPServer(script)
        let client = TrackerClient(announceURL: server.url, timeout: timeout)
        let start = ContinuousClock.now
        var failure: TrackerClient.Failure?
        var reply: (interval: Int, peers: [AnnounceReply.PeerAddress], minInterval: Int?)?
        do { reply = try await client.announce(Self.request) } catch { failure = error }
        let elapsed = ContinuousClock.now - start
        // The client has hung up (or the server did); the server's side of it may come a moment later.
        for _ in 0..<50 where server.timing.lifetime == nil { try await Task.sleep(for: .milliseconds(20)) }
        let lifetime = server.timing.lifetime
        await server.close()
        return (failure, lifetime ?? Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18, reply)
    }

    @Test func anEndlessBodyIsRefusedAtTheLimitNotAtTheTimeout() async throws {
        let r = try await announce(.endless(head: "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n", chunk: Self.mebibyteJunk))
        #expect(r.failure == .tooLarge(limit: 1_048_576))
        #expect(r.failure?.description == "tracker reply larger than 1 MiB")
        #expect(r.seconds < 3, "took \(r.seconds) s")
    }

    @Test func anEndlessChunkedBodyIsRefusedAtTheLimit() async throws {
        let chunk = Array("10000\r\n".utf8) + Self.mebibyteJunk + Array("\r\n".utf8)
        let r = try await announce(.endless(head: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", chunk: chunk))
        #expect(r.failure == .tooLarge(limit: 1_048_576))
        #expect(r.seconds < 3, "took \(r.seconds) s")
    }

    /// The HTTP decoder refuses headers past its own limit (80 KB), well before ours.
    @Test func anEndlessHeaderIsRefusedQuickly() async throws {
        let r = try await announce(.endless(head: "HTTP/1.1 200 OK\r\nX-Junk: ", chunk: Self.mebibyteJunk))
        #expect(r.failure == .malformed("the tracker's answer is not HTTP (too many header bytes seen; overflow detected)"))
        #expect(r.seconds < 3, "took \(r.seconds) s")
    }

    @Test func aContentLengthOverTheLimitIsRefusedBeforeAnyBody() async throws {
        // The server announces 1.5 GB and then sends nothing: only the head can tell us.
        let head = "HTTP/1.1 200 OK\r\nContent-Length: 1500000000\r\n\r\n"
        let r = try await announce(.reply(Array(head.utf8), keepOpen: true))
        #expect(r.failure == .tooLarge(limit: 1_048_576))
        #expect(r.seconds < 1, "took \(r.seconds) s")
    }

    @Test func aSlowDripMeetsTheWholeReplyDeadline() async throws {
        // A byte every 50 ms: never idle long enough for an idle timeout, but never done either.
        let r = try await announce(.drip(head: "HTTP/1.1 200 OK\r\n\r\n", interval: .milliseconds(50)), timeout: 1)
        #expect(r.failure == .timedOut(seconds: 1))
        #expect(r.failure?.description == "tracker did not answer within 1 s")
        #expect(r.seconds >= 0.9 && r.seconds < 2.5, "took \(r.seconds) s")
    }

    @Test func aSilentServerMeetsTheDeadline() async throws {
        let r = try await announce(.reply([], keepOpen: true), timeout: 0.5)
        #expect(r.failure == .timedOut(seconds: 0.5))
        #expect(r.failure?.description == "tracker did not answer within 0.5 s")
        #expect(r.seconds < 2, "took \(r.seconds) s")
    }

    @Test func aStatusOtherThan200IsOneClearError() async throws {
        let r = try await announce(.reply(Array("HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found".utf8)))
        #expect(r.failure == .httpStatus(404))
    }

    @Test func junkThatIsNotHTTPIsMalformed() async throws {
        let r = try await announce(.reply(Array("d8:intervali1800e5:peers0:e".utf8)))
        guard case .malformed(let why) = r.failure else { Issue.record("expected malformed, got \(String(describing: r.failure))"); return }
        #expect(why.hasPrefix("the tracker's answer is not HTTP"), "\(why)")
    }

    /// The three ways a body may end (Content-Length, chunked, the connection closing) all still work.
    @Test(arguments: ["length", "chunked", "close"])
    func aRealReplyIsReadWhateverItsFraming(framing: String) async throws {
        let body = Array("d8:intervali1800e5:peers12:".utf8) + [127, 0, 0, 1, 0x1A, 0xE1, 10, 0, 0, 2, 0, 80] + Array("e".utf8)
        let head: String
        var payload = body
        switch framing {
        case "length": head = "HTTP/1.1 200 OK\r\nContent-Length: \(body.count)\r\n\r\n"
        case "chunked":
            head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            payload = Array(String(body.count, radix: 16).utf8) + Array("\r\n".utf8) + body + Array("\r\n0\r\n\r\n".utf8)
        default: head = "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n"
        }
        // keepOpen for the framed replies: the client must stop at the body's end, not wait for the close.
        let r = try await announce(.reply(Array(head.utf8) + payload, keepOpen: framing != "close"), timeout: 5)
        #expect(r.failure == nil)
        #expect(r.reply?.interval == 1800)
        #expect(r.reply?.peers == [.init(host: "127.0.0.1", port: 6881), .init(host: "10.0.0.2", port: 80)])
        #expect(r.seconds < 2, "took \(r.seconds) s")
    }

    @Test func aReplyJustUnderTheLimitIsAcceptedAndJustOverIsNot() async throws {
        let head = Array("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n".utf8)
        let body = Array("d8:intervali60e5:peers0:e".utf8)
        for (limit, accepted) in [(head.count + body.count, true), (head.count + body.count - 1, false)] {
            let server = try await ScriptedHTTPServer(.reply(head + body))
            let client = TrackerClient(announceURL: server.url, timeout: 5, replyLimit: limit)
            do {
                let reply = try await client.announce(Self.request)
                #expect(accepted && reply.interval == 60, "limit \(limit)")
            } catch {
                #expect(!accepted && error == .tooLarge(limit: limit), "limit \(limit): \(error)")
            }
            await server.close()
        }
    }

    @Test func targetsAreParsedWithoutReencodingTheQuery() throws {
        let t = try TrackerHTTP.Target("http://tracker.example:6969/announce?info_hash=%12%34&x=~")
        #expect([t.host, "\(t.port)", t.authority, t.path]
                    == ["tracker.example", "6969", "tracker.example:6969", "/announce?info_hash=%12%34&x=~"])
        let v6 = try TrackerHTTP.Target("http://[::1]:7000?a=1")
        #expect([v6.host, "\(v6.port)", v6.authority, v6.path] == ["::1", "7000", "[::1]:7000", "/?a=1"])
        #expect(try TrackerHTTP.Target("http://t").port == 80)
        #expect(throws: TrackerClient.Failure.self) { try TrackerHTTP.Target("udp://t:80/announce") }
        #expect(throws: TrackerClient.Failure.self) { try TrackerHTTP.Target("http://t:99999/") }
    }
}
