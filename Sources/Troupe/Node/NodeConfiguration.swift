/// How a ``Node`` runs its service.
public struct NodeConfiguration: Sendable {
    /// Delivery knobs (ack timeout, max deliveries, backoff, retention) for events this node
    /// publishes, per target group; groups not listed use `defaultDeliveryPolicy`.
    public var defaultDeliveryPolicy: DeliveryPolicy
    /// Per-group overrides of ``defaultDeliveryPolicy``.
    public var deliveryPolicies: [String: DeliveryPolicy]
    /// How long an idempotency record keeps recognising duplicates, measured in the node's
    /// uptime (see ``RetentionClock``: wall-clock skew and downtime do not shorten it). It must
    /// exceed the longest time a redelivery can take (max deliveries × max backoff + ack
    /// timeouts), or a late duplicate could be applied again.
    public var idempotencyTTL: Duration
    /// How many idempotency keys the node keeps in memory (the newest); older ones are checked
    /// by the store when a duplicate commits (see ``IdempotencyCache``).
    public var idempotencyCacheCapacity: Int
    /// Acks are sent when this many are pending for one peer...
    public var ackBatchSize: Int
    /// ...or after this delay, whichever comes first.
    public var ackBatchDelay: Duration
    /// At most this many deliveries already waiting in the mesh are handled together and
    /// committed in one store transaction (group commit); 1 commits each on its own.
    public var maximumGroupCommit: Int
    /// How often the node checks its timers (redelivery, ack batches, parked events).
    public var tickInterval: Duration
    /// For this long after the node starts, events it publishes are also delivered to groups
    /// whose interest arrives later (see ``ColdStartRetention``); zero turns that off.
    public var coldStartWindow: Duration
    /// At most this many (event, group) deliveries are in progress at once; events beyond it
    /// wait, durable in the outbox, and publishes from outside are refused as overloaded
    /// meanwhile (``NodeError/Code/overloaded``).
    public var deliveryCapacity: Int
    /// At most this many events are kept for groups that arrive late during the cold-start
    /// window (memory: about one envelope each); events beyond it reach late groups only if
    /// still in the outbox.
    public var coldStartCapacity: Int
    /// Seeds ids, trace ids and jitter. Nil: seeded from the system's random source.
    public var randomSeed: UInt64?
    /// Whether after-commit effects (``HandlerContext/afterCommit(_:)``) run inline, in order,
    /// before the node takes its next notification, instead of in a detached task. The
    /// deterministic simulator sets it so that effects cannot interleave with anything else;
    /// a production node leaves it off so a slow effect never holds up deliveries.
    public var runsEffectsInline = false
    /// A deliberate defect, for teaching and for verifying the simulator's checker; nil (the
    /// default) in every real deployment. See ``PlantedBug``.
    public var plantedBug: PlantedBug?

    /// Creates a configuration with the defaults of DESIGN.md §3.
    public init(
        defaultDeliveryPolicy: DeliveryPolicy = DeliveryPolicy(),
        deliveryPolicies: [String: DeliveryPolicy] = [:],
        idempotencyTTL: Duration = .seconds(24 * 3600),
        idempotencyCacheCapacity: Int = 20_000,
        ackBatchSize: Int = 64,
        ackBatchDelay: Duration = .milliseconds(2),
        maximumGroupCommit: Int = 256,
        tickInterval: Duration = .milliseconds(2),
        coldStartWindow: Duration = .seconds(30),
        coldStartCapacity: Int = 10_000,
        deliveryCapacity: Int = 10_000,
        randomSeed: UInt64? = nil
    ) {
        self.coldStartCapacity = max(0, coldStartCapacity)
        self.deliveryCapacity = max(1, deliveryCapacity)
        self.coldStartWindow = coldStartWindow
        self.defaultDeliveryPolicy = defaultDeliveryPolicy
        self.deliveryPolicies = deliveryPolicies
        self.idempotencyTTL = idempotencyTTL
        self.idempotencyCacheCapacity = max(1, idempotencyCacheCapacity)
        self.ackBatchSize = ackBatchSize
        self.maximumGroupCommit = max(1, maximumGroupCommit)
        self.ackBatchDelay = ackBatchDelay
        self.tickInterval = tickInterval
        self.randomSeed = randomSeed
    }
}
