public import Foundation

/// What a handler answers: a status, headers and either a whole body or a stream (server-sent
/// events).
public struct APIResponse: Sendable {
    /// How the body is produced.
    public enum Body: Sendable {
        /// A complete body.
        case data(Data)
        /// A body written piece by piece until the closure returns; each call of `write` sends
        /// one chunk (or HTTP/2 DATA frame) right away.
        case stream(@Sendable (_ write: @Sendable (Data) async throws -> Void) async throws -> Void)
    }

    /// HTTP status code.
    public var status: Int
    /// Response headers.
    public var headers: [String: String]
    /// The body.
    public var body: Body

    /// Creates a response.
    public init(status: Int = 200, headers: [String: String] = [:], body: Body) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A JSON response.
    public static func json(_ value: some Encodable, status: Int = 200) throws -> APIResponse {
        APIResponse(status: status, headers: ["Content-Type": "application/json"], body: .data(try JSONEncoder.api.encode(value)))
    }

    /// A JSON response from already-encoded JSON.
    public static func rawJSON(_ data: Data, status: Int = 200) -> APIResponse {
        APIResponse(status: status, headers: ["Content-Type": "application/json"], body: .data(data))
    }

    /// A text response.
    public static func text(_ text: String, contentType: String, status: Int = 200) -> APIResponse {
        APIResponse(status: status, headers: ["Content-Type": contentType], body: .data(Data(text.utf8)))
    }

    /// The error as a JSON response.
    public static func error(_ error: APIError) -> APIResponse {
        var headers = error.headers
        headers["Content-Type"] = "application/json"
        return APIResponse(status: error.status, headers: headers, body: .data(error.body))
    }
}

/// A route's handler.
public typealias APIHandler = @Sendable (APIRequest) async throws -> APIResponse
