/// Flags of a subscription, one byte on the wire. Unknown bits are preserved and ignored.
public struct SubscriptionOptions: OptionSet, Hashable, Sendable {
    /// The raw flag byte.
    public var rawValue: UInt8

    /// Wraps a flag byte.
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Events with the same subject are delivered to the group one at a time, in publish order.
    public static let orderedBySubject = SubscriptionOptions(rawValue: 1 << 0)
}
