import DequeModule

/// The idempotency keys a node remembers in memory: a bounded cache in front of its store.
///
/// The store is the authority — its commit refuses a batch that records a key it already
/// holds unexpired (``StoreError/Code/duplicateIdempotencyKey``), inside the same transaction
/// as the effects — so the node does not need every key of the last TTL in memory (at a few
/// thousand events a second, a 24-hour TTL is hundreds of millions of keys). The cache answers
/// the common case, a redelivery shortly after the first delivery, without running the handler;
/// a key it has forgotten is caught by the commit instead, and the delivery is then treated as
/// the duplicate it is.
///
/// Keys are kept in insertion order and the oldest go first when the cache is over capacity
/// or has expired (with one TTL for all keys, insertion order is expiry order).
///
/// The table is sized for the whole capacity when the cache is created. A dictionary that grows
/// rehashes every key at each doubling, on the node's thread: at 12k and 24k String keys that
/// held the node for 1-5 ms, and every event arriving meanwhile waited (the multi-millisecond
/// p99.9 of `troupe bench --rate`). Reserving costs the bucket array up front (~0.8 MB for the
/// default 20k keys, touched only as keys arrive). Default keys (event ids) allocate nothing
/// more; a derived key's text is allocated as any string (see ``IdempotencyKey``).
public struct IdempotencyCache: Sendable {
    private var expiries: [IdempotencyKey: Int64] = [:]
    private var order: Deque<IdempotencyKey> = []
    /// The most keys kept.
    public let capacity: Int

    /// Creates an empty cache keeping at most `capacity` keys.
    public init(capacity: Int) {
        precondition(capacity >= 1, "an idempotency cache holds at least one key")
        self.capacity = capacity
        expiries.reserveCapacity(capacity)
    }

    /// How many keys are held.
    public var count: Int { expiries.count }

    /// The expiry (retention-clock microseconds) of `key`, if held; setting one records it.
    public subscript(key: IdempotencyKey) -> Int64? {
        get { expiries[key] }
        set {
            guard let newValue else {
                expiries[key] = nil
                return
            }
            if expiries.updateValue(newValue, forKey: key) == nil { order.append(key) }
            while expiries.count > capacity, let oldest = order.popFirst() { expiries[oldest] = nil }
        }
    }

    /// Whether `key` is held and unexpired at `now`.
    public func contains(_ key: IdempotencyKey, at now: Int64) -> Bool {
        expiries[key].map { $0 > now } ?? false
    }

    /// Forgets the keys expired at `now`, oldest first; returns how many.
    @discardableResult
    public mutating func removeExpired(at now: Int64) -> Int {
        var removed = 0
        while let oldest = order.first {
            guard let expiry = expiries[oldest] else {
                order.removeFirst()
                continue
            }
            guard expiry <= now else { break }
            order.removeFirst()
            expiries[oldest] = nil
            removed += 1
        }
        return removed
    }
}
