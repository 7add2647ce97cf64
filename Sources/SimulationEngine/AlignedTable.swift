import CPrefetch

/// A growable table of records whose storage starts on a cache-line boundary (64 bytes), read and written
/// in place through a reference.
///
/// Why: a swarm's connection ends, links and pickers are read at random, a few per block. In an `Array`
/// the elements start 32 bytes after the allocation (the array's header), so a 64-byte record straddles
/// two cache lines and a 128-byte one three; here they take one and two. Being a class, it also spares
/// every write the array's uniqueness check. Indices are checked: a bad index traps, it never reads past
/// the table. `prefetch` starts loading a record that will be needed after some other work.
public final class AlignedTable<Element> {
    public private(set) var count = 0
    private var capacity = 0
    private var base: UnsafeMutablePointer<Element>

    public static var alignment: Int { 64 }

    public init() {
        base = Self.allocate(0)
    }

    deinit {
        base.deinitialize(count: count)
        UnsafeMutableRawPointer(base).deallocate()
    }

    private static func allocate(_ capacity: Int) -> UnsafeMutablePointer<Element> {
        let bytes = Swift.max(1, capacity) * MemoryLayout<Element>.stride
        return UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: Swift.max(alignment, MemoryLayout<Element>.alignment))
            .bindMemory(to: Element.self, capacity: Swift.max(1, capacity))
    }

    public subscript(i: Int) -> Element {
        @inline(__always)
        unsafeAddress {
            precondition(i >= 0 && i < count, "index \(i) out of 0..<\(count)")
            return UnsafePointer(base + i)
        }
        @inline(__always)
        unsafeMutableAddress {
            precondition(i >= 0 && i < count, "index \(i) out of 0..<\(count)")
            return base + i
        }
    }

    public func append(_ element: Element) {
        if count == capacity { grow() }
        (base + count).initialize(to: element)
        count += 1
    }

    /// Asks the processor to start loading record `i`, every cache line of it, so that a read after some
    /// other work does not wait for memory. A hint only: an index out of range is ignored.
    @inline(__always)
    public func prefetch(_ i: Int) {
        guard i >= 0 && i < count else { return }
        let start = UnsafeRawPointer(base + i), last = start + (MemoryLayout<Element>.stride - 1)
        var line = start
        while line < last {
            p2psim_prefetch(line)
            line += 64
        }
        p2psim_prefetch(last)
    }

    /// As `prefetch(_:)`, only the cache lines holding the record's first `bytes` bytes (its hot fields;
    /// a record whose size is not a multiple of 64 may start anywhere in a line, so they may take one
    /// line more than `bytes / 64`).
    @inline(__always)
    public func prefetch(_ i: Int, firstBytes bytes: Int) {
        guard i >= 0 && i < count, bytes > 0 else { return }
        let start = UnsafeRawPointer(base + i), last = start + (bytes - 1)
        var line = start
        while line < last {
            p2psim_prefetch(line)
            line += 64
        }
        p2psim_prefetch(last)
    }

    /// Where the records start (for tests of the alignment).
    public var baseAddress: UnsafeRawPointer { UnsafeRawPointer(base) }

    private func grow() {
        let larger = Swift.max(64, 2 * capacity)
        let moved = Self.allocate(larger)
        moved.moveInitialize(from: base, count: count)
        UnsafeMutableRawPointer(base).deallocate()
        base = moved
        capacity = larger
    }
}

extension AlignedTable: RandomAccessCollection {
    public var startIndex: Int { 0 }
    public var endIndex: Int { count }
}
