/// Counters a mesh node keeps about itself.
public struct MeshStatistics: Hashable, Sendable {
    /// Frames received on any link.
    public var framesReceived = 0
    /// Links closed by this node because of a protocol error or refused handshake.
    public var linksRefused = 0
    /// Dials that failed or closed before the handshake completed.
    public var dialFailures = 0
    /// Links established (handshakes completed), duplicates settled after their handshake included.
    public var linksEstablished = 0
    /// Duplicate links closed or refused by the tie-break.
    public var duplicateLinksClosed = 0
    /// Links closed because nothing arrived within the failure timeout.
    public var heartbeatFailures = 0
    /// Gossiped members ignored because ``MeshConfiguration/maximumMembers`` was reached.
    public var membersIgnored = 0
    /// Events not routed because every member's link was over its outbound bound.
    public var backpressureRejections = 0
    /// Events for which no connected member of a group existed.
    public var unroutableEvents = 0

    /// Inbound frames that failed to decode (any protocol error), each closing its link.
    public var framesRejected = 0
    /// Inbound frames whose CRC32C did not match: corruption detected on the wire.
    public var checksumFailures = 0

    /// All zero.
    public init() {}
}
