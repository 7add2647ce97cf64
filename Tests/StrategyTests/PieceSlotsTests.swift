import Testing
import TestSupport
@testable import Strategy

@Suite struct PieceSlotsTests {
    /// Random writes of counters and states keep every slot equal to a plain model, for pieces small
    /// enough to sit inline (the first eight slots, then the spill) and for larger ones (all spilled), and
    /// `reset` frees exactly a piece's blocks.
    @Test(arguments: [16, 5, 17, 64])
    func behaveAsPlainArrays(stride: Int) {
        var rng = SplitMix64(seed: 0xBB67_AE85_84CA_A73B ^ UInt64(stride))
        var slots = PieceSlots()
        var counters: [PieceSlots.Counters] = []
        var states: [[UInt8]] = []
        for step in 0..<20_000 {
            let choice = rng.draw(5)
            if choice == 0 || counters.isEmpty {
                guard counters.count < 20 else { continue }
                slots.addSlot(counters.count, stride: stride)
                counters.append(PieceSlots.Counters(blocks: 0, free: 0))
                states.append(Array(repeating: 0, count: stride))
                continue
            }
            let slot = rng.draw(counters.count)
            switch choice {
            case 1:
                let value = PieceSlots.Counters(blocks: Int32(rng.draw(99)), free: Int32(rng.draw(99)),
                                                received: Int32(rng.draw(99)), hint: Int32(rng.draw(99)))
                slots.setCounters(slot, stride: stride, to: value)
                counters[slot] = value
            case 2, 3:
                let block = rng.draw(stride), value = UInt8(rng.draw(256))
                slots.setState(slot, block, stride: stride, to: value)
                states[slot][block] = value
            default:
                let blocks = 1 + rng.draw(stride)
                slots.reset(slot, blocks: blocks, stride: stride)
                counters[slot] = PieceSlots.Counters(blocks: Int32(blocks), free: Int32(blocks))
                for b in 0..<blocks { states[slot][b] = 0 }
            }
            for s in counters.indices {
                #expect(slots.counters(s, stride: stride) == counters[s], "step \(step), slot \(s)")
                #expect((0..<stride).map { slots.state(s, $0, stride: stride) } == states[s], "step \(step), slot \(s)")
            }
        }
        #expect(counters.count == 20)  // past the inline eight
    }

    /// A slot's counters and states share 32 bytes, and the inline slots start on the picker's third cache
    /// line (byte 128), right after its hot scalars and partial pieces: two slots to a line.
    @Test func inlineSlotsFillWholeLinesOfThePicker() {
        #expect(MemoryLayout<PieceSlots.Record>.stride == 32)
        #expect(MemoryLayout<PieceSlots.Record>.offset(of: \PieceSlots.Record.states) == PieceSlots.statesOffset)
        #expect(MemoryLayout<PiecePicker>.offset(of: \PiecePicker.slots).map { $0 + 16 } == 128)  // after the spills
        #expect(MemoryLayout<PieceSlots>.size == 16 + 8 * 32)
    }

    /// A negative slot is a programming error that traps: it is not an inline slot (whose accesses go
    /// through a pointer, checked only in debug builds) but a spilled one, whose array checks its index.
    @Test func aNegativeSlotTraps() async {
        #expect(!PieceSlots.isInline(-1, stride: 16) && PieceSlots.isInline(0, stride: 16))
        await #expect(processExitsWith: .failure) {
            var slots = PieceSlots()
            slots.setState(-1, 0, stride: 16, to: 1)
        }
    }

    /// Large pieces (more than 16 blocks) use the spill: a picker with 64-block pieces downloads a piece
    /// whole, and its bookkeeping stays exact.
    @Test func largePiecesCompleteThroughTheSpill() {
        let layout = PieceLayout(totalBytes: 3 * 64 * 1024, pieceBytes: 64 * 1024, blockBytes: 1024)
        var p = PiecePicker(layout: layout, randomFirstPieces: 0)
        var rng = SplitMix64(seed: 7)
        let remote = PieceBitfield(pieceCount: 3, full: true)
        let availability = PieceAvailability(pieceCount: 3)
        let picked = p.pick(from: remote, count: 64, availability: availability, isRequestedHere: { _ in false }, using: &rng)
        #expect(picked.count == 64 && Set(picked.map(\.piece)).count == 1)
        for (i, block) in picked.enumerated() {
            let receipt = p.blockReceived(block)
            #expect(receipt == .stored(completedPiece: i == 63 ? Int(block.piece) : nil, otherRequests: 0))
            #expect(p.invariantViolations() == [])
        }
        #expect(p.have.count == 1 && p.partialPieces.isEmpty)
    }
}
