public import Logging
import NIOCore
public import TroupeWire

/// What a handler may see and do besides changing its state: read the event's metadata,
/// publish events, and schedule effects that run only after everything commits.
///
/// Events published here automatically carry the handled event's correlation id, have it as
/// their causation id, and continue its trace (W3C `traceparent`): the child keeps the trace id
/// and gets a new span id.
public struct HandlerContext: Sendable {
    /// The event being handled.
    public let envelope: Envelope
    /// The group it was delivered to.
    public let group: String
    /// The node's id.
    public let nodeID: String
    /// The node's clock at the start of handling, microseconds since the Unix epoch. Handlers
    /// read time here, never from the system, so they stay deterministic.
    public let nowMicros: Int64
    /// A logger whose metadata carries the event's id and type and its correlation and
    /// causation ids. Built when first asked for: most handlings never log, and setting four
    /// metadata values on every delivery is measurable on the hot path.
    public var logger: Logger { Logger.forEvent(envelope, base: baseLogger) }
    let baseLogger: Logger

    var published: [PendingPublication] = []
    var effects: [@Sendable () async -> Void] = []

    init(envelope: Envelope, group: String, nodeID: String, nowMicros: Int64, logger: Logger) {
        self.envelope = envelope
        self.group = group
        self.nodeID = nodeID
        self.nowMicros = nowMicros
        self.baseLogger = logger
    }

    /// The correlation id every event of this business transaction shares.
    public var correlationID: EventID { envelope.correlationID }
    /// The id of the event being handled (the causation id of whatever is published now).
    public var eventID: EventID { envelope.eventID }
    /// Which delivery attempt this is (1 for the first).
    public var attempt: UInt32 { envelope.attempt }

    /// Publishes `event` when (and only if) this handling commits.
    public mutating func publish<E: Event>(_ event: E, headers: [Envelope.Header] = []) {
        published.append(PendingPublication(event: event, encodedBody: nil, type: E.eventType, subject: event.subject, headers: headers))
    }

    /// Runs `effect` after the state change, the published events and the idempotency record
    /// have committed — e.g. calling an outside system. Effects are not retried by the runtime.
    public mutating func afterCommit(_ effect: @escaping @Sendable () async -> Void) {
        effects.append(effect)
    }
}

/// An event a handler (or the node's owner) asked to publish, before it has an id.
struct PendingPublication: Sendable {
    /// The typed event, encoded to JSON when the envelope is built...
    let event: (any Event)?
    /// ...unless the body is given already encoded.
    let encodedBody: ByteBuffer?
    let type: String
    let subject: String
    let headers: [Envelope.Header]
}

extension Logger {
    /// `base` with the metadata of one event: `event-id`, `correlation-id`, `causation-id` (if
    /// any) and `event-type`, formatted only when a line is actually written.
    static func forEvent(_ envelope: Envelope, base: Logger) -> Logger {
        var logger = base
        logger[metadataKey: "event-id"] = .stringConvertible(envelope.eventID)
        logger[metadataKey: "correlation-id"] = .stringConvertible(envelope.correlationID)
        if let causationID = envelope.causationID { logger[metadataKey: "causation-id"] = .stringConvertible(causationID) }
        logger[metadataKey: "event-type"] = .string(envelope.type)
        return logger
    }
}
