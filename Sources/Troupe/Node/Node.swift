import DequeModule
import Foundation
public import Logging
import Metrics
import Tracing
public import TroupeMesh
public import TroupeWire

/// A Troupe node: one service hosted on one mesh node, with at-least-once delivery, an
/// idempotency store, correlation propagation and a dead-letter queue.
///
/// The node is an actor, so its handlers run one at a time against its own state. It runs on
/// its transport's preferred executor — the TCP mesh's event loop — so routing an event,
/// acking a delivery and taking the next notification are plain calls on one thread, with no
/// hop per event (handlers therefore must not block: they run on the node's I/O thread). It consumes
/// the mesh's notifications in ``run()``; for each event delivery it checks the idempotency
/// record, runs the handler on a copy of the state, commits the new state, the events the
/// handler published (outbox) and the idempotency record in ONE store transaction, and only then
/// acknowledges. Events it publishes are driven by a ``DeliveryStateMachine`` until every target
/// group has acked or the event is dead-lettered.
///
/// ```swift
/// let node = try await Node(service: InventoryService(), mesh: meshNode, store: store)
/// try await node.run()          // until the mesh shuts down
/// ```
public actor Node<Service: ServiceDefinition> {
    /// The hosted service.
    public nonisolated let service: Service
    /// This node's mesh identity.
    public nonisolated let identity: NodeIdentity
    /// Where the node's jobs run; see ``unownedExecutor``.
    nonisolated let executor: any SerialExecutor
    /// The transport's preferred executor (its event loop), or a serial queue of the node's own.
    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
    let configuration: NodeConfiguration
    let mesh: any MeshTransport
    let store: any NodeStore
    let clock: any NodeClock
    let handlers: HandlerSet<Service.State>
    let filters: ContentFilterCache
    var logger: Logger
    let metrics: NodeMetrics

    /// The service's current (committed) state.
    public internal(set) var state: Service.State
    /// Recently handled idempotency keys; the store holds them all (see ``IdempotencyCache``).
    var idempotencyKeys: IdempotencyCache
    /// What idempotency expiry is measured on (uptime, not the wall clock).
    let retention: RetentionClock
    var knownInterest: [LearnedSubscription] {
        didSet { groupsByEventType.removeAll() }
    }
    /// ``matchingGroups(for:)``'s answers for event types no content filter took part in,
    /// valid while ``knownInterest`` is unchanged.
    var groupsByEventType: [(type: String, groups: [String])] = []
    var delivery: DeliveryStateMachine
    var ackBatcher: AckBatcher<String>
    var random: Xoshiro256StarStar
    /// The id of the last event this node created (see ``EventID/monotonic(after:millisecondsSinceEpoch:using:)``).
    var lastEventID: EventID?
    /// The buffer every event body this node publishes is written into, then copied out of
    /// (``EventBodyCoding/encode(_:using:)``).
    let bodyWriter = JSONByteWriter()
    var coldStart: ColdStartRetention
    /// Committed events the delivery machine had no room for (over its live-series bound):
    /// handed to it, oldest first, as series complete. They are in the outbox meanwhile.
    var overflow: Deque<(envelope: Envelope, groups: [String])> = []
    /// Publishers waiting for the outbox to drain; see ``waitUntilOutboxDepth(isBelow:)``.
    var outboxWaiters: [OutboxWaiter] = []
    /// Whether the run loop has ended.
    var hasStopped = false
    /// Commits held back by the planted ``PlantedBug/ackBeforeCommit`` defect, written at the
    /// next timer tick; always empty otherwise.
    var deferredCommits: [StoreBatch] = []
    /// When ``deferredCommits`` are due.
    var deferredCommitDeadline: MonotonicTime?
    /// Whether ``run()`` handles deliveries while earlier ones commit (see ``CommitPipeline``),
    /// and delivery progress is committed by the progress writer instead of in line (see
    /// `Node+ProgressWriting.swift`): when the store commits on another thread, and no planted
    /// defect changes the commit path.
    let pipelinesHandling: Bool
    /// Handled groups whose commit is queued or under way (``run()`` only).
    var pipeline = CommitPipeline<Service.State>()
    /// The task committing ``pipeline``'s groups, while there are any.
    var commitDriver: Task<Void, Never>?
    /// Delivery progress waiting for the progress writer (see ``recordProgress(_:)``).
    var progressBacklog = StoreBatch()
    /// The task committing ``progressBacklog``, while there is any.
    var progressWriter: Task<Void, Never>?
    /// How many times something waited for ``progressWriter`` (tests watch it).
    var progressSettlesWaited = 0
    /// Counters; see ``NodeStatistics``.
    public internal(set) var statistics = NodeStatistics()
    /// A fault-injection hook point, called after a handled event committed and before its ack
    /// is sent (the chaos layer can crash the process here: "ack lost after the effect committed").
    var afterCommitHook: (nonisolated(nonsending) @Sendable (Envelope) async -> Void)?
    /// A fault-injection hook point, called before each delivery's handler runs; see
    /// ``setHandlerFaultHook(_:)``.
    var handlerFaultHook: (nonisolated(nonsending) @Sendable (Envelope) async -> HandlerFaultOutcome)?
    /// Host-level CONTROL commands; see ``setControlExtension(_:)``.
    var controlExtension: (@Sendable (ControlRequest) async -> ControlReply?)?

    /// Loads the node's state and outbox from `store` and prepares to run.
    public init(
        service: Service,
        mesh: any MeshTransport,
        store: any NodeStore,
        configuration: NodeConfiguration = NodeConfiguration(),
        clock: any NodeClock = SystemNodeClock(),
        logger: Logger = Logger(label: "troupe.node")
    ) async throws {
        self.service = service
        self.identity = mesh.identity
        self.executor = mesh.preferredExecutor ?? SerialQueueExecutor(label: "troupe.node.\(mesh.identity.nodeID)")
        self.configuration = configuration
        self.mesh = mesh
        self.store = store
        self.pipelinesHandling = store.pipelinesCommits && configuration.plantedBug == nil
        self.clock = clock
        var handlers = HandlerSet<Service.State>()
        service.handlers(&handlers)
        self.handlers = handlers
        self.filters = ContentFilterCache()
        var logger = logger
        logger[metadataKey: "node"] = "\(mesh.identity.nodeID)"
        self.logger = logger
        self.metrics = NodeMetrics(nodeID: mesh.identity.nodeID, service: Service.name)

        // Every key, expired or not: which ones are expired is decided on the retention clock,
        // which resumes from the records themselves.
        let snapshot = try await store.loadSnapshot(nowMicros: .min)
        if let keyed = Service.State.self as? any KeyedState.Type, !snapshot.stateRecords.isEmpty {
            do {
                self.state = try keyed.init(records: snapshot.stateRecords) as! Service.State
            } catch {
                throw StoreError(code: .corruptRecord, message: "stored state records of \(Service.name) do not decode: \(error)")
            }
        } else if let data = snapshot.state {
            do {
                self.state = try JSONDecoder().decode(Service.State.self, from: data)
            } catch {
                throw StoreError(code: .corruptRecord, message: "stored state of \(Service.name) does not decode: \(error)")
            }
        } else {
            self.state = service.initialState()
        }
        let retention = RetentionClock(resumingFrom: snapshot.idempotencyKeys.values, ttl: configuration.idempotencyTTL,
                                       wallNow: clock.wallMicros(), monotonicNow: clock.monotonicNow())
        self.retention = retention
        let retentionNow = retention.now(at: clock.monotonicNow())
        var keys = IdempotencyCache(capacity: configuration.idempotencyCacheCapacity)
        for (key, expiry) in snapshot.idempotencyKeys.filter({ $0.value > retentionNow }).sorted(by: { $0.value < $1.value }) {
            keys[key] = expiry
        }
        self.idempotencyKeys = keys
        self.knownInterest = snapshot.interest.map { LearnedSubscription(nodeID: $0.nodeID, subscription: $0.subscription) }
        let seed = configuration.randomSeed ?? DeterminismGuard.unseededRandomSeed()
        var random = Xoshiro256StarStar(seed: seed)
        // Delivery ids must not repeat across restarts, or a late ack from a previous run
        // could complete the wrong series: start each run in its own 2^32 range.
        let firstDeliveryID = (UInt64(clock.wallMicros() / 1_000_000) << 32) | (random.next() & 0xFFFF_0000)
        self.delivery = DeliveryStateMachine(configuration: .init(
            defaultPolicy: configuration.defaultDeliveryPolicy,
            groupPolicies: configuration.deliveryPolicies,
            maximumLiveSeries: configuration.deliveryCapacity,
            firstDeliveryID: firstDeliveryID,
            randomSeed: random.next()
        ))
        self.ackBatcher = AckBatcher(maximumBatchSize: configuration.ackBatchSize, maximumDelay: configuration.ackBatchDelay)
        self.random = random
        self.coldStart = ColdStartRetention(start: clock.monotonicNow(), window: configuration.coldStartWindow,
                                            capacity: configuration.coldStartCapacity)
        try await restoreOutbox(snapshot.outbox)
        try await restoreColdStartRetention(outbox: snapshot.outbox)
    }

    /// Sets the hook called after each handled event committed and before it is acked.
    public func setAfterCommitHook(_ hook: (nonisolated(nonsending) @Sendable (Envelope) async -> Void)?) {
        afterCommitHook = hook
    }

    /// Sets the hook called before each delivery is handled (the chaos layer's "handler invoke"
    /// hook point). It may suspend — a slow or paused consumer: the node takes no other
    /// notification meanwhile — and may fail the delivery, which is then NACKed like a throwing
    /// handler. Nil removes it.
    public func setHandlerFaultHook(_ hook: (nonisolated(nonsending) @Sendable (Envelope) async -> HandlerFaultOutcome)?) {
        handlerFaultHook = hook
    }

    /// A task executor on this node's thread (the transport's; nil when it offers none). A task
    /// that publishes on a precise schedule can prefer it (`withTaskExecutorPreference`): its
    /// timer wake-ups and its calls into the node then stay on the node's thread.
    public nonisolated var preferredTaskExecutor: (any TaskExecutor)? { mesh.preferredTaskExecutor }

    /// Subscribes the service's handlers, then processes mesh notifications and timers until the
    /// mesh shuts down. Throws if a handler's content filter is invalid.
    public func run() async throws {
        try await subscribeHandlers()
        // The tick's timer is the transport's and the task prefers the transport's thread: on
        // the TCP mesh each tick is a timer of the node's own event loop, not a wake-up of a
        // global-pool thread that then hops to the loop (twice per node every 2 ms).
        let ticker = Task(executorPreference: mesh.preferredTaskExecutor) { [weak self, mesh, interval = configuration.tickInterval] in
            while true {
                do {
                    try await mesh.sleep(for: interval)
                } catch {
                    break  // cancelled: no tick after the run loop has ended
                }
                await self?.tick()
            }
        }
        var notifications = mesh.meshNotifications.makeAsyncIterator()
        while let notification = await nextNotification(from: &notifications) {
            guard case .inbound(.event(let delivery, let peer)) = notification else {
                await handle(notification)
                continue
            }
            // Take the deliveries already waiting behind this one, for one commit.
            var burst = [(delivery: delivery, peer: peer)]
            var following: MeshNotification?
            while burst.count < configuration.maximumGroupCommit, let next = mesh.pollNotification() {
                guard case .inbound(.event(let delivery, let peer)) = next else {
                    following = next
                    break
                }
                burst.append((delivery, peer))
            }
            if pipelinesHandling {
                await handleDeliveriesPipelined(burst)
            } else {
                await handleDeliveries(burst)
            }
            if let following { await handle(following) }
        }
        // The ticker is stopped and awaited before returning: the node's executor is its mesh's
        // event loop, which its host shuts down next, and a late tick must not be enqueued on a
        // loop that is gone.
        ticker.cancel()
        await ticker.value
        await settleCommits()
        await settleProgress()
        await flushAcks()
        releaseOutboxWaiters()
    }

    /// The next mesh notification; nil once the mesh has shut down.
    ///
    /// A notification already waiting is taken with a plain call. Otherwise the node waits with
    /// the transport's task executor preferred (the TCP mesh's event loop, which also runs this
    /// actor): the loop resumes the wait when the next frame arrives, and the node goes on on
    /// the same thread. Without the preference the resumption would go through the global
    /// concurrent pool and back to the loop, two thread wake-ups per wait, which at a steady
    /// rate of single events is once per event (measured in `EventLoopTaskExecutor`'s notes).
    private func nextNotification(
        from notifications: inout any AsyncIteratorProtocol<MeshNotification, Never>
    ) async -> MeshNotification? {
        if let ready = mesh.pollNotification() { return ready }
        guard let waitExecutor = mesh.preferredTaskExecutor else { return await notifications.next(isolation: self) }
        return await withTaskExecutorPreference(waitExecutor) { await notifications.next(isolation: self) }
    }

    func subscribeHandlers() async throws {
        for (index, eventType) in handlers.eventTypes.enumerated() {
            let settings = handlers.registrations[eventType]!.settings
            do {
                _ = try filters.filter(for: settings.filter)
            } catch {
                throw NodeError(code: .invalidSubscription, message: "filter of the \(eventType) handler: \(error)")
            }
            await mesh.subscribe(Subscribe(
                subscriptionID: UInt64(index + 1), group: Service.name, pattern: eventType,
                filter: settings.filter, options: settings.orderedBySubject ? .orderedBySubject : []
            ))
        }
    }

    func handle(_ notification: MeshNotification) async {
        switch notification {
        case .inbound(.event(let delivery, let peer)):
            await handleDelivery(delivery, from: peer)
        case .inbound(.ack(let ack, _)):
            statistics.acked += ack.deliveryIDs.count
            metrics.acked.increment(by: ack.deliveryIDs.count)
            await perform(delivery.acknowledged(ack.deliveryIDs, now: clock.monotonicNow()))
        case .inbound(.nack(let nack, _)):
            await perform(delivery.nacked(nack, now: clock.monotonicNow()))
        case .inbound(.control(let request, let peer)):
            await answerControl(request, from: peer)
        case .inbound(.controlReply):
            break
        case .interestChanged:
            await interestChanged()
        case .memberUp(let member):
            let groups = Set(knownInterest.filter { $0.nodeID == member.nodeID }.map(\.subscription.group))
            for group in groups.sorted() { await perform(delivery.routeAppeared(group: group, now: clock.monotonicNow())) }
        case .memberDown(let member, _):
            _ = ackBatcher.peerDisconnected(member.nodeID)
        }
    }

    /// Timers: redeliveries, parked-event retention, ack batches, idempotency expiry.
    func tick() async {
        let now = clock.monotonicNow()
        if let deadline = delivery.nextDeadline, deadline <= now {
            await perform(delivery.tick(now: now))
        }
        if let deadline = ackBatcher.nextDeadline, deadline <= now {
            await send(ackBatcher.tick(now: now))
        }
        coldStart.expire(now: now)
        idempotencyKeys.removeExpired(at: retention.now(at: now))
        if let deadline = deferredCommitDeadline, deadline <= now { await writeDeferredCommits() }
    }

    func flushAcks() async {
        await send(ackBatcher.flushAll())
    }
}
