/// One decoded protocol frame: the type code selects the case, the body its payload.
public enum Frame: Hashable, Sendable {
    /// HELLO: the dialer introduces itself.
    case hello(Hello)
    /// WELCOME: the listener accepts the link.
    case welcome(Welcome)
    /// PING: liveness probe.
    case ping(Heartbeat)
    /// PONG: answer to a PING, echoing its body.
    case pong(Heartbeat)
    /// MEMBERS: gossip of known live nodes.
    case members(Members)
    /// SUBSCRIBE: the sender hosts a member of a consumer group.
    case subscribe(Subscribe)
    /// UNSUBSCRIBE: withdraws a subscription.
    case unsubscribe(Unsubscribe)
    /// EVENT: one delivery of one event to one group.
    case event(EventDelivery)
    /// ACK: deliveries handled, batched.
    case ack(Ack)
    /// NACK: one delivery failed; retry later.
    case nack(Nack)
    /// CONTROL: an administrative request.
    case control(ControlRequest)
    /// CONTROL_REPLY: the answer to a CONTROL request.
    case controlReply(ControlReply)
    /// GOODBYE: orderly close of the link.
    case goodbye(Goodbye)
    /// ERROR: protocol error; the sender closes the link after it.
    case error(ErrorFrame)

    /// The type code this frame is sent with.
    public var type: FrameType {
        switch self {
        case .hello: .hello
        case .welcome: .welcome
        case .ping: .ping
        case .pong: .pong
        case .members: .members
        case .subscribe: .subscribe
        case .unsubscribe: .unsubscribe
        case .event: .event
        case .ack: .ack
        case .nack: .nack
        case .control: .control
        case .controlReply: .controlReply
        case .goodbye: .goodbye
        case .error: .error
        }
    }
}
