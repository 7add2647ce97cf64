import SimulationEngine
import Strategy

/// One end of a connection: node `node`'s view of its partner (the other end, `e ^ 1`).
///
/// Why one struct: requesting, sending and delivering a block each read a handful of these facts, and a
/// large swarm has hundreds of thousands of ends; as a dozen parallel arrays every fact was its own cache
/// miss. Together they fill two cache lines (128 bytes, kept on line boundaries by `AlignedTable`): the
/// scalars in the first, the outstanding requests in the second. Facts of the connection (open,
/// established, latency, when it was set up) are kept on both ends, so either end answers them. Facts read
/// only at a rechoke stay in arrays of their own.
struct ConnectionEnd {
    var node: Int32
    private var flags: UInt8
    /// Where this end's entry is in its node's peer set (`partners[node]`); fits max_connections (<= 10,000).
    var partnerSlot: UInt16 = 0
    /// One-way latency between the two nodes.
    var latency: SimTime
    /// When the connection was opened, then when it was established.
    var connectedAt: SimTime
    /// Bytes received from the partner in the current and the previous rechoke period.
    var received = TransferWindow()
    /// Bytes sent to the partner in the current rechoke period (the previous period's are in
    /// `SwarmSimulation.sentBefore`: only a rechoke reads them).
    var sentNow: Int64 = 0
    /// When the partner's last block arrived (-1: never).
    var lastBlockAt: SimTime = -1
    /// Blocks requested from the partner and not yet received, oldest first.
    var requests = RequestList()

    init(node: Int, latency: SimTime, openedAt: SimTime) {
        self.node = Int32(node)
        flags = Self.open | Self.choking
        self.latency = latency
        connectedAt = openedAt
    }

    private static let open: UInt8 = 1, established: UInt8 = 2, choking: UInt8 = 4, interested: UInt8 = 8,
                       unchokedKnown: UInt8 = 16

    @inline(__always)
    private func flag(_ f: UInt8) -> Bool { flags & f != 0 }

    @inline(__always)
    private mutating func set(_ f: UInt8, _ on: Bool) { flags = on ? flags | f : flags & ~f }

    /// The connection is open (not closed by either side).
    var isOpen: Bool {
        get { flag(Self.open) }
        set { set(Self.open, newValue) }
    }

    /// The handshake is done and bitfields are exchanged.
    var isEstablished: Bool {
        get { flag(Self.established) }
        set { set(Self.established, newValue) }
    }

    /// This node chokes its partner.
    var amChoking: Bool {
        get { flag(Self.choking) }
        set { set(Self.choking, newValue) }
    }

    /// This node wants pieces its partner has.
    var amInterested: Bool {
        get { flag(Self.interested) }
        set { set(Self.interested, newValue) }
    }

    /// This node knows the partner unchokes it (the unchoke message has arrived).
    var unchokedKnown: Bool {
        get { flag(Self.unchokedKnown) }
        set { set(Self.unchokedKnown, newValue) }
    }
}
