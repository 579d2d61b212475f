/// HELLO: the first frame a dialing node sends on a new link.
public struct Hello: Hashable, Sendable {
    /// The protocol version the dialer speaks.
    public var protocolVersion: ProtocolVersion
    /// Who the dialer is.
    public var identity: NodeIdentity

    /// Creates a HELLO.
    public init(protocolVersion: ProtocolVersion = .current, identity: NodeIdentity) {
        self.protocolVersion = protocolVersion
        self.identity = identity
    }
}
