import NIOCore
import Testing
@testable import BitTorrentClient
import WireProtocol

/// Peer addresses print as "127.0.0.1:52716" / "[::1]:52716", never as SwiftNIO's
/// "[IPv4]127.0.0.1/127.0.0.1:52716".
@Suite struct AddressTextTests {
    @Test func socketAddressesPrintAsHostColonPort() throws {
        #expect(try SocketAddress(ipAddress: "127.0.0.1", port: 52_716).hostPortText == "127.0.0.1:52716")
        #expect(try SocketAddress(ipAddress: "::1", port: 52_716).hostPortText == "[::1]:52716")
        #expect(try SocketAddress(ipAddress: "fe80::1", port: 80).hostPortText == "[fe80::1]:80")
    }

    @Test func trackerPeersPrintTheSameWay() {
        #expect(AnnounceReply.PeerAddress(host: "10.0.0.2", port: 6881).description == "10.0.0.2:6881")
        #expect(AnnounceReply.PeerAddress(host: "::1", port: 6881).description == "[::1]:6881")
    }

    /// The seed logs the leecher that connected to it (an address it never dialled) in the same form.
    @Test func anIncomingConnectionIsLoggedAsHostColonPort() async throws {
        let t = try SessionTests.LocalTorrent(bytes: 65_536)
        let (_, seedAddress) = try await t.session("seed", holding: t.data)
        let (leecher, _) = try await t.session("leecher", holding: nil)
        leecher.addPeers([seedAddress])
        let deadline = ContinuousClock.now + .seconds(10)
        while !t.events.text.contains("seed: connected to"), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        let log = t.events.text
        await t.close()
        let line = log.split(separator: "\n").first { $0.hasPrefix("seed: connected to ") }
        #expect(line?.hasPrefix("seed: connected to 127.0.0.1:") == true, "\(log)")
        #expect(!log.contains("[IPv4]"), "\(log)")
    }
}
