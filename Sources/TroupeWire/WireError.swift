/// A frame could not be decoded (or encoded): what went wrong and where.
///
/// A struct with an extensible ``Code`` rather than a closed enum, so new failure kinds do not
/// break API users who switch over codes (the PSQLError / NIO FileSystemError habit).
public struct WireError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure; its raw value is what an ERROR frame carries.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// Stable numeric code, sent in ERROR frames.
        public let rawValue: UInt16
        /// Wraps a numeric code.
        public init(rawValue: UInt16) { self.rawValue = rawValue }

        /// The first three bytes are not `TRP`: not a Troupe peer, or the stream lost sync.
        public static let badMagic = Code(rawValue: 1)
        /// The frame's major protocol version is not one this build speaks.
        public static let unsupportedVersion = Code(rawValue: 2)
        /// The declared body length exceeds the configured maximum frame size.
        public static let frameTooLarge = Code(rawValue: 3)
        /// The CRC32C trailer does not match the frame's bytes.
        public static let checksumMismatch = Code(rawValue: 4)
        /// A frame type this version does not know, at a version that should know every type.
        public static let unknownFrameType = Code(rawValue: 5)
        /// A body field runs past the end of the body.
        public static let truncatedBody = Code(rawValue: 6)
        /// A body field holds a value that is not allowed (bad UTF-8, bad count, bad enum value).
        public static let invalidField = Code(rawValue: 7)
        /// The body has bytes left over after its last field.
        public static let trailingBytes = Code(rawValue: 8)
        /// A value is too long for its length prefix (raised when encoding).
        public static let fieldTooLong = Code(rawValue: 9)

        /// A short name of the code, e.g. `bad magic`.
        public var description: String {
            switch self {
            case .badMagic: "bad magic"
            case .unsupportedVersion: "unsupported protocol version"
            case .frameTooLarge: "frame too large"
            case .checksumMismatch: "checksum mismatch"
            case .unknownFrameType: "unknown frame type"
            case .truncatedBody: "truncated body"
            case .invalidField: "invalid field"
            case .trailingBytes: "trailing bytes"
            case .fieldTooLong: "field too long"
            default: "wire error \(rawValue)"
            }
        }
    }

    /// What kind of failure.
    public var code: Code
    /// Byte offset of the failure from the start of the frame, when it is known.
    public var offset: Int?
    /// The frame type being decoded, when the header got that far.
    public var frameType: FrameType?
    /// Human-readable detail, e.g. which field.
    public var detail: String

    /// Creates an error.
    public init(code: Code, offset: Int? = nil, frameType: FrameType? = nil, detail: String) {
        self.code = code
        self.offset = offset
        self.frameType = frameType
        self.detail = detail
    }

    /// The code, frame type, offset and detail in one line.
    public var description: String {
        var text = "\(code)"
        if let frameType { text += " in \(frameType)" }
        if let offset { text += " at byte \(offset)" }
        return "\(text): \(detail)"
    }
}
