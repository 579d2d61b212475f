import Testing
@testable import TroupeStore

/// The chunking and statement text of ``MultiRowInsert``, without a database.
@Suite("Multi-row inserts")
struct MultiRowInsertTests {
    @Test
    func everyCountSplitsIntoChunkSizesLargestFirst() {
        #expect(MultiRowInsert.chunks(of: 0) == [])
        #expect(MultiRowInsert.chunks(of: 1) == [1])
        #expect(MultiRowInsert.chunks(of: 3) == [1, 1, 1])
        #expect(MultiRowInsert.chunks(of: 16) == [16])
        #expect(MultiRowInsert.chunks(of: 37) == [16, 16, 4, 1])
        for count in 0 ... 100 {
            let chunks = MultiRowInsert.chunks(of: count)
            #expect(chunks.reduce(0, +) == count)
            #expect(chunks == chunks.sorted(by: >))
        }
    }

    @Test
    func aChunksTextBindsColumnsTimesRowsParameters() {
        let insert = MultiRowInsert("INSERT INTO t (a, b)", columns: 2)
        #expect(insert.sql(rows: 1) == "INSERT INTO t (a, b) VALUES (?, ?)")
        #expect(insert.sql(rows: 4) == "INSERT INTO t (a, b) VALUES (?, ?), (?, ?), (?, ?), (?, ?)")
        #expect(insert.sql(rows: 16).filter { $0 == "?" }.count == 32)
    }
}
