import DequeModule

/// Key → expiry (µs) for the in-memory store's idempotency records, split over 64 dictionaries
/// by ``IdempotencyKey/spreadingBits``.
///
/// Why not one dictionary: a Swift dictionary that grows rehashes every key at each doubling,
/// all at once, and the in-memory store grows its table under the node's commit. At 24k String
/// keys one doubling held the node for several milliseconds, and every event arriving meanwhile
/// waited behind it (`troupe bench --rate 10000`: p99.9 publish→handled 3-5 ms). Split over 64
/// shards, a doubling rehashes 1/64 of the keys. A shard is chosen by an id's low bits, not by
/// a second hash of the key.
///
/// A commit records its keys with ``record(_:expiringAt:)``, one lookup per key that also
/// returns the expiry it replaced, and takes them back with ``undoRecord(_:replacing:)`` when
/// one turns out to be a duplicate; checking every key first and recording afterwards looked
/// each key up twice (three times in a batch of several), in a table of rate × TTL keys that
/// does not stay in the cache.
///
/// Expired keys leave as keys are recorded (``removeOldestExpired(atOrBefore:limit:)``, which the
/// store calls on every commit), so the table holds about rate × TTL keys instead of every key
/// ever handled. Finding them does not scan the table: keys are also queued in recording order
/// with the expiry they were recorded with, and expiries grow with recording order (the TTL is
/// fixed and the retention clock only goes forward), so the expired keys are a prefix of that
/// queue. A key recorded again, or removed, leaves a stale queue entry, skipped when it comes up.
struct ShardedExpiryTable: Sendable {
    private static let shardCount = 64
    private var shards = [[IdempotencyKey: Int64]](repeating: [:], count: ShardedExpiryTable.shardCount)
    /// Every recording, oldest first, with the expiry it set.
    private var recordings = Deque<Recording>()

    private struct Recording {
        var key: IdempotencyKey
        var expiresAt: Int64
    }

    /// Creates an empty table.
    init() {}

    private static func shard(of key: IdempotencyKey) -> Int {
        Int(key.spreadingBits % UInt(shardCount))
    }

    /// The expiry recorded for `key`; setting nil removes it.
    subscript(key: IdempotencyKey) -> Int64? {
        get { shards[Self.shard(of: key)][key] }
        set {
            shards[Self.shard(of: key)][key] = newValue
            if let newValue { recordings.append(Recording(key: key, expiresAt: newValue)) }
        }
    }

    /// Records `expiresAt` for `key`; returns the expiry it replaced, nil when `key` was not
    /// recorded. One lookup.
    mutating func record(_ key: IdempotencyKey, expiringAt expiresAt: Int64) -> Int64? {
        let replaced = shards[Self.shard(of: key)].updateValue(expiresAt, forKey: key)
        recordings.append(Recording(key: key, expiresAt: expiresAt))
        return replaced
    }

    /// Takes back the latest ``record(_:expiringAt:)`` not yet taken back, which recorded `key`
    /// and returned `replaced`. Several are taken back latest first.
    mutating func undoRecord(_ key: IdempotencyKey, replacing replaced: Int64?) {
        let undone = recordings.removeLast()
        precondition(undone.key == key, "records are taken back latest first")
        shards[Self.shard(of: key)][key] = replaced
    }

    /// How many keys are recorded.
    var count: Int { shards.reduce(0) { $0 + $1.count } }

    /// Removes the keys whose expiry is at or before `nowMicros`; returns how many went. Scans
    /// every key: for an explicit purge, not for the hot path.
    mutating func removeExpired(atOrBefore nowMicros: Int64) -> Int {
        var removed = 0
        for index in shards.indices {
            let before = shards[index].count
            shards[index] = shards[index].filter { $0.value > nowMicros }
            removed += before - shards[index].count
        }
        while let oldest = recordings.first, oldest.expiresAt <= nowMicros { recordings.removeFirst() }
        return removed
    }

    /// Removes expired keys in recording order, stopping at the first recording that is still
    /// unexpired at `nowMicros` or after looking at `limit` recordings; returns how many keys
    /// went. Work is proportional to what expired, not to the table's size. A key recorded out
    /// of expiry order waits until the recordings before it have expired too.
    mutating func removeOldestExpired(atOrBefore nowMicros: Int64, limit: Int) -> Int {
        var removed = 0
        var looked = 0
        while looked < limit, let oldest = recordings.first, oldest.expiresAt <= nowMicros {
            recordings.removeFirst()
            looked += 1
            let shard = Self.shard(of: oldest.key)
            // Skipped when the key was recorded again since (a later expiry) or removed.
            if shards[shard][oldest.key] == oldest.expiresAt {
                shards[shard][oldest.key] = nil
                removed += 1
            }
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
