import Testing
@testable import Strategy

/// The glue around the strategies that the simulator and p2pclient share: the rolling window, the
/// pipeline sized from it, the request timeout and the free-slot rule.
@Suite struct TransferWindowTests {
    let second: Int64 = 1_000_000_000

    @Test func theWindowHoldsTwoPeriodsAndRolls() {
        var w = TransferWindow()
        w.add(1_000)
        w.add(500, inPreviousPeriod: true)  // a transfer that ended before the last rechoke
        #expect(w.current == 1_000 && w.previous == 500 && w.bytes == 1_500)
        w.roll()
        #expect(w.current == 0 && w.previous == 1_000)
        w.add(3_000)
        // The chokers' rate: over the whole 20 s, whatever the connection's age.
        #expect(w.chokerRate(rechokeInterval: 10 * second) == 200)
        // The delivered rate: over the time the window has covered the connection.
        #expect(w.deliveredRate(now: 20 * second, windowStart: 0, connectedAt: 16 * second) == 1_000)
        #expect(w.deliveredRate(now: 20 * second, windowStart: 10 * second, connectedAt: 0) == 400)
        #expect(TransferWindow(current: 5).deliveredRate(now: 3, windowStart: 3, connectedAt: 3) == 5_000,
                "at least a millisecond")
    }

    @Test func thePipelineFollowsTheDeliveredRate() {
        let pipeline = RequestPipeline.standard
        let received = TransferWindow(current: 2_000_000)  // 2 MB in the last 10 s: 200 kB/s
        let depth = pipeline.depth(received: received, now: 20 * second, windowStart: 10 * second, connectedAt: 0,
                                   blockBytes: 16_384)
        #expect(depth == 37, "3 s of 200 kB/s in 16 KiB blocks")
        #expect(pipeline.depth(received: TransferWindow(), now: 20 * second, windowStart: 10 * second, connectedAt: 0,
                               blockBytes: 16_384) == 5, "nothing measured yet: the minimum")
        #expect(pipeline.depth(received: received, now: 20 * second, windowStart: 10 * second, connectedAt: 0,
                               snubbed: true, blockBytes: 16_384) == 1, "a snubbing peer: one at a time")
        let fixed = RequestPipeline(minimum: 5, queueTime: 0)
        #expect(fixed.depth(received: received, now: 20 * second, windowStart: 10 * second, connectedAt: 0,
                            blockBytes: 16_384) == 5)
    }

    @Test func requestsTimeOutAfterAMinuteWithoutABlock() {
        let t = RequestTimeout.standard
        #expect(!RequestTimeout.isOverdue(outstanding: 0, lastBlockAt: nil, unchokedUsAt: nil, connectedAt: 0, now: 10 * t))
        #expect(!RequestTimeout.isOverdue(outstanding: 3, lastBlockAt: nil, unchokedUsAt: nil, connectedAt: 0, now: t))
        #expect(RequestTimeout.isOverdue(outstanding: 3, lastBlockAt: nil, unchokedUsAt: nil, connectedAt: 0, now: t + 1))
        // Counted from the later of the last block and the unchoke.
        #expect(!RequestTimeout.isOverdue(outstanding: 3, lastBlockAt: 5, unchokedUsAt: 30 * second, connectedAt: 0,
                                          now: t + 1))
    }

    @Test func aFreeSlotIsGivenAtOnceOnlyWhenFillingIsOn() {
        let rounds = ChokeRounds(settings: .standard, capacity: nil)
        #expect(rounds.givesFreeSlotAtOnce(unchoked: 4, isSeed: false, .standard))
        #expect(!rounds.givesFreeSlotAtOnce(unchoked: 5, isSeed: false, .standard))
        #expect(!rounds.givesFreeSlotAtOnce(unchoked: 0, isSeed: false, ChokeSettings(fillFreeSlots: false)))
        #expect(ChokeCandidate.takesPart(interested: false, unchoked: true))
        #expect(!ChokeCandidate.takesPart(interested: false, unchoked: false))
    }
}
