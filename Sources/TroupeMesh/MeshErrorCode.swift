/// Codes a mesh node puts in ERROR frames for failures above the codec (the codec's own failures
/// use ``TroupeWire/WireError/Code`` values below 0x0100).
public enum MeshErrorCode {
    /// A frame arrived that is not allowed in the link's state (e.g. EVENT before HELLO).
    public static let protocolViolation: UInt16 = 0x0101
    /// The handshake was refused (incompatible version, invalid identity, stale incarnation).
    public static let handshakeRefused: UInt16 = 0x0102
    /// A SUBSCRIBE was malformed (empty group or pattern).
    public static let invalidSubscription: UInt16 = 0x0103
    /// The peer exceeded ``MeshConfiguration/maximumSubscriptionsPerNode``.
    public static let tooManySubscriptions: UInt16 = 0x0104
    /// The handshake did not complete within ``MeshConfiguration/handshakeTimeout``.
    public static let handshakeTimeout: UInt16 = 0x0105
}
