/// A typed event: a Codable fact with a stable type name.
///
/// ```swift
/// struct OrderPlaced: Event {
///     static let eventType = "OrderPlaced"
///     var orderID: String
///     var amountCents: Int
///     var subject: String { orderID }
/// }
/// ```
/// The type name is what subscriptions match and what travels in the envelope, so renaming the
/// Swift type is safe and renaming `eventType` is a protocol change. The JSON encoding of the
/// value is the event's body, which content filters look into.
public protocol Event: Codable, Sendable {
    /// The stable type name, e.g. `OrderPlaced`.
    static var eventType: String { get }
    /// The entity the event is about (e.g. the order id): used for per-subject ordering and
    /// shown in traces. Empty by default.
    var subject: String { get }
}

extension Event {
    /// No subject.
    public var subject: String { "" }
}
