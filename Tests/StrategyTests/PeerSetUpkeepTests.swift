import Testing
@testable import Strategy

@Suite struct PeerSetUpkeepTests {
    let upkeep = PeerSetUpkeep(settings: PeerSetUpkeep.Settings(
        interval: 5 * second, minAnnounceInterval: 60 * second, stallTimeout: 60 * second, uselessAfter: 60 * second,
        reannounceBelow: 3, maxConnections: 5))
    let now = 1000 * second

    func partner(_ id: Int, seed: Bool = false, we: Bool = false, they: Bool = false, uselessSince: Int64? = nil,
                 established: Bool = true) -> PeerSetUpkeep.Partner {
        PeerSetUpkeep.Partner(id: id, established: established, partnerIsSeed: seed, weAreInterested: we,
                              theyAreInterested: they, uselessSince: uselessSince)
    }

    func leecher(receivedAt: Int64? = nil, announcedAt: Int64? = nil) -> PeerSetUpkeep.Node {
        PeerSetUpkeep.Node(isSeed: false, now: now, lastReceivedAt: receivedAt ?? now, lastAnnounceAt: announcedAt)
    }

    @Test func aSeedClosesItsConnectionsToSeedsOnly() {
        let node = PeerSetUpkeep.Node(isSeed: true, now: now, lastReceivedAt: 0, lastAnnounceAt: now - 10 * second)
        let d = upkeep.decide(node, partners: [partner(1, seed: true), partner(2, they: true), partner(3, seed: true)])
        #expect(d.close == [1, 3])
        #expect(d.need == nil)  // partner 2 wants what it has
    }

    @Test func aSeedNobodyWantsAnythingFromSeeksPeersWhenTheTrackerAllows() {
        let node = PeerSetUpkeep.Node(isSeed: true, now: now, lastReceivedAt: 0, lastAnnounceAt: now - 10 * second)
        let d = upkeep.decide(node, partners: [partner(1, seed: true)])
        #expect(d.close == [1] && d.need == .nobodyWantsWhatWeHave)
        #expect(d.announceAt == now + 50 * second)  // the min interval since the last announce
    }

    @Test func aLeecherNoPartnerCanHelpSeeksPeersAtOnceOrAtTheMinInterval() {
        let partners = (1...4).map { partner($0, they: true) }  // they want ours; we want none of theirs
        let early = upkeep.decide(leecher(announcedAt: now - 20 * second), partners: partners)
        #expect(early.need == .nobodyHasWhatWeLack)
        #expect(early.announceAt == now + 40 * second)  // deferred, not dropped
        let late = upkeep.decide(leecher(announcedAt: now - 90 * second), partners: partners)
        #expect(late.announceAt == now)
        #expect(late.close.isEmpty)  // room left in the peer set: nothing needs closing
    }

    @Test func aLeecherChokedEverywhereForTheStallTimeoutSeeksPeers() {
        let partners = (1...4).map { partner($0, we: true) }
        #expect(upkeep.decide(leecher(receivedAt: now - 59 * second), partners: partners).need == nil)
        #expect(upkeep.decide(leecher(receivedAt: now - 60 * second), partners: partners).need == .chokedEverywhere)
    }

    @Test func fewConnectionsAreANeedButHandshakesInProgressAreNot() {
        #expect(upkeep.decide(leecher(), partners: [partner(1, we: true)]).need == .fewConnections)
        let shaking = (1...4).map { partner($0, established: false) }
        #expect(upkeep.decide(leecher(), partners: shaking).need == nil)
    }

    @Test func aStalledLeecherWithAFullPeerSetClosesOnlyLongUselessConnections() {
        let partners = [partner(1, uselessSince: now - 61 * second), partner(2, uselessSince: now - 30 * second),
                        partner(3, uselessSince: now - 90 * second), partner(4, they: true), partner(5, they: true)]
        let d = upkeep.decide(leecher(announcedAt: now - 90 * second), partners: partners)
        #expect(d.need == .nobodyHasWhatWeLack)
        #expect(d.close == [1, 3])
        // The same peer set with a partner worth having: no need, nothing closed.
        var useful = partners
        useful[3].weAreInterested = true
        #expect(upkeep.decide(leecher(), partners: useful) == PeerSetUpkeep.Decision())
    }
}
