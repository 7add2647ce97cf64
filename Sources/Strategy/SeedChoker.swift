/// The choker of a peer that has the whole file (a seed), which has nothing to gain in return and so
/// chooses whom to serve by another rule.
///
/// - `roundRobin`: each unchoked peer keeps its slot for one `optimisticInterval`, then yields it to the
///   interested peers that have waited longest (never-served first). This spreads the seed's upload evenly
///   over time, in the spirit of libtorrent's default `round_robin` (which rotates after a quota of bytes)
///   and of mainline 4.x's seed algorithm (Legout et al., IMC 2006).
/// - `fastestUpload`: unchoke the peers we upload to fastest (libtorrent's `fastest_upload`; old mainline
///   and Azureus seeds): the seed's capacity goes to the peers that can take it, which may starve slow
///   peers.
/// - `random`: a fresh random set of interested peers at every rechoke.
/// Each, when enabled, adds the optimistic unchoke as the leecher choker does.
public struct SeedChoker: Sendable {
    public enum Algorithm: String, Sendable, CaseIterable {
        case roundRobin = "round-robin"
        case fastestUpload = "fastest-upload"
        case random
    }

    public var algorithm: Algorithm
    public var settings: ChokeSettings

    public init(algorithm: Algorithm = .roundRobin, settings: ChokeSettings = ChokeSettings()) {
        self.algorithm = algorithm
        self.settings = settings
    }

    public func decide<R: RandomNumberGenerator>(
        _ candidates: [ChokeCandidate], now: Int64, currentOptimistic: Int?, rotateOptimistic: Bool, using rng: inout R
    ) -> ChokeDecision {
        let interested = candidates.filter(\.interested)
        let slots = settings.uploadSlots
        var regular: [Int]
        switch algorithm {
        case .fastestUpload:
            regular = topRanked(interested, count: slots, by: \.rate, using: &rng)
        case .random:
            regular = topRanked(interested, count: slots, by: { _ in 0 }, using: &rng)
        case .roundRobin:
            let keep = interested.filter { c in
                c.unchoked && c.id != currentOptimistic && now - (c.unchokedAt ?? now) < settings.optimisticInterval
            }
            regular = Array(keep.sorted { ($0.unchokedAt ?? 0, $0.id) < ($1.unchokedAt ?? 0, $1.id) }.prefix(slots).map(\.id))
            let kept = regular
            // Longest wait first: never unchoked, then least recently unchoked.
            regular += topRanked(interested, count: slots - regular.count, where: { !kept.contains($0.id) }, by: { c in
                c.unchokedAt.map { -Double($0) } ?? .infinity
            }, using: &rng)
        }
        let optimistic = OptimisticUnchoke.choose(
            candidates, regular: regular, current: currentOptimistic, rotate: rotateOptimistic, now: now,
            settings: settings, using: &rng)
        return ChokeDecision(unchoked: (regular + (optimistic.map { [$0] } ?? [])).sorted(), optimistic: optimistic)
    }
}
