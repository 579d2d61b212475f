public import NIOCore
public import TroupeWire

/// An EventBridge-style content filter over an event's JSON body and its headers.
///
/// A subscription carries its filter as JSON text (`Subscribe.filter`); the publisher evaluates
/// it before sending, so filtered events never cross the wire. Empty text (or `{}`) matches
/// every event.
///
/// ## Syntax
/// The filter is an object with the optional keys `"body"` (a pattern over the event's JSON
/// body) and `"headers"` (a pattern over the envelope headers, a flat name → text map). Inside a
/// pattern, nested objects mirror the event's structure and every leaf is an **array of
/// alternatives**. Keys are AND-ed, alternatives are OR-ed:
///
/// ```json
/// {
///   "body": {
///     "status":   ["paid", "shipped"],
///     "customer": { "tier": [{ "prefix": "gold" }] },
///     "amount":   [{ "numeric": [">", 0, "<=", 100] }],
///     "country":  [{ "anything-but": ["US", "CA"] }],
///     "coupon":   [{ "exists": false }]
///   },
///   "headers": { "tenant": ["acme"] }
/// }
/// ```
///
/// Alternatives:
/// - exact values: `"paid"`, `42` (numeric equality, so `42` equals `42.0`), `true`, `null`
///   (matches a JSON `null`, not a missing field);
/// - `{"prefix": "ab"}`: a string starting with `ab`;
/// - `{"numeric": [op, n]}` or `{"numeric": [op, n, op, m]}` with op among `= != < <= > >=`:
///   a number satisfying every comparison;
/// - `{"anything-but": v}`, `{"anything-but": [v, w]}`: a present scalar equal to none of them;
///   `{"anything-but": {"prefix": "x"}}`: a present string not starting with `x`;
/// - `{"exists": true}` / `{"exists": false}`: the field is present (any value, even `null`) /
///   absent.
///
/// Matching follows EventBridge: when the event holds an array where the pattern expects a
/// value, the field matches if any element matches; an object pattern over an array of objects
/// matches if one element matches the whole object pattern. `exists` only looks at presence.
/// Header values are text: a `numeric` or number alternative compares a header whose text reads
/// as a number; a repeated header acts as an array of its values.
///
/// A body that is not JSON matches only filters that do not look into the body. Invalid
/// patterns are refused at parse time with a ``FilterError`` naming the path of the problem.
public struct ContentFilter: Hashable, Sendable, CustomStringConvertible {
    /// Largest filter text accepted, in UTF-8 bytes.
    public static let maximumTextLength = 64 * 1024

    /// The filter text as given.
    public let text: String
    private let bodyFields: [FieldPattern]?
    private let headerFields: [FieldPattern]?

    /// The filter that matches every event.
    public static let matchAll = ContentFilter(text: "", bodyFields: nil, headerFields: nil)

    private init(text: String, bodyFields: [FieldPattern]?, headerFields: [FieldPattern]?) {
        self.text = text
        self.bodyFields = bodyFields
        self.headerFields = headerFields
    }

    /// Parses a filter from its JSON text; empty (or all-whitespace) text matches everything.
    public init(json text: String) throws(FilterError) {
        guard text.utf8.count <= Self.maximumTextLength else {
            throw FilterError(code: .tooComplex, path: "", detail: "filter longer than \(Self.maximumTextLength) bytes")
        }
        guard text.contains(where: { !$0.isWhitespace }) else {
            self.init(text: text, bodyFields: nil, headerFields: nil)
            return
        }
        let root: JSONValue
        do {
            root = try JSONParser.parse(text, maximumDepth: FilterPatternParser.maximumDepth)
        } catch {
            let code: FilterError.Code = error.tooDeep ? .tooComplex : .invalidJSON
            throw FilterError(code: code, path: "", detail: "filter is not valid JSON: \(error)")
        }
        guard case .object(let top) = root else {
            throw FilterError(code: .notAnObject, path: "", detail: "a filter must be a JSON object")
        }
        var body: [FieldPattern]?
        var headers: [FieldPattern]?
        for key in top.keys {
            let value = top[key] ?? .null
            switch key {
            case "body": body = try FilterPatternParser.fields(of: value, path: "body", nested: true)
            case "headers": headers = try FilterPatternParser.fields(of: value, path: "headers", nested: false)
            default:
                throw FilterError(code: .unknownField, path: key, detail: "a filter has only \"body\" and \"headers\"")
            }
        }
        self.init(text: text, bodyFields: body, headerFields: headers)
    }

    /// Whether the filter accepts every event.
    public var matchesEverything: Bool { bodyFields == nil && headerFields == nil }

    /// Whether evaluating the filter needs the body parsed as JSON.
    public var inspectsBody: Bool { bodyFields != nil }

    /// Whether an event with this body and these headers passes. The body is parsed at most once.
    public func matches(body: ByteBuffer, headers: [Envelope.Header]) -> Bool {
        guard matchesHeaders(headers) else { return false }
        guard let bodyFields else { return true }
        return Self.bodyMatches(bodyFields, FilterInput.parseBody(body))
    }

    /// Whether an event with this body and these headers passes. The body is parsed at most once.
    public func matches(body: [UInt8], headers: [Envelope.Header]) -> Bool {
        guard matchesHeaders(headers) else { return false }
        guard let bodyFields else { return true }
        return Self.bodyMatches(bodyFields, FilterInput.parseBody(body))
    }

    /// Whether the envelope passes.
    public func matches(_ envelope: Envelope) -> Bool {
        matches(body: envelope.body, headers: envelope.headers)
    }

    /// Whether a prepared event passes; prepare once to test many filters against one event.
    public func matches(_ input: FilterInput) -> Bool {
        if let headerFields, !FieldPattern.allMatch(headerFields, in: input.headers, headerText: true) {
            return false
        }
        guard let bodyFields else { return true }
        return Self.bodyMatches(bodyFields, input.body)
    }

    private func matchesHeaders(_ headers: [Envelope.Header]) -> Bool {
        guard let headerFields else { return true }
        return FieldPattern.allMatch(headerFields, in: FilterInput.headerObject(headers), headerText: true)
    }

    private static func bodyMatches(_ fields: [FieldPattern], _ body: JSONValue?) -> Bool {
        switch body {
        case nil: false
        case .object(let object)?: FieldPattern.allMatch(fields, in: object, headerText: false)
        case .some: FieldPattern.allMatch(fields, in: nil, headerText: false)
        }
    }

    /// `ContentFilter(all)` or the filter text.
    public var description: String { text.isEmpty ? "ContentFilter(all)" : "ContentFilter(\(text))" }
}
