import Strategy

/// A simulated peer's peer-set counts as rarest first asks for them: up to date, with the `have`s still
/// pending applied first (see `SwarmSimulation.applyPendingHaves`).
///
/// Why: a completed piece updates the counts of 50 to 80 partners, a cache line each, scattered over the
/// swarm; the simulator starts loading them at once and writes them at the next event, when they have
/// arrived. A pick that chooses a new piece in between must see them, and this is where it asks.
struct PendingHavesRarity: PieceRarity {
    /// The swarm outlives every pick: no reference counting on the per-request path.
    unowned(unsafe) let swarm: SwarmSimulation
    let node: Int

    var wordCount: Int { swarm.availability.wordCount }

    func rarest(_ candidates: (Int) -> UInt64, into result: UnsafeMutableBufferPointer<UInt64>) -> Int {
        if !swarm.pendingHaves.isEmpty { swarm.applyPendingHaves() }
        return swarm.availability.rarest(candidates, in: node, into: result)
    }
}
