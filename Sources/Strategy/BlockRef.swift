/// One block of one piece: the unit of request and transfer (BEP 3 requests are 16 KiB).
public struct BlockRef: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var piece: Int32
    public var block: Int32

    public init(piece: Int, block: Int) {
        self.piece = Int32(piece)
        self.block = Int32(block)
    }

    public static func < (a: BlockRef, b: BlockRef) -> Bool { (a.piece, a.block) < (b.piece, b.block) }
    public var description: String { "\(piece).\(block)" }
}

/// The geometry of a torrent: how many pieces, and how many blocks each piece has (the last piece may be
/// shorter). Shared by the picker, the simulator and the real client.
public struct PieceLayout: Sendable, Equatable {
    public let totalBytes: Int64
    public let pieceBytes: Int64
    public let blockBytes: Int64
    public let pieceCount: Int
    public let blocksPerPiece: Int

    public init(totalBytes: Int64, pieceBytes: Int64, blockBytes: Int64) {
        precondition(totalBytes > 0 && pieceBytes > 0 && blockBytes > 0 && blockBytes <= pieceBytes)
        self.totalBytes = totalBytes
        self.pieceBytes = pieceBytes
        self.blockBytes = blockBytes
        pieceCount = Int((totalBytes + pieceBytes - 1) / pieceBytes)
        blocksPerPiece = Int((pieceBytes + blockBytes - 1) / blockBytes)
    }

    public func bytes(ofPiece piece: Int) -> Int {
        piece == pieceCount - 1 ? Int(totalBytes - Int64(pieceCount - 1) * pieceBytes) : Int(pieceBytes)
    }

    public func blockCount(ofPiece piece: Int) -> Int {
        (bytes(ofPiece: piece) + Int(blockBytes) - 1) / Int(blockBytes)
    }

    public func bytes(of block: BlockRef) -> Int {
        let pieceSize = bytes(ofPiece: Int(block.piece))
        let start = Int(block.block) * Int(blockBytes)
        return min(Int(blockBytes), pieceSize - start)
    }

    /// Total number of blocks in the torrent.
    public var blockCount: Int { (pieceCount - 1) * blocksPerPiece + blockCount(ofPiece: pieceCount - 1) }
}
