import Testing
import TestSupport
@testable import Strategy

@Suite struct PiecePickerTests {
    var rng = SeededRNG(1)

    @Test mutating func rarestFirstPicksTheRarestPieceTheRemoteHas() {
        var p = picker("3213")
        let got = p.pick(from: bits("****"), count: 4, isRequestedHere: { _ in false }, using: &rng)
        #expect(got.map(\.piece) == [2, 2, 2, 2])  // piece 2 (count 1), all four blocks
        let next = p.pick(from: bits("** *"), count: 1, isRequestedHere: { _ in false }, using: &rng)
        #expect(next.map(\.piece) == [1])  // remote lacks 2... piece 2 is started anyway; rarest left is 1 (count 2)
        #expect(p.invariantViolations() == [])
    }

    @Test mutating func startedPiecesComeFirst() {
        var p = picker("1599")
        _ = p.pick(from: bits("****"), count: 2, isRequestedHere: { _ in false }, using: &rng)  // 2 blocks of piece 0
        let got = p.pick(from: bits("****"), count: 3, isRequestedHere: { _ in false }, using: &rng)
        #expect(got == [BlockRef(piece: 0, block: 2), BlockRef(piece: 0, block: 3), BlockRef(piece: 1, block: 0)])
    }

    @Test mutating func piecesWeHaveAreNeverPicked() {
        var p = picker("1112", have: "***-")
        let got = p.pick(from: bits("****"), count: 10, isRequestedHere: { _ in false }, using: &rng)
        #expect(Set(got.map(\.piece)) == [3])
        #expect(p.pick(from: bits("***-"), count: 1, isRequestedHere: { _ in false }, using: &rng).isEmpty)
    }

    @Test func tiesAreBrokenAtRandom() {
        var firsts = Set<Int32>()
        for seed in 0..<40 {
            var rng = SeededRNG(UInt64(seed))
            var p = picker("22222222" + "55555555" + "55555555" + "55555555" + "55555555" + "55555555" + "55555555" + "55555555" + "55555555")
            let remote = PieceBitfield(pieceCount: 72, full: true)
            let piece = p.pick(from: remote, count: 1, isRequestedHere: { _ in false }, using: &rng)[0].piece
            #expect(piece < 8, "seed \(seed): only the count-2 pieces are rarest")
            firsts.insert(piece)
        }
        #expect(firsts.count >= 5, "ties should spread over the rarest pieces, got \(firsts.sorted())")
    }

    @Test mutating func randomFirstPiecesIgnoreRarity() {
        // With randomFirst = 4 and nothing yet, picks are random, not the rare piece 0 every time.
        var counts = [Int32: Int]()
        for seed in 0..<60 {
            var rng = SeededRNG(UInt64(seed))
            var p = picker("1999999999", randomFirst: 4)
            counts[p.pick(from: bits("**********"), count: 1, isRequestedHere: { _ in false }, using: &rng)[0].piece, default: 0] += 1
        }
        #expect(counts.count >= 6)
        #expect((counts[0] ?? 0) < 20)
    }

    /// The picker asks where the rarest pieces are only when it chooses a new piece by rarest first: not for
    /// a started piece's blocks, not while its first pieces are random, not once every piece is had or
    /// started (a simulated swarm updates counts late, and brings them up to date only when asked).
    @Test func theRarityIsAskedOnlyWhenRarestFirstChoosesAPiece() {
        final class Asked: @unchecked Sendable { var count = 0 }
        struct Counting: PieceRarity {
            let counts: PieceAvailability.PeerSet
            let asked: Asked
            var wordCount: Int { counts.wordCount }
            func rarest(_ candidates: (Int) -> UInt64, into result: UnsafeMutableBufferPointer<UInt64>) -> Int {
                asked.count += 1
                return counts.rarest(candidates, into: result)
            }
        }
        func pick(_ p: inout Picking, _ remote: String, _ n: Int, _ asked: Asked, _ rng: inout SeededRNG) -> [BlockRef] {
            let remote = bits(remote)
            return remote.withView { view in
                [BlockRef](unsafeUninitializedCapacity: n) { buffer, got in
                    got = p.picker.pick(from: view, rarity: Counting(counts: p.availability.peerSet(0), asked: asked),
                                        isRequestedHere: { _ in false }, outstandingHere: 0, into: buffer, using: &rng)
                }
            }
        }
        var rng = SeededRNG(3)
        let asked = Asked()
        var p = picker("3214", endgame: false)
        #expect(pick(&p, "****", 2, asked, &rng).map(\.piece) == [2, 2] && asked.count == 1)  // a new piece: asked
        #expect(pick(&p, "****", 2, asked, &rng).map(\.piece) == [2, 2] && asked.count == 1)  // its blocks: not asked
        #expect(pick(&p, "****", 5, asked, &rng).map(\.piece) == [1, 1, 1, 1, 0] && asked.count == 3)
        #expect(pick(&p, "****", 4, asked, &rng).map(\.piece) == [0, 0, 0, 3] && asked.count == 4)
        #expect(pick(&p, "****", 4, asked, &rng).map(\.piece) == [3, 3, 3] && asked.count == 4)  // none fresh: not asked
        #expect(p.invariantViolations() == [])
        var random = picker("3214", have: "*---", randomFirst: 2, endgame: false)
        #expect(pick(&random, "****", 4, asked, &rng).count == 4 && asked.count == 4)  // the second piece is random
        let started = random.partialPieces[0]
        random.picker.markHave(started == 1 ? 2 : 1)  // two pieces had: rarest first from now on
        #expect(pick(&random, "****", 5, asked, &rng).count == 4 && asked.count == 5)
        #expect(random.invariantViolations() == [])
    }

    @Test mutating func sequentialAndRandomPolicies() {
        var s = picker("9111", policy: .sequential)
        #expect(s.pick(from: bits("****"), count: 5, isRequestedHere: { _ in false }, using: &rng).map(\.piece) == [0, 0, 0, 0, 1])
        var r = picker("9111", policy: .random)
        let piece = r.pick(from: bits("-*-*"), count: 1, isRequestedHere: { _ in false }, using: &rng)[0].piece
        #expect(piece == 1 || piece == 3)
    }

    @Test mutating func blocksCompletePiecesAndDroppedRequestsComeBack() {
        var p = picker("11")
        let blocks = p.pick(from: bits("*-"), count: 4, isRequestedHere: { _ in false }, using: &rng)
        #expect(blocks.count == 4)
        p.requestDropped(blocks[3])
        #expect(p.blockReceived(blocks[0]) == .stored(completedPiece: nil, otherRequests: 0))
        #expect(p.blockReceived(blocks[0]) == .duplicate)
        let again = p.pick(from: bits("*-"), count: 4, isRequestedHere: { _ in false }, using: &rng)
        #expect(again == [blocks[3]])
        _ = p.blockReceived(blocks[1])
        _ = p.blockReceived(blocks[2])
        #expect(p.blockReceived(blocks[3]) == .stored(completedPiece: 0, otherRequests: 0))
        #expect(p.have.pieces == [0] && p.partialPieces.isEmpty)
        #expect(p.invariantViolations() == [])
    }

    /// Endgame (libtorrent's rule): a connection with requests still outstanding asks for nothing busy; one
    /// with an empty queue asks for one block requested elsewhere, the least requested, never one it
    /// asked for itself.
    @Test mutating func endgameAsksForOneBusyBlockOnAnEmptyQueue() {
        var p = picker("22")
        let first = p.pick(from: bits("**"), count: 8, isRequestedHere: { _ in false }, using: &rng)
        #expect(first.count == 8 && p.inEndgame)
        // A connection still waiting for blocks gets no duplicate.
        #expect(p.pick(from: bits("**"), count: 8, isRequestedHere: { _ in false }, outstandingHere: 2, using: &rng).isEmpty)
        // An idle connection gets one: of the least requested (all once here), the one asked for last.
        let second = p.pick(from: bits("**"), count: 8, isRequestedHere: { _ in false }, using: &rng)
        #expect(second == [first[7]])
        // The next idle connection gets the one before it, now among the least requested.
        let third = p.pick(from: bits("**"), count: 8, isRequestedHere: { _ in false }, using: &rng)
        #expect(third == [first[6]])
        // Never a block this connection already asked for.
        let here = Set(first[..<5])
        let fourth = p.pick(from: bits("**"), count: 8, isRequestedHere: { here.contains($0) }, using: &rng)
        #expect(fourth == [first[5]])
        // A block requested twice arrives: the caller is told to cancel the other request.
        #expect(p.blockReceived(first[7]) == .stored(completedPiece: nil, otherRequests: 1))
        var noEndgame = picker("22", endgame: false)
        _ = noEndgame.pick(from: bits("**"), count: 8, isRequestedHere: { _ in false }, using: &rng)
        #expect(noEndgame.pick(from: bits("**"), count: 8, isRequestedHere: { _ in false }, using: &rng).isEmpty)
    }

    /// The client's hash check failed: the piece is wanted again, with its availability restored.
    @Test mutating func aFailedPieceIsPickedAgain() {
        var p = picker("3111")
        let remote = bits("****")
        var blocks = p.pick(from: remote, count: 4, isRequestedHere: { _ in false }, using: &rng)
        #expect(blocks.allSatisfy { $0.piece == 1 || $0.piece == 2 || $0.piece == 3 })
        let piece = Int(blocks[0].piece)
        var receipt = PiecePicker.Receipt.duplicate
        for b in blocks { receipt = p.blockReceived(b) }
        #expect(receipt == .stored(completedPiece: piece, otherRequests: 0))
        p.peerGotPiece(piece)  // one more peer got it while we held it
        p.pieceFailed(piece)
        #expect(!p.have.contains(piece))
        #expect(p.availability.count(of: piece) == 2)
        #expect(p.invariantViolations().isEmpty)
        blocks = p.pick(from: bits(String(repeating: "-", count: piece) + "*" + String(repeating: "-", count: 3 - piece)),
                        count: 4, isRequestedHere: { _ in false }, using: &rng)
        #expect(blocks.map(\.piece) == Array(repeating: Int32(piece), count: 4))
    }

    @Test mutating func lastPieceMayBeShorter() {
        let layout = PieceLayout(totalBytes: 100, pieceBytes: 64, blockBytes: 16)
        #expect(layout.pieceCount == 2 && layout.blockCount(ofPiece: 1) == 3 && layout.blockCount == 7)
        #expect(layout.bytes(of: BlockRef(piece: 1, block: 2)) == 4)
        var p = Picking(PiecePicker(layout: layout))
        p.peerGotPiece(0)
        p.peerGotPiece(1)
        let blocks = p.pick(from: bits("**"), count: 10, isRequestedHere: { _ in false }, using: &rng)
        #expect(blocks.count == 7)
    }
}

@Suite struct PieceAvailabilityTests {
    /// Counts follow a shadow array through random updates in three peer sets, including counts past the
    /// initial planes' capacity (15), which adds planes; the sets never disturb each other.
    @Test func randomUpdatesKeepExactCounts() {
        var rng = SeededRNG(5)
        var a = PieceAvailability(pieceCount: 150, sets: 3)
        var shadow = [[Int]](repeating: [Int](repeating: 0, count: 150), count: 3)
        for round in 0..<30_000 {
            let p = Int.random(in: 0..<150, using: &rng), set = Int.random(in: 0..<3, using: &rng)
            // Drift upward for the first half, then mostly downward, so counts cross plane boundaries both ways.
            let down = shadow[set][p] > 0 && Int.random(in: 0..<10, using: &rng) < (round < 15_000 ? 3 : 7)
            if down {
                a.decrement(p, in: set)
                shadow[set][p] -= 1
            } else {
                a.increment(p, in: set)
                shadow[set][p] += 1
            }
        }
        #expect(shadow.joined().max()! > 15 && a.planes > 4)
        #expect(a.invariantViolations() == [])
        for set in 0..<3 { #expect((0..<150).map { a.count(of: $0, in: set) } == shadow[set], "set \(set)") }
        // Whole bitfields come and go.
        let pieces = PieceBitfield(pieceCount: 150, full: true)
        a.add(pieces, in: 1)
        a.remove(pieces, in: 1)
        for set in 0..<3 { #expect((0..<150).map { a.count(of: $0, in: set) } == shadow[set], "set \(set)") }
        #expect(PieceAvailability.planes(forCountsUpTo: 80) == 7 && PieceAvailability.planes(forCountsUpTo: 127) == 7
                && PieceAvailability.planes(forCountsUpTo: 128) == 8)
    }

    /// The batch form counts exactly as one `increment` per set, including a set named several times in
    /// one batch and counts that outgrow the planes part-way through a batch (starting from one plane).
    @Test func incrementInEachSetMatchesOneByOne() {
        var rng = SeededRNG(17)
        var batched = PieceAvailability(pieceCount: 130, sets: 6, planes: 1)
        var single = batched
        for _ in 0..<3_000 {
            let p = Int.random(in: 0..<130, using: &rng)
            let sets = (0..<Int.random(in: 0...8, using: &rng)).map { _ in Int32.random(in: 0..<6, using: &rng) }
            batched.increment(p, inEach: sets)
            for s in sets { single.increment(p, in: Int(s)) }
        }
        #expect(batched.planes > 4 && batched.planes == single.planes)
        #expect(batched.invariantViolations() == [])
        for set in 0..<6 {
            #expect((0..<130).map { batched.count(of: $0, in: set) } == (0..<130).map { single.count(of: $0, in: set) })
        }
    }

    /// `rarest` returns exactly the candidates of lowest count, against a direct computation.
    @Test func rarestIsTheSetOfLowestCountAmongCandidates() {
        var rng = SeededRNG(9)
        for trial in 0..<200 {
            let n = Int.random(in: 1...300, using: &rng)
            var a = PieceAvailability(pieceCount: n, planes: 1)
            var counts = [Int](repeating: 0, count: n)
            for p in 0..<n {
                counts[p] = Int.random(in: 0...(trial % 3 == 0 ? 3 : 90), using: &rng)
                for _ in 0..<counts[p] { a.increment(p) }
            }
            var candidates = [UInt64](repeating: 0, count: a.wordCount)
            for p in 0..<n where Int.random(in: 0..<4, using: &rng) == 0 { candidates[p >> 6] |= 1 << UInt64(p & 63) }
            let chosen = (0..<n).filter { candidates[$0 >> 6] & (1 << UInt64($0 & 63)) != 0 }
            let lowest = chosen.map { counts[$0] }.min()
            let expected = chosen.filter { counts[$0] == lowest }
            var got: [Int] = []
            let total = withUnsafeTemporaryAllocation(of: UInt64.self, capacity: a.wordCount) { out in
                let total = a.rarest({ candidates[$0] }, into: out)
                for p in 0..<n where out[p >> 6] & (1 << UInt64(p & 63)) != 0 { got.append(p) }
                return total
            }
            #expect(got == expected, "trial \(trial)")
            #expect(total == expected.count)
        }
    }

    @Test func decrementBelowZeroIsAProgrammingError() async {
        await #expect(processExitsWith: .failure) {
            var a = PieceAvailability(pieceCount: 3)
            a.decrement(1)
        }
    }
}
