/// A ``Node`` operation failed.
public struct NodeError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: RawRepresentable, Hashable, Sendable {
        /// Stable numeric code.
        public let rawValue: Int
        /// Wraps a code.
        public init(rawValue: Int) { self.rawValue = rawValue }

        /// A handler's subscription is invalid (e.g. its content filter does not parse).
        public static let invalidSubscription = Code(rawValue: 1)
        /// The node's delivery capacity is exhausted (events wait for it already): a publish
        /// from outside is refused — retry later — rather than accepted into an ever-growing
        /// backlog.
        public static let overloaded = Code(rawValue: 2)
        /// An event's body does not encode (a non-finite number, or its own `encode(to:)`
        /// throws): nothing is published. From a handler, the delivery being handled fails and
        /// is retried, then dead-lettered.
        public static let unencodableEvent = Code(rawValue: 3)
    }

    /// What went wrong.
    public var code: Code
    /// Detail for people.
    public var message: String

    /// Creates an error.
    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
