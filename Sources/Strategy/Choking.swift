/// What a choker knows about one connection at a rechoke: plain values, gathered by the caller.
public struct ChokeCandidate: Sendable, Equatable {
    /// The caller's handle for the connection; returned in decisions.
    public var id: Int
    /// The remote peer wants to download from us.
    public var interested: Bool
    /// Bytes per second over the last 20 s: what the remote sent us (leecher choker) or what we sent it
    /// (seed choker).
    public var rate: Double
    /// When the connection was made (simulated or real nanoseconds, the caller's clock).
    public var connectedAt: Int64
    /// When the remote last sent us a block; nil if never.
    public var lastBlockReceivedAt: Int64?
    /// We currently unchoke it.
    public var unchoked: Bool
    /// When we last unchoked it (start of its current or latest slot); nil if never.
    public var unchokedAt: Int64?

    /// Whether a connection takes part in a rechoke: its peer is interested, or it holds a slot (which the
    /// rechoke may take back).
    public static func takesPart(interested: Bool, unchoked: Bool) -> Bool { interested || unchoked }

    public init(id: Int, interested: Bool, rate: Double, connectedAt: Int64, lastBlockReceivedAt: Int64? = nil,
                unchoked: Bool = false, unchokedAt: Int64? = nil) {
        self.id = id
        self.interested = interested
        self.rate = rate
        self.connectedAt = connectedAt
        self.lastBlockReceivedAt = lastBlockReceivedAt
        self.unchoked = unchoked
        self.unchokedAt = unchokedAt
    }
}

/// The settings both chokers share. Times in nanoseconds.
public struct ChokeSettings: Sendable, Equatable {
    /// Regular unchoke slots (BitTorrent: 4).
    public var uploadSlots: Int
    /// Whether one extra slot goes to an optimistic unchoke.
    public var optimisticUnchoke: Bool
    public var rechokeInterval: Int64
    public var optimisticInterval: Int64
    /// A peer that has sent us nothing for this long is snubbing us and loses its regular slot.
    public var snubTimeout: Int64
    /// How much more likely a connection younger than `optimisticInterval` is to get the optimistic slot.
    public var newcomerWeight: Int
    /// Open more regular slots while the upload runs below 90 % of capacity, and give a seed the mainline
    /// client's slots for its rate (see `UploadSlots`).
    public var expandSlots: Bool
    /// Give a slot that comes free between rechokes away at once (libtorrent), rather than at the next
    /// rechoke (Cohen's original client): see `ChokeRounds.givesFreeSlotAtOnce`.
    public var fillFreeSlots: Bool

    /// BitTorrent's usual settings (Cohen 2003; the mainline client), with libtorrent's slot expansion.
    public static let standard = ChokeSettings()

    public init(uploadSlots: Int = 4, optimisticUnchoke: Bool = true, rechokeInterval: Int64 = 10_000_000_000,
                optimisticInterval: Int64 = 30_000_000_000, snubTimeout: Int64 = 60_000_000_000, newcomerWeight: Int = 3,
                expandSlots: Bool = true, fillFreeSlots: Bool = true) {
        self.uploadSlots = uploadSlots
        self.optimisticUnchoke = optimisticUnchoke
        self.rechokeInterval = rechokeInterval
        self.optimisticInterval = optimisticInterval
        self.snubTimeout = snubTimeout
        self.newcomerWeight = newcomerWeight
        self.expandSlots = expandSlots
        self.fillFreeSlots = fillFreeSlots
    }
}

/// A rechoke's outcome: the connections to unchoke (every other one is choked), sorted by id, and which
/// of them holds the optimistic slot.
public struct ChokeDecision: Sendable, Equatable {
    public var unchoked: [Int]
    public var optimistic: Int?

    public init(unchoked: [Int], optimistic: Int?) {
        self.unchoked = unchoked
        self.optimistic = optimistic
    }
}

/// The optimistic unchoke, shared by both chokers: keep the current one until it is time to rotate (or it
/// is gone, uninterested, or now holds a regular slot), then pick a random choked, interested peer, with
/// connections younger than one optimistic interval `newcomerWeight` times as likely (Cohen 2003: three
/// times), so newcomers get a first piece to trade.
enum OptimisticUnchoke {
    /// - Parameter regular: the ids of the regular unchokes (a handful: searched in order).
    static func choose<R: RandomNumberGenerator>(
        _ candidates: [ChokeCandidate], regular: [Int], current: Int?, rotate: Bool, now: Int64,
        settings: ChokeSettings, using rng: inout R
    ) -> Int? {
        guard settings.optimisticUnchoke else { return nil }
        if !rotate, let current, !regular.contains(current),
           candidates.contains(where: { $0.id == current && $0.interested }) {
            return current
        }
        // Two passes over the candidates rather than a list of weights: a rechoke runs millions of times in
        // a swarm, and the list was an allocation each time.
        func weight(_ c: ChokeCandidate) -> Int {
            guard c.interested, !regular.contains(c.id) else { return 0 }
            return now - c.connectedAt < settings.optimisticInterval ? settings.newcomerWeight : 1
        }
        var total = 0
        for c in candidates { total += weight(c) }
        guard total > 0 else { return nil }
        var k = Int.random(in: 0..<total, using: &rng)
        for c in candidates {
            let w = weight(c)
            if k < w { return c.id }
            k -= w
        }
        return nil
    }
}

/// The ids of the `count` candidates of highest key among those `isEligible` accepts, highest first, ties
/// broken at random: every eligible candidate draws a fresh random tie-breaker, in order, whatever `count`
/// is (so the generator's stream does not depend on how many are kept). Equal keys and equal draws keep the
/// candidates' order, as a stable sort would.
/// - Complexity: O(n × count), in no memory but the result; a rechoke keeps a handful of many, and runs
///   millions of times in a swarm.
func topRanked<R: RandomNumberGenerator>(_ candidates: [ChokeCandidate], count: Int,
                                         where isEligible: (ChokeCandidate) -> Bool = { _ in true },
                                         by key: (ChokeCandidate) -> Double, using rng: inout R) -> [Int] {
    typealias Ranked = (id: Int, key: Double, draw: UInt64)
    let room = max(0, min(count, candidates.count))
    return withUnsafeTemporaryAllocation(of: Ranked.self, capacity: room + 1) { best in
        var kept = 0
        for candidate in candidates where isEligible(candidate) {
            let entry: Ranked = (id: candidate.id, key: key(candidate), draw: rng.next())  // a uniform UInt64
            guard room > 0 else { continue }
            // After every entry that ranks at least as high (so equal entries keep their order).
            var i = kept
            while i > 0, entry.key > best[i - 1].key || (entry.key == best[i - 1].key && entry.draw < best[i - 1].draw) {
                i -= 1
            }
            guard i < room else { continue }
            var k = min(kept, room - 1)
            while k > i {  // shift down, dropping the last one when full
                best[k] = best[k - 1]
                k -= 1
            }
            best[i] = entry
            kept = min(kept + 1, room)
        }
        return (0..<kept).map { best[$0].id }
    }
}
