public import Foundation

/// A request as the API's handlers see it: method, path captures, query and the whole body
/// (already bounded by the server's size limit).
public struct APIRequest: Sendable {
    /// HTTP method, upper case.
    public var method: String
    /// The path, without the query string.
    public var path: String
    /// Captures of the matched route pattern (`{id}` → `parameters["id"]`).
    public var parameters: [String: String]
    /// Query items; the last one wins when a name repeats.
    public var query: [String: String]
    /// Request headers, lower-cased names.
    public var headers: [String: String]
    /// The body.
    public var body: Data

    /// Creates a request.
    public init(method: String, path: String, parameters: [String: String] = [:], query: [String: String] = [:], headers: [String: String] = [:], body: Data = Data()) {
        self.method = method
        self.path = path
        self.parameters = parameters
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// Decodes the body as `T`; a ``APIError/malformedJSON(_:)`` if it is not.
    public func decode<T: Decodable>(_ type: T.Type) throws(APIError) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: body.isEmpty ? Data("null".utf8) : body)
        } catch {
            throw APIError.malformedJSON(error)
        }
    }

    /// A path capture, which the route guarantees.
    public func parameter(_ name: String) -> String { parameters[name] ?? "" }

    /// Splits `path?query` into the path and its decoded query items.
    public static func splitTarget(_ target: String) -> (path: String, query: [String: String]) {
        guard let mark = target.firstIndex(of: "?") else { return (target, [:]) }
        var query: [String: String] = [:]
        for item in target[target.index(after: mark)...].split(separator: "&") {
            let pair = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(pair[0]).replacingOccurrences(of: "+", with: " ").removingPercentEncodingIfPossible
            let value = pair.count > 1 ? String(pair[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncodingIfPossible : ""
            query[name] = value
        }
        return (String(target[..<mark]), query)
    }
}
