/// SUBSCRIBE: the sender hosts a member of `group` that wants events whose type matches `pattern`.
public struct Subscribe: Hashable, Sendable {
    /// Identifies the subscription among the sender's own; UNSUBSCRIBE names it.
    public var subscriptionID: UInt64
    /// The consumer group; each matching event goes to one live member of each group.
    public var group: String
    /// Event-type pattern: an exact type name, or a glob where `*` matches any run of characters.
    public var pattern: String
    /// Content filter as JSON text (EventBridge-style pattern); empty means "every event".
    public var filter: String
    /// Delivery options.
    public var options: SubscriptionOptions

    /// Creates a SUBSCRIBE.
    public init(
        subscriptionID: UInt64,
        group: String,
        pattern: String,
        filter: String = "",
        options: SubscriptionOptions = []
    ) {
        self.subscriptionID = subscriptionID
        self.group = group
        self.pattern = pattern
        self.filter = filter
        self.options = options
    }
}
