/// Names one TCP connection for the lifetime of a ``MeshStateMachine``. Never reused.
public struct LinkID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The raw counter value.
    public let rawValue: UInt64

    /// Wraps a raw value.
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    public static func < (lhs: LinkID, rhs: LinkID) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { "link#\(rawValue)" }
}
