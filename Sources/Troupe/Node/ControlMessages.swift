public import TroupeWire

/// The CONTROL commands a node answers, with their JSON payloads. The `troupe` CLI and the demo
/// supervisor speak these; so can anything that can open a TCP connection.
public enum ControlCommand {
    /// `stats` → ``NodeStatusReply``.
    public static let stats = "stats"
    /// `state` → the service's state as JSON.
    public static let state = "state"
    /// `dlq.list` → `[DeadLetterSummary]`.
    public static let deadLetterList = "dlq.list"
    /// `dlq.replay` with ``DeadLetterSelection`` → `[Int64]` replayed ids.
    public static let deadLetterReplay = "dlq.replay"
    /// `dlq.purge` with ``DeadLetterSelection`` → `Int` removed.
    public static let deadLetterPurge = "dlq.purge"
    /// `trace` with ``TraceQuery`` → `[ArchivedEventSummary]`.
    public static let trace = "trace"
    /// `archive.recent` with ``RecentArchiveQuery`` → `[ArchivedEventSummary]`.
    public static let recentArchive = "archive.recent"
    /// `publish` with ``PublishRequest`` → ``PublishReply``.
    public static let publish = "publish"
}

/// Status codes of a CONTROL_REPLY.
public enum ControlStatus {
    /// Done; the payload is the result.
    public static let ok: UInt16 = 0
    /// The request was malformed; the payload is a JSON string saying why.
    public static let badRequest: UInt16 = 400
    /// The node does not know the command.
    public static let unknownCommand: UInt16 = 404
    /// The command failed; the payload is a JSON string saying why.
    public static let failed: UInt16 = 500
    /// The node is overloaded (a `publish` refused for now); the payload says why. Retry later.
    public static let overloaded: UInt16 = 503
}

/// Reply to `stats`.
public struct NodeStatusReply: Codable, Sendable {
    /// The node id.
    public var nodeID: String
    /// The hosted service.
    public var service: String
    /// The node's counters.
    public var statistics: NodeStatistics
    /// Members the node is connected to.
    public var connectedMembers: [String]
    /// Consumer groups whose subscriptions the node knows (live or remembered).
    public var knownGroups: [String]

    /// Creates a reply.
    public init(nodeID: String, service: String, statistics: NodeStatistics, connectedMembers: [String], knownGroups: [String]) {
        self.nodeID = nodeID
        self.service = service
        self.statistics = statistics
        self.connectedMembers = connectedMembers
        self.knownGroups = knownGroups
    }
}

/// Which dead letters a `dlq.replay` / `dlq.purge` applies to; nil ids means all.
public struct DeadLetterSelection: Codable, Sendable {
    /// Dead-letter ids, or nil for all.
    public var ids: [Int64]?

    /// Creates a selection.
    public init(ids: [Int64]? = nil) { self.ids = ids }
}

/// A dead letter as `dlq.list` reports it.
public struct DeadLetterSummary: Codable, Sendable {
    /// Dead-letter id.
    public var id: Int64
    /// The event.
    public var event: EventSummary
    /// The group it failed for ("" when no group ever matched).
    public var group: String
    /// Why.
    public var reason: String
    /// The last failure.
    public var lastError: String
    /// Attempts made.
    public var attempts: Int
    /// First and last failure, microseconds since the Unix epoch.
    public var firstFailureMicros: Int64
    /// Last failure, microseconds since the Unix epoch.
    public var lastFailureMicros: Int64

    /// Summarises a stored dead letter.
    public init(_ stored: StoredDeadLetter) {
        id = stored.id
        event = EventSummary(stored.letter.envelope)
        group = stored.letter.group
        reason = stored.letter.reason
        lastError = stored.letter.lastError
        attempts = stored.letter.attempts
        firstFailureMicros = stored.letter.firstFailureMicros
        lastFailureMicros = stored.letter.lastFailureMicros
    }
}

/// An envelope in JSON-friendly form.
public struct EventSummary: Codable, Sendable, Hashable {
    /// Event id (26-character text form).
    public var eventID: String
    /// Event type.
    public var type: String
    /// Publishing node.
    public var source: String
    /// Subject.
    public var subject: String
    /// Correlation id.
    public var correlationID: String
    /// Causation id, if any.
    public var causationID: String?
    /// W3C traceparent.
    public var traceparent: String
    /// Publish time, microseconds since the Unix epoch.
    public var occurredAtMicros: Int64
    /// Attempt number.
    public var attempt: UInt32
    /// The body as text (JSON by default).
    public var body: String

    /// Summarises an envelope.
    public init(_ envelope: Envelope) {
        eventID = envelope.eventID.description
        type = envelope.type
        source = envelope.source
        subject = envelope.subject
        correlationID = envelope.correlationID.description
        causationID = envelope.causationID?.description
        traceparent = envelope.traceparent
        occurredAtMicros = envelope.occurredAtMicros
        attempt = envelope.attempt
        body = String(buffer: envelope.body)
    }
}

/// One archive row as `trace` reports it.
public struct ArchivedEventSummary: Codable, Sendable, Hashable {
    /// The event.
    public var event: EventSummary
    /// `published` or `handled`.
    public var direction: String
    /// The node that recorded it.
    public var nodeID: String
    /// The group that handled it ("" for a publish).
    public var group: String
    /// When, microseconds since the Unix epoch.
    public var atMicros: Int64

    /// Summarises an archive row.
    public init(_ archived: ArchivedEvent) {
        event = EventSummary(archived.envelope)
        direction = archived.direction.rawValue
        nodeID = archived.nodeID
        group = archived.group
        atMicros = archived.atMicros
    }
}

/// Payload of `trace`.
public struct TraceQuery: Codable, Sendable {
    /// The correlation id (26-character text form).
    public var correlationID: String

    /// Creates a query.
    public init(correlationID: String) { self.correlationID = correlationID }
}

/// Payload of `archive.recent`.
public struct RecentArchiveQuery: Codable, Sendable {
    /// At most this many rows.
    public var limit: Int

    /// Creates a query.
    public init(limit: Int) { self.limit = limit }
}

/// Payload of `publish`: an event given as its type name and JSON body.
public struct PublishRequest: Codable, Sendable {
    /// Event type name.
    public var type: String
    /// Subject (e.g. order id).
    public var subject: String
    /// The JSON body, as text.
    public var body: String

    /// Creates a request.
    public init(type: String, subject: String, body: String) {
        self.type = type
        self.subject = subject
        self.body = body
    }
}

/// Reply to `publish`.
public struct PublishReply: Codable, Sendable {
    /// The new event's id.
    public var eventID: String
    /// Its correlation id (a new one).
    public var correlationID: String

    /// Creates a reply.
    public init(eventID: String, correlationID: String) {
        self.eventID = eventID
        self.correlationID = correlationID
    }
}
