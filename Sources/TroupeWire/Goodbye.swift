/// GOODBYE: the sender is closing the link on purpose (shutdown, duplicate link).
public struct Goodbye: Hashable, Sendable {
    /// Why, for logs.
    public var reason: String

    /// Creates a GOODBYE.
    public init(reason: String) {
        self.reason = reason
    }
}
