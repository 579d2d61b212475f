public import Logging
public import NIOCore
import NIOPosix
public import TroupeMesh
public import TroupeWire

/// A running mesh node: a TCP listener, links to every other member, and the
/// ``MeshStateMachine`` that runs them, all on one event loop.
///
/// Start one with ``start(configuration:on:hook:limits:logger:)``; read what the mesh delivers
/// from ``notifications`` (one consumer); call ``shutdown()`` when done. Every method may be
/// called from any task; each hops to the node's event loop.
///
/// ```swift
/// let node = try await MeshNode.start(configuration: .init(identity: me, seeds: [seed]), on: group.next())
/// await node.subscribe(Subscribe(subscriptionID: 1, group: "inventory", pattern: "Order*"))
/// for await notification in node.notifications { ... }
/// ```
public final class MeshNode: MeshTransport {
    /// The node's identity, with the port the listener actually bound.
    public let identity: NodeIdentity
    /// What the mesh delivers to this node, in order, with back-pressure: while the consumer
    /// lags more than a high watermark behind, the node stops reading from its sockets.
    /// Exactly one task may iterate it.
    public let notifications: Notifications
    private let core: NIOLoopBound<MeshCore>
    private let limits: WireLimits

    /// ``notifications`` as the ``MeshTransport`` port exposes them.
    public var meshNotifications: any AsyncSequence<MeshNotification, Never> { notifications }

    /// The event loop all of this node's work runs on.
    public var eventLoop: any EventLoop { core.eventLoop }

    /// The node's event loop as an executor: a runtime node (an actor) that runs on it reaches
    /// the mesh with plain calls, without a thread hop per event.
    public var preferredExecutor: (any SerialExecutor)? { core.eventLoop.executor }

    /// The node's event loop as a task executor: a task preferring it wakes on the loop.
    public var preferredTaskExecutor: (any TaskExecutor)? { taskExecutor }

    private let taskExecutor: EventLoopTaskExecutor

    /// The next buffered notification when called on the node's event loop; nil when none is
    /// buffered, after the end, or off the loop.
    public func pollNotification() -> MeshNotification? {
        guard core.eventLoop.inEventLoop, let next = core.value.inbox.take() else { return nil }
        return next
    }

    private init(identity: NodeIdentity, core: NIOLoopBound<MeshCore>, notifications: Notifications, limits: WireLimits) {
        self.identity = identity
        self.limits = limits
        self.core = core
        self.notifications = notifications
        self.taskExecutor = EventLoopTaskExecutor(eventLoop: core.eventLoop)
    }

    /// Binds the listener, then starts dialing the seeds.
    ///
    /// A listen port of 0 binds any free port; ``identity`` then carries the bound one.
    public static func start(
        configuration: MeshConfiguration,
        on eventLoop: any EventLoop,
        hook: any LinkHook = PassThroughLinkHook(),
        filter: any SubscriptionFilter = AcceptAllSubscriptionFilter(),
        limits: WireLimits = WireLimits(),
        logger: Logger = Logger(label: "troupe.mesh")
    ) async throws -> MeshNode {
        var logger = logger
        logger[metadataKey: "node"] = "\(configuration.identity.nodeID)"
        let pending = NIOLoopBoundBox.makeEmptyBox(valueType: MeshCore.self, eventLoop: eventLoop)
        let listenAddress = configuration.identity.listenAddress
        let server: any Channel
        do {
            server = try await ServerBootstrap(group: eventLoop, childGroup: eventLoop)
                .serverChannelOption(.backlog, value: 256)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
                .childChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        guard let core = pending.value else { throw MeshNodeError(code: .shutDown, message: "node not started") }
                        try MeshCore.configure(channel.pipeline.syncOperations, core: core, role: .acceptor, limits: limits)
                    }
                }
                .bind(host: listenAddress.host, port: Int(listenAddress.port))
                .get()
        } catch {
            throw MeshNodeError(code: .bindFailed, message: "cannot listen on \(listenAddress): \(error)")
        }
        var configuration = configuration
        if let port = server.localAddress?.port { configuration.identity.listenAddress.port = UInt16(port) }
        let identity = configuration.identity
        let finalConfiguration = configuration
        let nodeLogger = logger
        let tickInterval = MeshNode.tickInterval(for: configuration)
        let core = try await eventLoop.submit { () -> NIOLoopBound<MeshCore> in
            let core = MeshCore(
                machine: MeshStateMachine(configuration: finalConfiguration), hook: hook, filter: filter, limits: limits,
                eventLoop: eventLoop, logger: nodeLogger
            )
            core.serverChannel = server
            pending.value = core
            core.start(tickInterval: tickInterval)
            return NIOLoopBound(core, eventLoop: eventLoop)
        }.get()
        let notifications = Notifications(core: core)
        logger.info("listening on \(identity.listenAddress)")
        return MeshNode(identity: identity, core: core, notifications: notifications, limits: limits)
    }

    static func tickInterval(for configuration: MeshConfiguration) -> TimeAmount {
        let quarterHeartbeat = configuration.heartbeatInterval.nanoseconds / 4
        let nanos = min(quarterHeartbeat, configuration.reconnectInitialDelay.nanoseconds)
        return .nanoseconds(max(nanos, 5_000_000))
    }

    // MARK: Interest

    /// Announces a local member of `subscription.group` to the whole mesh.
    nonisolated(nonsending) public func subscribe(_ subscription: Subscribe) async {
        try? await onLoop { core in core.run { ((), $0.subscribe(subscription)) } }
    }

    /// Withdraws a local subscription.
    nonisolated(nonsending) public func unsubscribe(_ subscriptionID: UInt64) async {
        try? await onLoop { core in core.run { ((), $0.unsubscribe(subscriptionID)) } }
    }

    // MARK: Sending

    /// Sends `envelope` to one member of every group that wants it (fire-and-forget).
    ///
    /// Throws ``MeshNodeError/Code/unencodable`` when the event cannot fit in a frame.
    @discardableResult
    nonisolated(nonsending) public func publish(_ envelope: Envelope) async throws -> [GroupRoute] {
        try onLoopValidate(envelope)
        return try await onLoop { core in
            core.run { machine in machine.publish(envelope, accepts: { core.filter.accepts($0, envelope) }) }
        }
    }

    /// Sends one delivery of `envelope` to one live member of `group`.
    nonisolated(nonsending) public func route(_ envelope: Envelope, deliveryID: UInt64, toGroup group: String) async throws -> RouteOutcome {
        try onLoopValidate(envelope)
        return try await onLoop { core in
            core.runOne { machine in
                machine.route(envelope, deliveryID: deliveryID, toGroup: group, accepts: { core.filter.accepts($0, envelope) })
            }
        }
    }

    /// Sends a frame (ACK, NACK, CONTROL, CONTROL_REPLY) to a connected node; false if it is not connected.
    @discardableResult
    nonisolated(nonsending) public func send(_ frame: Frame, toNode nodeID: String) async -> Bool {
        (try? await onLoop { core in
            core.run { machine in
                guard let action = machine.send(frame, toNode: nodeID) else { return (false, []) }
                return (true, [action])
            }
        }) ?? false
    }

    // MARK: Introspection

    /// Members currently connected.
    nonisolated(nonsending) public func connectedMembers() async -> [NodeIdentity] {
        (try? await onLoop { $0.machine.connectedMembers }) ?? []
    }

    /// Groups with a subscription matching `envelope`, connected or not.
    nonisolated(nonsending) public func matchingGroups(for envelope: Envelope) async -> [String] {
        (try? await onLoop { core in core.machine.matchingGroups(for: envelope, accepts: { core.filter.accepts($0, envelope) }) }) ?? []
    }

    /// Every subscription known to this node (its own under its id).
    nonisolated(nonsending) public func knownSubscriptions() async -> [LearnedSubscription] {
        (try? await onLoop { $0.machine.subscriptions }) ?? []
    }

    /// The node's counters.
    nonisolated(nonsending) public func statistics() async -> MeshStatistics {
        (try? await onLoop { $0.machine.statistics }) ?? MeshStatistics()
    }

    /// Open links in any state (a vanished peer must not leave one behind).
    nonisolated(nonsending) public func openLinkCount() async -> Int {
        (try? await onLoop { $0.machine.openLinkCount }) ?? 0
    }

    // MARK: Lifecycle

    /// Suspends for `duration` on a timer of the node's event loop: a task preferring
    /// ``preferredTaskExecutor`` is woken by the loop itself, with no thread of the global pool
    /// in between (the runtime node's periodic tick runs this way). Throws `CancellationError`
    /// when the task is cancelled (the timer is cancelled with it), and the loop's error when
    /// the loop has shut down.
    nonisolated(nonsending) public func sleep(for duration: Duration) async throws {
        try Task.checkCancellation()
        let timer = core.eventLoop.scheduleTask(in: TimeAmount(duration)) {}
        do {
            try await withTaskCancellationHandler {
                try await timer.futureResult.get()
            } onCancel: {
                timer.cancel()
            }
        } catch EventLoopError.cancelled {
            throw CancellationError()
        }
    }

    /// Says goodbye to every peer, closes every link and the listener, and ends ``notifications``.
    nonisolated(nonsending) public func shutdown() async {
        let future = try? await onLoop { $0.shutdown() }
        try? await future?.get()
    }

    /// Runs `body` on the node's event loop: directly when the caller is already on it (a
    /// runtime node on ``preferredExecutor``), else by submitting it there.
    private nonisolated(nonsending) func onLoop<Result: Sendable>(_ body: @escaping @Sendable (MeshCore) throws -> Result) async throws -> Result {
        let core = self.core
        if core.eventLoop.inEventLoop { return try body(core.value) }
        return try await core.eventLoop.submit { try body(core.value) }.get()
    }

    /// Refuses an envelope that cannot fit in a frame before it is routed anywhere.
    private func onLoopValidate(_ envelope: Envelope) throws {
        let limit = limits.maxBodyLength
        let estimate = envelope.body.readableBytes + envelope.headers.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 4 } + 512
        if estimate > limit {
            throw MeshNodeError(code: .unencodable, message: "event \(envelope.type) of about \(estimate) bytes exceeds the frame limit of \(limit) bytes")
        }
    }
}
