/// Who a node is: its stable id, the service it hosts, which run of it this is, and where it listens.
///
/// `incarnation` grows each time a node with the same id restarts, so the mesh can tell a restarted
/// node from a stale record of its previous life.
///
/// A value with copy-on-write storage, like ``Envelope``: the fields live in one immutable box,
/// so a copy is one reference count. Every frame a link receives is handed on with its peer's
/// identity, and each copy of the plain struct retained its three strings — about a dozen
/// retains and releases per event delivered (callgrind, Benchmarks/README.md, fifteenth round).
public struct NodeIdentity: Hashable, Sendable, CustomStringConvertible {
    private struct Fields: Hashable, Sendable {
        var nodeID: String
        var service: String
        var incarnation: UInt64
        var listenAddress: PeerAddress
    }

    private var box: FieldBox<Fields>

    /// Stable, unique name of the node in the mesh, e.g. `payment-1`. At most 255 bytes of UTF-8.
    public var nodeID: String {
        get { box.fields.nodeID }
        set { box = box.setting(\.nodeID, to: newValue) }
    }
    /// The service the node hosts, e.g. `payment`.
    public var service: String {
        get { box.fields.service }
        set { box = box.setting(\.service, to: newValue) }
    }
    /// Which run of the node this is; a restart must advertise a larger value.
    public var incarnation: UInt64 {
        get { box.fields.incarnation }
        set { box = box.setting(\.incarnation, to: newValue) }
    }
    /// Where the node accepts links.
    public var listenAddress: PeerAddress {
        get { box.fields.listenAddress }
        set { box = box.setting(\.listenAddress, to: newValue) }
    }

    /// Creates an identity.
    public init(nodeID: String, service: String, incarnation: UInt64, listenAddress: PeerAddress) {
        box = FieldBox(Fields(nodeID: nodeID, service: service, incarnation: incarnation, listenAddress: listenAddress))
    }

    /// Two identities are equal when every field is; sharing a box answers at once.
    public static func == (lhs: NodeIdentity, rhs: NodeIdentity) -> Bool {
        lhs.box === rhs.box || lhs.box.fields == rhs.box.fields
    }

    /// Hashes every field.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(box.fields)
    }

    /// `nodeID(service)#incarnation@host:port`, for logs.
    public var description: String { "\(nodeID)(\(service))#\(incarnation)@\(listenAddress)" }
}

extension NodeIdentity {
    /// A tool such as the `troupe` CLI rather than a mesh member: it advertises listen port 0,
    /// may send CONTROL requests, and is never gossiped, dialed or routed to.
    public var isClient: Bool { listenAddress.port == 0 }
}
