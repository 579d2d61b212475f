import NIOCore

/// A value with a body encoding: its fields in declaration order (see `Protocol.md`).
protocol BodyCodable {
    /// Reads the value's fields.
    init(from reader: inout BodyReader) throws(WireError)
    /// Appends the value's fields.
    func write(to writer: inout BodyWriter) throws(WireError)
}

extension NodeIdentity: BodyCodable {
    /// The smallest encoding: three empty strings, the incarnation and the port.
    static let minimumEncodedSize = 2 + 2 + 8 + 2 + 2

    init(from reader: inout BodyReader) throws(WireError) {
        let nodeID = try reader.readString("NodeIdentity.nodeID")
        let service = try reader.readString("NodeIdentity.service")
        let incarnation = try reader.readInteger("NodeIdentity.incarnation", as: UInt64.self)
        let host = try reader.readString("NodeIdentity.host")
        let port = try reader.readInteger("NodeIdentity.port", as: UInt16.self)
        self.init(
            nodeID: nodeID, service: service, incarnation: incarnation,
            listenAddress: PeerAddress(host: host, port: port)
        )
    }

    func write(to writer: inout BodyWriter) throws(WireError) {
        try writer.writeString(nodeID, "NodeIdentity.nodeID")
        try writer.writeString(service, "NodeIdentity.service")
        try writer.writeInteger(incarnation, "NodeIdentity.incarnation")
        try writer.writeString(listenAddress.host, "NodeIdentity.host")
        try writer.writeInteger(listenAddress.port, "NodeIdentity.port")
    }
}

extension Envelope: BodyCodable {
    init(from reader: inout BodyReader) throws(WireError) {
        let eventID = try reader.readEventID("Envelope.eventID")
        let type = try reader.readString("Envelope.type")
        let source = try reader.readString("Envelope.source")
        let subject = try reader.readString("Envelope.subject")
        let correlationID = try reader.readEventID("Envelope.correlationID")
        let causationID = try reader.readOptionalEventID("Envelope.causationID")
        let traceparent = try reader.readString("Envelope.traceparent")
        let occurredAtMicros = try reader.readInteger("Envelope.occurredAtMicros", as: Int64.self)
        let attempt = try reader.readInteger("Envelope.attempt", as: UInt32.self)
        let headerCount = try reader.readCount("Envelope.headers", minimumElementSize: 4)
        var headers: [Header] = []
        headers.reserveCapacity(headerCount)
        for _ in 0..<headerCount {
            let name = try reader.readString("Envelope.headers[].name")
            let value = try reader.readString("Envelope.headers[].value")
            headers.append(Header(name: name, value: value))
        }
        let body = try reader.readBytes("Envelope.body")
        self.init(
            eventID: eventID, type: type, source: source, subject: subject,
            correlationID: correlationID, causationID: causationID, traceparent: traceparent,
            occurredAtMicros: occurredAtMicros, attempt: attempt, headers: headers, body: body
        )
    }

    /// The encoded size, or nil when a field is too long for its length prefix (the checked
    /// writers then say which).
    var encodedSizeIfEncodable: Int? {
        let limit = Int(UInt16.max)
        let type = type.utf8.count, source = source.utf8.count, subject = subject.utf8.count
        let traceparent = traceparent.utf8.count
        guard type <= limit, source <= limit, subject <= limit, traceparent <= limit, headers.count <= limit,
              UInt64(body.readableBytes) <= UInt64(UInt32.max)
        else { return nil }
        var size = 16 + (2 + type) + (2 + source) + (2 + subject) + 16 + (causationID == nil ? 1 : 17)
            + (2 + traceparent) + 8 + 4 + 2 + (4 + body.readableBytes)
        for header in headers {
            let name = header.name.utf8.count, value = header.value.utf8.count
            guard name <= limit, value <= limit else { return nil }
            size += 4 + name + value
        }
        return size
    }

    func write(to writer: inout BodyWriter) throws(WireError) {
        if let size = encodedSizeIfEncodable, writer.fits(size) {
            writer.writeReserved(size) { cursor in write(to: &cursor) }
            return
        }
        try writer.writeEventID(eventID, "Envelope.eventID")
        try writer.writeString(type, "Envelope.type")
        try writer.writeString(source, "Envelope.source")
        try writer.writeString(subject, "Envelope.subject")
        try writer.writeEventID(correlationID, "Envelope.correlationID")
        try writer.writeOptionalEventID(causationID, "Envelope.causationID")
        try writer.writeString(traceparent, "Envelope.traceparent")
        try writer.writeInteger(occurredAtMicros, "Envelope.occurredAtMicros")
        try writer.writeInteger(attempt, "Envelope.attempt")
        try writer.writeCount(headers.count, "Envelope.headers")
        for header in headers {
            try writer.writeString(header.name, "Envelope.headers[].name")
            try writer.writeString(header.value, "Envelope.headers[].value")
        }
        try writer.writeBytes(body, "Envelope.body")
    }

    /// Writes the fields into bytes reserved for them: ``encodedSizeIfEncodable`` bytes, with
    /// every length checked by it.
    func write(to cursor: inout FieldCursor) {
        cursor.eventID(eventID)
        cursor.string(type)
        cursor.string(source)
        cursor.string(subject)
        cursor.eventID(correlationID)
        cursor.optionalEventID(causationID)
        cursor.string(traceparent)
        cursor.integer(occurredAtMicros)
        cursor.integer(attempt)
        cursor.integer(UInt16(headers.count))
        for header in headers {
            cursor.string(header.name)
            cursor.string(header.value)
        }
        cursor.bytes(body)
    }
}

extension Hello: BodyCodable {
    init(from reader: inout BodyReader) throws(WireError) {
        let version = try reader.readInteger("Hello.protocolVersion", as: UInt8.self)
        self.init(protocolVersion: ProtocolVersion(byte: version), identity: try NodeIdentity(from: &reader))
    }

    func write(to writer: inout BodyWriter) throws(WireError) {
        try writer.writeInteger(protocolVersion.byte, "Hello.protocolVersion")
        try identity.write(to: &writer)
    }
}

extension Welcome: BodyCodable {
    init(from reader: inout BodyReader) throws(WireError) {
        let version = try reader.readInteger("Welcome.protocolVersion", as: UInt8.self)
        self.init(protocolVersion: ProtocolVersion(byte: version), identity: try NodeIdentity(from: &reader))
    }

    func write(to writer: inout BodyWriter) throws(WireError) {
        try writer.writeInteger(protocolVersion.byte, "Welcome.protocolVersion")
        try identity.write(to: &writer)
    }
}

extension Members: BodyCodable {
    init(from reader: inout BodyReader) throws(WireError) {
        let count = try reader.readCount("Members.members", minimumElementSize: NodeIdentity.minimumEncodedSize)
        var members: [NodeIdentity] = []
        members.reserveCapacity(count)
        for _ in 0..<count {
            members.append(try NodeIdentity(from: &reader))
        }
        self.init(members: members)
    }

    func write(to writer: inout BodyWriter) throws(WireError) {
        try writer.writeCount(members.count, "Members.members")
        for member in members {
            try member.write(to: &writer)
        }
    }
}

extension EventDelivery: BodyCodable {
    init(from reader: inout BodyReader) throws(WireError) {
        let deliveryID = try reader.readInteger("EventDelivery.deliveryID", as: UInt64.self)
        let group = try reader.readString("EventDelivery.group")
        self.init(deliveryID: deliveryID, group: group, envelope: try Envelope(from: &reader))
    }

    func write(to writer: inout BodyWriter) throws(WireError) {
        try writer.writeInteger(deliveryID, "EventDelivery.deliveryID")
        try writer.writeString(group, "EventDelivery.group")
        try envelope.write(to: &writer)
    }

    /// The encoded size, or nil when a field is too long for its length prefix.
    var encodedSizeIfEncodable: Int? {
        let group = group.utf8.count
        guard group <= Int(UInt16.max), let envelope = envelope.encodedSizeIfEncodable else { return nil }
        return 8 + 2 + group + envelope
    }

    /// Writes the fields into ``encodedSizeIfEncodable`` reserved bytes.
    func write(to cursor: inout FieldCursor) {
        cursor.integer(deliveryID)
        cursor.string(group)
        envelope.write(to: &cursor)
    }
}
