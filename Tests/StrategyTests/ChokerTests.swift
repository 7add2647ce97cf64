import Testing
import TestSupport
@testable import Strategy

let second: Int64 = 1_000_000_000

/// A candidate: id, interested, rate; connected long ago, heard from recently.
func peer(_ id: Int, interested: Bool = true, rate: Double = 0, connectedAt: Int64 = 0, lastBlock: Int64? = 995 * second,
          unchoked: Bool = false, unchokedAt: Int64? = nil) -> ChokeCandidate {
    ChokeCandidate(id: id, interested: interested, rate: rate, connectedAt: connectedAt, lastBlockReceivedAt: lastBlock,
                   unchoked: unchoked, unchokedAt: unchokedAt)
}

@Suite struct LeecherChokerTests {
    let now = 1000 * second
    var rng = SeededRNG(3)

    @Test mutating func unchokesTheBestUploadersAndOneOptimistic() {
        let peers = (0..<10).map { peer($0, rate: Double($0) * 1000) }
        let d = LeecherChoker().decide(peers, now: now, currentOptimistic: nil, rotateOptimistic: true, using: &rng)
        let optimistic = try! #require(d.optimistic)
        #expect(Set(d.unchoked) == Set([9, 8, 7, 6, optimistic]))
        #expect(optimistic < 6)
    }

    @Test mutating func uninterestedAndSnubbingPeersGetNoRegularSlot() {
        let peers = [
            peer(1, interested: false, rate: 9e9),
            peer(2, rate: 8e9, lastBlock: now - 61 * second),  // snubbing: nothing for 61 s
            peer(3, rate: 1), peer(4, rate: 2),
        ]
        let d = LeecherChoker(settings: ChokeSettings(optimisticUnchoke: false)).decide(
            peers, now: now, currentOptimistic: nil, rotateOptimistic: true, using: &rng)
        #expect(d.unchoked == [3, 4] && d.optimistic == nil)
    }

    @Test mutating func theOptimisticSlotStaysUntilRotation() {
        let peers = (0..<8).map { peer($0, rate: Double($0)) }
        let d = LeecherChoker().decide(peers, now: now, currentOptimistic: 1, rotateOptimistic: false, using: &rng)
        #expect(d.optimistic == 1 && d.unchoked == [1, 4, 5, 6, 7])
    }

    @Test func newcomersAreThreeTimesAsLikelyToBeOptimisticallyUnchoked() {
        // 1 newcomer among 4 choked candidates: expected share 3 / (3 + 3) = 1/2 rather than 1/4.
        var hits = 0
        let trials = 4000
        var rng = SeededRNG(11)
        let now = 1000 * second
        let peers = [peer(0, connectedAt: now - 5 * second, lastBlock: nil), peer(1), peer(2), peer(3)]
        let choker = LeecherChoker(settings: ChokeSettings(uploadSlots: 0))
        for _ in 0..<trials where choker.decide(peers, now: now, currentOptimistic: nil, rotateOptimistic: true, using: &rng).optimistic == 0 {
            hits += 1
        }
        #expect(abs(Double(hits) / Double(trials) - 0.5) < 0.03)
    }
}

@Suite struct SeedChokerTests {
    let now = 1000 * second
    var rng = SeededRNG(4)

    @Test mutating func fastestUploadServesTheFastest() {
        let peers = (0..<8).map { peer($0, rate: Double($0)) }
        let d = SeedChoker(algorithm: .fastestUpload, settings: ChokeSettings(optimisticUnchoke: false))
            .decide(peers, now: now, currentOptimistic: nil, rotateOptimistic: true, using: &rng)
        #expect(d.unchoked == [4, 5, 6, 7])
    }

    @Test mutating func roundRobinRotatesAfterAnInterval() {
        let s = ChokeSettings(uploadSlots: 2, optimisticUnchoke: false)
        let peers = [
            peer(0, unchoked: true, unchokedAt: now - 40 * second),  // served 40 s: yields
            peer(1, unchoked: true, unchokedAt: now - 10 * second),  // served 10 s: keeps its slot
            peer(2, unchokedAt: now - 100 * second),  // waited since 100 s ago
            peer(3),  // never served: first in line
        ]
        let d = SeedChoker(algorithm: .roundRobin, settings: s).decide(peers, now: now, currentOptimistic: nil, rotateOptimistic: true, using: &rng)
        #expect(d.unchoked == [1, 3])
    }

    @Test mutating func randomPicksOnlyInterestedPeers() {
        let peers = (0..<6).map { peer($0, interested: $0 % 2 == 0) }
        let d = SeedChoker(algorithm: .random, settings: ChokeSettings(optimisticUnchoke: false))
            .decide(peers, now: now, currentOptimistic: nil, rotateOptimistic: true, using: &rng)
        #expect(d.unchoked == [0, 2, 4])
    }
}

@Suite struct TopRankedTests {
    /// Against a stable sort of every candidate by (key descending, draw ascending): the same candidates in
    /// the same order, and the generator left in the same state (one draw per candidate, whatever `count`).
    @Test func keepsTheBestInOrderAndDrawsOncePerCandidate() {
        for seed in UInt64(0)..<300 {
            var setup = SeededRNG(seed)
            let n = Int(setup.next() % 40)
            // Few distinct rates, so ties are common; a few draws repeat too (the rng below is replayed).
            let peers = (0..<n).map { peer($0, rate: Double(setup.next() % 4) * 1000) }
            let count = Int(setup.next() % 8)
            var rng = SeededRNG(seed &* 31 &+ 7), replay = rng
            let top = topRanked(peers, count: count, by: \.rate, using: &rng)
            let keyed = peers.map { ($0, $0.rate, replay.next()) }
            let sorted = keyed.enumerated().sorted { a, b in
                let (x, y) = (a.element, b.element)
                if x.1 != y.1 { return x.1 > y.1 }
                if x.2 != y.2 { return x.2 < y.2 }
                return a.offset < b.offset
            }
            #expect(top == sorted.prefix(count).map(\.element.0.id), "seed \(seed)")
            #expect(rng.next() == replay.next(), "seed \(seed): draws differ")
            // Only the eligible candidates rank, and only they draw: as if the others were filtered out first.
            var a = SeededRNG(seed &+ 1), b = a
            let odd = topRanked(peers, count: count, where: { $0.id % 2 == 1 }, by: \.rate, using: &a)
            let filtered = topRanked(peers.filter { $0.id % 2 == 1 }, count: count, by: \.rate, using: &b)
            #expect(odd == filtered && a.next() == b.next(), "seed \(seed): eligibility")
        }
    }

    @Test func equalKeysAndDrawsKeepTheCandidatesOrder() {
        struct Constant: RandomNumberGenerator { mutating func next() -> UInt64 { 42 } }
        var rng = Constant()
        let peers = (0..<6).map { peer($0, rate: $0 == 4 ? 9 : 1) }
        #expect(topRanked(peers, count: 3, by: \.rate, using: &rng) == [4, 0, 1])
    }
}
