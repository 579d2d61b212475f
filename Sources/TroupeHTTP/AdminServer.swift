import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdHTTP2
import HummingbirdTLS
public import Logging
import NIOCore
public import NIOSSL
public import ServiceLifecycle
import TroupeWire

/// Serves an ``AdminAPI`` over HTTP with Hummingbird, as a swift-service-lifecycle `Service`.
///
/// Without a certificate the port speaks HTTP/1.1 and h2c with prior knowledge side by side
/// (``DualProtocolChannel``); with one it speaks TLS and negotiates h2 or http/1.1 by ALPN.
public struct AdminServer: Service {
    /// Where and how to listen.
    public struct Configuration: Sendable {
        /// Host to bind.
        public var host: String
        /// Port to bind (0: any free port).
        public var port: Int
        /// PEM certificate chain and private key files; nil serves plaintext.
        public var tls: (certificatePath: String, keyPath: String)?

        /// Creates a configuration.
        public init(host: String, port: Int, tls: (certificatePath: String, keyPath: String)? = nil) {
            self.host = host
            self.port = port
            self.tls = tls
        }
    }

    /// The API served.
    public let api: AdminAPI
    /// Where.
    public let configuration: Configuration
    private let logger: Logger
    private let onRunning: @Sendable (_ host: String, _ port: Int) async -> Void

    /// Creates the server; `onRunning` gets the bound address once it listens.
    public init(api: AdminAPI, configuration: Configuration, logger: Logger, onRunning: @escaping @Sendable (_ host: String, _ port: Int) async -> Void = { _, _ in }) {
        self.api = api
        self.configuration = configuration
        self.logger = logger
        self.onRunning = onRunning
    }

    /// Loads the TLS configuration; a clear error when the files are unusable.
    public static func tlsConfiguration(certificatePath: String, keyPath: String) throws -> TLSConfiguration {
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(certificatePath).map { NIOSSLCertificateSource.certificate($0) }
            let key = try NIOSSLPrivateKey(file: keyPath, format: .pem)
            var tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
            tls.applicationProtocols = ["h2", "http/1.1"]
            return tls
        } catch {
            throw AdminServerError(message: "cannot load the TLS certificate \(certificatePath) / key \(keyPath): \(error)")
        }
    }

    /// Listens until graceful shutdown.
    public func run() async throws {
        let api = self.api
        let maximumBody = api.configuration.maximumBodyBytes
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            await Self.respond(api: api, request: request, maximumBody: maximumBody)
        }
        let server: HTTPServerBuilder
        if let tls = configuration.tls {
            server = try .http2Upgrade(tlsConfiguration: Self.tlsConfiguration(certificatePath: tls.certificatePath, keyPath: tls.keyPath))
        } else {
            server = .http1AndPlaintextHTTP2()
        }
        let onRunning = self.onRunning
        let host = configuration.host
        var quiet = logger
        quiet.logLevel = max(logger.logLevel, .notice)
        let app = Application(
            responder: responder, server: server,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "troupe"),
            onServerRunning: { channel in await onRunning(host, channel.localAddress?.port ?? 0) },
            logger: quiet
        )
        try await withGracefulShutdownHandler {
            try await app.run()
        } onGracefulShutdown: {
            api.stopStreams()
        }
    }

    /// Adapts a Hummingbird request to the API and its answer back.
    static func respond(api: AdminAPI, request: Request, maximumBody: Int) async -> Response {
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        let method = request.method.rawValue
        let target = request.head.path ?? "/"
        let answer: APIResponse
        switch await collectBody(request, limit: maximumBody, declaredLength: headers["content-length"].flatMap(Int.init)) {
        case .success(let body):
            answer = await api.respond(method: method, target: target, headers: headers, body: body)
        case .failure(let error):
            answer = .error(error)
        }
        var fields = HTTPFields()
        for (name, value) in answer.headers {
            if let name = HTTPField.Name(name) { fields[name] = value }
        }
        let status = HTTPResponse.Status(code: answer.status)
        switch answer.body {
        case .data(let data):
            return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
        case .stream(let produce):
            let (stream, continuation) = AsyncStream<ByteBuffer>.makeStream(bufferingPolicy: .bufferingNewest(16))
            let producer = Task {
                try? await produce { data in
                    if case .terminated = continuation.yield(ByteBuffer(bytes: data)) { throw CancellationError() }
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in producer.cancel() }
            return Response(status: status, headers: fields, body: ResponseBody(asyncSequence: stream))
        }
    }

    /// The body, or 413 as soon as it exceeds `limit` (or declares that it will).
    static func collectBody(_ request: Request, limit: Int, declaredLength: Int?) async -> Result<Data, APIError> {
        if let declaredLength, declaredLength > limit { return .failure(.payloadTooLarge(limit: limit)) }
        var body = Data()
        do {
            for try await part in request.body {
                if body.count + part.readableBytes > limit { return .failure(.payloadTooLarge(limit: limit)) }
                body.append(contentsOf: part.readableBytesView)
            }
        } catch {
            return .failure(APIError(status: 400, code: "bad_body", message: "the request body could not be read: \(error)"))
        }
        return .success(body)
    }
}

/// The admin server could not start.
public struct AdminServerError: Error, CustomStringConvertible, Sendable {
    /// What went wrong.
    public var message: String
    /// The message.
    public var description: String { message }
}
