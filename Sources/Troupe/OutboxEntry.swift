public import TroupeWire

/// An unfinished event read back from the outbox after a restart, for
/// ``DeliveryStateMachine/restored(_:now:)``.
public struct OutboxEntry: Hashable, Sendable {
    /// One target group still owed the event.
    public struct PendingGroup: Hashable, Sendable {
        /// The consumer group.
        public var group: String
        /// Delivery attempts made before the restart (0 if none was recorded).
        public var attemptsSoFar: Int

        /// Creates a pending group.
        public init(group: String, attemptsSoFar: Int = 0) {
            self.group = group
            self.attemptsSoFar = attemptsSoFar
        }
    }

    /// The event as published.
    public var envelope: Envelope
    /// Groups that have neither acknowledged nor dead-lettered it; empty means it was parked
    /// (no group known yet).
    public var pendingGroups: [PendingGroup]
    /// How long ago it was published (the node derives this from wall-clock time, which the
    /// machine never reads); a parked event's retention counts from then.
    public var age: Duration

    /// Creates an entry.
    public init(envelope: Envelope, pendingGroups: [PendingGroup], age: Duration = .zero) {
        self.envelope = envelope
        self.pendingGroups = pendingGroups
        self.age = age
    }
}
