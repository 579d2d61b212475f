public import NIOCore
public import TroupeWire

/// An event prepared for content filtering: body parsed once, headers indexed once.
///
/// Build one per published event and test it against every candidate subscription's
/// ``ContentFilter``.
public struct FilterInput: Sendable {
    /// Nesting bound of an event body; a deeper body is treated as not JSON.
    public static let maximumBodyDepth = 64

    /// The parsed body; nil when the body is not JSON.
    let body: JSONValue?
    /// Headers as an object of strings (arrays for repeated names).
    let headers: JSONObject

    /// Prepares an event from its body and headers.
    public init(body: ByteBuffer, headers: [Envelope.Header]) {
        self.body = Self.parseBody(body)
        self.headers = Self.headerObject(headers)
    }

    /// Prepares an envelope.
    public init(_ envelope: Envelope) {
        self.init(body: envelope.body, headers: envelope.headers)
    }

    /// Whether the body parsed as JSON.
    public var bodyIsJSON: Bool { body != nil }

    static func parseBody(_ body: ByteBuffer) -> JSONValue? {
        body.withUnsafeReadableBytes { try? JSONParser.parse($0, maximumDepth: maximumBodyDepth) }
    }

    static func parseBody(_ body: [UInt8]) -> JSONValue? {
        body.withUnsafeBytes { try? JSONParser.parse($0, maximumDepth: maximumBodyDepth) }
    }

    static func headerObject(_ headers: [Envelope.Header]) -> JSONObject {
        var object = JSONObject()
        for header in headers {
            switch object[header.name] {
            case nil: object[header.name] = .string(header.value)
            case .array(let values)?: object[header.name] = .array(values + [.string(header.value)])
            case let single?: object[header.name] = .array([single, .string(header.value)])
            }
        }
        return object
    }
}
