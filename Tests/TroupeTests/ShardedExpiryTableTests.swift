import Testing
@testable import Troupe
import TroupeWire

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

    @Test func theOldestExpiredKeysLeaveInRecordingOrderWithinTheLimit() {
        var table = ShardedExpiryTable()
        for index in 0 ..< 100 { table[IdempotencyKey("key-\(index)")] = Int64(1_000 + index) }
        // At 1 049 the first 50 have expired; a limit of 20 takes the 20 oldest.
        #expect(table.removeOldestExpired(atOrBefore: 1_049, limit: 20) == 20)
        #expect(table.count == 80)
        #expect(table["key-19"] == nil && table["key-20"] == 1_020)
        #expect(table.removeOldestExpired(atOrBefore: 1_049, limit: 1_000) == 30)
        #expect(table["key-49"] == nil && table["key-50"] == 1_050)
        #expect(table.removeOldestExpired(atOrBefore: 1_049, limit: 1_000) == 0)
    }

    @Test func aKeyRecordedAgainOrRemovedIsNotRemovedByItsStaleRecording() {
        var table = ShardedExpiryTable()
        table["again"] = 10
        table["removed"] = 11
        table["kept"] = 12
        table["again"] = 500
        table["removed"] = nil
        // The recordings at 10 and 11 are stale; "kept" (12) is the only key that expired.
        #expect(table.removeOldestExpired(atOrBefore: 100, limit: 100) == 1)
        #expect(table["again"] == 500 && table["kept"] == nil && table.count == 1)
        #expect(table.removeOldestExpired(atOrBefore: 500, limit: 100) == 1)
        #expect(table.count == 0)
    }

    @Test func aKeyRecordedOutOfExpiryOrderWaitsForTheOnesBeforeIt() {
        var table = ShardedExpiryTable()
        table["late"] = 900
        table["early"] = 100
        #expect(table.removeOldestExpired(atOrBefore: 500, limit: 100) == 0)
        #expect(table.removeExpired(atOrBefore: 500) == 1)  // the full scan finds it
        #expect(table.removeOldestExpired(atOrBefore: 900, limit: 100) == 1)
        #expect(table.count == 0)
    }

    @Test func recordsTakenBackLatestFirstLeaveTheTableAsItWas() {
        var table = ShardedExpiryTable()
        // Ids a node creates within a millisecond count up: consecutive shards, by the low bits.
        let ids = (0 ..< 200).map { IdempotencyKey(eventID: EventID(high: 7 << 16, low: UInt64($0))) }
        for (index, key) in ids.enumerated() { #expect(table.record(key, expiringAt: Int64(index)) == nil) }
        let texts: [IdempotencyKey] = ["a", "b"]
        for key in texts { _ = table.record(key, expiringAt: 1_000) }

        // A batch: a new id, an id recorded above (expired or not, its old expiry comes back), a text.
        let batch = [IdempotencyKey(eventID: EventID(high: 8 << 16, low: 1)), ids[10], texts[1]]
        let replaced = batch.map { table.record($0, expiringAt: 5_000) }
        #expect(replaced == [nil, 10, 1_000])
        #expect(table[ids[10]] == 5_000 && table.count == 203)
        for (key, previous) in zip(batch, replaced).reversed() { table.undoRecord(key, replacing: previous) }

        #expect(table.count == 202)
        #expect(ids.enumerated().allSatisfy { table[$1] == Int64($0) })
        #expect(table[batch[0]] == nil && table["b"] == 1_000)
        // The recordings are those of the first 202 records: the oldest expire in order.
        #expect(table.removeOldestExpired(atOrBefore: 9, limit: 1_000) == 10)
        #expect(table[ids[9]] == nil && table[ids[10]] == 10)
    }
}
