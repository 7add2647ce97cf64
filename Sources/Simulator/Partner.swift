/// One entry of a node's peer set (`SwarmSimulation.partners`): the node's end of a connection, the node at
/// the other end, whether the handshake is done, whether the partner is interested in the node (a copy of
/// the partner end's `amInterested`), and whether the node may request from the partner (copies of its own
/// end's `unchokedKnown` and `amInterested`).
///
/// Why copies: a `have` goes to every established partner and may make it interested, and a choke frees
/// requests that every other partner the node may request from is offered. Reading these from one small
/// array, rather than from the ends of every connection (a cache line each), saves one or two cache
/// misses per partner. The entry's place in the list is kept in the end's `ConnectionEnd.partnerSlot`;
/// the swarm tests check every copy against its original.
struct Partner {
    var end: Int32
    var node: Int32
    var established = false
    var partnerInterested = false
    /// The node knows the partner unchokes it (its end's `unchokedKnown`).
    var unchokedKnown = false
    /// The node is interested in the partner (its end's `amInterested`).
    var interested = false
    /// The node unchokes the partner (its end's `amChoking`, negated): a `have` to an unchoked, interested
    /// partner may give it something to request (`pieceCompleted`).
    var unchoking = false

    /// The node may ask this partner for blocks (what `fill` requires of the end, besides being open).
    var mayRequest: Bool { established && unchokedKnown && interested }
}
