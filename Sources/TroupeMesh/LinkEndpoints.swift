public import TroupeWire

/// The two ends of a link as a fault hook sees them.
public struct LinkEndpoints: Hashable, Sendable, CustomStringConvertible {
    /// This node.
    public var local: NodeIdentity
    /// The peer's node id, once known (always known after the handshake; during it, known when
    /// dialing a learned member, unknown when dialing a bare seed address).
    public var remoteNodeID: String?
    /// The peer's service, once known.
    public var remoteService: String?

    /// Whether the peer is a CONTROL client (the CLI, a supervisor), not a mesh member.
    public var remoteIsClient: Bool

    /// Creates endpoints.
    public init(local: NodeIdentity, remoteNodeID: String?, remoteService: String?, remoteIsClient: Bool = false) {
        self.local = local
        self.remoteNodeID = remoteNodeID
        self.remoteService = remoteService
        self.remoteIsClient = remoteIsClient
    }

    public var description: String { "\(local.nodeID) → \(remoteNodeID ?? "?")" }
}
