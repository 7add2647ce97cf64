import Testing
@testable import BitTorrentClient

@Suite struct PeerTallyTests {
    /// Bytes add up per peer id across reconnections, listed in the order peers were first counted.
    @Test func countsPerPeerInFirstSeenOrder() {
        var tally = PeerTally()
        let a = Array(repeating: UInt8(1), count: 20), b = Array(repeating: UInt8(2), count: 20)
        tally.add(peerID: b, received: 100)
        tally.add(peerID: a, sent: 7)
        tally.add(peerID: b, received: 50, sent: 3)
        #expect(tally.entries == [PeerTally.Entry(peerID: b, received: 150, sent: 3), PeerTally.Entry(peerID: a, received: 0, sent: 7)])
        #expect(tally.uncounted == (0, 0))
    }

    /// A swarm inventing peer ids fills at most `capacity` entries; the rest is counted under no id.
    @Test func staysBoundedAgainstEndlessPeerIDs() {
        var tally = PeerTally()
        for i in 0..<(PeerTally.capacity + 500) {
            tally.add(peerID: withUnsafeBytes(of: UInt64(i).littleEndian) { Array($0) } + Array(repeating: 0, count: 12), received: 1)
        }
        #expect(tally.entries.count == PeerTally.capacity)
        #expect(tally.uncounted.received == 500)
    }
}
