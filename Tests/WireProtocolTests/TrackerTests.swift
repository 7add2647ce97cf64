import Testing
@testable import WireProtocol

@Suite struct TrackerTests {
    @Test func announceURLEncodesBinaryValuesByteByByte() {
        let request = AnnounceRequest(infoHash: [0x12, 0x34, 0x56, 0x78, 0x9A, 0xBC, 0xDE, 0xF1, 0x23, 0x45, 0x67, 0x89,
                                                 0xAB, 0xCD, 0xEF, 0x12, 0x34, 0x56, 0x78, 0x9A],
                                      peerID: Array("-PS0001-abcdefgh~._-".utf8), port: 6881, left: 1000, event: .started)
        #expect(request.url(announce: "http://127.0.0.1:6969/announce") ==
            "http://127.0.0.1:6969/announce?info_hash=%124Vx%9A%BC%DE%F1%23Eg%89%AB%CD%EF%124Vx%9A"
            + "&peer_id=-PS0001-abcdefgh~._-&port=6881&uploaded=0&downloaded=0&left=1000&compact=1&numwant=50&event=started")
        #expect(request.url(announce: "http://t/a?key=1").hasPrefix("http://t/a?key=1&info_hash="))
    }

    @Test func compactAndDictionaryPeerListsAndFailures() throws {
        let compact = Array("d8:intervali1800e5:peers12:".utf8) + [127, 0, 0, 1, 0x1A, 0xE1, 10, 0, 0, 2, 0, 80] + Array("e".utf8)
        #expect(try AnnounceReply.parse(compact) == .peers(interval: 1800, peers: [
            .init(host: "127.0.0.1", port: 6881), .init(host: "10.0.0.2", port: 80),
        ]))
        let list = Array("d8:intervali60e5:peersld2:ip9:127.0.0.14:porti7000eeee".utf8)
        #expect(try AnnounceReply.parse(list) == .peers(interval: 60, peers: [.init(host: "127.0.0.1", port: 7000)]))
        #expect(try AnnounceReply.parse(Array("d14:failure reason9:not founde".utf8)) == .failure("not found"))
    }

    @Test func malformedAnswersAreReportedNotTrusted() {
        #expect(throws: AnnounceReply.Problem.malformed("no valid interval")) { try AnnounceReply.parse(Array("d5:peers0:e".utf8)) }
        #expect(throws: AnnounceReply.Problem.malformed("compact peers of 5 bytes (not a multiple of 6)")) {
            try AnnounceReply.parse(Array("d8:intervali5e5:peers5:abcdee".utf8))
        }
        #expect(throws: AnnounceReply.Problem.self) { try AnnounceReply.parse(Array("<html>502</html>".utf8)) }
    }

    @Test func hostPortBracketsIPv6Only() {
        #expect(hostPort("127.0.0.1", 52_716) == "127.0.0.1:52716")
        #expect(hostPort("tracker.example", 80) == "tracker.example:80")
        #expect(hostPort("::1", 52_716) == "[::1]:52716")
        #expect(hostPort("[::1]", 52_716) == "[::1]:52716")  // already bracketed (as --peer [::1]:port gives it)
    }

    @Test func backoffDoublesUpToItsMaximum() {
        var b = Backoff(initial: 5, maximum: 60)
        #expect([b.nextDelay(), b.nextDelay(), b.nextDelay(), b.nextDelay(), b.nextDelay()] == [5, 10, 20, 40, 60])
        b.reset()
        #expect(b.nextDelay() == 5)
    }
}

@Suite struct TrackerMinIntervalTests {
    @Test func theMinIntervalIsReadWhenSentAndIgnoredWhenAbsurd() throws {
        let with = Array("d8:intervali1800e12:min intervali60e5:peers0:e".utf8)
        #expect(try AnnounceReply.parse(with) == .peers(interval: 1800, peers: [], minInterval: 60))
        let without = Array("d8:intervali1800e5:peers0:e".utf8)
        #expect(try AnnounceReply.parse(without) == .peers(interval: 1800, peers: [], minInterval: nil))
        let absurd = Array("d8:intervali1800e12:min intervali-5e5:peers0:e".utf8)
        #expect(try AnnounceReply.parse(absurd) == .peers(interval: 1800, peers: [], minInterval: nil))
    }
}
