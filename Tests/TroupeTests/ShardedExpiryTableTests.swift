import Testing
@testable import Troupe

@Suite struct ShardedExpiryTableTests {
    @Test func keysAreRecordedReplacedAndRemovedAcrossShards() {
        var table = ShardedExpiryTable()
        let keys = (0 ..< 1_000).map { IdempotencyKey("OrderPlaced:order-\($0)") }
        for (index, key) in keys.enumerated() { table[key] = Int64(index) }
        #expect(table.count == 1_000)
        #expect(keys.enumerated().allSatisfy { table[$1] == Int64($0) })
        table[keys[7]] = 5_000
        #expect(table[keys[7]] == 5_000)
        #expect(table.count == 1_000)
        table[keys[8]] = nil
        #expect(table[keys[8]] == nil)
        #expect(table.count == 999)
        #expect(table["never recorded"] == nil)
    }

    @Test func expiredKeysArePurgedAndTheSnapshotHoldsOnlyUnexpiredOnes() {
        var table = ShardedExpiryTable()
        for index in 0 ..< 500 { table[IdempotencyKey("key-\(index)")] = Int64(index) }
        // Expiry at or before `now` is expired, as in the SQLite store.
        let unexpired = table.unexpired(at: 99)
        #expect(unexpired.count == 400)
        #expect(unexpired["key-99"] == nil && unexpired["key-100"] == 100)
        #expect(table.removeExpired(atOrBefore: 99) == 100)
        #expect(table.count == 400)
        #expect(table["key-0"] == nil && table["key-499"] == 499)
        #expect(table.removeExpired(atOrBefore: 99) == 0)
    }
}
