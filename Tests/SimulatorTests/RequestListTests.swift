import Strategy
import Testing
@testable import Simulator

@Suite struct RequestListTests {
    /// Random appends, removals and clears keep the list equal to an array doing the same, in order,
    /// across the inline capacity (7) and back, with repeated blocks (endgame asks twice only elsewhere,
    /// but the list must not care).
    @Test func behavesAsAnArrayAcrossTheSpill() {
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        func draw(_ n: Int) -> Int {  // a fixed pseudo-random sequence (64-bit LCG, high bits)
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((seed >> 33) % UInt64(n))
        }
        var list = RequestList()
        var model: [BlockRef] = []
        var maxCount = 0
        for step in 0..<20_000 {
            let block = BlockRef(piece: draw(6), block: draw(4))
            switch draw(10) {
            case 0..<5:
                list.append(block)
                model.append(block)
            case 5..<9:
                let removed = list.remove(block)
                if let i = model.firstIndex(of: block) {
                    model.remove(at: i)
                    #expect(removed, "step \(step)")
                } else {
                    #expect(!removed, "step \(step)")
                }
            default:
                if draw(8) == 0 {
                    list.removeAll()
                    model.removeAll()
                }
            }
            maxCount = max(maxCount, model.count)
            #expect(Array(list) == model, "step \(step)")
            #expect(list.count == model.count && list.isEmpty == model.isEmpty)
            #expect(list.contains(block) == model.contains(block))
        }
        #expect(maxCount > RequestList.inlineCapacity + 3)
    }
}
