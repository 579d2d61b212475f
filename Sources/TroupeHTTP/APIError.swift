public import Foundation

/// A request the API refuses, with the HTTP status and a machine-readable code; rendered as
/// `{"error": {"status": 404, "code": "not_found", "message": "..."}}`.
public struct APIError: Error, Hashable, Sendable, CustomStringConvertible {
    /// HTTP status code (4xx for the client's mistakes, 5xx for ours or a peer's).
    public var status: Int
    /// Stable, snake_case code, e.g. `malformed_json`.
    public var code: String
    /// What went wrong, for people.
    public var message: String
    /// Extra response headers (e.g. `Allow` on a 405).
    public var headers: [String: String]

    /// Creates an error.
    public init(status: Int, code: String, message: String, headers: [String: String] = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
    }

    /// The JSON body.
    public var body: Data {
        let payload = ["error": ErrorBody(status: status, code: code, message: message)]
        return (try? JSONEncoder.api.encode(payload)) ?? Data(#"{"error":{"code":"internal"}}"#.utf8)
    }

    /// `status code: message`.
    public var description: String { "\(status) \(code): \(message)" }

    private struct ErrorBody: Codable {
        var status: Int
        var code: String
        var message: String
    }

    /// No route has this path.
    public static func notFound(_ path: String) -> APIError {
        APIError(status: 404, code: "not_found", message: "no route for \(path)")
    }

    /// The path exists, not with this method.
    public static func methodNotAllowed(_ method: String, _ path: String, allowed: [String]) -> APIError {
        APIError(status: 405, code: "method_not_allowed", message: "\(method) is not allowed on \(path); use \(allowed.joined(separator: ", "))",
                 headers: ["Allow": allowed.joined(separator: ", ")])
    }

    /// The body is larger than the limit.
    public static func payloadTooLarge(limit: Int) -> APIError {
        APIError(status: 413, code: "payload_too_large", message: "the request body exceeds \(limit) bytes")
    }

    /// The body is not JSON, or not the JSON this route expects.
    public static func malformedJSON(_ error: any Error) -> APIError {
        APIError(status: 400, code: "malformed_json", message: "the body is not valid JSON for this route: \(Self.describe(error))")
    }

    /// A value is well-formed but not acceptable.
    public static func invalid(_ message: String) -> APIError {
        APIError(status: 422, code: "invalid_request", message: message)
    }

    /// A short description of a decoding error.
    static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let context):
            return context.underlyingError.map { "\(context.debugDescription) (\(($0 as NSError).localizedDescription))" } ?? context.debugDescription
        case DecodingError.keyNotFound(let key, _):
            return "missing field '\(key.stringValue)'"
        case DecodingError.typeMismatch(let type, let context):
            return "'\(context.codingPath.map(\.stringValue).joined(separator: "."))' should be \(type)"
        case DecodingError.valueNotFound(let type, let context):
            return "'\(context.codingPath.map(\.stringValue).joined(separator: "."))' should be a \(type), not null"
        default:
            return "\(error)"
        }
    }
}

extension JSONEncoder {
    /// The API's encoder: sorted keys, so responses are stable.
    static var api: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
