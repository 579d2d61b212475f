/// Key → expiry (µs) for the in-memory store's idempotency records, split over 64 dictionaries
/// by the key's hash.
///
/// Why not one dictionary: a Swift dictionary that grows rehashes every key at each doubling,
/// all at once, and the in-memory store grows its table under the node's commit. At 24k String
/// keys one doubling held the node for several milliseconds, and every event arriving meanwhile
/// waited behind it (`troupe bench --rate 10000`: p99.9 publish→handled 3-5 ms). Split over 64
/// shards, a doubling rehashes 1/64 of the keys. The price is one extra hash of the key per
/// lookup or insert (tens of nanoseconds). The table is unbounded, like the store's records; the
/// store's purge removes expired keys.
struct ShardedExpiryTable: Sendable {
    private static let shardCount = 64
    private var shards = [[IdempotencyKey: Int64]](repeating: [:], count: ShardedExpiryTable.shardCount)

    /// Creates an empty table.
    init() {}

    private static func shard(of key: IdempotencyKey) -> Int {
        Int(UInt(bitPattern: key.hashValue) % UInt(shardCount))
    }

    /// The expiry recorded for `key`; setting nil removes it.
    subscript(key: IdempotencyKey) -> Int64? {
        get { shards[Self.shard(of: key)][key] }
        set { shards[Self.shard(of: key)][key] = newValue }
    }

    /// How many keys are recorded.
    var count: Int { shards.reduce(0) { $0 + $1.count } }

    /// Removes the keys whose expiry is at or before `nowMicros`; returns how many went.
    mutating func removeExpired(atOrBefore nowMicros: Int64) -> Int {
        var removed = 0
        for index in shards.indices {
            let before = shards[index].count
            shards[index] = shards[index].filter { $0.value > nowMicros }
            removed += before - shards[index].count
        }
        return removed
    }

    /// The keys unexpired at `nowMicros`, as one dictionary.
    func unexpired(at nowMicros: Int64) -> [IdempotencyKey: Int64] {
        var result: [IdempotencyKey: Int64] = [:]
        result.reserveCapacity(count)
        for shard in shards {
            for (key, expiry) in shard where expiry > nowMicros { result[key] = expiry }
        }
        return result
    }
}
