/// One entry of a node's peer set (`SwarmSimulation.partners`): the node's end of a connection, the node at
/// the other end, whether the handshake is done, and whether the partner is interested in the node (a copy
/// of the partner end's `amInterested`). A `have` goes to every established partner and may make it
/// interested; reading these from one small array, rather than from both ends of every connection, saves
/// two cache misses per partner. Its place in the list is kept in the end's `ConnectionEnd.partnerSlot`.
struct Partner {
    var end: Int32
    var node: Int32
    var established = false
    var partnerInterested = false
}
