public import Foundation
public import TroupeWire

/// What a node reads back from its ``NodeStore`` when it starts.
public struct StoreSnapshot: Sendable {
    /// The service's state (JSON), nil before the first commit.
    public var state: Data?
    /// Unfinished published events, oldest first.
    public var outbox: [StoredOutboxEvent]
    /// Unexpired idempotency keys with their expiry (microseconds since the Unix epoch).
    public var idempotencyKeys: [IdempotencyKey: Int64]
    /// Learned interest.
    public var interest: [LearnedInterest]
    /// Every record of a keyed state (``KeyedState``), by key.
    public var stateRecords: [String: Data]

    /// Creates a snapshot.
    public init(
        state: Data?, outbox: [StoredOutboxEvent], idempotencyKeys: [IdempotencyKey: Int64], interest: [LearnedInterest],
        stateRecords: [String: Data] = [:]
    ) {
        self.state = state
        self.stateRecords = stateRecords
        self.outbox = outbox
        self.idempotencyKeys = idempotencyKeys
        self.interest = interest
    }
}

/// A published event still owed to some group.
public struct StoredOutboxEvent: Sendable {
    /// The event.
    public var envelope: Envelope
    /// When it was published, microseconds since the Unix epoch.
    public var publishedAtMicros: Int64
    /// Groups that have not acknowledged it (nor dead-lettered it), with attempts made so far.
    /// Empty: parked, no group known yet.
    public var pendingGroups: [DeliveryProgress]

    /// Creates a record.
    public init(envelope: Envelope, publishedAtMicros: Int64, pendingGroups: [DeliveryProgress]) {
        self.envelope = envelope
        self.publishedAtMicros = publishedAtMicros
        self.pendingGroups = pendingGroups
    }
}

/// A dead letter as stored.
public struct StoredDeadLetter: Sendable, Identifiable {
    /// Store-assigned id, increasing.
    public var id: Int64
    /// The dead letter.
    public var letter: NewDeadLetter

    /// Creates a record.
    public init(id: Int64, letter: NewDeadLetter) {
        self.id = id
        self.letter = letter
    }
}

/// One row of the archive: an event this node published or handled.
public struct ArchivedEvent: Sendable {
    /// Which way the event went through this node.
    public enum Direction: String, Sendable, Codable {
        /// This node published it.
        case published
        /// This node's handler processed it.
        case handled
    }

    /// The event.
    public var envelope: Envelope
    /// Published or handled.
    public var direction: Direction
    /// The node that recorded it.
    public var nodeID: String
    /// The group, for a handled event; empty for a published one.
    public var group: String
    /// When, microseconds since the Unix epoch.
    public var atMicros: Int64

    /// Creates a record.
    public init(envelope: Envelope, direction: Direction, nodeID: String, group: String, atMicros: Int64) {
        self.envelope = envelope
        self.direction = direction
        self.nodeID = nodeID
        self.group = group
        self.atMicros = atMicros
    }
}
