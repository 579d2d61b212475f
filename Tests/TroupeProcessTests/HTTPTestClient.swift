import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// One HTTP exchange as a test sees it.
struct HTTPReply: Sendable {
    var status: Int
    /// Header names lower-cased.
    var headers: [String: String]
    var body: Data
    /// `HTTP/1.1` or `HTTP/2` (as the client reports it).
    var version: String

    var text: String { String(decoding: body, as: UTF8.self) }
    var json: Any? { try? JSONSerialization.jsonObject(with: body) }
    var object: [String: Any] { (json as? [String: Any]) ?? [:] }
    var array: [[String: Any]] { (json as? [[String: Any]]) ?? [] }
    /// `error.code` of a JSON error body.
    var errorCode: String? { (object["error"] as? [String: Any])?["code"] as? String }
}

/// Real HTTP clients: URLSession (libcurl, HTTP/1.1) and `nghttp` (libnghttp2, HTTP/2 with
/// prior knowledge on http://, ALPN h2 on https://).
enum HTTPTestClient: String, Sendable, CaseIterable {
    case http1
    case http2

    private static let session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 30
        return URLSession(configuration: configuration)
    }()

    func send(_ method: String, _ url: String, body: Data? = nil, headers: [String: String] = [:]) async throws -> HTTPReply {
        switch self {
        case .http1: return try await Self.viaURLSession(method, url, body: body, headers: headers)
        case .http2: return try await Self.viaNghttp(method, url, body: body, headers: headers)
        }
    }

    func send(_ method: String, _ url: String, json: String, headers: [String: String] = [:]) async throws -> HTTPReply {
        try await send(method, url, body: Data(json.utf8), headers: headers.merging(["Content-Type": "application/json"]) { $1 })
    }

    private static func viaURLSession(_ method: String, _ url: String, body: Data?, headers: [String: String]) async throws -> HTTPReply {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        request.httpBody = body
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await session.data(for: request)
        let http = try #require(response as? HTTPURLResponse)
        var fields: [String: String] = [:]
        for (name, value) in http.allHeaderFields { fields["\(name)".lowercased()] = "\(value)" }
        return HTTPReply(status: http.statusCode, headers: fields, body: data, version: "HTTP/1.1")
    }

    private static func viaNghttp(_ method: String, _ url: String, body: Data?, headers: [String: String]) async throws -> HTTPReply {
        let tool = try #require(ExternalTool.nghttp, "nghttp is not installed")
        let directory = NSTemporaryDirectory() + "troupe-nghttp-\(UInt64.random(in: 0 ... .max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var arguments = ["-r", "\(directory)/har.json", "-y"]
        if let body {
            try body.write(to: URL(fileURLWithPath: "\(directory)/body"))
            arguments += ["-d", "\(directory)/body"]
        }
        if method != "GET" && !(method == "POST" && body != nil) { arguments += ["-H", ":method: \(method)"] }
        for (name, value) in headers { arguments += ["-H", "\(name.lowercased()): \(value)"] }
        let result = try await tool.run(arguments + [url], timeout: .seconds(60))
        let har = try Data(contentsOf: URL(fileURLWithPath: "\(directory)/har.json"))
        let log = try #require((try JSONSerialization.jsonObject(with: har) as? [String: Any])?["log"] as? [String: Any])
        let entry = try #require((log["entries"] as? [[String: Any]])?.first, "nghttp recorded no exchange: \(result.stderr)")
        let response = try #require(entry["response"] as? [String: Any])
        var fields: [String: String] = [:]
        for header in (response["headers"] as? [[String: Any]]) ?? [] {
            if let name = header["name"] as? String, let value = header["value"] as? String { fields[name.lowercased()] = value }
        }
        let status = (response["status"] as? Int) ?? Int(fields[":status"] ?? "") ?? 0
        if let size = (response["content"] as? [String: Any])?["size"] as? Int {
            #expect(result.stdout.count == size, "nghttp received \(size) body bytes, \(result.stdout.count) were read from its output")
        }
        return HTTPReply(status: status, headers: fields, body: result.stdout, version: (response["httpVersion"] as? String) ?? "HTTP/2")
    }

    /// Opens `GET path` as a stream and returns what arrived once `marker` did (or the timeout).
    func firstBytes(of url: String, until marker: String, timeout: Duration = .seconds(30)) async throws -> String {
        switch self {
        case .http1:
            let parsed = try #require(URL(string: url))
            return try await RawHTTP1.read(host: parsed.host ?? "127.0.0.1", port: parsed.port ?? 80,
                                           request: "GET \(parsed.path) HTTP/1.1\r\nHost: \(parsed.host ?? "")\r\nAccept: text/event-stream\r\n\r\n",
                                           until: marker, timeout: timeout)
        case .http2:
            let tool = try #require(ExternalTool.nghttp)
            let result = try await tool.run([url], timeout: timeout) { String(decoding: $0, as: UTF8.self).contains(marker) }
            return String(decoding: result.stdout, as: UTF8.self)
        }
    }
}

/// A bare HTTP/1.1 exchange over a socket, for streams (server-sent events).
enum RawHTTP1 {
    static func read(host: String, port: Int, request: String, until marker: String, timeout: Duration) async throws -> String {
        try await Task.detached {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw SagaClusterError("socket() failed") }
            defer { close(fd) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            inet_pton(AF_INET, host, &address.sin_addr)
            let connected = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard connected == 0 else { throw SagaClusterError("cannot connect to \(host):\(port)") }
            var receiveTimeout = timeval(tv_sec: 1, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &receiveTimeout, socklen_t(MemoryLayout<timeval>.size))
            _ = request.withCString { send(fd, $0, strlen($0), 0) }
            var received = Data()
            let deadline = ContinuousClock.now + timeout
            var buffer = [UInt8](repeating: 0, count: 4096)
            while ContinuousClock.now < deadline {
                let count = recv(fd, &buffer, buffer.count, 0)
                if count > 0 { received.append(contentsOf: buffer[..<count]) }
                if count == 0 { break }
                if String(decoding: received, as: UTF8.self).contains(marker) { break }
            }
            return String(decoding: received, as: UTF8.self)
        }.value
    }
}
