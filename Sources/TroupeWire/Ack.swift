/// ACK: the receiver has durably handled these deliveries (batched).
public struct Ack: Hashable, Sendable {
    /// The acknowledged delivery ids.
    public var deliveryIDs: [UInt64]

    /// Creates an ACK.
    public init(deliveryIDs: [UInt64]) {
        self.deliveryIDs = deliveryIDs
    }
}
