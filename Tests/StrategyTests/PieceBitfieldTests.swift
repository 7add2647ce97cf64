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

@Suite struct BitfieldViewTests {
    /// A view over a table of words answers as the bitfield it copies, and a picker picks the same through it.
    @Test func aViewAnswersAsItsBitfield() {
        var rng = SeededRNG(11)
        for pieces in [1, 63, 64, 65, 200] {
            var mine = PieceBitfield(pieceCount: pieces), theirs = PieceBitfield(pieceCount: pieces)
            for p in 0..<pieces {
                if rng.next() % 3 == 0 { mine.insert(p) }
                if rng.next() % 2 == 0 { theirs.insert(p) }
            }
            // Two peers' words side by side, as the simulator keeps them.
            let table = mine.withView { Array($0.words) } + theirs.withView { Array($0.words) }
            let words = (pieces + 63) / 64
            table.withUnsafeBufferPointer { table in
                let view = BitfieldView(words: UnsafeBufferPointer(rebasing: table[words..<(2 * words)]), pieceCount: pieces)
                #expect((0..<pieces).map(view.contains) == (0..<pieces).map(theirs.contains))
                #expect(mine.lacksAny(of: view) == mine.lacksAny(of: theirs))
            }
        }
    }
}
