/// The counters and block states of a picker's partial pieces: one *slot* per piece under way, reused
/// once the piece completes.
///
/// Why not two arrays: every block that arrives, and every request, reads its piece's counters and a
/// block's state, at one picker of thousands. As two arrays (states apart from counters) that was four
/// cache lines after the picker's own: each array's header (read by its bounds and uniqueness checks) and
/// the element. Here the first `inlineCapacity` slots sit in the picker itself, counters and states
/// together in 32 bytes (two slots to a cache line), whenever a piece has at most `inlineBlocks` blocks
/// (256 KiB pieces of 16 KiB blocks have 16). Further slots, and every slot of larger pieces, live in two
/// arrays as before.
///
/// Slot numbers are the picker's: it adds slots one at a time (`addSlot`) and frees and reuses them itself.
/// Every accessor is given the picker's blocks per piece (`stride`), which it keeps among its hot fields.
struct PieceSlots: Sendable {
    /// A partial piece's counters.
    struct Counters: Sendable, Equatable {
        /// Blocks in the piece, free blocks left, blocks received.
        var blocks: Int32
        var free: Int32
        var received: Int32 = 0
        /// The lowest block index that may be free.
        var hint: Int32 = 0
    }

    /// An inline slot: its counters, then one state per block.
    struct Record: Sendable {
        var counters = Counters(blocks: 0, free: 0)
        var states = InlineArray<16, UInt8>(repeating: 0)
    }

    typealias Inline = InlineArray<8, Record>
    static var inlineCapacity: Int { Inline.count }
    static var inlineBlocks: Int { 16 }

    // The spills first (16 bytes), so that in the picker (at offset 112) the records start on a line.
    /// Counters of slots past the inline ones (all slots when pieces have more than `inlineBlocks` blocks).
    private var spillCounters: [Counters] = []
    /// `stride` states per spilled slot.
    private var spillStates: [UInt8] = []
    private var inline = Inline(repeating: Record())

    /// Whether `slot` is one of the inline ones, for pieces of `stride` blocks. (A negative slot is not: it
    /// goes to the spills, whose bounds checks trap, never to a pointer into the picker.)
    @inline(__always)
    static func isInline(_ slot: Int, stride: Int) -> Bool { slot >= 0 && slot < inlineCapacity && stride <= inlineBlocks }

    /// Index of `slot` in the spills.
    @inline(__always)
    static func spillIndex(_ slot: Int, stride: Int) -> Int { stride <= inlineBlocks ? slot - inlineCapacity : slot }

    /// Bytes from an inline record's start to its states.
    @inline(__always)
    static var statesOffset: Int { MemoryLayout<Counters>.stride }
    @inline(__always)
    static var recordStride: Int { MemoryLayout<Record>.stride }

    /// Makes room for slot number `slot`, the next one (slots are added in order, from 0).
    mutating func addSlot(_ slot: Int, stride: Int) {
        guard !Self.isInline(slot, stride: stride) else { return }
        precondition(Self.spillIndex(slot, stride: stride) == spillCounters.count, "slots are added in order")
        spillCounters.append(Counters(blocks: 0, free: 0))
        spillStates.append(contentsOf: repeatElement(0, count: stride))
    }

    // Every accessor is mutating, the reads too, so that it reaches the slots in place: the inline array's
    // subscript copied all eight records to read one, and a non-mutating call copied the whole struct.
    // The spills are read and written in functions of their own, so that their copy-on-write checks stay
    // on their path (inlined, the compiler hoisted them out of a picker's loops, onto every block).

    /// The counters of `slot`.
    @inline(__always)
    mutating func counters(_ slot: Int, stride: Int) -> Counters {
        guard Self.isInline(slot, stride: stride) else { return spilledCounters(slot, stride: stride) }
        return withUnsafeMutableBytes(of: &inline) { $0.load(fromByteOffset: slot * Self.recordStride, as: Counters.self) }
    }

    @inline(__always)
    mutating func setCounters(_ slot: Int, stride: Int, to value: Counters) {
        guard Self.isInline(slot, stride: stride) else { return setSpilledCounters(slot, stride: stride, to: value) }
        withUnsafeMutableBytes(of: &inline) { $0.storeBytes(of: value, toByteOffset: slot * Self.recordStride, as: Counters.self) }
    }

    /// The state of block `block` of `slot`: 0 = free, 1...254 = outstanding requests, 255 = received.
    @inline(__always)
    mutating func state(_ slot: Int, _ block: Int, stride: Int) -> UInt8 {
        precondition(block >= 0 && block < stride, "block \(block) out of 0..<\(stride)")
        guard Self.isInline(slot, stride: stride) else { return spilledState(slot, block, stride: stride) }
        return withUnsafeMutableBytes(of: &inline) { $0[slot * Self.recordStride + Self.statesOffset + block] }
    }

    @inline(__always)
    mutating func setState(_ slot: Int, _ block: Int, stride: Int, to value: UInt8) {
        precondition(block >= 0 && block < stride, "block \(block) out of 0..<\(stride)")
        guard Self.isInline(slot, stride: stride) else { return setSpilledState(slot, block, stride: stride, to: value) }
        withUnsafeMutableBytes(of: &inline) { $0[slot * Self.recordStride + Self.statesOffset + block] = value }
    }

    /// Gives `slot` to a piece of `blocks` blocks: its counters fresh and every block free.
    mutating func reset(_ slot: Int, blocks: Int, stride: Int) {
        setCounters(slot, stride: stride, to: Counters(blocks: Int32(blocks), free: Int32(blocks)))
        for b in 0..<blocks { setState(slot, b, stride: stride, to: 0) }
    }

    @inline(never)
    private mutating func spilledCounters(_ slot: Int, stride: Int) -> Counters {
        spillCounters[Self.spillIndex(slot, stride: stride)]
    }

    @inline(never)
    private mutating func setSpilledCounters(_ slot: Int, stride: Int, to value: Counters) {
        spillCounters[Self.spillIndex(slot, stride: stride)] = value
    }

    @inline(never)
    private mutating func spilledState(_ slot: Int, _ block: Int, stride: Int) -> UInt8 {
        spillStates[Self.spillIndex(slot, stride: stride) * stride + block]
    }

    @inline(never)
    private mutating func setSpilledState(_ slot: Int, _ block: Int, stride: Int, to value: UInt8) {
        spillStates[Self.spillIndex(slot, stride: stride) * stride + block] = value
    }
}
