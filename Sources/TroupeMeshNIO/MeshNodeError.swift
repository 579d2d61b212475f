/// A ``MeshNode`` operation failed.
public struct MeshNodeError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: RawRepresentable, Hashable, Sendable {
        /// Stable numeric code.
        public let rawValue: Int
        /// Wraps a code.
        public init(rawValue: Int) { self.rawValue = rawValue }

        /// The listener could not be bound.
        public static let bindFailed = Code(rawValue: 1)
        /// The envelope cannot be sent: it does not fit the frame bound or a field is too long.
        public static let unencodable = Code(rawValue: 2)
        /// The node has been shut down.
        public static let shutDown = Code(rawValue: 3)
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
