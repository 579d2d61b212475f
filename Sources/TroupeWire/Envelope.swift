public import NIOCore

/// An event as it travels: identity, routing and correlation metadata around an opaque body.
///
/// The body is JSON by default so workshop participants can read payloads, but the wire does not
/// care; `headers` may name another `content-type`. The body is a `ByteBuffer` so that decoding
/// can hand out a slice of the received frame instead of copying it.
public struct Envelope: Hashable, Sendable {
    /// Unique, time-sortable id of this event.
    public var eventID: EventID
    /// Stable type name, e.g. `OrderPlaced`. Subscriptions match on it.
    public var type: String
    /// Node id of the publisher.
    public var source: String
    /// The entity the event is about (e.g. an order id); per-key ordering uses it. May be empty.
    public var subject: String
    /// Groups every event of one business transaction (e.g. one order's saga).
    public var correlationID: EventID
    /// The event whose handling published this one; nil for an event that starts a correlation.
    public var causationID: EventID?
    /// W3C trace context `traceparent` header value; empty when there is none.
    public var traceparent: String
    /// When the event was first published, in microseconds since the Unix epoch.
    public var occurredAtMicros: Int64
    /// Which delivery attempt this copy is, starting at 1.
    public var attempt: UInt32
    /// Free-form headers in order; names are case-sensitive.
    public var headers: [Header]
    /// The payload bytes.
    public var body: ByteBuffer

    /// Creates an envelope.
    public init(
        eventID: EventID,
        type: String,
        source: String,
        subject: String = "",
        correlationID: EventID,
        causationID: EventID? = nil,
        traceparent: String = "",
        occurredAtMicros: Int64,
        attempt: UInt32 = 1,
        headers: [Header] = [],
        body: ByteBuffer
    ) {
        self.eventID = eventID
        self.type = type
        self.source = source
        self.subject = subject
        self.correlationID = correlationID
        self.causationID = causationID
        self.traceparent = traceparent
        self.occurredAtMicros = occurredAtMicros
        self.attempt = attempt
        self.headers = headers
        self.body = body
    }

    /// One name/value header pair.
    public struct Header: Hashable, Sendable {
        /// Header name.
        public var name: String
        /// Header value.
        public var value: String

        /// Creates a header.
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// The value of the first header called `name`, if any.
    public func header(_ name: String) -> String? {
        headers.first { $0.name == name }?.value
    }
}
