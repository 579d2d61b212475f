import Foundation
import TroupeWire

/// The handlers of one service, registered by event type.
public struct HandlerSet<State: Codable & Sendable>: Sendable {
    /// What the node asks of a registered handler, once per delivery: decode the body and
    /// derive the idempotency key, then — if the node's `admit` function decides to run it —
    /// run the handler on the decoded event through the function handed to `admit`.
    ///
    /// One call instead of separate decode, key and handle closures passing the event between
    /// them as `any Event`: that boxed every event larger than three words and cast it back to
    /// its type twice per delivery, and a registration generic over `State` in the node's
    /// unspecialized code had its metadata (and its `Optional`'s) looked up at run time on every
    /// lookup. The set keeps registrations as the non-generic ``HandlerRegistration`` and
    /// narrows one without a check (``TypedRegistration`` is the only subclass it creates).
    typealias Process = @Sendable (
        Envelope,
        _ admit: (IdempotencyKey, _ handle: (inout State, inout HandlerContext) throws -> Void) throws -> HandlerFollowUp
    ) throws -> HandlerFollowUp

    /// A registered handler and the function that processes its deliveries.
    final class TypedRegistration: HandlerRegistration, @unchecked Sendable {
        let process: Process

        init(eventType: String, settings: SubscriptionSettings, process: @escaping Process) {
            self.process = process
            super.init(eventType: eventType, settings: settings)
        }
    }

    private(set) var registrations: [String: HandlerRegistration] = [:]
    /// The same registrations in a list, scanned by ``registration(for:)`` while it is short.
    private var registrationList: [HandlerRegistration] = []

    /// An empty set.
    public init() {}

    /// The registration handling `eventType`, if any.
    ///
    /// A service handles a few event types, so the list is scanned: comparing a short type
    /// name is two machine words, hashing it ~300 instructions, once per delivery.
    func registration(for eventType: String) -> TypedRegistration? {
        let found = registrationList.count <= Self.scanLimit
            ? registrationList.first { $0.eventType == eventType }
            : registrations[eventType]
        // Not `found.map { … }`: the closure's result type made every call look up the metadata
        // of `TypedRegistration` for this `State` at run time (~300 instructions per delivery).
        guard let found else { return nil }
        return unsafeDowncast(found, to: TypedRegistration.self)
    }

    /// Registrations up to which ``registration(for:)`` scans the list.
    private static var scanLimit: Int { 8 }

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
        // Chosen here, not per delivery: the closure's optional costs a metadata lookup per call.
        let keyOf: @Sendable (E, Envelope) -> IdempotencyKey
        if let idempotencyKey {
            keyOf = { event, _ in IdempotencyKey("\(E.eventType):\(idempotencyKey(event))") }
        } else {
            keyOf = { _, envelope in IdempotencyKey(eventID: envelope.eventID) }
        }
        let registration = TypedRegistration(eventType: E.eventType, settings: settings) { envelope, admit in
            let event: E
            do {
                event = try EventBodyCoding.decode(E.self, from: envelope.body)
            } catch {
                throw HandlerError.undecodablePayload(type: E.eventType, detail: "\(error)")
            }
            return try admit(keyOf(event, envelope)) { state, context in try handler(event, &state, &context) }
        }
        registrations[E.eventType] = registration
        registrationList.append(registration)
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
