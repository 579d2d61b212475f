public import NIOCore
public import TroupeWire

/// Everything a mesh node needs to know to join and keep a mesh.
public struct MeshConfiguration: Sendable {
    /// Who this node is. Its `listenAddress` is what other nodes are told to dial.
    public var identity: NodeIdentity
    /// Addresses dialed at start and whenever their links drop. One is enough to join a mesh.
    public var seeds: [PeerAddress]
    /// How often an idle link sends a PING.
    public var heartbeatInterval: TimeAmount
    /// A link on which nothing at all arrived for this long is declared failed and closed.
    public var failureTimeout: TimeAmount
    /// A link that has not completed HELLO/WELCOME within this time is closed.
    public var handshakeTimeout: TimeAmount
    /// Delay before redialing a lost peer: grows from this...
    public var reconnectInitialDelay: TimeAmount
    /// ...up to this cap, with full jitter.
    public var reconnectMaxDelay: TimeAmount
    /// A learned (non-seed) member unreachable for this long is forgotten and no longer dialed.
    public var memberExpiry: TimeAmount
    /// Upper bound on members kept; gossip beyond it is ignored (named overflow: `membersIgnored`).
    public var maximumMembers: Int
    /// Upper bound on subscriptions kept per remote node; more are refused with an ERROR frame.
    public var maximumSubscriptionsPerNode: Int
    /// Seed of the generator behind reconnect jitter and tie-breaking, so runs can be repeated.
    public var randomSeed: UInt64

    /// Creates a configuration with defaults suited to one host or a LAN.
    public init(
        identity: NodeIdentity,
        seeds: [PeerAddress] = [],
        heartbeatInterval: TimeAmount = .milliseconds(500),
        failureTimeout: TimeAmount = .seconds(3),
        handshakeTimeout: TimeAmount = .seconds(5),
        reconnectInitialDelay: TimeAmount = .milliseconds(50),
        reconnectMaxDelay: TimeAmount = .seconds(2),
        memberExpiry: TimeAmount = .seconds(60),
        maximumMembers: Int = 1024,
        maximumSubscriptionsPerNode: Int = 4096,
        randomSeed: UInt64 = 0x5EED
    ) {
        self.identity = identity
        self.seeds = seeds
        self.heartbeatInterval = heartbeatInterval
        self.failureTimeout = failureTimeout
        self.handshakeTimeout = handshakeTimeout
        self.reconnectInitialDelay = reconnectInitialDelay
        self.reconnectMaxDelay = reconnectMaxDelay
        self.memberExpiry = memberExpiry
        self.maximumMembers = maximumMembers
        self.maximumSubscriptionsPerNode = maximumSubscriptionsPerNode
        self.randomSeed = randomSeed
    }
}
