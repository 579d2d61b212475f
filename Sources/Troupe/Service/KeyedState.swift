public import Foundation

/// A service state made of keyed records that the node persists record by record: after each
/// handled event only the records it changed are written, in the same transaction as the
/// idempotency record and the outbox — so committing costs the size of the change, not the size
/// of the state.
///
/// A state that is a plain `Codable` value is stored whole after every event, which is simplest
/// and fine while it stays small. One that grows with the business (an order book, a ledger)
/// should adopt this protocol, usually by keeping its collections in ``StateTable``s:
///
/// ```swift
/// struct OrderBook: KeyedState {
///     var orders = StateTable<OrderRecord>()
///     mutating func takeChangedRecords() throws -> [String: Data?] { try orders.takeChanges(prefix: "orders/") }
///     init(records: [String: Data]) throws { try orders.load(prefix: "orders/", from: records) }
/// }
/// ```
public protocol KeyedState: Codable, Sendable {
    /// The records changed since the last call, encoded (nil: removed); clears the change set.
    mutating func takeChangedRecords() throws -> [String: Data?]
    /// Rebuilds the state from every stored record.
    init(records: [String: Data]) throws
}
