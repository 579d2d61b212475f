public import TroupeWire

/// Where the mesh sent (or could not send) one event for one group.
public enum RouteOutcome: Hashable, Sendable {
    /// Sent on the link to this member.
    case sent(to: NodeIdentity, deliveryID: UInt64)
    /// A member of the group lives in this node; the event was handed to the layer above.
    case deliveredLocally(deliveryID: UInt64)
    /// The group is known but no member of it is connected right now.
    case noLiveMember
    /// Every connected member's link is over its outbound bound; nothing was queued.
    case backpressured
}

/// The outcome of routing an event to one group.
public struct GroupRoute: Hashable, Sendable {
    /// The consumer group.
    public var group: String
    /// What happened.
    public var outcome: RouteOutcome

    /// Creates a route record.
    public init(group: String, outcome: RouteOutcome) {
        self.group = group
        self.outcome = outcome
    }
}
