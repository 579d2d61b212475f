public import TroupeWire

/// Which side opened a link.
public enum LinkRole: Hashable, Sendable {
    /// We dialed `address`; `expectedNodeID` is who we believe listens there (nil for a seed).
    case dialer(address: PeerAddress, expectedNodeID: String?)
    /// The peer dialed our listener.
    case acceptor
}
