/// Who a node is: its stable id, the service it hosts, which run of it this is, and where it listens.
///
/// `incarnation` grows each time a node with the same id restarts, so the mesh can tell a restarted
/// node from a stale record of its previous life.
public struct NodeIdentity: Hashable, Sendable, CustomStringConvertible {
    /// Stable, unique name of the node in the mesh, e.g. `payment-1`. At most 255 bytes of UTF-8.
    public var nodeID: String
    /// The service the node hosts, e.g. `payment`.
    public var service: String
    /// Which run of the node this is; a restart must advertise a larger value.
    public var incarnation: UInt64
    /// Where the node accepts links.
    public var listenAddress: PeerAddress

    /// Creates an identity.
    public init(nodeID: String, service: String, incarnation: UInt64, listenAddress: PeerAddress) {
        self.nodeID = nodeID
        self.service = service
        self.incarnation = incarnation
        self.listenAddress = listenAddress
    }

    /// `nodeID(service)#incarnation@host:port`, for logs.
    public var description: String { "\(nodeID)(\(service))#\(incarnation)@\(listenAddress)" }
}

extension NodeIdentity {
    /// A tool such as the `troupe` CLI rather than a mesh member: it advertises listen port 0,
    /// may send CONTROL requests, and is never gossiped, dialed or routed to.
    public var isClient: Bool { listenAddress.port == 0 }
}
