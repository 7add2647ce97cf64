@testable import Strategy
import TestSupport

typealias SeededRNG = SplitMix64

extension SplitMix64 {
    init(_ seed: UInt64) { self.init(seed: seed) }
}

/// A bitfield from a picture: "*" has the piece, anything else lacks it.
func bits(_ picture: String) -> PieceBitfield {
    var f = PieceBitfield(pieceCount: picture.count)
    for (i, c) in picture.enumerated() where c == "*" { f.insert(i) }
    return f
}

/// A picker with its peer set's availability counts, as a client holds them.
struct Picking {
    var picker: PiecePicker
    var availability: PieceAvailability

    init(_ picker: PiecePicker) {
        self.picker = picker
        availability = PieceAvailability(pieceCount: picker.layout.pieceCount)
    }

    mutating func pick(from remote: PieceBitfield, count: Int, isRequestedHere: (BlockRef) -> Bool,
                       outstandingHere: Int = 0, using rng: inout SeededRNG) -> [BlockRef] {
        picker.pick(from: remote, count: count, availability: availability, isRequestedHere: isRequestedHere,
                    outstandingHere: outstandingHere, using: &rng)
    }

    mutating func peerGotPiece(_ piece: Int) { availability.increment(piece) }
    mutating func blockReceived(_ block: BlockRef) -> PiecePicker.Receipt { picker.blockReceived(block) }
    mutating func requestDropped(_ block: BlockRef) { picker.requestDropped(block) }
    mutating func pieceFailed(_ piece: Int) { picker.pieceFailed(piece) }
    var have: PieceBitfield { picker.have }
    var partialPieces: [Int32] { picker.partialPieces }
    var inEndgame: Bool { picker.inEndgame }
    func invariantViolations() -> [String] { picker.invariantViolations() + availability.invariantViolations() }
}

/// A picker over `availability` (one digit per piece: how many peers have it), with the pieces marked "*"
/// in `have` already complete. 4 blocks per piece.
func picker(_ availability: String, have: String? = nil, policy: PiecePicker.Policy = .rarestFirst,
            randomFirst: Int = 0, endgame: Bool = true) -> Picking {
    let n = availability.count
    var p = Picking(PiecePicker(layout: PieceLayout(totalBytes: Int64(n) * 64, pieceBytes: 64, blockBytes: 16),
                                policy: policy, randomFirstPieces: randomFirst, endgame: endgame))
    for (piece, c) in availability.enumerated() {
        for _ in 0..<Int(String(c))! { p.peerGotPiece(piece) }
    }
    if let have { for (i, c) in have.enumerated() where c == "*" { p.picker.markHave(i) } }
    return p
}
