public import Foundation
public import TroupeWire

/// One atomic unit of change to a ``NodeStore``. Applied in the order: handled events (with
/// their idempotency records and archive rows), published events (outbox + archive), delivery
/// progress (attempts, acknowledgements), completed events, dead letters, interest, state.
public struct StoreBatch: Sendable {
    /// Events this node's handler processed.
    public var handled: [HandledEvent] = []
    /// Events this node published (from handlers or from outside), with the groups owed them.
    public var published: [PublishedEvent] = []
    /// Delivery attempts made, so a restart knows how many were spent.
    public var attemptsMade: [DeliveryProgress] = []
    /// Groups that acknowledged an event.
    public var acknowledged: [DeliveryProgress] = []
    /// Groups newly owed an already-published event (a parked event found its targets).
    public var targetsAdded: [DeliveryProgress] = []
    /// Events every group has finished with: remove from the outbox.
    public var completed: [EventID] = []
    /// New dead letters.
    public var deadLetters: [NewDeadLetter] = []
    /// When not nil, replaces the learned interest.
    public var interest: [LearnedInterest]?
    /// When not nil, the service's state after this batch (JSON).
    public var state: Data?
    /// Records of a keyed state (``KeyedState``) changed by this batch: upserted, or deleted
    /// where the value is nil. Only what changed is written, however large the state.
    public var stateRecords: [String: Data?] = [:]

    /// An empty batch.
    public init() {}

    /// Adds the changes of `later`, a batch meant to be applied after this one, so that one
    /// commit records both.
    ///
    /// Each kind of change keeps its order (this batch's before `later`'s), and `later`'s state
    /// wins; since a batch applies its kinds in the fixed order above, the result equals applying
    /// the two in turn when `later` records only handled events, published events and state — the
    /// groups a node handles one after the other (`CommitPipeline`) — and when both record only
    /// delivery progress (attempts, acknowledgements, completions, dead letters) of events in
    /// the outbox, none of which follows its event's completion (the node's progress writer).
    mutating func append(_ later: StoreBatch) {
        handled += later.handled
        published += later.published
        attemptsMade += later.attemptsMade
        acknowledged += later.acknowledged
        targetsAdded += later.targetsAdded
        completed += later.completed
        deadLetters += later.deadLetters
        if let interest = later.interest { self.interest = interest }
        if let state = later.state { self.state = state }
        stateRecords.merge(later.stateRecords) { _, newer in newer }
    }

    /// The latest ``RetentionClock`` reading among the handled events; nil when none were
    /// handled. Idempotency records that expired by then are removed by the same commit.
    ///
    /// Stores purge on commit rather than on a timer: the work is spread evenly (a commit that
    /// records n keys removes about the n that expired meanwhile), needs no task of its own, and
    /// happens in the transaction that records the keys, so nothing else sees a half-purged
    /// table. A node that stops handling events keeps its last records until it handles again.
    public var retentionNowMicros: Int64? {
        guard var latest = handled.first?.retentionMicros else { return nil }
        for event in handled where event.retentionMicros > latest { latest = event.retentionMicros }
        return latest
    }

    /// The most expired idempotency records one commit of this batch removes (see
    /// ``trimmingLimit(recorded:)``).
    public var expiredRecordPurgeLimit: Int { Self.trimmingLimit(recorded: handled.count) }

    /// The most old entries (expired idempotency records, archive rows beyond the capacity) a
    /// store removes in a commit that recorded `recorded` new ones: twice as many, plus a few, so
    /// a backlog drains over a few commits while each commit's extra work stays in proportion to
    /// its own size.
    public static func trimmingLimit(recorded: Int) -> Int { 2 * recorded + 16 }

    /// Whether the batch changes nothing.
    public var isEmpty: Bool {
        handled.isEmpty && published.isEmpty && attemptsMade.isEmpty && acknowledged.isEmpty
            && targetsAdded.isEmpty && completed.isEmpty && deadLetters.isEmpty && interest == nil && state == nil && stateRecords.isEmpty
    }
}

/// An event handled by this node's service.
public struct HandledEvent: Sendable {
    /// The idempotency key (the event id by default, or one the handler derived); stores record its text.
    public var idempotencyKey: IdempotencyKey
    /// When the key stops guarding against duplicates, on the node's ``RetentionClock``
    /// (microseconds; epoch-like, but advancing with uptime only).
    public var expiresAtMicros: Int64
    /// The event as received.
    public var envelope: Envelope
    /// The group it was delivered to.
    public var group: String
    /// When it was handled, microseconds since the Unix epoch (wall clock: for timelines).
    public var handledAtMicros: Int64
    /// The ``RetentionClock`` reading when it was handled: an existing record of the same key
    /// that expires after this is still live, and the batch is refused.
    public var retentionMicros: Int64

    /// Creates a record; `retentionMicros` defaults to `handledAtMicros` (a node whose retention
    /// clock started from the wall clock and never restarted).
    public init(idempotencyKey: IdempotencyKey, expiresAtMicros: Int64, envelope: Envelope, group: String, handledAtMicros: Int64, retentionMicros: Int64? = nil) {
        self.idempotencyKey = idempotencyKey
        self.expiresAtMicros = expiresAtMicros
        self.envelope = envelope
        self.group = group
        self.handledAtMicros = handledAtMicros
        self.retentionMicros = retentionMicros ?? handledAtMicros
    }
}

/// An event this node published, and the groups it is owed to (empty: parked, no group known yet).
public struct PublishedEvent: Sendable {
    /// The event.
    public var envelope: Envelope
    /// Target groups.
    public var groups: [String]
    /// When it was published, microseconds since the Unix epoch.
    public var publishedAtMicros: Int64

    /// Creates a record.
    public init(envelope: Envelope, groups: [String], publishedAtMicros: Int64) {
        self.envelope = envelope
        self.groups = groups
        self.publishedAtMicros = publishedAtMicros
    }
}

/// Progress of one event toward one group.
public struct DeliveryProgress: Hashable, Sendable {
    /// The event.
    public var eventID: EventID
    /// The group.
    public var group: String
    /// Attempts made so far (for ``StoreBatch/attemptsMade``); ignored elsewhere.
    public var attempts: Int

    /// Creates a record.
    public init(eventID: EventID, group: String, attempts: Int = 0) {
        self.eventID = eventID
        self.group = group
        self.attempts = attempts
    }
}

/// A dead letter about to be stored.
public struct NewDeadLetter: Sendable {
    /// The event (its `attempt` is the last attempt made).
    public var envelope: Envelope
    /// The group it could not be delivered to; empty when no group ever matched.
    public var group: String
    /// Why (`maxDeliveriesExceeded`, `undeliverable`, …).
    public var reason: String
    /// The last failure's description.
    public var lastError: String
    /// Attempts made.
    public var attempts: Int
    /// First failure, microseconds since the Unix epoch.
    public var firstFailureMicros: Int64
    /// Last failure, microseconds since the Unix epoch.
    public var lastFailureMicros: Int64

    /// Creates a record.
    public init(envelope: Envelope, group: String, reason: String, lastError: String, attempts: Int,
                firstFailureMicros: Int64, lastFailureMicros: Int64) {
        self.envelope = envelope
        self.group = group
        self.reason = reason
        self.lastError = lastError
        self.attempts = attempts
        self.firstFailureMicros = firstFailureMicros
        self.lastFailureMicros = lastFailureMicros
    }
}

/// A subscription some node announced, remembered so a restarted publisher still knows who
/// wants what before the mesh has told it again.
public struct LearnedInterest: Hashable, Sendable {
    /// The subscribing node.
    public var nodeID: String
    /// The subscription as announced.
    public var subscription: Subscribe

    /// Creates a record.
    public init(nodeID: String, subscription: Subscribe) {
        self.nodeID = nodeID
        self.subscription = subscription
    }
}
