public import NIOCore

/// An event as it travels: identity, routing and correlation metadata around an opaque body.
///
/// The body is JSON by default so workshop participants can read payloads, but the wire does not
/// care; `headers` may name another `content-type`. The body is a `ByteBuffer` so that decoding
/// can hand out a slice of the received frame instead of copying it.
///
/// An envelope is a value with copy-on-write storage: its fields live in one immutable box, so
/// a copy is one reference count, and a change replaces the box. An event is copied a dozen
/// times on its way through a node (into the outbox, the delivery state machine, each send
/// action, the frame, the archive); as a struct of ~170 bytes with six reference-counted fields
/// each copy cost ~190 instructions and moved its bytes through every enum that carried it
/// (Benchmarks/README.md, ninth round). Changes are rare (a redelivery's attempt number, a
/// correlation set at publish) and a change to the value a field already has keeps the box.
public struct Envelope: Hashable, Sendable {
    private struct Fields: Hashable, Sendable {
        var eventID: EventID
        var type: String
        var source: String
        var subject: String
        var correlationID: EventID
        var causationID: EventID?
        var traceparent: String
        var occurredAtMicros: Int64
        var attempt: UInt32
        var headers: [Header]
        var body: ByteBuffer
    }

    /// The fields; never mutated in place (a change makes a new box), so sharing is safe.
    private var box: FieldBox<Fields>

    /// Unique, time-sortable id of this event.
    public var eventID: EventID {
        get { box.fields.eventID }
        set { box = box.setting(\.eventID, to: newValue) }
    }
    /// Stable type name, e.g. `OrderPlaced`. Subscriptions match on it.
    public var type: String {
        get { box.fields.type }
        set { box = box.setting(\.type, to: newValue) }
    }
    /// Node id of the publisher.
    public var source: String {
        get { box.fields.source }
        set { box = box.setting(\.source, to: newValue) }
    }
    /// The entity the event is about (e.g. an order id); per-key ordering uses it. May be empty.
    public var subject: String {
        get { box.fields.subject }
        set { box = box.setting(\.subject, to: newValue) }
    }
    /// Groups every event of one business transaction (e.g. one order's saga).
    public var correlationID: EventID {
        get { box.fields.correlationID }
        set { box = box.setting(\.correlationID, to: newValue) }
    }
    /// The event whose handling published this one; nil for an event that starts a correlation.
    public var causationID: EventID? {
        get { box.fields.causationID }
        set { box = box.setting(\.causationID, to: newValue) }
    }
    /// W3C trace context `traceparent` header value; empty when there is none.
    public var traceparent: String {
        get { box.fields.traceparent }
        set { box = box.setting(\.traceparent, to: newValue) }
    }
    /// When the event was first published, in microseconds since the Unix epoch.
    public var occurredAtMicros: Int64 {
        get { box.fields.occurredAtMicros }
        set { box = box.setting(\.occurredAtMicros, to: newValue) }
    }
    /// Which delivery attempt this copy is, starting at 1.
    public var attempt: UInt32 {
        get { box.fields.attempt }
        set { box = box.setting(\.attempt, to: newValue) }
    }
    /// Free-form headers in order; names are case-sensitive.
    public var headers: [Header] {
        get { box.fields.headers }
        set { box = box.setting(\.headers, to: newValue) }
    }
    /// The payload bytes.
    public var body: ByteBuffer {
        get { box.fields.body }
        set { box = box.setting(\.body, to: newValue) }
    }

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
        box = FieldBox(Fields(
            eventID: eventID, type: type, source: source, subject: subject, correlationID: correlationID,
            causationID: causationID, traceparent: traceparent, occurredAtMicros: occurredAtMicros,
            attempt: attempt, headers: headers, body: body
        ))
    }

    /// Two envelopes are equal when every field is; sharing a box answers at once.
    public static func == (lhs: Envelope, rhs: Envelope) -> Bool {
        lhs.box === rhs.box || lhs.box.fields == rhs.box.fields
    }

    /// Hashes every field.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(box.fields)
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
