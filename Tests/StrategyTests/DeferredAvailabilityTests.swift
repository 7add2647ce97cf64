import Testing
import TestSupport
@testable import Strategy

@Suite struct DeferredAvailabilityTests {
    /// Peers join and leave four peer sets and gain pieces, as in a swarm; updates wait for random stretches.
    /// Whatever is asked in between (rarest pieces among random candidates, a count) gets the answer of
    /// counts updated at once, and applying everything leaves the same counts.
    @Test func answersAsIfEveryUpdateWereApplied() {
        var rng = SeededRNG(23)
        let pieces = 70, sets = 4, peers = 12
        let deferred = DeferredAvailability(PieceAvailability(pieceCount: pieces, sets: sets, planes: 2))
        var atOnce = PieceAvailability(pieceCount: pieces, sets: sets, planes: 2)
        var have = [PieceBitfield](repeating: PieceBitfield(pieceCount: pieces), count: peers)
        var member = [[Bool]](repeating: [Bool](repeating: false, count: sets), count: peers)
        var sawPending = 0
        for _ in 0..<4_000 {
            let peer = Int.random(in: 0..<peers, using: &rng), set = Int.random(in: 0..<sets, using: &rng)
            switch Int.random(in: 0..<10, using: &rng) {
            case 0..<5:  // a have, to every set the peer is in
                let piece = Int.random(in: 0..<pieces, using: &rng)
                guard have[peer].insert(piece) else { continue }
                let reached = (0..<sets).filter { member[peer][$0] }.map(Int32.init)
                deferred.increment(piece, inEach: reached)
                atOnce.increment(piece, inEach: reached)
            case 5..<7 where !member[peer][set]:  // joins with its bitfield
                member[peer][set] = true
                deferred.add(have[peer], in: set)
                atOnce.add(have[peer], in: set)
            case 7 where member[peer][set]:  // leaves: its pieces come out, those still waiting included
                member[peer][set] = false
                deferred.remove(have[peer], in: set)
                atOnce.remove(have[peer], in: set)
            case 8:
                if deferred.hasPending { sawPending += 1 }
                let candidates = (0..<2).map { _ in UInt64.random(in: 0...UInt64.max, using: &rng) }
                let words = atOnce.wordCount
                let mask: (Int) -> UInt64 = { w in (w + 1) * 64 <= pieces ? ~0 : (1 << UInt64(pieces & 63)) - 1 }
                var told = [UInt64](repeating: 0, count: words), expected = told
                let n = told.withUnsafeMutableBufferPointer { deferred.peerSet(set).rarest({ candidates[$0] & mask($0) }, into: $0) }
                let m = expected.withUnsafeMutableBufferPointer { atOnce.rarest({ candidates[$0] & mask($0) }, in: set, into: $0) }
                #expect(n == m && told == expected)
                #expect(!deferred.hasPending)
            default:
                let piece = Int.random(in: 0..<pieces, using: &rng)
                #expect(deferred.count(of: piece, in: set) == atOnce.count(of: piece, in: set))
            }
            if Int.random(in: 0..<6, using: &rng) == 0 { deferred.applyPending() }
        }
        #expect(sawPending > 50)
        deferred.applyPending()
        for set in 0..<sets {
            #expect((0..<pieces).map { deferred.counts.count(of: $0, in: set) } == (0..<pieces).map { atOnce.count(of: $0, in: set) })
        }
        #expect(deferred.counts.planes > 2 && deferred.counts.invariantViolations() == [])
    }

    /// A peer leaves before its last `have` was applied: that piece is taken out with the rest, never
    /// below zero (which would trap).
    @Test func aPeerLeavingTakesOutItsPendingPieces() {
        let deferred = DeferredAvailability(PieceAvailability(pieceCount: 10, sets: 2))
        var theirs = PieceBitfield(pieceCount: 10)
        theirs.insert(1)
        deferred.add(theirs, in: 0)
        theirs.insert(7)
        var loaded = 0
        deferred.increment(7, inEach: [Int32(0)], prefetch: { _ in loaded += 1 })
        #expect(loaded == 1 && deferred.hasPending && deferred.counts.count(of: 7, in: 0) == 0)
        deferred.remove(theirs, in: 0)
        #expect(!deferred.hasPending && deferred.count(of: 7, in: 0) == 0 && deferred.count(of: 1, in: 0) == 0)
    }
}
