/// The one-byte type code in a frame header.
///
/// Codes are stable protocol constants: never renumber one. A receiver that sees a code it does not
/// know skips the frame by its length when the frame's minor version is newer than its own, and
/// refuses it with ``WireError/Code/unknownFrameType`` otherwise (see `Protocol.md`).
public struct FrameType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The byte on the wire.
    public let rawValue: UInt8

    /// Wraps a raw type code; any byte is representable, known or not.
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Opens a link: the dialer introduces itself.
    public static let hello = FrameType(rawValue: 0x01)
    /// Accepts a link: the listener introduces itself.
    public static let welcome = FrameType(rawValue: 0x02)
    /// Liveness probe.
    public static let ping = FrameType(rawValue: 0x03)
    /// Answer to a ``ping``.
    public static let pong = FrameType(rawValue: 0x04)
    /// Gossip of the members a node knows.
    public static let members = FrameType(rawValue: 0x05)
    /// A subscription (interest) of the sending node.
    public static let subscribe = FrameType(rawValue: 0x06)
    /// Withdraws a subscription.
    public static let unsubscribe = FrameType(rawValue: 0x07)
    /// One delivery of one event to one group.
    public static let event = FrameType(rawValue: 0x08)
    /// Positive acknowledgements, batched.
    public static let ack = FrameType(rawValue: 0x09)
    /// Negative acknowledgement of one delivery.
    public static let nack = FrameType(rawValue: 0x0A)
    /// An administrative request.
    public static let control = FrameType(rawValue: 0x0B)
    /// The answer to a ``control`` request.
    public static let controlReply = FrameType(rawValue: 0x0C)
    /// Orderly close of a link.
    public static let goodbye = FrameType(rawValue: 0x0D)
    /// Protocol error; the sender closes the link after it.
    public static let error = FrameType(rawValue: 0x0E)

    /// Every type this version of the protocol defines.
    public static let allKnown: [FrameType] = [
        .hello, .welcome, .ping, .pong, .members, .subscribe, .unsubscribe,
        .event, .ack, .nack, .control, .controlReply, .goodbye, .error,
    ]

    /// Whether this version of the protocol defines the code.
    public var isKnown: Bool { (0x01...0x0E).contains(rawValue) }

    /// The protocol name, e.g. `EVENT`, or `UNKNOWN(0x7F)`.
    public var description: String {
        switch self {
        case .hello: "HELLO"
        case .welcome: "WELCOME"
        case .ping: "PING"
        case .pong: "PONG"
        case .members: "MEMBERS"
        case .subscribe: "SUBSCRIBE"
        case .unsubscribe: "UNSUBSCRIBE"
        case .event: "EVENT"
        case .ack: "ACK"
        case .nack: "NACK"
        case .control: "CONTROL"
        case .controlReply: "CONTROL_REPLY"
        case .goodbye: "GOODBYE"
        case .error: "ERROR"
        default: "UNKNOWN(0x\(String(rawValue, radix: 16, uppercase: true)))"
        }
    }
}
