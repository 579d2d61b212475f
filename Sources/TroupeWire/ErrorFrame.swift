/// ERROR: the sender found a protocol error on the link and closes it after this frame.
public struct ErrorFrame: Hashable, Sendable {
    /// A ``WireError/Code`` raw value, or a mesh-level code from 0x0100 up.
    public var code: UInt16
    /// Human-readable detail.
    public var message: String

    /// Creates an ERROR frame.
    public init(code: UInt16, message: String) {
        self.code = code
        self.message = message
    }
}
