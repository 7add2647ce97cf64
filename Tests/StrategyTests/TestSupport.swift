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

/// A picker over `availability` (one digit per piece: how many peers have it), with the pieces marked "*"
/// in `have` already complete. 4 blocks per piece.
func picker(_ availability: String, have: String? = nil, policy: PiecePicker.Policy = .rarestFirst,
            randomFirst: Int = 0, endgame: Bool = true) -> PiecePicker {
    let n = availability.count
    var p = PiecePicker(layout: PieceLayout(totalBytes: Int64(n) * 64, pieceBytes: 64, blockBytes: 16),
                        policy: policy, randomFirstPieces: randomFirst, endgame: endgame)
    for (piece, c) in availability.enumerated() {
        for _ in 0..<Int(String(c))! { p.peerGotPiece(piece) }
    }
    if let have { for (i, c) in have.enumerated() where c == "*" { p.markHave(i) } }
    return p
}
