import TroupeWire

/// Identifies a delivery series: one event on its way to one group.
struct SeriesKey: Hashable, Sendable {
    var eventID: EventID
    var group: String
}

/// The state of one event's delivery to one group, from first attempt to ack or dead letter.
struct DeliverySeries: Sendable {
    /// Where the series stands.
    enum Phase: Hashable, Sendable {
        /// Ordered by subject, and an earlier event of the same subject is still open.
        case waitingTurn
        /// `deliveryID` was handed to the node; no answer yet. Times out at `ackDeadline`.
        case inFlight(deliveryID: UInt64, ackDeadline: MonotonicTime)
        /// The last attempt failed (timeout or NACK); the next one goes out at the given time.
        case retryScheduled(MonotonicTime)
        /// No live member of the group; the same attempt is tried again at the given time.
        case routeRetryScheduled(MonotonicTime)
    }

    let key: SeriesKey
    /// The group's policy when the series started.
    let policy: DeliveryPolicy
    var phase: Phase = .waitingTurn
    /// Number of the latest attempt that left the node (0 before the first).
    var attempt: Int
    /// Every delivery id issued that may still be acknowledged (a late ACK of an old one counts).
    var deliveryIDs: [UInt64] = []
    var firstFailure: MonotonicTime?
    var lastFailure: MonotonicTime?
    var lastError: String?
    /// Start of the current run of "no live member" failures.
    var unroutableSince: MonotonicTime?
    /// Route retries in the current run, for backoff.
    var routeRetries = 0
    /// The sequence number of the one valid timer of this series, if armed.
    var timerSequence: UInt64?

    /// The moment the armed timer of the current phase fires, if the phase has one.
    var deadline: MonotonicTime? {
        switch phase {
        case .waitingTurn: nil
        case .inFlight(_, let deadline), .retryScheduled(let deadline), .routeRetryScheduled(let deadline): deadline
        }
    }

    mutating func recordFailure(_ error: String, at now: MonotonicTime) {
        if firstFailure == nil { firstFailure = now }
        lastFailure = now
        lastError = error
    }
}

/// A routed event with the groups that still owe an ACK or a dead letter.
struct OpenEvent: Sendable {
    var envelope: Envelope
    var openGroups: [String]
}

/// An event published while no group was interested.
struct ParkedEvent: Sendable {
    var envelope: Envelope
    var parkedAt: MonotonicTime
    /// Park order, so ``DeliveryStateMachine/parkedEvents`` lists them as published.
    var order: UInt64
    var timerSequence: UInt64
}

/// One ordering lane: a group with `orderedBySubject` and one subject.
struct SubjectLane: Hashable, Sendable {
    var group: String
    var subject: String
}
