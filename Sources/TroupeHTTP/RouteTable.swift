/// A method + path-pattern routing table, independent of any HTTP library.
///
/// Patterns are literal segments and `{name}` captures: `/dlq/{id}/replay`. Matching tells apart
/// "no such path" (404) from "path exists, not with this method" (405, with the allowed methods).
public struct RouteTable<Handler: Sendable>: Sendable {
    /// One registered route.
    public struct Route: Sendable {
        /// HTTP method, upper case.
        public var method: String
        /// The pattern's segments.
        public var segments: [Segment]
        /// What to run.
        public var handler: Handler
        /// The pattern as written.
        public var pattern: String
    }

    /// One segment of a pattern.
    public enum Segment: Hashable, Sendable {
        /// Must equal this text.
        case literal(String)
        /// Captures the segment under this name.
        case capture(String)
    }

    /// The outcome of a lookup.
    public enum Match {
        /// A route matched; `parameters` holds the captures.
        case matched(Handler, parameters: [String: String], pattern: String)
        /// No pattern matches the path.
        case notFound
        /// Patterns match the path, none with this method.
        case methodNotAllowed(allowed: [String])
    }

    /// The routes, in registration order.
    public private(set) var routes: [Route] = []

    /// An empty table.
    public init() {}

    /// Adds a route; `pattern` starts with `/`.
    public mutating func add(_ method: String, _ pattern: String, _ handler: Handler) {
        routes.append(Route(method: method.uppercased(), segments: Self.parse(pattern), handler: handler, pattern: pattern))
    }

    /// Finds the route for `method` and `path` (without the query string).
    public func match(method: String, path: String) -> Match {
        let parts = Self.split(path)
        var allowed: [String] = []
        for route in routes {
            guard let parameters = Self.capture(route.segments, parts) else { continue }
            if route.method == method.uppercased() { return .matched(route.handler, parameters: parameters, pattern: route.pattern) }
            if !allowed.contains(route.method) { allowed.append(route.method) }
        }
        return allowed.isEmpty ? .notFound : .methodNotAllowed(allowed: allowed)
    }

    static func parse(_ pattern: String) -> [Segment] {
        split(pattern).map { part in
            if part.hasPrefix("{"), part.hasSuffix("}") { return .capture(String(part.dropFirst().dropLast())) }
            return .literal(part)
        }
    }

    static func split(_ path: String) -> [String] {
        path.split(separator: "/", omittingEmptySubsequences: true).map { String($0).removingPercentEncodingIfPossible }
    }

    static func capture(_ segments: [Segment], _ parts: [String]) -> [String: String]? {
        guard segments.count == parts.count else { return nil }
        var parameters: [String: String] = [:]
        for (segment, part) in zip(segments, parts) {
            switch segment {
            case .literal(let text): if text != part { return nil }
            case .capture(let name): parameters[name] = part
            }
        }
        return parameters
    }
}

extension String {
    /// The string with `%XX` escapes decoded; unchanged when it has none or they are invalid.
    var removingPercentEncodingIfPossible: String {
        guard contains("%") else { return self }
        var bytes: [UInt8] = []
        var iterator = utf8.makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = iterator.next(), let low = iterator.next(),
                      let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) else { return self }
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self) ?? self
    }
}
