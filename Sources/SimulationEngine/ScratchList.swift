/// A growable list of trivial values in a raw buffer, for scratch work on the hot path: no copy-on-write
/// check on append or write, and emptying or sizing it is setting a count. Its owner deallocates it
/// (`deallocate()`), and must not copy it (copies share the buffer).
struct ScratchList<Element: BitwiseCopyable & AdditiveArithmetic> {
    private(set) var count = 0
    private var capacity = 0
    private var base = UnsafeMutablePointer<Element>.allocate(capacity: 0)

    @inline(__always)
    subscript(i: Int) -> Element {
        get {
            assert(i >= 0 && i < count, "scratch index \(i) out of 0..<\(count)")
            return base[i]
        }
        nonmutating set {
            assert(i >= 0 && i < count, "scratch index \(i) out of 0..<\(count)")
            base[i] = newValue
        }
    }

    /// The elements, as a buffer (valid until the list grows).
    var buffer: UnsafeMutableBufferPointer<Element> { UnsafeMutableBufferPointer(start: base, count: count) }

    @inline(__always)
    mutating func append(_ x: Element) {
        if count == capacity { grow() }
        base[count] = x
        count += 1
    }

    @inline(__always)
    mutating func removeAll() { count = 0 }

    /// Makes the list `n` long; elements past the old count are zero until written.
    @inline(__always)
    mutating func resize(to n: Int) {
        while capacity < n { grow() }
        if n > count { (base + count).initialize(repeating: Element.zero, count: n - count) }
        count = n
    }

    private mutating func grow() {
        let bigger = UnsafeMutablePointer<Element>.allocate(capacity: max(64, 2 * capacity))
        bigger.initialize(from: base, count: count)
        base.deallocate()
        base = bigger
        capacity = max(64, 2 * capacity)
    }

    func deallocate() { base.deallocate() }
}
