/// PING and PONG body: a sequence number and the sender's clock reading, echoed back by PONG.
public struct Heartbeat: Hashable, Sendable {
    /// Increases with every PING on a link; a PONG echoes the PING's value.
    public var sequence: UInt64
    /// The PING sender's monotonic clock in nanoseconds; echoed so it can measure round trips.
    public var sentAtNanos: UInt64

    /// Creates a heartbeat body.
    public init(sequence: UInt64, sentAtNanos: UInt64) {
        self.sequence = sequence
        self.sentAtNanos = sentAtNanos
    }
}
