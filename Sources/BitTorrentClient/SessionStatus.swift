/// A snapshot of a running session, for the progress line, the tracker's counters and the exit decision.
public struct SessionStatus: Sendable, Equatable {
    public var pieceCount: Int
    public var piecesHave: Int
    public var totalBytes: Int64
    /// Bytes of the pieces we have and verified.
    public var bytesHave: Int64
    /// Piece payload received and sent, in total (received includes `wastedBytes`).
    public var downloadedBytes: Int64
    public var uploadedBytes: Int64
    /// Blocks we already had (endgame duplicates) and pieces that failed their hash check.
    public var wastedBytes: Int64
    public var hashFailures: Int
    /// Bytes per second over the last whole second.
    public var downloadRate: Double
    public var uploadRate: Double
    /// Connections with a completed handshake; how many peers sent us a block and how many received one
    /// from us in the last whole second.
    public var peers: Int
    public var sendingToUs: Int
    public var receivingFromUs: Int
    public var isComplete: Bool
    /// Set when the session hit an error it cannot go on from (e.g. the disk is full).
    public var failure: String?
    /// Seconds from the session's start to its first verified piece and to its last (nil: not yet, or the
    /// data was already on disk).
    public var firstPieceAfter: Double?
    public var completedAfter: Double?
    /// The peer-set upkeep wants peers and the tracker's `min interval` has passed: announce now.
    public var announceWanted: Bool

    public var left: Int64 { totalBytes - bytesHave }
    public var fraction: Double { totalBytes > 0 ? Double(bytesHave) / Double(totalBytes) : 1 }
}
