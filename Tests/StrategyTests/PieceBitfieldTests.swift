import Testing
@testable import Strategy

@Suite struct PieceBitfieldTests {
    /// A bitfield from a picture: "*" has the piece, anything else lacks it.
    func field(_ picture: String) -> PieceBitfield {
        var f = PieceBitfield(pieceCount: picture.count)
        for (i, c) in picture.enumerated() where c == "*" { f.insert(i) }
        return f
    }

    @Test func insertRemoveAndCount() {
        var f = field("*  * ")
        #expect(f.count == 2 && f.pieces == [0, 3])
        #expect(f.insert(1) && !f.insert(1))
        #expect(f.remove(0) && !f.remove(0))
        #expect(f.pieces == [1, 3] && f.count == 2)
        #expect(!f.isComplete && !f.isEmpty)
        #expect(PieceBitfield(pieceCount: 130, full: true).count == 130)
        #expect(PieceBitfield(pieceCount: 130, full: true).isComplete)
    }

    @Test func interestIsHavingSomethingWeLack() {
        #expect(field("**  ").lacksAny(of: field(" * *")))
        #expect(!field("** *").lacksAny(of: field(" * *")))
        #expect(!field("    ").lacksAny(of: field("    ")))
    }

    @Test func wireFormatPutsPieceZeroInTheHighBit() throws {
        let f = field("*       *  *")  // 12 pieces: 0, 8, 11
        #expect(f.wireBytes == [0b1000_0000, 0b1001_0000])
        #expect(try PieceBitfield(wireBytes: [0b1000_0000, 0b1001_0000], pieceCount: 12) == f)
    }

    @Test func hostileBitfieldsAreRefused() {
        #expect(throws: PieceBitfield.WireError.spareBitsSet) { try PieceBitfield(wireBytes: [0xFF, 0xF1], pieceCount: 12) }
        #expect(throws: PieceBitfield.WireError.wrongLength(expected: 2, got: 3)) {
            try PieceBitfield(wireBytes: [0, 0, 0], pieceCount: 12)
        }
    }

    @Test func largeFieldsRoundTrip() throws {
        var f = PieceBitfield(pieceCount: 1000)
        for p in stride(from: 3, to: 1000, by: 7) { f.insert(p) }
        #expect(try PieceBitfield(wireBytes: f.wireBytes, pieceCount: 1000) == f)
        #expect(f.pieces == Array(stride(from: 3, to: 1000, by: 7)))
    }
}
