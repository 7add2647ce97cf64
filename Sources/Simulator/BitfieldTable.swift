import CPrefetch
import Strategy

/// Every node's pieces in one table, a row of bitfield words per node, each row starting on a cache line.
///
/// Why: a `have` reads the bitfields of 50 to 80 partners, and each request reads the partner's; kept in
/// the pickers, one bitfield is two cache misses away (the picker, then the array's storage). Here a row is
/// one line (up to 512 pieces; more take more lines) in a table small enough to stay in cache (64 bytes a
/// node). It is a copy of the pickers' bitfields: the simulator writes it when a piece completes.
final class BitfieldTable {
    let pieceCount: Int
    /// Words holding pieces, and words per row (rounded up to whole cache lines).
    let pieceWords: Int
    let rowWords: Int
    let rows: Int
    private let base: UnsafeMutablePointer<UInt64>

    init(rows: Int, pieceCount: Int) {
        precondition(rows >= 0 && pieceCount >= 0)
        self.rows = rows
        self.pieceCount = pieceCount
        pieceWords = (pieceCount + 63) / 64
        rowWords = max(8, (pieceWords + 7) / 8 * 8)
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(1, rows * rowWords) * 8, alignment: 64)
        base = raw.bindMemory(to: UInt64.self, capacity: max(1, rows * rowWords))
        base.initialize(repeating: 0, count: max(1, rows * rowWords))
    }

    deinit { base.deallocate() }

    @inline(__always)
    private func word(_ row: Int, _ piece: Int) -> UnsafeMutablePointer<UInt64> {
        precondition(row >= 0 && row < rows && piece >= 0 && piece < pieceCount, "row \(row) or piece \(piece) out of range")
        return base + row * rowWords + piece >> 6
    }

    @inline(__always)
    func contains(_ row: Int, _ piece: Int) -> Bool { word(row, piece).pointee & (1 << UInt64(piece & 63)) != 0 }

    @inline(__always)
    func insert(_ row: Int, _ piece: Int) { word(row, piece).pointee |= 1 << UInt64(piece & 63) }

    /// Starts loading `row`, for a read after some other work (a hint; it changes nothing).
    @inline(__always)
    func prefetch(_ row: Int) {
        guard row >= 0 && row < rows else { return }
        p2psim_prefetch(base + row * rowWords)
    }

    /// The row as a bitfield view, valid while the table lives.
    @inline(__always)
    func view(_ row: Int) -> BitfieldView {
        precondition(row >= 0 && row < rows, "row \(row) out of range")
        return BitfieldView(words: UnsafeBufferPointer(start: base + row * rowWords, count: pieceWords), pieceCount: pieceCount)
    }
}
