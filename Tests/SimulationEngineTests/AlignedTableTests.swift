import Testing
@testable import SimulationEngine

@Suite struct AlignedTableTests {
    struct Record {
        var id: Int
        var list: [Int]  // not trivial: moves on growth must carry the array along
        var padding: (Int, Int, Int, Int, Int, Int) = (0, 0, 0, 0, 0, 0)
    }

    /// Records keep their values through growth, are written in place, and start on 64-byte lines.
    @Test func recordsSurviveGrowthInPlaceAndAligned() {
        let table = AlignedTable<Record>()
        for i in 0..<1_000 {
            table.append(Record(id: i, list: [i]))
            #expect(Int(bitPattern: table.baseAddress) % 64 == 0)
        }
        for i in stride(from: 0, to: 1_000, by: 3) { table[i].list.append(-i) }
        #expect(table.count == 1_000)
        for i in 0..<1_000 {
            #expect(table[i].id == i && table[i].list == (i % 3 == 0 ? [i, -i] : [i]), "record \(i)")
        }
        #expect(MemoryLayout<Record>.stride == 64)
    }

    @Test func anIndexPastTheEndTraps() async {
        await #expect(processExitsWith: .failure) {
            let table = AlignedTable<Int>()
            table.append(1)
            _ = table[1]
        }
    }
}
