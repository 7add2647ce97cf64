/// The bookkeeping around the chokers that the simulator's peers and the real client share, so both run
/// one rule: the leecher choker while downloading and the seed choker once complete; the optimistic slot
/// rotates every `optimisticInterval / rechokeInterval` periodic rounds (every third, by default) and is
/// otherwise kept; a rechoke between rounds (a slot came free) neither counts as a round nor rotates; and
/// the number of regular slots follows `UploadSlots`.
public struct ChokeRounds: Sendable, Equatable {
    /// Periodic rechokes so far.
    public private(set) var round = 0
    /// The connection holding the optimistic slot, if any.
    public private(set) var optimistic: Int?
    /// The regular slots.
    public private(set) var slots: UploadSlots

    /// - Parameter capacity: the node's upload capacity, bytes per second; nil when unknown (the slots
    ///   stay at `settings.uploadSlots`).
    public init(settings: ChokeSettings = .standard, capacity: Double? = nil) {
        slots = UploadSlots(settings: settings, capacity: capacity)
    }

    /// One rechoke. Returns nil when there is no candidate (a periodic round still counts).
    /// - Parameters:
    ///   - periodic: true for the rechoke every `rechokeInterval`, false for one between rounds.
    ///   - sentInPeriod: for a periodic round, the bytes the node uploaded in the period just ended.
    public mutating func decide<R: RandomNumberGenerator>(
        _ candidates: [ChokeCandidate], now: Int64, periodic: Bool, isSeed: Bool, sentInPeriod: Double = 0,
        leecher: LeecherChoker, seed: SeedChoker, using rng: inout R
    ) -> ChokeDecision? {
        var rotate = false
        var leecher = leecher, seed = seed
        let settings = isSeed ? seed.settings : leecher.settings
        if periodic {
            let roundsPerRotation = max(1, Int(settings.optimisticInterval / settings.rechokeInterval))
            rotate = round % roundsPerRotation == 0
            // Both sides rechoke first one interval after they start, so every round ends a whole period.
            slots.periodEnded(sentBytes: sentInPeriod, period: settings.rechokeInterval,
                              someoneWaits: candidates.contains { $0.interested && !$0.unchoked }, settings: settings)
            round += 1
        }
        guard !candidates.isEmpty else { return nil }
        let decision: ChokeDecision
        if isSeed {
            seed.settings.uploadSlots = slots.regular(isSeed: true, settings)
            decision = seed.decide(candidates, now: now, currentOptimistic: optimistic, rotateOptimistic: rotate, using: &rng)
        } else {
            leecher.settings.uploadSlots = slots.regular(isSeed: false, settings)
            decision = leecher.decide(candidates, now: now, currentOptimistic: optimistic, rotateOptimistic: rotate, using: &rng)
        }
        optimistic = decision.optimistic
        return decision
    }

    /// The most peers the node unchokes at once (regular and optimistic): a slot that comes free between
    /// rounds is given away only below it.
    public func slotLimit(isSeed: Bool, _ settings: ChokeSettings) -> Int { slots.limit(isSeed: isSeed, settings) }

    /// A partner became interested between rechokes: whether it gets a slot at once (a free one, with
    /// `fillFreeSlots`) rather than waiting for the next rechoke. A slot freed by a partner that lost
    /// interest or left is given away by a rechoke between rounds, with `fillFreeSlots` too.
    public func givesFreeSlotAtOnce(unchoked: Int, isSeed: Bool, _ settings: ChokeSettings) -> Bool {
        settings.fillFreeSlots && unchoked < slotLimit(isSeed: isSeed, settings)
    }

    /// The connection was choked or closed outside a rechoke: it no longer holds the optimistic slot.
    public mutating func released(_ id: Int) {
        if optimistic == id { optimistic = nil }
    }
}
