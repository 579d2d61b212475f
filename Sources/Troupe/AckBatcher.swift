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
        var seen: Set<UInt64> = []
        var deadline: MonotonicTime
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
        var batch = batches[peer] ?? {
            order.append(peer)
            return Batch(deadline: now + maximumDelay)
        }()
        if batch.seen.insert(deliveryID).inserted { batch.deliveryIDs.append(deliveryID) }
        guard batch.deliveryIDs.count >= maximumBatchSize || maximumDelay == .zero else {
            batches[peer] = batch
            return []
        }
        batches[peer] = nil
        order.removeAll { $0 == peer }
        return [Flush(peer: peer, ack: Ack(deliveryIDs: batch.deliveryIDs))]
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
