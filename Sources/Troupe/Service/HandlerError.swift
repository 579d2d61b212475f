/// Why the runtime could not hand an event to a handler; sent back as a NACK reason, so the
/// event is retried and, if it never works, dead-lettered with this reason. Nothing is lost.
public enum HandlerError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The body did not decode as the registered event type.
    case undecodablePayload(type: String, detail: String)
    /// The node has no handler for this event type.
    case unknownEventType(String)

    public var description: String {
        switch self {
        case .undecodablePayload(let type, let detail): "payload does not decode as \(type): \(detail)"
        case .unknownEventType(let type): "no handler for event type \(type)"
        }
    }
}
