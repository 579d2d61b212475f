/// A ``NodeStore`` operation failed.
public struct StoreError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: RawRepresentable, Hashable, Sendable {
        /// Stable numeric code.
        public let rawValue: Int
        /// Wraps a code.
        public init(rawValue: Int) { self.rawValue = rawValue }

        /// A handled event's idempotency key was already recorded; the batch was not applied.
        public static let duplicateIdempotencyKey = Code(rawValue: 1)
        /// The database could not be opened, read or written.
        public static let storageFailure = Code(rawValue: 2)
        /// Stored data could not be decoded (corruption, or a newer format).
        public static let corruptRecord = Code(rawValue: 3)
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
