/// UNSUBSCRIBE: withdraws one of the sender's subscriptions.
public struct Unsubscribe: Hashable, Sendable {
    /// The id the SUBSCRIBE carried.
    public var subscriptionID: UInt64

    /// Creates an UNSUBSCRIBE.
    public init(subscriptionID: UInt64) {
        self.subscriptionID = subscriptionID
    }
}
