import Testing
import TestSupport
@testable import Strategy

@Suite struct PartialListTests {
    /// Random appends, removals and free-block flags keep the list equal to an array doing the same, in
    /// order, across the inline capacity (8) and back, and `slot(of:)` finds what the array finds.
    @Test func behavesAsAnArrayAcrossTheSpill() {
        var rng = SplitMix64(seed: 0x6A09_E667_F3BC_C908)
        var list = PartialList()
        var model: [(piece: Int32, slot: Int32, hasFree: Bool)] = []
        var maxCount = 0
        for step in 0..<20_000 {
            let piece = Int32(rng.draw(40))
            let choice = rng.draw(3)
            if choice == 0 {
                if !model.contains(where: { $0.piece == piece }) {  // a piece is partial at most once
                    let slot = Int32(rng.draw(100)), free = rng.draw(2) == 0
                    list.append((piece, slot), hasFree: free)
                    model.append((piece, slot, free))
                }
            } else if choice == 1, let i = model.firstIndex(where: { $0.piece == piece }) {
                let free = rng.draw(2) == 0
                list.setHasFree(free, piece: piece)
                model[i].hasFree = free
            } else {
                list.remove(piece: piece)
                model.removeAll { $0.piece == piece }
            }
            maxCount = max(maxCount, model.count)
            #expect(list.entries.map(\.piece) == model.map(\.piece), "step \(step)")
            #expect(list.entries.map(\.slot) == model.map(\.slot), "step \(step)")
            #expect((0..<list.count).map { list.stored($0).hasFree } == model.map(\.hasFree), "step \(step)")
            #expect(list.count == model.count && list.isEmpty == model.isEmpty)
            let probe = Int32(rng.draw(40))
            #expect(list.slot(of: probe) == Int(model.first { $0.piece == probe }?.slot ?? -1), "step \(step)")
        }
        #expect(maxCount > PartialList.inlineCapacity + 3)
    }

    /// The inline partial pieces sit in the picker's first two cache lines (bytes 32–111), before their
    /// slots (`PieceSlotsTests`): the simulator prefetches the picker's first 384 bytes for the next block.
    @Test func theListSitsInThePickersFirstTwoLines() {
        #expect(MemoryLayout<PartialList>.size == 80)  // counts (8), spill (8), 8 entries (64)
        #expect(MemoryLayout<PiecePicker>.offset(of: \PiecePicker.partials) == 32)
    }
}
