/// The choker of a peer that is still downloading: tit-for-tat (Cohen 2003).
///
/// Every rechoke: unchoke the `uploadSlots` interested peers that sent us the most over the last 20 s,
/// skipping those snubbing us (nothing received for `snubTimeout`; a connection younger than that is not
/// yet judged), plus one optimistic unchoke (see `OptimisticUnchoke`). Peers that upload nothing, such as
/// free-riders, therefore only ever get the optimistic slot. Equal rates are ordered at random.
public struct LeecherChoker: Sendable {
    public var settings: ChokeSettings

    public init(settings: ChokeSettings = ChokeSettings()) { self.settings = settings }

    /// - Parameters:
    ///   - currentOptimistic: who holds the optimistic slot now.
    ///   - rotateOptimistic: true at every `optimisticInterval` (every third rechoke by default).
    public func decide<R: RandomNumberGenerator>(
        _ candidates: [ChokeCandidate], now: Int64, currentOptimistic: Int?, rotateOptimistic: Bool, using rng: inout R
    ) -> ChokeDecision {
        let regular = topRanked(candidates, count: settings.uploadSlots, where: { c in
            guard c.interested else { return false }
            let lastHeard = c.lastBlockReceivedAt ?? c.connectedAt
            return now - lastHeard < settings.snubTimeout
        }, by: \.rate, using: &rng)
        let optimistic = OptimisticUnchoke.choose(
            candidates, regular: regular, current: currentOptimistic, rotate: rotateOptimistic, now: now,
            settings: settings, using: &rng)
        return ChokeDecision(unchoked: (regular + (optimistic.map { [$0] } ?? [])).sorted(), optimistic: optimistic)
    }
}
