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
    /// An entry as stored.
    struct Stored: Sendable {
        var piece: Int32
        var slot: Int32
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
    private var inline = Inline(repeating: Stored(piece: 0, slot: 0))

    var count: Int { Int(inlineCount) + Int(spillCount) }
    var isEmpty: Bool { inlineCount == 0 }

    subscript(i: Int) -> Entry {
        precondition(i >= 0 && i < count, "partial \(i) out of 0..<\(count)")
        let e = i < Self.inlineCapacity ? inline[i] : spill[i - Self.inlineCapacity]
        return (e.piece, e.slot)
    }

    mutating func append(_ new: Entry) {
        let entry = Stored(piece: new.piece, slot: new.slot)
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
