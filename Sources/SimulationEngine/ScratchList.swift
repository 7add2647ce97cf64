/// A growable list of trivial values in a raw buffer, for scratch work on the hot path: no copy-on-write
/// check on append, and emptying it is setting a count. Its owner deallocates it (`deallocate()`), and
/// must not copy it (copies share the buffer).
struct ScratchList<Element: BitwiseCopyable> {
    private(set) var count = 0
    private var capacity = 0
    private var base = UnsafeMutablePointer<Element>.allocate(capacity: 0)

    @inline(__always)
    subscript(i: Int) -> Element {
        assert(i >= 0 && i < count, "scratch index \(i) out of 0..<\(count)")
        return base[i]
    }

    @inline(__always)
    mutating func append(_ x: Element) {
        if count == capacity { grow() }
        base[count] = x
        count += 1
    }

    @inline(__always)
    mutating func removeAll() { count = 0 }

    private mutating func grow() {
        let bigger = UnsafeMutablePointer<Element>.allocate(capacity: max(64, 2 * capacity))
        bigger.initialize(from: base, count: count)
        base.deallocate()
        base = bigger
        capacity = max(64, 2 * capacity)
    }

    func deallocate() { base.deallocate() }
}
