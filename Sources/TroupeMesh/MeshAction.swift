public import TroupeWire

/// What the ``MeshStateMachine`` asks its shell to do. The shell performs actions in order and
/// decides nothing itself.
public enum MeshAction: Hashable, Sendable {
    /// Write `frame` on `link`.
    case send(Frame, on: LinkID)
    /// Write `farewell` (an ERROR or GOODBYE frame) if given, then close `link`. The shell reports
    /// the closure back through ``MeshStateMachine/linkClosed(_:now:)`` as for any other closure.
    case close(LinkID, farewell: Frame?, reason: String)
    /// Open a TCP connection to `address`; report ``MeshStateMachine/linkOpened(role:now:)`` or
    /// ``MeshStateMachine/dialFailed(_:now:)``.
    case dial(PeerAddress, expectedNodeID: String?)
    /// Hand an application frame to the layer above.
    case deliver(MeshInbound)
    /// A member became reachable (first contact, or back after a loss).
    case memberUp(NodeIdentity)
    /// A member stopped being reachable.
    case memberDown(NodeIdentity, reason: String)
    /// The set of subscriptions known to this node changed (routing may now find new targets).
    case interestChanged
}

/// An application frame received from a peer (or routed locally), for the layer above the mesh.
public enum MeshInbound: Hashable, Sendable {
    /// An event delivery for one of this node's groups.
    case event(EventDelivery, from: NodeIdentity)
    /// Acknowledgements of deliveries this node sent.
    case ack(Ack, from: NodeIdentity)
    /// A negative acknowledgement of a delivery this node sent.
    case nack(Nack, from: NodeIdentity)
    /// An administrative request.
    case control(ControlRequest, from: NodeIdentity)
    /// The reply to an administrative request this node sent.
    case controlReply(ControlReply, from: NodeIdentity)
}
