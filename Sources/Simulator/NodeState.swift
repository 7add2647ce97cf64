import SimulationEngine

/// What a block's arrival, its sending and a rechoke read of a node, in one record (two to a cache line).
/// (Whether a node is complete is apart, in a dense array: a `have` reads it for every partner.)
///
/// Why: these were six arrays, and a block read four of them for its two nodes. In a swarm of 10,000
/// peers even these small arrays fall out of the nearer caches between two blocks of the same node, so
/// each read was a miss of its own; one record is one miss, and the simulator starts it early with the
/// node's picker (`SwarmSimulation.handle`).
struct NodeState {
    /// Bytes received (duplicates included).
    var received: Int64 = 0
    /// Start of the node's current rechoke period (its arrival, then its last periodic rechoke).
    var periodStart: SimTime = 0
    /// Start of the receive-rate window of the node's connections (the previous rechoke period).
    var windowStart: SimTime = 0
    /// The node's row and column in the class exchange matrix (0: the server, c + 1: class c).
    var exchangeIndex: Int32
    var present = false
    var freeRider: Bool
}
