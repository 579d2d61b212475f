public import NIOCore

/// CONTROL: an administrative request (faults, stats, dead letters, traces).
public struct ControlRequest: Hashable, Sendable {
    /// Chosen by the requester; the reply echoes it.
    public var requestID: UInt64
    /// The command name, e.g. `stats`.
    public var command: String
    /// Command arguments, JSON by convention.
    public var payload: ByteBuffer

    /// Creates a CONTROL request.
    public init(requestID: UInt64, command: String, payload: ByteBuffer) {
        self.requestID = requestID
        self.command = command
        self.payload = payload
    }
}
