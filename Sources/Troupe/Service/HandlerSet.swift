import Foundation
public import TroupeWire

/// The handlers of one service, registered by event type.
public struct HandlerSet<State: Codable & Sendable>: Sendable {
    /// A registered handler, type-erased: decodes the body, derives the idempotency key, runs.
    struct Registration: Sendable {
        let eventType: String
        let settings: SubscriptionSettings
        let decode: @Sendable (Envelope) throws -> any Event
        let idempotencyKey: @Sendable (any Event, Envelope) -> IdempotencyKey
        let handle: @Sendable (any Event, inout State, inout HandlerContext) throws -> Void
    }

    private(set) var registrations: [String: Registration] = [:]

    /// An empty set.
    public init() {}

    /// Handles events of type `E`.
    ///
    /// - Parameters:
    ///   - settings: content filter and ordering of the subscription this creates.
    ///   - idempotencyKey: derives the key duplicates are recognised by; the event id by
    ///     default. Derive one from the payload when the same fact may arrive as different events
    ///     (e.g. a re-submitted order).
    ///   - handler: changes the state and publishes through the context; throwing NACKs the
    ///     delivery, so it is retried and eventually dead-lettered.
    public mutating func event<E: Event>(
        _ type: E.Type,
        settings: SubscriptionSettings = SubscriptionSettings(),
        idempotencyKey: (@Sendable (E) -> String)? = nil,
        _ handler: @escaping @Sendable (E, inout State, inout HandlerContext) throws -> Void
    ) {
        precondition(registrations[E.eventType] == nil, "two handlers for \(E.eventType)")
        // The closures below run once per delivery. The default key is chosen here, not in the
        // closure, and `handle` force-casts (its event always comes from this registration's
        // own `decode`): a conditional cast needs `Optional<E>`'s metadata, which an
        // unspecialized caller looks up at run time on every call (Benchmarks/README.md,
        // eighth round).
        let keyOf: @Sendable (any Event, Envelope) -> IdempotencyKey
        if let idempotencyKey {
            keyOf = { event, _ in IdempotencyKey("\(E.eventType):\(idempotencyKey(event as! E))") }
        } else {
            keyOf = { _, envelope in IdempotencyKey(eventID: envelope.eventID) }
        }
        registrations[E.eventType] = Registration(
            eventType: E.eventType,
            settings: settings,
            decode: { envelope in
                do {
                    return try EventBodyCoding.decode(E.self, from: envelope.body)
                } catch {
                    throw HandlerError.undecodablePayload(type: E.eventType, detail: "\(error)")
                }
            },
            idempotencyKey: keyOf,
            handle: { event, state, context in
                try handler(event as! E, &state, &context)
            }
        )
    }

    /// The event types handled.
    public var eventTypes: [String] { registrations.keys.sorted() }
}

/// How a handler's subscription is set up.
public struct SubscriptionSettings: Sendable {
    /// Content filter (EventBridge-style JSON, see ``ContentFilter``); empty matches every event.
    public var filter: String
    /// Deliver events with the same subject one at a time, in publish order.
    public var orderedBySubject: Bool

    /// Creates settings.
    public init(filter: String = "", orderedBySubject: Bool = false) {
        self.filter = filter
        self.orderedBySubject = orderedBySubject
    }
}
