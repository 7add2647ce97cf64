import Testing
@testable import BitTorrentClient
import WireProtocol

/// What the announcer tells its log: every answer of the tracker (p2pclient's --verbose prints these).
@Suite struct TrackerAnnouncerTests {
    @Test func everyAnswerOfTheTrackerIsLogged() async throws {
        let torrent = try SessionTests.LocalTorrent(bytes: 65_536)
        let (session, _) = try await torrent.session("leech", holding: nil)
        // Two peers on closed ports of 127.0.0.1: the session's dials to them fail at once.
        let body = Array("d8:intervali1800e5:peers12:".utf8) + [127, 0, 0, 1, 0, 1, 127, 0, 0, 1, 0, 2] + Array("e".utf8)
        let server = try await ScriptedHTTPServer(.reply(Array("HTTP/1.1 200 OK\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body))
        let lines = SessionTests.LocalTorrent.Events()
        let announcer = TrackerAnnouncer(client: TrackerClient(announceURL: server.url, timeout: 5), session: session, port: 7000,
                                         report: { lines.add("report: \($0)") }, log: { lines.add($0) })
        let interval = try await announcer.announce(.started)
        try await announcer.announce(nil)
        await server.close()
        await torrent.close()
        #expect(interval == 1800)
        #expect(lines.lines.withLock { $0 } == ["tracker (started): 2 peers, interval 1800 s", "tracker: 2 peers, interval 1800 s"])
    }

    @Test func logLinesNameTheEvent() {
        #expect(TrackerAnnouncer.name(.stopped) == "tracker (stopped)")
        #expect(TrackerAnnouncer.name(nil) == "tracker")
    }
}
