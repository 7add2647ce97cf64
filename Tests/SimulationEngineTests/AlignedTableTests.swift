import Testing
@testable import SimulationEngine

@Suite struct AlignedTableTests {
    struct Record {
        var id: Int
        var list: [Int]  // not trivial: moves on growth must carry the array along
        var padding: (Int, Int, Int, Int, Int, Int) = (0, 0, 0, 0, 0, 0)
    }

    /// A record of 80 bytes: padded to 128.
    struct Odd {
        var id: Int
        var list: [Int]
        var padding: (Int, Int, Int, Int, Int, Int, Int, Int) = (0, 0, 0, 0, 0, 0, 0, 0)
    }

    /// Records keep their values through growth, are written in place, and start on 64-byte lines.
    @Test func recordsSurviveGrowthInPlaceAndAligned() {
        let table = AlignedTable<Record>()
        for i in 0..<1_000 {
            table.append(Record(id: i, list: [i]))
            #expect(Int(bitPattern: table.address(of: i)) % 64 == 0)
        }
        for i in stride(from: 0, to: 1_000, by: 3) { table[i].list.append(-i) }
        #expect(table.count == 1_000)
        for i in 0..<1_000 {
            #expect(table[i].id == i && table[i].list == (i % 3 == 0 ? [i, -i] : [i]), "record \(i)")
        }
        #expect(MemoryLayout<Record>.stride == 64)
    }

    /// A record whose stride is not a multiple of 64 still starts on a line of its own, and one of at most
    /// 64 bytes never straddles two.
    @Test func oddSizesArePaddedToWholeLines() {
        #expect(MemoryLayout<Odd>.stride == 80 && AlignedTable<Odd>.recordStride == 128)
        #expect(AlignedTable<Double>.recordStride == 8 && AlignedTable<(Int, Int, Int)>.recordStride == 32)
        let table = AlignedTable<Odd>()
        for i in 0..<300 { table.append(Odd(id: i, list: [i, i])) }
        for i in 0..<300 {
            #expect(Int(bitPattern: table.address(of: i)) % 64 == 0)
            #expect(table[i].id == i && table[i].list == [i, i])
        }
        let small = AlignedTable<(Int, Int, Int)>()
        for i in 0..<100 { small.append((i, i, i)) }
        for i in 0..<100 {
            let start = Int(bitPattern: small.address(of: i))
            #expect(start / 64 == (start + 23) / 64, "record \(i) straddles")
        }
    }

    @Test func anIndexPastTheEndTraps() async {
        await #expect(processExitsWith: .failure) {
            let table = AlignedTable<Int>()
            table.append(1)
            _ = table[1]
        }
    }
}
