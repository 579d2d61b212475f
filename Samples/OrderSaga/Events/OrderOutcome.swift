/// How an order ended: the two terminal states of the saga.
public enum OrderOutcome: String, Codable, Sendable, Hashable, CaseIterable {
    /// Stock sold and payment captured.
    case confirmed
    /// Stock never reserved, or reserved and released after payment was declined.
    case cancelled
}
