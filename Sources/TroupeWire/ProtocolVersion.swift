/// A wire protocol version: the major number breaks compatibility, the minor number only adds.
///
/// On the wire it is one byte, major in the high nibble and minor in the low nibble, so
/// version 1.0 is `0x10`. A peer with another major version is refused; a newer minor version is
/// accepted and any frame type it adds is skipped by length.
public struct ProtocolVersion: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// Incompatible revisions; 0...15.
    public var major: UInt8
    /// Compatible additions; 0...15.
    public var minor: UInt8

    /// The version this build speaks.
    public static let current = ProtocolVersion(major: 1, minor: 0)

    /// Creates a version; both parts must fit in four bits.
    public init(major: UInt8, minor: UInt8) {
        precondition(major < 16 && minor < 16, "protocol version parts are four bits each")
        self.major = major
        self.minor = minor
    }

    /// Reads the one-byte wire form.
    public init(byte: UInt8) {
        self.major = byte >> 4
        self.minor = byte & 0x0F
    }

    /// The one-byte wire form.
    public var byte: UInt8 { major << 4 | minor }

    /// Orders by major, then minor version.
    public static func < (lhs: ProtocolVersion, rhs: ProtocolVersion) -> Bool {
        (lhs.major, lhs.minor) < (rhs.major, rhs.minor)
    }

    /// `major.minor`, e.g. `1.0`.
    public var description: String { "\(major).\(minor)" }
}
