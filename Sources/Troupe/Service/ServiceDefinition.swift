/// A service hosted by a Troupe node: its name, its state and its event handlers.
///
/// Named so it does not clash with swift-service-lifecycle's `Service`.
///
/// ```swift
/// struct InventoryService: ServiceDefinition {
///     static let name = "inventory"
///     func initialState() -> Stock { Stock(available: ["apple": 10]) }
///     func handlers(_ on: inout HandlerSet<Stock>) {
///         on.event(OrderPlaced.self) { event, stock, context in
///             if stock.reserve(event.items) { context.publish(StockReserved(orderID: event.orderID)) }
///             else { context.publish(StockUnavailable(orderID: event.orderID)) }
///         }
///     }
/// }
/// ```
///
/// Handlers are synchronous and deterministic: they see the event, the node's state and a
/// context, and they change the state and publish events. They never call another service and
/// wait — they hand off by publishing. That is what lets the runtime commit the state change,
/// the published events (outbox) and the idempotency record in one transaction, and what will
/// let the same service code run inside a deterministic simulator.
public protocol ServiceDefinition: Sendable {
    /// The service's state, persisted as JSON in the node's store after every handled event.
    associatedtype State: Codable & Sendable

    /// The service name; also the consumer group its subscriptions join.
    static var name: String { get }

    /// The state of a node that has never handled anything.
    func initialState() -> State

    /// Registers the service's handlers.
    func handlers(_ on: inout HandlerSet<State>)
}
