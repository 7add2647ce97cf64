import SimulationEngine
import Strategy

/// How much the origin seed uploaded before every piece had left it at least once: its *first-copy
/// cost*. The ideal is one copy of the file (the number of pieces); a seed whose unchoked peers ask for
/// the same pieces pays more, and BEP 16's super-seeding exists to bring real seeds nearer the ideal.
public struct FirstCopyCost: Sendable, Equatable {
    /// Bytes the origin had uploaded when the last of its pieces first left it (or by the end of the run).
    public var bytesUploaded: Int64
    /// Pieces every block of which the origin had sent at least once.
    public var piecesOut: Int
    public var pieceCount: Int
    /// When the last piece first left the origin; nil if some never did.
    public var completedAt: SimTime?
    let pieceBytes: Int64

    /// The cost in piece uploads (ideal: `pieceCount`).
    public var pieceUploads: Double { Double(bytesUploaded) / Double(pieceBytes) }

    /// The cost in copies of the file (ideal: 1).
    public var ratioToIdeal: Double { pieceUploads / Double(max(1, pieceCount)) }
}

/// Follows the origin seed's uploads block by block until each piece has left it once.
struct FirstCopyTracker {
    private var sent: [Bool]
    private var blocksOut: [Int32]
    private let layout: PieceLayout
    private(set) var cost: FirstCopyCost

    init(layout: PieceLayout) {
        self.layout = layout
        sent = Array(repeating: false, count: layout.pieceCount * layout.blocksPerPiece)
        blocksOut = Array(repeating: 0, count: layout.pieceCount)
        cost = FirstCopyCost(bytesUploaded: 0, piecesOut: 0, pieceCount: layout.pieceCount, completedAt: nil,
                             pieceBytes: layout.pieceBytes)
    }

    var isDone: Bool { cost.completedAt != nil }

    /// The origin finished sending `block` (tagged piece × blocks per piece + block) at `time`.
    mutating func originSent(tag: Int, bytes: Int, at time: SimTime) {
        guard !isDone else { return }
        cost.bytesUploaded += Int64(bytes)
        guard !sent[tag] else { return }
        sent[tag] = true
        let piece = tag / layout.blocksPerPiece
        blocksOut[piece] += 1
        guard Int(blocksOut[piece]) == layout.blockCount(ofPiece: piece) else { return }
        cost.piecesOut += 1
        if cost.piecesOut == layout.pieceCount { cost.completedAt = time }
    }
}
