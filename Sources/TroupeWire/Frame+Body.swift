import NIOCore

extension Frame {
    /// Appends the body of this frame: its payload's fields in declaration order.
    func writeBody(to writer: inout BodyWriter) throws(WireError) {
        switch self {
        case .hello(let hello): try hello.write(to: &writer)
        case .welcome(let welcome): try welcome.write(to: &writer)
        case .ping(let heartbeat), .pong(let heartbeat): try heartbeat.write(to: &writer)
        case .members(let members): try members.write(to: &writer)
        case .subscribe(let subscribe): try subscribe.write(to: &writer)
        case .unsubscribe(let unsubscribe): try unsubscribe.write(to: &writer)
        case .event(let delivery): try delivery.write(to: &writer)
        case .ack(let ack): try ack.write(to: &writer)
        case .nack(let nack): try nack.write(to: &writer)
        case .control(let request): try request.write(to: &writer)
        case .controlReply(let reply): try reply.write(to: &writer)
        case .goodbye(let goodbye): try goodbye.write(to: &writer)
        case .error(let error): try error.write(to: &writer)
        }
    }

    /// Reads a whole body of a known type; the body must be consumed exactly.
    ///
    /// - Precondition: `reader.frameType.isKnown`.
    init(readingBodyFrom reader: inout BodyReader) throws(WireError) {
        switch reader.frameType {
        case .hello: self = .hello(try Hello(from: &reader))
        case .welcome: self = .welcome(try Welcome(from: &reader))
        case .ping: self = .ping(try Heartbeat(from: &reader))
        case .pong: self = .pong(try Heartbeat(from: &reader))
        case .members: self = .members(try Members(from: &reader))
        case .subscribe: self = .subscribe(try Subscribe(from: &reader))
        case .unsubscribe: self = .unsubscribe(try Unsubscribe(from: &reader))
        case .event: self = .event(try EventDelivery(from: &reader))
        case .ack: self = .ack(try Ack(from: &reader))
        case .nack: self = .nack(try Nack(from: &reader))
        case .control: self = .control(try ControlRequest(from: &reader))
        case .controlReply: self = .controlReply(try ControlReply(from: &reader))
        case .goodbye: self = .goodbye(try Goodbye(from: &reader))
        case .error: self = .error(try ErrorFrame(from: &reader))
        default: preconditionFailure("no body layout for \(reader.frameType)")
        }
        try reader.finish()
    }
}
