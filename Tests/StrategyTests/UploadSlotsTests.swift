import Testing
@testable import Strategy

@Suite struct UploadSlotsTests {
    let settings = ChokeSettings.standard
    let period = ChokeSettings.standard.rechokeInterval
    /// 1 MB/s: 10 MB in a 10-s period.
    let capacity = 1_000_000.0

    @Test func aLeecherOpensASlotWhileItsUploadIdlesAndSomeoneWaits() {
        var slots = UploadSlots(settings: settings, capacity: capacity)
        #expect(slots.regular(isSeed: false, settings) == 4 && slots.limit(isSeed: false, settings) == 5)
        slots.periodEnded(sentBytes: 8_900_000, period: period, someoneWaits: false, settings: settings)
        #expect(slots.opened == 4, "nobody to serve: no new slot")
        slots.periodEnded(sentBytes: 8_900_000, period: period, someoneWaits: true, settings: settings)
        #expect(slots.opened == 5)
        slots.periodEnded(sentBytes: 9_200_000, period: period, someoneWaits: true, settings: settings)
        #expect(slots.opened == 5, "between 90 % and 95 %: kept")
        slots.periodEnded(sentBytes: 9_600_000, period: period, someoneWaits: true, settings: settings)
        slots.periodEnded(sentBytes: 10_000_000, period: period, someoneWaits: true, settings: settings)
        #expect(slots.opened == 4, "saturated: back to the configured number, and no lower")
    }

    @Test func withoutACapacityOrWithExpansionOffTheSlotsAreFixed() {
        var unknown = UploadSlots(settings: settings, capacity: nil)
        unknown.periodEnded(sentBytes: 0, period: period, someoneWaits: true, settings: settings)
        #expect(unknown.regular(isSeed: true, settings) == 4)
        let fixed = ChokeSettings(expandSlots: false)
        var off = UploadSlots(settings: fixed, capacity: 12_500_000)
        off.periodEnded(sentBytes: 0, period: period, someoneWaits: true, settings: fixed)
        #expect(off.regular(isSeed: true, fixed) == 4)
    }

    /// The mainline client's table: 2, 3 and 4 slots below 9, 15 and 42 KiB/s, then ⌊√(0.6 × KiB/s)⌋.
    @Test func aSeedTakesTheMainlineClientsSlotsForItsRate() {
        #expect(UploadSlots.mainline(capacity: 8 * 1024) == 2)
        #expect(UploadSlots.mainline(capacity: 14 * 1024) == 3)
        #expect(UploadSlots.mainline(capacity: 20 * 1024) == 4)
        #expect(UploadSlots.mainline(capacity: 200 * 1024) == 10)
        let seed = UploadSlots(settings: settings, capacity: 100e6 / 8)  // 100 Mbps
        #expect(seed.regular(isSeed: true, settings) == 85)
        #expect(seed.regular(isSeed: false, settings) == 4, "a leecher keeps tit-for-tat's four")
    }

    /// Through `ChokeRounds`: a seed at 100 Mbps unchokes seven interested peers at once; a leecher four and
    /// the optimistic one.
    @Test func chokeRoundsUseTheSlots() {
        var rng = SystemRandomNumberGenerator()
        let peers = (0..<7).map { ChokeCandidate(id: $0, interested: true, rate: 1000, connectedAt: 0) }
        var seed = ChokeRounds(settings: settings, capacity: 100e6 / 8)
        let served = seed.decide(peers, now: period, periodic: true, isSeed: true, sentInPeriod: 0,
                                 leecher: LeecherChoker(), seed: SeedChoker(), using: &rng)
        #expect(served?.unchoked.count == 7)
        var leecher = ChokeRounds(settings: settings, capacity: 100e6 / 8)
        let traded = leecher.decide(peers, now: period, periodic: true, isSeed: false, sentInPeriod: 125_000_000,
                                    leecher: LeecherChoker(), seed: SeedChoker(), using: &rng)
        #expect(traded?.unchoked.count == 5)
        #expect(leecher.slotLimit(isSeed: false, settings) == 5 && seed.slotLimit(isSeed: true, settings) == 86)
    }
}
