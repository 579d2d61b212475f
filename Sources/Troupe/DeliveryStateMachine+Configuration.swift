extension DeliveryStateMachine {
    /// Bounds, policies and the random seed of a ``DeliveryStateMachine``.
    public struct Configuration: Hashable, Sendable {
        /// Policy of groups without one of their own (and the retention of parked events).
        public var defaultPolicy: DeliveryPolicy
        /// Per-group policies.
        public var groupPolicies: [String: DeliveryPolicy]
        /// Bound on live delivery series (one per event and target group, waiting ones included).
        /// Beyond it `published` throws ``DeliveryOverflowError``.
        public var maximumLiveSeries: Int
        /// Bound on parked events (published while no group was interested).
        public var maximumParkedEvents: Int
        /// The first delivery id handed out; ids then count up. Delivery ids must not repeat
        /// across restarts while a peer may still ACK an old one, so a node should derive this
        /// from its incarnation (e.g. `UInt64(incarnation) << 32`).
        public var firstDeliveryID: UInt64
        /// Seed of the generator behind backoff jitter.
        public var randomSeed: UInt64

        /// Creates a configuration.
        public init(
            defaultPolicy: DeliveryPolicy = .default,
            groupPolicies: [String: DeliveryPolicy] = [:],
            maximumLiveSeries: Int = 10_000,
            maximumParkedEvents: Int = 10_000,
            firstDeliveryID: UInt64 = 1,
            randomSeed: UInt64 = 0x5EED
        ) {
            precondition(maximumLiveSeries >= 1 && maximumParkedEvents >= 0, "bounds must be positive")
            self.defaultPolicy = defaultPolicy
            self.groupPolicies = groupPolicies
            self.maximumLiveSeries = maximumLiveSeries
            self.maximumParkedEvents = maximumParkedEvents
            self.firstDeliveryID = firstDeliveryID
            self.randomSeed = randomSeed
        }
    }
}
