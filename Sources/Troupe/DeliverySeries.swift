import TroupeWire

/// Identifies a delivery series: one event on its way to one group (by its number in the
/// machine's ``GroupTable``, so the key is plain data).
struct SeriesKey: Hashable, Sendable {
    var eventID: EventID
    var group: GroupTable.ID
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
    /// The first delivery id issued that may still be acknowledged; most series never need
    /// another, so it is kept inline rather than in an array allocated per series.
    private var firstDeliveryID: UInt64?
    /// Every later delivery id that may still be acknowledged (a late ACK of an old one counts).
    private var laterDeliveryIDs: [UInt64] = []
    var firstFailure: MonotonicTime?
    var lastFailure: MonotonicTime?
    var lastError: String?
    /// Start of the current run of "no live member" failures.
    var unroutableSince: MonotonicTime?
    /// Route retries in the current run, for backoff.
    var routeRetries = 0
    /// The sequence number of the one valid timer of this series, if armed.
    var timerSequence: UInt64?

    init(key: SeriesKey, policy: DeliveryPolicy, attempt: Int) {
        self.key = key
        self.policy = policy
        self.attempt = attempt
    }

    /// Calls `body` with every delivery id that may still be acknowledged (no allocation).
    func forEachDeliveryID(_ body: (UInt64) -> Void) {
        if let firstDeliveryID { body(firstDeliveryID) }
        for deliveryID in laterDeliveryIDs { body(deliveryID) }
    }

    /// Records a newly issued delivery id.
    mutating func issue(_ deliveryID: UInt64) {
        if firstDeliveryID == nil, laterDeliveryIDs.isEmpty {
            firstDeliveryID = deliveryID
        } else {
            laterDeliveryIDs.append(deliveryID)
        }
    }

    /// Forgets a delivery id that never left the node.
    mutating func withdraw(_ deliveryID: UInt64) {
        if firstDeliveryID == deliveryID {
            firstDeliveryID = nil
        } else {
            laterDeliveryIDs.removeAll { $0 == deliveryID }
        }
    }

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

/// A routed event and how many of its groups still owe an ACK or a dead letter (its series
/// are distinct per group, so a count says as much as a list, without allocating one).
struct OpenEvent: Sendable {
    var envelope: Envelope
    var openGroupCount: Int
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
    var group: GroupTable.ID
    var subject: String
}
