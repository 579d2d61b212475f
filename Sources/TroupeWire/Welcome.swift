/// WELCOME: the listener's answer to an acceptable ``Hello``; the link is established after it.
public struct Welcome: Hashable, Sendable {
    /// The protocol version the listener speaks.
    public var protocolVersion: ProtocolVersion
    /// Who the listener is.
    public var identity: NodeIdentity

    /// Creates a WELCOME.
    public init(protocolVersion: ProtocolVersion = .current, identity: NodeIdentity) {
        self.protocolVersion = protocolVersion
        self.identity = identity
    }
}
