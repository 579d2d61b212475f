import NIOCore
import PropertyBased
import TroupeWire

/// Generators of every wire value, biased towards the edges: empty and non-ASCII strings,
/// empty and large bodies, many headers, extreme integers.
enum WireGen {
    /// Empty, ASCII, or arbitrary Unicode (all planes, combining marks, emoji) text.
    static let text: Generator<String, some SendableSequenceType> = zip(
        Gen<UInt8>.value(in: 0...4),
        Gen.letterOrNumber.string(of: 0...16),
        Gen<UInt32>.value(in: 0...0x10FFFF).array(of: 0...12)
    ).map { kind, ascii, scalars in
        switch kind {
        case 0: return ""
        case 1, 2: return ascii
        case 3: return "é\u{301}👩‍👩‍👧" + ascii
        default: return String(String.UnicodeScalarView(scalars.compactMap(Unicode.Scalar.init)))
        }
    }

    static let uint64: Generator<UInt64, some SendableSequenceType> = zip(
        Gen<UInt8>.value(in: 0...3), Gen<UInt64>.value()
    )
    .map { kind, value in kind == 0 ? [0, 1, .max][Int(value % 3)] : value }

    static let eventID: Generator<EventID, some SendableSequenceType> = zip(uint64, uint64).map {
        EventID(high: $0, low: $1)
    }

    /// Usually a few random bytes, sometimes none, sometimes hundreds of kilobytes.
    static let bytes: Generator<ByteBuffer, some SendableSequenceType> = zip(
        Gen<UInt8>.value(in: 0...9),
        Gen<UInt8>.value().array(of: 0...64),
        Gen.int(in: 1_000...150_000)
    ).map { kind, small, largeCount in
        switch kind {
        case 0: return ByteBuffer()
        case 1: return ByteBuffer(repeating: UInt8(truncatingIfNeeded: largeCount), count: largeCount)
        default: return ByteBuffer(bytes: small)
        }
    }

    static let identity: Generator<NodeIdentity, some SendableSequenceType> = zip(
        text, text, uint64, text, Gen<UInt16>.value()
    )
    .map { parts in
        NodeIdentity(
            nodeID: parts.0, service: parts.1, incarnation: parts.2,
            listenAddress: PeerAddress(host: parts.3, port: parts.4)
        )
    }

    static let header: Generator<Envelope.Header, some SendableSequenceType> = zip(text, text)
        .map { Envelope.Header(name: $0, value: $1) }

    /// Mostly a handful of headers, sometimes hundreds.
    static let headers: Generator<[Envelope.Header], some SendableSequenceType> = zip(
        Gen.bool(0.1), header.array(of: 0...4), header.array(of: 100...300)
    ).map { many, few, lots in many ? lots : few }

    static let envelope: Generator<Envelope, some SendableSequenceType> = zip(
        zip(eventID, text, text, text, eventID, eventID.optional),
        zip(text, Gen<Int64>.value(), Gen<UInt32>.value(), headers, bytes)
    ).map { ids, rest in
        Envelope(
            eventID: ids.0, type: ids.1, source: ids.2, subject: ids.3, correlationID: ids.4,
            causationID: ids.5, traceparent: rest.0, occurredAtMicros: rest.1, attempt: rest.2,
            headers: rest.3, body: rest.4
        )
    }

    static let version: Generator<ProtocolVersion, some SendableSequenceType> = Gen<UInt8>.value().map(
        ProtocolVersion.init(byte:))

    static let hello: Generator<Frame, some SendableSequenceType> = zip(version, identity)
        .map { Frame.hello(Hello(protocolVersion: $0, identity: $1)) }
    static let welcome: Generator<Frame, some SendableSequenceType> = zip(version, identity)
        .map { Frame.welcome(Welcome(protocolVersion: $0, identity: $1)) }
    static let heartbeat: Generator<Heartbeat, some SendableSequenceType> = zip(uint64, uint64)
        .map { Heartbeat(sequence: $0, sentAtNanos: $1) }
    static let members: Generator<Frame, some SendableSequenceType> = identity.array(of: 0...20)
        .map { Frame.members(Members(members: $0)) }
    static let subscribe: Generator<Frame, some SendableSequenceType> = zip(
        uint64, text, text, text, Gen<UInt8>.value()
    )
    .map { parts in
        Frame.subscribe(
            Subscribe(
                subscriptionID: parts.0, group: parts.1, pattern: parts.2, filter: parts.3,
                options: SubscriptionOptions(rawValue: parts.4)
            )
        )
    }
    static let unsubscribe: Generator<Frame, some SendableSequenceType> =
        uint64
        .map { Frame.unsubscribe(Unsubscribe(subscriptionID: $0)) }
    static let event: Generator<Frame, some SendableSequenceType> = zip(uint64, text, envelope)
        .map { parts in Frame.event(EventDelivery(deliveryID: parts.0, group: parts.1, envelope: parts.2)) }
    static let ack: Generator<Frame, some SendableSequenceType> = zip(
        Gen.bool(0.1), uint64.array(of: 0...30), Gen.int(in: 1_000...20_000)
    )
    .map { many, few, count in Frame.ack(Ack(deliveryIDs: many ? (0..<count).map { UInt64($0) } : few)) }
    static let nack: Generator<Frame, some SendableSequenceType> = zip(uint64, Gen<UInt32>.value(), text)
        .map { parts in Frame.nack(Nack(deliveryID: parts.0, retryAfterMillis: parts.1, reason: parts.2)) }
    static let control: Generator<Frame, some SendableSequenceType> = zip(uint64, text, bytes)
        .map { parts in Frame.control(ControlRequest(requestID: parts.0, command: parts.1, payload: parts.2)) }
    static let controlReply: Generator<Frame, some SendableSequenceType> = zip(uint64, Gen<UInt16>.value(), bytes)
        .map { parts in Frame.controlReply(ControlReply(requestID: parts.0, status: parts.1, payload: parts.2)) }
    static let goodbye: Generator<Frame, some SendableSequenceType> = text.map { Frame.goodbye(Goodbye(reason: $0)) }
    static let error: Generator<Frame, some SendableSequenceType> = zip(Gen<UInt16>.value(), text)
        .map { Frame.error(ErrorFrame(code: $0, message: $1)) }
}
