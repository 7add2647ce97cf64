import Testing
import TestSupport
@testable import SimulationEngine

@Suite struct BlockRunQueueTests {
    /// Random appends, block takes, removals and clears keep the queue equal to an array doing the same, in
    /// order, while the ring's head goes round and the queue grows past its inline runs (4) into the spill
    /// and back. Runs of several blocks give up one block at a time, the tag counting up.
    @Test func behavesAsAnArrayAcrossTheRingAndTheSpill() {
        var rng = SplitMix64(seed: 0x2545_F491_4F6C_DD1D)
        var queue = BlockRunQueue()
        var model: [BlockRun] = []
        var nextTag: Int64 = 0
        var maxCount = 0, wraps = 0
        for step in 0..<20_000 {
            switch rng.draw(10) {
            case 0..<4:
                let run = BlockRun(bytes: Int32(1 + rng.draw(3)), count: Int32(1 + rng.draw(2)), tag: nextTag, readyAt: Int64(step))
                nextTag += 10
                queue.append(run)
                model.append(run)
            case 4..<7 where !model.isEmpty:
                let taken = queue.takeFirstBlock()
                #expect(taken.bytes == model[0].bytes && taken.tag == model[0].tag, "step \(step)")
                if model[0].count > 1 {
                    model[0].count -= 1
                    model[0].tag += 1
                } else {
                    model.removeFirst()
                    wraps += 1
                }
            case 7..<9 where !model.isEmpty:
                let i = rng.draw(model.count)
                queue.remove(at: i)
                model.remove(at: i)
            case 9 where rng.draw(6) == 0:
                queue.removeAll()
                model.removeAll()
            default:
                break
            }
            maxCount = max(maxCount, model.count)
            #expect(Array(queue) == model, "step \(step)")
            #expect(queue.count == model.count && queue.isEmpty == model.isEmpty && queue.first == model.first)
            if !model.isEmpty {
                let i = rng.draw(model.count)
                #expect(queue.firstIndex { $0.tag == model[i].tag } == i)
            }
        }
        #expect(maxCount > BlockRunQueue.inlineCapacity + 3)
        #expect(wraps > 1_000)
    }

    /// A link's record fills three cache lines exactly: its hot scalars in the first (a block's end reads
    /// them), its queue in the other two; the simulator prefetches all three.
    @Test func aLinkFillsThreeLines() {
        #expect(MemoryLayout<BlockRunQueue>.size == 112)  // 4 runs (96), spill (8), ring and counts (8)
        #expect(MemoryLayout<FlowNetwork.Link>.offset(of: \FlowNetwork.Link.scheduled) == 64)
        #expect(MemoryLayout<FlowNetwork.Link>.stride == 192)
    }
}
