/// NACK: the receiver's handler failed on a delivery; the sender should retry later.
public struct Nack: Hashable, Sendable {
    /// The failed delivery.
    public var deliveryID: UInt64
    /// The earliest retry the receiver asks for, in milliseconds; 0 leaves it to the sender.
    public var retryAfterMillis: UInt32
    /// Why it failed, for logs and the dead-letter queue.
    public var reason: String

    /// Creates a NACK.
    public init(deliveryID: UInt64, retryAfterMillis: UInt32 = 0, reason: String) {
        self.deliveryID = deliveryID
        self.retryAfterMillis = retryAfterMillis
        self.reason = reason
    }
}
