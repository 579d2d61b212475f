public import TroupeWire

/// What a running ``MeshNode`` tells the layer above it, in order.
public enum MeshNotification: Hashable, Sendable {
    /// An application frame: an event for a local group, an ack, a nack, a control message.
    case inbound(MeshInbound)
    /// A member became reachable.
    case memberUp(NodeIdentity)
    /// A member stopped being reachable.
    case memberDown(NodeIdentity, reason: String)
    /// Subscriptions known to this node changed; parked events may now have somewhere to go.
    case interestChanged
}
