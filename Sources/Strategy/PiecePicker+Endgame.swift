/// The endgame's choice, apart from the rest of the picker because it runs only at a download's end.
extension PiecePicker {
    /// One block already requested elsewhere, for a connection with nothing outstanding (libtorrent's
    /// rule: busy blocks only on an empty queue, one at a time): the least requested, and among those the
    /// one asked for last (the newest piece's last block), which waits longest in the other sender's
    /// queue, so the copy asked for here most likely arrives first and the other is cancelled before it is
    /// sent. Counts the new request; nil if the remote has no such block, or only ones asked of it already.
    mutating func busyBlock(from remote: BitfieldView, isRequestedHere: (BlockRef) -> Bool) -> BlockRef? {
        var best: (ref: BlockRef, slot: Int, requests: UInt8)?
        var i = partials.count
        while i > 0 {
            i -= 1
            let (piece, slot32) = partials[i]
            guard remote.contains(Int(piece)) else { continue }
            let slot = Int(slot32)
            for b in stride(from: Int(counters(slot).blocks) - 1, through: 0, by: -1) {
                let state = self.state(slot, b)
                guard state != Self.received && state < 254, state < (best?.requests ?? 254) else { continue }
                let ref = BlockRef(piece: Int(piece), block: b)
                if isRequestedHere(ref) { continue }  // never twice on one connection
                best = (ref, slot, state)
            }
        }
        guard let best else { return nil }
        setState(best.slot, Int(best.ref.block), best.requests + 1)
        return best.ref
    }
}
