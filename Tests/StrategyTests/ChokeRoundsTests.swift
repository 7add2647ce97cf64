import Testing
import TestSupport
@testable import Strategy

@Suite struct ChokeRoundsTests {
    let now = 1000 * second
    var rng = SeededRNG(11)

    /// With the defaults (rechoke 10 s, optimistic 30 s) the optimistic slot may move at rounds 0, 3, 6…
    /// only; rechokes between rounds neither count nor rotate.
    @Test mutating func theOptimisticSlotRotatesEveryThirdPeriodicRound() {
        var rounds = ChokeRounds()
        let peers = (0..<12).map { peer($0, rate: $0 < 4 ? 1e6 : 0) }  // 0…3 hold regular slots
        var holders: [Int] = []
        for round in 0..<9 {
            let d = rounds.decide(peers, now: now, periodic: true, isSeed: false, leecher: LeecherChoker(),
                                  seed: SeedChoker(), using: &rng)
            holders.append(try! #require(d?.optimistic))
            if round == 4 {  // a slot came free in between: same optimistic, same round count
                let between = rounds.decide(peers, now: now, periodic: false, isSeed: false, leecher: LeecherChoker(),
                                            seed: SeedChoker(), using: &rng)
                #expect(between?.optimistic == holders.last)
            }
        }
        #expect(rounds.round == 9)
        for r in [1, 2, 4, 5, 7, 8] { #expect(holders[r] == holders[r - 1], "round \(r): \(holders)") }
        #expect(Set([holders[0], holders[3], holders[6]]).count > 1, "never rotated: \(holders)")
        #expect(holders.allSatisfy { $0 >= 4 })
    }

    @Test mutating func aReleasedOptimisticIsReplacedAtTheNextRechoke() {
        var rounds = ChokeRounds()
        let peers = (0..<8).map { peer($0, rate: $0 < 4 ? 1e6 : 0) }
        let first = rounds.decide(peers, now: now, periodic: true, isSeed: false, leecher: LeecherChoker(),
                                  seed: SeedChoker(), using: &rng)
        let holder = try! #require(first?.optimistic)
        rounds.released(holder)
        #expect(rounds.optimistic == nil)
        let others = peers.filter { $0.id != holder }
        let next = rounds.decide(others, now: now, periodic: false, isSeed: false, leecher: LeecherChoker(),
                                 seed: SeedChoker(), using: &rng)
        #expect(next?.optimistic != nil && next?.optimistic != holder)
    }

    /// A seed decides with the seed choker: fastest-upload ranks by what we send, and a leecher's choker
    /// would have ranked the same candidates by what they send us (here all equal).
    @Test mutating func aSeedUsesTheSeedChoker() {
        var rounds = ChokeRounds()
        let peers = (0..<6).map { peer($0, rate: Double($0)) }
        let seed = SeedChoker(algorithm: .fastestUpload, settings: ChokeSettings(optimisticUnchoke: false))
        let d = rounds.decide(peers, now: now, periodic: true, isSeed: true, leecher: LeecherChoker(), seed: seed, using: &rng)
        #expect(d?.unchoked == [2, 3, 4, 5])
        #expect(rounds.decide([], now: now, periodic: true, isSeed: true, leecher: LeecherChoker(), seed: seed,
                              using: &rng) == nil)
        #expect(rounds.round == 2)
    }
}
