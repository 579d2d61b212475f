/// Where an order stands in the order service's records.
public enum OrderStatus: String, Codable, Sendable, Hashable, CaseIterable {
    /// Placed; the saga is still running.
    case pending
    /// Ended well (see ``OrderOutcome/confirmed``).
    case confirmed
    /// Ended without a sale (see ``OrderOutcome/cancelled``).
    case cancelled

    /// The status an outcome leaves the order in.
    public init(_ outcome: OrderOutcome) {
        switch outcome {
        case .confirmed: self = .confirmed
        case .cancelled: self = .cancelled
        }
    }

    /// The outcome, once the order is terminal; nil while pending.
    public var outcome: OrderOutcome? {
        switch self {
        case .pending: nil
        case .confirmed: .confirmed
        case .cancelled: .cancelled
        }
    }

    /// Whether the order has ended (and so will never change again).
    public var isTerminal: Bool { self != .pending }
}
