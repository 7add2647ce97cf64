import TestSupport
import Testing
@testable import SimulationEngine

@Suite struct WaterFillingTests {
    func fill(_ capacity: Double, _ limits: [Double]) -> [Double] {
        var shares: [Double] = []
        var order: [Int32] = []
        WaterFilling.fill(capacity: capacity, limits: limits, shares: &shares, order: &order)
        return shares
    }

    @Test func equalSharesWhenNoLimitBinds() {
        #expect(fill(100, [50, 60, 1000, 40]) == [25, 25, 25, 25])
    }

    @Test func spareCapacityGoesToThoseWhoCanUseIt() {
        // 100 over limits 10, 20, ∞: 10 and 20 are capped; the third takes the remaining 70.
        #expect(fill(100, [10, 20, .infinity]) == [10, 20, 70])
        // 100 over 10, 45, 45, ∞: 10 is capped, the other three split 90 evenly (30 each, under 45).
        #expect(fill(100, [.infinity, 10, 45, 45]) == [30, 10, 30, 30])
    }

    @Test func everyoneGetsTheirLimitWhenLimitsAddUpToLess() {
        #expect(fill(100, [10, 20, 30]) == [10, 20, 30])
    }

    @Test func randomInstancesAreMaxMinFair() {
        withEverySeed(0..<50) { seed, rng in
            let n = Int(rng.next() % 12) + 1
            let capacity = Double(rng.next() % 1000 + 1)
            let limits = (0..<n).map { _ in Double(rng.next() % 300) }
            let shares = fill(capacity, limits)
            let total = shares.reduce(0, +)
            #expect(total <= capacity * (1 + 1e-12), "seed \(seed)")
            for (share, limit) in zip(shares, limits) { #expect(share <= limit + 1e-9, "seed \(seed)") }
            // Work-conserving: either the capacity is used up or everyone got its limit.
            let everyoneFull = zip(shares, limits).allSatisfy { abs($0 - $1) < 1e-9 }
            #expect(everyoneFull || abs(total - capacity) < 1e-6, "seed \(seed)")
            // Max-min: anyone below its limit gets at least as much as anyone else.
            let level = shares.max() ?? 0
            for (share, limit) in zip(shares, limits) where share < limit - 1e-9 {
                #expect(abs(share - level) < 1e-6, "seed \(seed)")
            }
        }
    }
}

/// Runs `body` once per seed with a repeatable generator; bodies put the seed in their expectations'
/// comments, so a failure names the seed that reproduces it.
func withEverySeed(_ seeds: Range<UInt64>, _ body: (UInt64, inout SplitMix64) -> Void) {
    for seed in seeds {
        var rng = SplitMix64(seed: seed)
        body(seed, &rng)
    }
}
