public import TroupeWire

/// The port through which the runtime uses a mesh: a running TCP mesh node (`MeshNode` in
/// `TroupeMeshNIO`) or a simulated one. The runtime imports this protocol only, so it never
/// depends on sockets.
///
/// The async requirements are `nonisolated(nonsending)`: they start on the caller's executor.
/// A runtime node that runs on the transport's ``preferredExecutor`` (the TCP mesh's event
/// loop) therefore reaches the mesh without a thread hop: routing an event, sending an ack and
/// taking the next notification are plain calls on one thread.
public protocol MeshTransport: Sendable {
    /// This node's identity as the mesh knows it (with the bound port).
    var identity: NodeIdentity { get }

    /// The executor a consumer should run on to reach this transport without thread hops (the
    /// TCP mesh: its event loop); nil when there is none.
    var preferredExecutor: (any SerialExecutor)? { get }

    /// A task executor on the same thread as ``preferredExecutor`` (the TCP mesh: its event
    /// loop), for a task that should wake up and reach the node there instead of on the global
    /// pool; nil when there is none.
    var preferredTaskExecutor: (any TaskExecutor)? { get }

    /// What the mesh delivers to this node, in order, with back-pressure. One consumer.
    var meshNotifications: any AsyncSequence<MeshNotification, Never> { get }

    /// The next notification if one is already waiting, without suspending; nil otherwise (and
    /// always nil off the ``preferredExecutor``). A consumer uses it to take a burst of
    /// deliveries together (group commit).
    func pollNotification() -> MeshNotification?

    /// Announces a local member of a group to the mesh.
    nonisolated(nonsending) func subscribe(_ subscription: Subscribe) async

    /// Sends one delivery of `envelope` to one live member of `group`.
    nonisolated(nonsending) func route(_ envelope: Envelope, deliveryID: UInt64, toGroup group: String) async throws -> RouteOutcome

    /// Sends a frame (ACK, NACK, CONTROL, CONTROL_REPLY) to a connected node; false if not connected.
    @discardableResult
    nonisolated(nonsending) func send(_ frame: Frame, toNode nodeID: String) async -> Bool

    /// Every subscription known to the mesh (this node's own under its id).
    nonisolated(nonsending) func knownSubscriptions() async -> [LearnedSubscription]

    /// Members currently connected.
    nonisolated(nonsending) func connectedMembers() async -> [NodeIdentity]

    /// Leaves the mesh.
    nonisolated(nonsending) func shutdown() async

    /// Suspends for `duration` on the transport's own timer, so that a task preferring
    /// ``preferredTaskExecutor`` wakes on the transport's thread (the TCP mesh: a timer of its
    /// event loop) rather than on a thread of the global pool that then hops there. Throws
    /// `CancellationError` when the task is cancelled.
    nonisolated(nonsending) func sleep(for duration: Duration) async throws
}

extension MeshTransport {
    /// No preferred executor.
    public var preferredExecutor: (any SerialExecutor)? { nil }

    /// No preferred task executor.
    public var preferredTaskExecutor: (any TaskExecutor)? { nil }

    /// Nothing to poll: every notification comes through ``meshNotifications``.
    public func pollNotification() -> MeshNotification? { nil }

    /// The task's own clock: `Task.sleep(for:)`.
    public nonisolated(nonsending) func sleep(for duration: Duration) async throws {
        try await Task.sleep(for: duration)
    }
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
