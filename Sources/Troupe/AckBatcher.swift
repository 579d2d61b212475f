import DequeModule
public import TroupeWire

/// Collects the delivery ids a consumer node must acknowledge, per publishing peer, into
/// batched ACK frames.
///
/// A peer's batch is flushed as soon as it holds `maximumBatchSize` ids, or `maximumDelay`
/// after its first id arrived, whichever comes first. Pure: the node passes `now`, re-arms one
/// timer for ``nextDeadline`` after each call, and sends every returned ``Flush``. Ids for one
/// peer are kept in arrival order and never duplicated within a batch. The bound per peer is
/// the batch size (a full batch is flushed at once); a peer that goes away loses its batch via
/// ``peerDisconnected(_:)`` — the publisher redelivers and the consumer's idempotency absorbs it.
public struct AckBatcher<Peer: Hashable & Sendable>: Sendable {
    /// One ACK frame to send to one peer.
    public struct Flush: Hashable, Sendable {
        /// The publisher to acknowledge to.
        public var peer: Peer
        /// The frame.
        public var ack: Ack

        /// Creates a flush.
        public init(peer: Peer, ack: Ack) {
            self.peer = peer
            self.ack = ack
        }
    }

    private struct Batch: Sendable {
        var deliveryIDs: [UInt64] = []
        /// The ids of a long batch, for finding repeats without scanning it; short batches are
        /// scanned (no hashing and no table per batch for the common size).
        var seen: Set<UInt64>?
        var deadline: MonotonicTime

        /// Scanning up to this many ids is cheaper than hashing one.
        static var scanLimit: Int { 32 }

        /// Adds `deliveryID` unless the batch holds it already.
        mutating func add(_ deliveryID: UInt64) {
            if seen == nil {
                guard !deliveryIDs.contains(deliveryID) else { return }
                deliveryIDs.append(deliveryID)
                if deliveryIDs.count > Self.scanLimit { seen = Set(deliveryIDs) }
            } else if seen!.insert(deliveryID).inserted {
                deliveryIDs.append(deliveryID)
            }
        }
    }

    /// Ids per ACK frame; reaching it flushes at once.
    public let maximumBatchSize: Int
    /// Longest an id waits before its batch is flushed.
    public let maximumDelay: Duration
    private var batches: [Peer: Batch] = [:]
    /// Peers with a pending batch, oldest first (deadlines grow in this order).
    private var order: Deque<Peer> = []

    /// Creates a batcher (defaults: 64 ids, 5 ms).
    public init(maximumBatchSize: Int = 64, maximumDelay: Duration = .milliseconds(5)) {
        precondition(maximumBatchSize >= 1, "maximumBatchSize must be at least 1")
        precondition(maximumDelay >= .zero, "maximumDelay must not be negative")
        self.maximumBatchSize = maximumBatchSize
        self.maximumDelay = maximumDelay
    }

    /// When the oldest pending batch is due; nil when nothing is pending.
    public var nextDeadline: MonotonicTime? { order.first.flatMap { batches[$0]?.deadline } }

    /// Number of ids waiting to be acknowledged, over all peers.
    public var pendingCount: Int { batches.values.reduce(0) { $0 + $1.deliveryIDs.count } }

    /// The delivery `deliveryID` from `peer` was handled (or found to be a duplicate) and
    /// committed. Returns the peer's flush if this filled its batch.
    public mutating func handled(deliveryID: UInt64, from peer: Peer, now: MonotonicTime) -> [Flush] {
        // The batch is changed where it lies: a copy taken out of the dictionary and put back
        // would copy its ids at every call while the dictionary still held the original.
        let deadline = now + maximumDelay
        let (count, isNew) = Self.adding(deliveryID, to: &batches[peer, default: Batch(deadline: deadline)])
        if isNew { order.append(peer) }
        guard count >= maximumBatchSize || maximumDelay == .zero, let batch = batches.removeValue(forKey: peer) else {
            return []
        }
        order.removeAll { $0 == peer }
        return [Flush(peer: peer, ack: Ack(deliveryIDs: batch.deliveryIDs))]
    }

    /// Adds `deliveryID` to `batch`; returns how many ids it holds, and whether it was new (a
    /// pending batch is never empty).
    private static func adding(_ deliveryID: UInt64, to batch: inout Batch) -> (count: Int, isNew: Bool) {
        let isNew = batch.deliveryIDs.isEmpty
        batch.add(deliveryID)
        return (batch.deliveryIDs.count, isNew)
    }

    /// Time passed: flushes every batch whose delay has run out, oldest first.
    public mutating func tick(now: MonotonicTime) -> [Flush] {
        var flushes: [Flush] = []
        while let peer = order.first, let batch = batches[peer], batch.deadline <= now {
            order.removeFirst()
            batches[peer] = nil
            flushes.append(Flush(peer: peer, ack: Ack(deliveryIDs: batch.deliveryIDs)))
        }
        return flushes
    }

    /// Flushes everything now (shutdown drain), oldest first.
    public mutating func flushAll() -> [Flush] {
        let flushes = order.compactMap { peer in
            batches[peer].map { Flush(peer: peer, ack: Ack(deliveryIDs: $0.deliveryIDs)) }
        }
        batches = [:]
        order = []
        return flushes
    }

    /// The link to `peer` is gone: drops its pending ids and returns how many were dropped.
    @discardableResult
    public mutating func peerDisconnected(_ peer: Peer) -> Int {
        guard let batch = batches.removeValue(forKey: peer) else { return 0 }
        order.removeAll { $0 == peer }
        return batch.deliveryIDs.count
    }
}
