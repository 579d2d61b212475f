public import TroupeWire

/// Decides whether a subscription wants a particular event beyond its type pattern — the
/// runtime plugs content filters in here, so they are evaluated at the publisher and filtered
/// events never cross the wire.
public protocol SubscriptionFilter: Sendable {
    /// Whether `subscription` wants `envelope` (its type pattern already matched).
    func accepts(_ subscription: Subscribe, _ envelope: Envelope) -> Bool
}

/// Accepts every event whose type matches.
public struct AcceptAllSubscriptionFilter: SubscriptionFilter {
    /// Creates the filter.
    public init() {}

    /// Always true.
    public func accepts(_ subscription: Subscribe, _ envelope: Envelope) -> Bool { true }
}
