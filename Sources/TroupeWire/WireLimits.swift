/// Size bounds the codec enforces in both directions.
///
/// A frame whose declared body length exceeds ``maxBodyLength`` is refused with
/// ``WireError/Code/frameTooLarge`` as soon as its header is readable, before any of the body is
/// buffered; the encoder refuses to produce one.
public struct WireLimits: Hashable, Sendable {
    /// The default bound on a frame body: 1 MiB.
    public static let defaultMaxBodyLength = 1_048_576

    /// The largest body length, in bytes, accepted or produced. At most `UInt32.max`.
    public var maxBodyLength: Int {
        didSet { Self.check(maxBodyLength) }
    }

    /// Creates limits; `maxBodyLength` must be in `0...UInt32.max`.
    public init(maxBodyLength: Int = WireLimits.defaultMaxBodyLength) {
        Self.check(maxBodyLength)
        self.maxBodyLength = maxBodyLength
    }

    private static func check(_ length: Int) {
        precondition(
            length >= 0 && UInt64(length) <= UInt64(UInt32.max),
            "maxBodyLength must fit the 32-bit length field"
        )
    }
}
