import Testing
import TestSupport
@testable import Strategy

@Suite struct DeferredAvailabilityTests {
    /// Four peer sets, each with an owner; twelve peers join and leave them and gain pieces, as in a swarm,
    /// and so do the owners. A `have` reaches only the sets whose owner lacks the piece; updates wait for
    /// random stretches. Whatever is asked in between (rarest pieces among candidates the owner lacks, a
    /// count of such a piece) gets the answer of the truth: how many members hold the piece.
    @Test func answersAsTheTruthForThePiecesTheOwnerLacks() {
        var rng = SeededRNG(23)
        let pieces = 70, sets = 4, peers = 12
        let deferred = DeferredAvailability(PieceAvailability(pieceCount: pieces, sets: sets, planes: 2))
        var have = [PieceBitfield](repeating: PieceBitfield(pieceCount: pieces), count: peers)
        var owner = [PieceBitfield](repeating: PieceBitfield(pieceCount: pieces), count: sets)
        var member = [[Bool]](repeating: [Bool](repeating: false, count: sets), count: peers)
        func truth(_ piece: Int, _ set: Int) -> Int { (0..<peers).filter { member[$0][set] && have[$0].contains(piece) }.count }
        var sawPending = 0, asked = 0
        for _ in 0..<6_000 {
            let peer = Int.random(in: 0..<peers, using: &rng), set = Int.random(in: 0..<sets, using: &rng)
            switch Int.random(in: 0..<12, using: &rng) {
            case 0..<5:  // a have, to every set the peer is in whose owner lacks the piece
                let piece = Int.random(in: 0..<pieces, using: &rng)
                guard have[peer].insert(piece) else { continue }
                let reached = (0..<sets).filter { member[peer][$0] && !owner[$0].contains(piece) }.map(Int32.init)
                deferred.increment(piece, inEach: reached)
            case 5:  // an owner gets a piece: its count is never asked again
                owner[set].insert(Int.random(in: 0..<pieces, using: &rng))
            case 6..<8 where !member[peer][set]:  // joins with its bitfield
                member[peer][set] = true
                have[peer].withView { theirs in owner[set].withView { deferred.add(theirs, in: set, ownerHas: $0) } }
            case 8 where member[peer][set]:  // leaves: its pieces come out, those still waiting included
                member[peer][set] = false
                have[peer].withView { theirs in owner[set].withView { deferred.remove(theirs, from: set, ownerHas: $0) } }
            case 9:
                if deferred.hasPending { sawPending += 1 }
                let lacking = (0..<pieces).filter { !owner[set].contains($0) && Bool.random(using: &rng) }
                guard !lacking.isEmpty else { continue }
                var candidates = [UInt64](repeating: 0, count: 2)
                for p in lacking { candidates[p >> 6] |= 1 << UInt64(p & 63) }
                var told = [UInt64](repeating: 0, count: 2)
                let n = told.withUnsafeMutableBufferPointer { deferred.peerSet(set).rarest({ candidates[$0] }, into: $0) }
                let least = lacking.map { truth($0, set) }.min()!
                let rarest = lacking.filter { truth($0, set) == least }
                #expect(n == rarest.count && (0..<pieces).filter { told[$0 >> 6] & (1 << UInt64($0 & 63)) != 0 } == rarest)
                #expect(!deferred.hasPending)
                asked += 1
            default:
                let piece = Int.random(in: 0..<pieces, using: &rng)
                if !owner[set].contains(piece) { #expect(deferred.count(of: piece, in: set) == truth(piece, set)) }
            }
            if Int.random(in: 0..<6, using: &rng) == 0 { deferred.applyPending() }
        }
        #expect(sawPending > 50 && asked > 300)
        deferred.applyPending()
        for set in 0..<sets {
            for piece in 0..<pieces where !owner[set].contains(piece) { #expect(deferred.counts.count(of: piece, in: set) == truth(piece, set)) }
        }
        #expect(deferred.counts.planes > 2 && deferred.counts.invariantViolations() == [])
    }

    /// A peer leaves before its last `have` was applied: that piece is taken out with the rest, never
    /// below zero (which would trap); a piece the owner has is left alone.
    @Test func aPeerLeavingTakesOutItsPendingPieces() {
        let deferred = DeferredAvailability(PieceAvailability(pieceCount: 10, sets: 2))
        var theirs = PieceBitfield(pieceCount: 10), mine = PieceBitfield(pieceCount: 10)
        theirs.insert(1)
        theirs.insert(4)
        mine.insert(4)
        theirs.withView { t in mine.withView { deferred.add(t, in: 0, ownerHas: $0) } }
        #expect(deferred.count(of: 1, in: 0) == 1 && deferred.count(of: 4, in: 0) == 0)
        theirs.insert(7)
        var loaded = 0
        deferred.increment(7, inEach: [Int32(0)], prefetch: { _ in loaded += 1 })
        #expect(loaded == 1 && deferred.hasPending && deferred.counts.count(of: 7, in: 0) == 0)
        theirs.withView { t in mine.withView { deferred.remove(t, from: 0, ownerHas: $0) } }
        #expect(!deferred.hasPending && deferred.count(of: 7, in: 0) == 0 && deferred.count(of: 1, in: 0) == 0)
    }
}
