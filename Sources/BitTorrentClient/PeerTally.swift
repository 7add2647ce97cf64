/// Payload bytes exchanged with each peer, by peer id, over the whole session (a peer that reconnects
/// keeps its count): what a calibration needs to build the real swarm's class-to-class exchange matrix,
/// as the simulator's `exchange.csv` does. Bounded: a hostile swarm that keeps inventing peer ids fills
/// at most `capacity` entries, and bytes from peers past that are counted under no id.
public struct PeerTally: Sendable {
    public struct Entry: Sendable, Equatable {
        public var peerID: [UInt8]
        public var received: Int64
        public var sent: Int64
    }

    public static let capacity = 10_000
    private var index: [[UInt8]: Int] = [:]
    /// In the order peers were first counted: a listing needs no sort and never depends on hashing.
    public private(set) var entries: [Entry] = []
    /// Bytes from or to peers beyond `capacity`.
    public private(set) var uncounted: (received: Int64, sent: Int64) = (0, 0)

    public init() {}

    public mutating func add(peerID: [UInt8], received: Int64 = 0, sent: Int64 = 0) {
        if let i = index[peerID] {
            entries[i].received += received
            entries[i].sent += sent
        } else if entries.count < Self.capacity {
            index[peerID] = entries.count
            entries.append(Entry(peerID: peerID, received: received, sent: sent))
        } else {
            uncounted.received += received
            uncounted.sent += sent
        }
    }
}
