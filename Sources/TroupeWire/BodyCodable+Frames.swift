import NIOCore

extension Heartbeat: BodyCodable {
    init(from reader: inout BodyReader) throws(WireError) {
        let sequence = try reader.readInteger("Heartbeat.sequence", as: UInt64.self)
        let sentAtNanos = try reader.readInteger("Heartbeat.sentAtNanos", as: UInt64.self)
        self.init(sequence: sequence, sentAtNanos: sentAtNanos)
    }

    func write(to writer: inout BodyWriter) throws(WireError) {
        try writer.writeInteger(sequence, "Heartbeat.sequence")
        try writer.writeInteger(sentAtNanos, "Heartbeat.sentAtNanos")
    }
}

extension Subscribe: BodyCodable {
    init(from reader: inout BodyReader) throws(WireError) {
        let subscriptionID = try reader.readInteger("Subscribe.subscriptionID", as: UInt64.self)
        let group = try reader.readString("Subscribe.group")
        let pattern = try reader.readString("Subscribe.pattern")
        let filter = try reader.readString("Subscribe.filter")
        let options = try reader.readInteger("Subscribe.options", as: UInt8.self)
        self.init(
            subscriptionID: subscriptionID, group: group, pattern: pattern, filter: filter,
            options: SubscriptionOptions(rawValue: options)
        )
    }

    func write(to writer: inout BodyWriter) throws(WireError) {
        try writer.writeInteger(subscriptionID, "Subscribe.subscriptionID")
        try writer.writeString(group, "Subscribe.group")
        try writer.writeString(pattern, "Subscribe.pattern")
        try writer.writeString(filter, "Subscribe.filter")
        try writer.writeInteger(options.rawValue, "Subscribe.options")
    }
}

extension Unsubscribe: BodyCodable {
    init(from reader: inout BodyReader) throws(WireError) {
        self.init(subscriptionID: try reader.readInteger("Unsubscribe.subscriptionID", as: UInt64.self))
    }

    func write(to writer: inout BodyWriter) throws(WireError) {
        try writer.writeInteger(subscriptionID, "Unsubscribe.subscriptionID")
    }
}

extension Ack: BodyCodable {
    init(from reader: inout BodyReader) throws(WireError) {
        let count = try reader.readCount("Ack.deliveryIDs", minimumElementSize: 8)
        var deliveryIDs: [UInt64] = []
        deliveryIDs.reserveCapacity(count)
        for _ in 0..<count {
            deliveryIDs.append(try reader.readInteger("Ack.deliveryIDs[]", as: UInt64.self))
        }
        self.init(deliveryIDs: deliveryIDs)
    }

    func write(to writer: inout BodyWriter) throws(WireError) {
        try writer.writeCount(deliveryIDs.count, "Ack.deliveryIDs")
        for deliveryID in deliveryIDs {
            try writer.writeInteger(deliveryID, "Ack.deliveryIDs[]")
        }
    }
}

extension Nack: BodyCodable {
    init(from reader: inout BodyReader) throws(WireError) {
        let deliveryID = try reader.readInteger("Nack.deliveryID", as: UInt64.self)
        let retryAfterMillis = try reader.readInteger("Nack.retryAfterMillis", as: UInt32.self)
        let reason = try reader.readString("Nack.reason")
        self.init(deliveryID: deliveryID, retryAfterMillis: retryAfterMillis, reason: reason)
    }

    func write(to writer: inout BodyWriter) throws(WireError) {
        try writer.writeInteger(deliveryID, "Nack.deliveryID")
        try writer.writeInteger(retryAfterMillis, "Nack.retryAfterMillis")
        try writer.writeString(reason, "Nack.reason")
    }
}

extension ControlRequest: BodyCodable {
    init(from reader: inout BodyReader) throws(WireError) {
        let requestID = try reader.readInteger("ControlRequest.requestID", as: UInt64.self)
        let command = try reader.readString("ControlRequest.command")
        let payload = try reader.readBytes("ControlRequest.payload")
        self.init(requestID: requestID, command: command, payload: payload)
    }

    func write(to writer: inout BodyWriter) throws(WireError) {
        try writer.writeInteger(requestID, "ControlRequest.requestID")
        try writer.writeString(command, "ControlRequest.command")
        try writer.writeBytes(payload, "ControlRequest.payload")
    }
}

extension ControlReply: BodyCodable {
    init(from reader: inout BodyReader) throws(WireError) {
        let requestID = try reader.readInteger("ControlReply.requestID", as: UInt64.self)
        let status = try reader.readInteger("ControlReply.status", as: UInt16.self)
        let payload = try reader.readBytes("ControlReply.payload")
        self.init(requestID: requestID, status: status, payload: payload)
    }

    func write(to writer: inout BodyWriter) throws(WireError) {
        try writer.writeInteger(requestID, "ControlReply.requestID")
        try writer.writeInteger(status, "ControlReply.status")
        try writer.writeBytes(payload, "ControlReply.payload")
    }
}

extension Goodbye: BodyCodable {
    init(from reader: inout BodyReader) throws(WireError) {
        self.init(reason: try reader.readString("Goodbye.reason"))
    }

    func write(to writer: inout BodyWriter) throws(WireError) {
        try writer.writeString(reason, "Goodbye.reason")
    }
}

extension ErrorFrame: BodyCodable {
    init(from reader: inout BodyReader) throws(WireError) {
        let code = try reader.readInteger("ErrorFrame.code", as: UInt16.self)
        let message = try reader.readString("ErrorFrame.message")
        self.init(code: code, message: message)
    }

    func write(to writer: inout BodyWriter) throws(WireError) {
        try writer.writeInteger(code, "ErrorFrame.code")
        try writer.writeString(message, "ErrorFrame.message")
    }
}
