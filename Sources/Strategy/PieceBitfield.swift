// Strategy: pure BitTorrent strategies shared by the simulator and the real client (p2pclient).
// Owns the piece bitfield and availability, the piece picker, the chokers, their rounds and slots, the
// request pipeline with its rate window and timeout, the peer-set upkeep, and every protocol default
// (`ProtocolDefaults`). Takes plain values (snapshots, `now` as a number, a random generator passed in) and
// returns decisions. Must never import Foundation, the engine, the scenario model or any I/O: both the
// simulator and p2pclient link it.

/// Which pieces a peer has: a fixed-size set of piece indices with a count.
///
/// Why its own type: both sides exchange it (the BitTorrent `bitfield` message) and the picker reads it
/// millions of times per run, so it stores 64 pieces per word and keeps its population count.
/// The wire form follows BEP 3: piece 0 is the high bit of the first byte, spare bits are zero.
public struct PieceBitfield: Equatable, Hashable, Sendable {
    @usableFromInline var words: [UInt64]
    public let pieceCount: Int
    /// Number of pieces present. - Complexity: O(1).
    public private(set) var count: Int = 0

    /// An empty (or full) bitfield of `pieceCount` pieces.
    public init(pieceCount: Int, full: Bool = false) {
        precondition(pieceCount >= 0)
        self.pieceCount = pieceCount
        words = Array(repeating: 0, count: (pieceCount + 63) / 64)
        if full {
            for i in 0..<pieceCount { words[i >> 6] |= 1 << UInt64(i & 63) }
            count = pieceCount
        }
    }

    public var isComplete: Bool { count == pieceCount }
    public var isEmpty: Bool { count == 0 }

    @inlinable
    public func contains(_ piece: Int) -> Bool {
        precondition(piece >= 0 && piece < pieceCount, "piece \(piece) out of range 0..<\(pieceCount)")
        return words[piece >> 6] & (1 << UInt64(piece & 63)) != 0
    }

    /// Adds `piece`; returns false if it was already there.
    @discardableResult
    public mutating func insert(_ piece: Int) -> Bool {
        guard !contains(piece) else { return false }
        words[piece >> 6] |= 1 << UInt64(piece & 63)
        count += 1
        return true
    }

    /// Removes `piece`; returns false if it was not there.
    @discardableResult
    public mutating func remove(_ piece: Int) -> Bool {
        guard contains(piece) else { return false }
        words[piece >> 6] &= ~(1 << UInt64(piece & 63))
        count -= 1
        return true
    }

    /// The pieces present, in increasing order.
    public var pieces: [Int] {
        var result: [Int] = []
        result.reserveCapacity(count)
        for (w, word) in words.enumerated() {
            var bits = word
            while bits != 0 {
                result.append(w << 6 + bits.trailingZeroBitCount)
                bits &= bits - 1
            }
        }
        return result
    }

    /// True if `other` has a piece this bitfield lacks (i.e. we would be interested in its owner).
    public func lacksAny(of other: PieceBitfield) -> Bool {
        other.withView { lacksAny(of: $0) }
    }

    /// As `lacksAny(of:)`, for a bitfield seen through a view.
    public func lacksAny(of other: BitfieldView) -> Bool {
        precondition(other.pieceCount == pieceCount)
        for (mine, theirs) in zip(words, other.words) where theirs & ~mine != 0 { return true }
        return false
    }

    /// Calls `body` with a view of this bitfield's words.
    public func withView<T>(_ body: (BitfieldView) throws -> T) rethrows -> T {
        try words.withUnsafeBufferPointer { try body(BitfieldView(words: $0, pieceCount: pieceCount)) }
    }

    /// The BEP 3 `bitfield` payload: ceil(pieceCount / 8) bytes, piece 0 in the high bit of byte 0.
    public var wireBytes: [UInt8] {
        var bytes = [UInt8](repeating: 0, count: (pieceCount + 7) / 8)
        for piece in pieces { bytes[piece >> 3] |= 0x80 >> UInt8(piece & 7) }
        return bytes
    }

    /// Why a received bitfield is refused.
    public enum WireError: Error, Equatable {
        case wrongLength(expected: Int, got: Int)
        case spareBitsSet
    }

    /// Reads a BEP 3 `bitfield` payload; refuses a wrong length or spare bits set (a peer that sends
    /// either is broken or hostile).
    public init(wireBytes bytes: [UInt8], pieceCount: Int) throws(WireError) {
        let expected = (pieceCount + 7) / 8
        guard bytes.count == expected else { throw .wrongLength(expected: expected, got: bytes.count) }
        self.init(pieceCount: pieceCount)
        for (i, byte) in bytes.enumerated() where byte != 0 {
            for bit in 0..<8 where byte & (0x80 >> UInt8(bit)) != 0 {
                let piece = i * 8 + bit
                guard piece < pieceCount else { throw .spareBitsSet }
                insert(piece)
            }
        }
    }
}

/// A read-only view of a bitfield's words (64 pieces per word, piece i at bit i & 63 of word i >> 6), valid
/// only while the memory it points to is.
///
/// Why: a caller that keeps many peers' bitfields in one table (the simulator, where a `have` or a request
/// reads a partner's pieces millions of times) lets the picker read them in place, with no bitfield value
/// of its own to copy and reference-count.
public struct BitfieldView {
    public let words: UnsafeBufferPointer<UInt64>
    public let pieceCount: Int

    /// `words` must hold exactly ceil(pieceCount / 64) words, with no bit set past the last piece.
    public init(words: UnsafeBufferPointer<UInt64>, pieceCount: Int) {
        precondition(pieceCount >= 0 && words.count == (pieceCount + 63) / 64, "\(words.count) words for \(pieceCount) pieces")
        if pieceCount & 63 != 0, let last = words.last {
            precondition(last >> UInt64(pieceCount & 63) == 0, "bits set past piece \(pieceCount - 1)")
        }
        self.words = words
        self.pieceCount = pieceCount
    }

    @inline(__always)
    public func contains(_ piece: Int) -> Bool {
        precondition(piece >= 0 && piece < pieceCount, "piece \(piece) out of range 0..<\(pieceCount)")
        return words[piece >> 6] & (1 << UInt64(piece & 63)) != 0
    }
}
