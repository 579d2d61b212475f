public import TroupeWire

/// The port through which the runtime uses a mesh: a running TCP mesh node (`MeshNode` in
/// `TroupeMeshNIO`) or, later, a simulated one. The runtime imports this protocol only, so it
/// never depends on sockets.
public protocol MeshTransport: Sendable {
    /// This node's identity as the mesh knows it (with the bound port).
    var identity: NodeIdentity { get }

    /// What the mesh delivers to this node, in order, with back-pressure. One consumer.
    var meshNotifications: any AsyncSequence<MeshNotification, Never> { get }

    /// Announces a local member of a group to the mesh.
    func subscribe(_ subscription: Subscribe) async

    /// Sends one delivery of `envelope` to one live member of `group`.
    func route(_ envelope: Envelope, deliveryID: UInt64, toGroup group: String) async throws -> RouteOutcome

    /// Sends a frame (ACK, NACK, CONTROL, CONTROL_REPLY) to a connected node; false if not connected.
    @discardableResult
    func send(_ frame: Frame, toNode nodeID: String) async -> Bool

    /// Every subscription known to the mesh (this node's own under its id).
    func knownSubscriptions() async -> [LearnedSubscription]

    /// Members currently connected.
    func connectedMembers() async -> [NodeIdentity]

    /// Leaves the mesh.
    func shutdown() async
}

/// A subscription and the node that announced it.
public struct LearnedSubscription: Hashable, Sendable {
    /// The subscribing node.
    public var nodeID: String
    /// The subscription.
    public var subscription: Subscribe

    /// Creates a record.
    public init(nodeID: String, subscription: Subscribe) {
        self.nodeID = nodeID
        self.subscription = subscription
    }
}
