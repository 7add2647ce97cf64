/// The bookkeeping around the chokers that the simulator's peers and the real client share, so both run
/// one rule: the leecher choker while downloading and the seed choker once complete; the optimistic slot
/// rotates every `optimisticInterval / rechokeInterval` periodic rounds (every third, by default) and is
/// otherwise kept; and a rechoke between rounds (a slot came free) neither counts as a round nor rotates.
public struct ChokeRounds: Sendable, Equatable {
    /// Periodic rechokes so far.
    public private(set) var round = 0
    /// The connection holding the optimistic slot, if any.
    public private(set) var optimistic: Int?

    public init() {}

    /// One rechoke. Returns nil when there is no candidate (a periodic round still counts).
    /// - Parameter periodic: true for the rechoke every `rechokeInterval`, false for one between rounds.
    public mutating func decide<R: RandomNumberGenerator>(
        _ candidates: [ChokeCandidate], now: Int64, periodic: Bool, isSeed: Bool,
        leecher: LeecherChoker, seed: SeedChoker, using rng: inout R
    ) -> ChokeDecision? {
        var rotate = false
        if periodic {
            let settings = isSeed ? seed.settings : leecher.settings
            let roundsPerRotation = max(1, Int(settings.optimisticInterval / settings.rechokeInterval))
            rotate = round % roundsPerRotation == 0
            round += 1
        }
        guard !candidates.isEmpty else { return nil }
        let decision = isSeed
            ? seed.decide(candidates, now: now, currentOptimistic: optimistic, rotateOptimistic: rotate, using: &rng)
            : leecher.decide(candidates, now: now, currentOptimistic: optimistic, rotateOptimistic: rotate, using: &rng)
        optimistic = decision.optimistic
        return decision
    }

    /// The connection was choked or closed outside a rechoke: it no longer holds the optimistic slot.
    public mutating func released(_ id: Int) {
        if optimistic == id { optimistic = nil }
    }
}
