public import NIOCore

/// CONTROL_REPLY: the answer to a ``ControlRequest``.
public struct ControlReply: Hashable, Sendable {
    /// The request's id.
    public var requestID: UInt64
    /// 0 for success; any other value is a failure code of the command.
    public var status: UInt16
    /// The result (or the error description), JSON by convention.
    public var payload: ByteBuffer

    /// Creates a CONTROL_REPLY.
    public init(requestID: UInt64, status: UInt16, payload: ByteBuffer) {
        self.requestID = requestID
        self.status = status
        self.payload = payload
    }
}
