/// The calendar's ring of buckets (see `EventQueue`): per slot, the unsorted events of one future bucket.
///
/// Why not an array of arrays: every event scheduled lands in a slot picked by its time, one of
/// thousands, and each slot's own array was a header to read (a cache miss, at 10,000 peers) and two
/// uniqueness checks per event. Here every slot has a fixed region of `slotCapacity` entries in one
/// allocation, with the counts and the occupancy bits beside them: appending is a count read from a small
/// table and a write at the region's end. Entries past a region's capacity (a burst, say every link of a
/// server re-rated at once) go to that slot's overflow array, which is released when the bucket comes up.
///
/// A class, held by the value-typed `EventQueue`, which copies it before mutating a shared one.
@usableFromInline
final class EventRing<Entry> {
    @usableFromInline let slotCount: Int
    @usableFromInline let slotCapacity: Int
    /// Slot s's region: `entries + s * slotCapacity`, its first `counts[s]` entries initialized.
    @usableFromInline let entries: UnsafeMutablePointer<Entry>
    @usableFromInline let counts: UnsafeMutablePointer<Int32>
    /// One bit per slot: the slot holds events (in its region, and perhaps in its overflow).
    @usableFromInline let occupied: UnsafeMutablePointer<UInt64>
    /// Entries beyond a full region, per slot, in the order they came.
    @usableFromInline var overflow: [[Entry]]
    /// Entries in the whole ring.
    @usableFromInline var total = 0

    /// - Parameters: `slots`, a multiple of 64; `capacity`, entries per slot held without overflow.
    init(slots: Int, capacity: Int) {
        precondition(slots > 0 && slots % 64 == 0 && capacity > 0)
        slotCount = slots
        slotCapacity = capacity
        entries = .allocate(capacity: slots * capacity)
        counts = .allocate(capacity: slots)
        counts.initialize(repeating: 0, count: slots)
        occupied = .allocate(capacity: slots / 64)
        occupied.initialize(repeating: 0, count: slots / 64)
        overflow = Array(repeating: [], count: slots)
    }

    deinit {
        for slot in 0..<slotCount { region(slot).deinitialize(count: Int(counts[slot])) }
        entries.deallocate()
        counts.deallocate()
        occupied.deallocate()
    }

    /// An independent copy (for a copied `EventQueue` that is then mutated).
    @usableFromInline
    func copy() -> EventRing {
        let other = EventRing(slots: slotCount, capacity: slotCapacity)
        for slot in 0..<slotCount {
            let n = Int(counts[slot])
            other.region(slot).initialize(from: region(slot), count: n)
            other.counts[slot] = Int32(n)
        }
        other.occupied.update(from: occupied, count: slotCount / 64)
        other.overflow = overflow
        other.total = total
        return other
    }

    @inlinable @inline(__always)
    func region(_ slot: Int) -> UnsafeMutablePointer<Entry> { entries + slot * slotCapacity }

    @inlinable @inline(__always)
    func isOccupied(_ slot: Int) -> Bool { occupied[slot >> 6] & (1 << UInt64(slot & 63)) != 0 }

    /// Adds `entry` to `slot` (checked by the caller: 0 ..< slotCount).
    @inlinable
    func append(_ entry: Entry, to slot: Int) {
        let n = Int(counts[slot])
        if n < slotCapacity {
            (region(slot) + n).initialize(to: entry)
            counts[slot] = Int32(n + 1)
        } else {
            appendToOverflow(entry, slot)
        }
        occupied[slot >> 6] |= 1 << UInt64(slot & 63)
        total += 1
    }

    @usableFromInline @inline(never)
    func appendToOverflow(_ entry: Entry, _ slot: Int) { overflow[slot].append(entry) }

    /// Moves every entry of `slot` to the end of `items` and empties the slot.
    @inlinable
    func drain(_ slot: Int, into items: inout [Entry]) {
        let n = Int(counts[slot])
        items.append(contentsOf: UnsafeBufferPointer(start: region(slot), count: n))
        region(slot).deinitialize(count: n)
        counts[slot] = 0
        total -= n
        if !overflow[slot].isEmpty { drainOverflow(slot, into: &items) }
        occupied[slot >> 6] &= ~(1 << UInt64(slot & 63))
    }

    @usableFromInline @inline(never)
    func drainOverflow(_ slot: Int, into items: inout [Entry]) {
        items.append(contentsOf: overflow[slot])
        total -= overflow[slot].count
        overflow[slot] = []  // the burst's room is not kept
    }

    /// Entries held in `slot`.
    func count(of slot: Int) -> Int { Int(counts[slot]) + overflow[slot].count }

    /// Calls `body` with each entry of `slot`, in the order they came.
    func forEach(in slot: Int, _ body: (Entry) -> Void) {
        for entry in UnsafeBufferPointer(start: region(slot), count: Int(counts[slot])) { body(entry) }
        for entry in overflow[slot] { body(entry) }
    }

    /// Removes the entries for which `isDead` holds, keeping the order of the others.
    func removeAll(where isDead: (Entry) -> Bool) {
        for slot in 0..<slotCount where isOccupied(slot) {
            var kept: [Entry] = []
            drain(slot, into: &kept)
            for entry in kept where !isDead(entry) { append(entry, to: slot) }
        }
    }

    /// The most room any slot's overflow still holds (0 once every burst's bucket has run).
    var largestOverflowCapacity: Int { overflow.map(\.capacity).max() ?? 0 }
}
