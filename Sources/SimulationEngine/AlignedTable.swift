import CPrefetch

/// A growable table of records that start on cache-line boundaries (64 bytes), read and written in place
/// through a reference.
///
/// Why: a swarm's connection ends, links and pickers are read at random, a few per block. In an `Array`
/// the elements start 32 bytes after the allocation (the array's header) and follow one another at the
/// type's stride, so a 64-byte record straddles two cache lines and a 232-byte one (a picker) up to five;
/// here each record starts on a line of its own (records of up to 64 bytes pack a power of two to a line),
/// so it takes as few lines as its size allows. Being a class, it also spares every write the array's
/// uniqueness check. Indices are checked: a bad index traps, it never reads past the table. `prefetch`
/// starts loading a record that will be needed after some other work.
public final class AlignedTable<Element> {
    public private(set) var count = 0
    private var capacity = 0
    private var base: UnsafeMutableRawPointer

    public static var alignment: Int { 64 }

    /// The distance between records: the type's stride rounded up to a power of two up to 64 bytes, to a
    /// multiple of 64 beyond (a 232-byte picker takes 256).
    public static var recordStride: Int {
        let stride = MemoryLayout<Element>.stride
        if stride > alignment { return (stride + alignment - 1) / alignment * alignment }
        var padded = 1
        while padded < stride { padded *= 2 }
        return padded
    }

    public init() {
        base = Self.allocate(0)
    }

    deinit {
        for i in 0..<count { record(i).deinitialize(count: 1) }
        base.deallocate()
    }

    private static func allocate(_ capacity: Int) -> UnsafeMutableRawPointer {
        UnsafeMutableRawPointer.allocate(byteCount: Swift.max(1, capacity) * recordStride,
                                         alignment: Swift.max(alignment, MemoryLayout<Element>.alignment))
    }

    @inline(__always)
    private func record(_ i: Int) -> UnsafeMutablePointer<Element> {
        (base + i * Self.recordStride).assumingMemoryBound(to: Element.self)
    }

    public subscript(i: Int) -> Element {
        @inline(__always)
        unsafeAddress {
            precondition(i >= 0 && i < count, "index \(i) out of 0..<\(count)")
            return UnsafePointer(record(i))
        }
        @inline(__always)
        unsafeMutableAddress {
            precondition(i >= 0 && i < count, "index \(i) out of 0..<\(count)")
            return record(i)
        }
    }

    /// Makes room for `minimumCapacity` records, so that appending up to that many moves none. The memory
    /// is only reserved: the system gives it pages as records are written (a table sized for a bound that is
    /// seldom reached costs little), and a doubling table copied each record over again, on fresh pages
    /// each time.
    public func reserveCapacity(_ minimumCapacity: Int) {
        if minimumCapacity > capacity { resize(to: minimumCapacity) }
    }

    public func append(_ element: Element) {
        if count == capacity { grow() }
        (base + count * Self.recordStride).bindMemory(to: Element.self, capacity: 1).initialize(to: element)
        count += 1
    }

    /// Asks the processor to start loading record `i`, every cache line of it, so that a read after some
    /// other work does not wait for memory. A hint only: an index out of range is ignored.
    @inline(__always)
    public func prefetch(_ i: Int) {
        prefetch(i, firstBytes: MemoryLayout<Element>.size)
    }

    /// As `prefetch(_:)`, only the cache lines holding the record's first `bytes` bytes (its hot fields).
    @inline(__always)
    public func prefetch(_ i: Int, firstBytes bytes: Int) {
        guard i >= 0 && i < count, bytes > 0 else { return }
        let start = UnsafeRawPointer(base + i * Self.recordStride), last = start + (bytes - 1)
        var line = start
        while line < last {
            p2psim_prefetch(line)
            line += 64
        }
        p2psim_prefetch(last)
    }

    /// Where record `i` starts (for tests of the alignment).
    public func address(of i: Int) -> UnsafeRawPointer { UnsafeRawPointer(record(i)) }

    private func grow() { resize(to: Swift.max(64, 2 * capacity)) }

    private func resize(to larger: Int) {
        let moved = Self.allocate(larger)
        for i in 0..<count {
            (moved + i * Self.recordStride).bindMemory(to: Element.self, capacity: 1).moveInitialize(from: record(i), count: 1)
        }
        base.deallocate()
        base = moved
        capacity = larger
    }
}

extension AlignedTable: RandomAccessCollection {
    public var startIndex: Int { 0 }
    public var endIndex: Int { count }
}
