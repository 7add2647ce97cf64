/// The pieces a picker has started and not finished, each with the slot that holds its block states,
/// oldest first.
///
/// Why not an array: every block that arrives looks its piece up here, and a request walks the list
/// (strict priority), at one picker of thousands. An array's elements live in an allocation of their own,
/// a cache miss that can only start once the picker is loaded; here the first `inlineCapacity` entries sit
/// in the picker itself (a peer usually has a few pieces under way, about one per connection it downloads
/// from), and only a longer list (endgame) spills into an array.
struct PartialList: Sendable {
    typealias Entry = (piece: Int32, slot: Int32)
    /// An entry as stored: the slot in the low 31 bits of `slotBits`, and in its top bit whether the piece
    /// has free blocks (a copy of the picker's count, so that a request passes over the pieces with none
    /// without reading their counts).
    struct Stored: Sendable {
        var piece: Int32
        var slotBits: UInt32

        init(piece: Int32, slot: Int32, hasFree: Bool) {
            precondition(slot >= 0)
            self.piece = piece
            slotBits = UInt32(slot) | (hasFree ? Self.freeBit : 0)
        }

        static var freeBit: UInt32 { 1 << 31 }
        var slot: Int32 { Int32(slotBits & ~Self.freeBit) }
        var hasFree: Bool {
            get { slotBits & Self.freeBit != 0 }
            set { slotBits = newValue ? slotBits | Self.freeBit : slotBits & ~Self.freeBit }
        }
    }
    typealias Inline = InlineArray<8, Stored>
    static var inlineCapacity: Int { Inline.count }

    // In this order: the counts, then the spill's reference, then the entries (80 bytes in all).
    private var inlineCount: Int32 = 0
    /// `spill.count`, kept here: reading it there would load the spill's storage.
    private var spillCount: Int32 = 0
    /// Entries past the inline ones, oldest first; empty unless `count > inlineCapacity` (and then released,
    /// so a picker that once had a long list keeps no storage).
    private var spill: [Stored] = []
    private var inline = Inline(repeating: Stored(piece: 0, slot: 0, hasFree: false))

    var count: Int { Int(inlineCount) + Int(spillCount) }
    var isEmpty: Bool { inlineCount == 0 }

    subscript(i: Int) -> Entry {
        let e = stored(i)
        return (e.piece, e.slot)
    }

    /// Entry `i` with its free-blocks flag.
    @inline(__always)
    func stored(_ i: Int) -> Stored {
        precondition(i >= 0 && i < count, "partial \(i) out of 0..<\(count)")
        return i < Self.inlineCapacity ? inline[i] : spill[i - Self.inlineCapacity]
    }

    mutating func append(_ new: Entry, hasFree: Bool) {
        let entry = Stored(piece: new.piece, slot: new.slot, hasFree: hasFree)
        if Int(inlineCount) < Self.inlineCapacity {
            inline[Int(inlineCount)] = entry
            inlineCount += 1
        } else {
            spill.append(entry)
            spillCount += 1
        }
    }

    /// The slot of `piece`, or -1 when it is not in the list. O(count).
    func slot(of piece: Int32) -> Int {
        for i in 0..<Int(inlineCount) where inline[i].piece == piece { return Int(inline[i].slot) }
        guard spillCount > 0 else { return -1 }
        for entry in spill where entry.piece == piece { return Int(entry.slot) }
        return -1
    }

    /// Records whether `piece` (which must be in the list) has free blocks.
    mutating func setHasFree(_ flag: Bool, piece: Int32) {
        for i in 0..<Int(inlineCount) where inline[i].piece == piece {
            inline[i].hasFree = flag
            return
        }
        guard let i = spill.firstIndex(where: { $0.piece == piece }) else { preconditionFailure("piece \(piece) is not partial") }
        spill[i].hasFree = flag
    }

    /// Removes `piece`'s entry, if any; later entries move up one place.
    mutating func remove(piece: Int32) {
        let n = Int(inlineCount)
        for i in 0..<n where inline[i].piece == piece {
            for j in i..<(n - 1) { inline[j] = inline[j + 1] }
            if spillCount == 0 {
                inlineCount -= 1
            } else {
                inline[n - 1] = spill.removeFirst()
                dropSpillEntry()
            }
            return
        }
        guard spillCount > 0, let i = spill.firstIndex(where: { $0.piece == piece }) else { return }
        spill.remove(at: i)
        dropSpillEntry()
    }

    /// One entry left the spill: count it, and release the storage once the spill is empty.
    private mutating func dropSpillEntry() {
        spillCount -= 1
        if spillCount == 0 { spill = [] }
    }

    /// The entries, oldest first.
    var entries: [Entry] { (0..<count).map { self[$0] } }
}
