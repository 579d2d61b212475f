/// One decoded protocol frame: the type code selects the case, the body its payload.
public enum Frame: Hashable, Sendable {
    case hello(Hello)
    case welcome(Welcome)
    case ping(Heartbeat)
    case pong(Heartbeat)
    case members(Members)
    case subscribe(Subscribe)
    case unsubscribe(Unsubscribe)
    case event(EventDelivery)
    case ack(Ack)
    case nack(Nack)
    case control(ControlRequest)
    case controlReply(ControlReply)
    case goodbye(Goodbye)
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
