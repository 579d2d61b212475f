public import Logging
public import Troupe
public import TroupeChaos
public import TroupeMesh
public import TroupeWire

/// Everything needed to run one node process: identity, network, storage and runtime knobs.
public struct HostConfiguration: Sendable {
    /// Unique node id in the mesh.
    public var nodeID: String
    /// Where to listen (port 0: any free port).
    public var listenAddress: PeerAddress
    /// Peers to dial; one is enough to join.
    public var seeds: [PeerAddress]
    /// Directory holding the node's SQLite database (`<nodeID>.sqlite`); nil keeps everything
    /// in memory (fastest, nothing survives the process).
    public var dataDirectory: String?
    /// The most archive rows the node's store keeps (the timelines `troupe trace` reads); the
    /// oldest are dropped beyond it. Nil: the store's default (`SQLiteNodeStore.defaultArchiveCapacity`,
    /// `InMemoryNodeStore.defaultArchiveCapacity`).
    public var archiveCapacity: Int?
    /// Mesh knobs (heartbeat, failure timeout, reconnect backoff). Identity fields are filled in.
    public var heartbeatInterval: Duration
    /// A link silent this long is closed.
    public var failureTimeout: Duration
    /// Runtime knobs (delivery policy, idempotency TTL, ack batching).
    public var node: NodeConfiguration
    /// Fault injection for crash tests: after this many handled events have committed, the
    /// process kills itself with SIGKILL before acknowledging the last one.
    public var crashAfterHandled: Int?
    /// Faults injected from the start (link and handler hook points); replace them at runtime
    /// with the `faults.set` / `faults.clear` CONTROL commands.
    public var faultPlan: FaultPlan
    /// The seed every fault decision of this node derives from (with its node id).
    public var chaosSeed: UInt64
    /// The logger every layer uses (node id is added as metadata).
    public var logger: Logger

    /// Creates a configuration.
    public init(
        nodeID: String,
        listenAddress: PeerAddress,
        seeds: [PeerAddress] = [],
        dataDirectory: String? = nil,
        archiveCapacity: Int? = nil,
        heartbeatInterval: Duration = .milliseconds(500),
        failureTimeout: Duration = .seconds(3),
        node: NodeConfiguration = NodeConfiguration(),
        crashAfterHandled: Int? = nil,
        faultPlan: FaultPlan = .empty,
        chaosSeed: UInt64 = 0,
        logger: Logger = Logger(label: "troupe")
    ) {
        self.nodeID = nodeID
        self.listenAddress = listenAddress
        self.seeds = seeds
        self.dataDirectory = dataDirectory
        self.archiveCapacity = archiveCapacity
        self.heartbeatInterval = heartbeatInterval
        self.failureTimeout = failureTimeout
        self.node = node
        self.crashAfterHandled = crashAfterHandled
        self.faultPlan = faultPlan
        self.chaosSeed = chaosSeed
        self.logger = logger
    }
}
