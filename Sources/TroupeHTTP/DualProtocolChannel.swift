public import HummingbirdCore
public import HummingbirdHTTP2
public import Logging
public import NIOCore

/// A Hummingbird child channel for a plaintext port that serves HTTP/1.1 and HTTP/2 with prior
/// knowledge (h2c) side by side: a ``PrefaceSniffingHandler`` looks at the first bytes of each
/// connection and hands it to Hummingbird's `HTTP1Channel` or `HTTP2Channel`.
public struct DualProtocolChannel: ServerChildChannel {
    /// A connection whose protocol is being sniffed.
    ///
    /// Set-up must finish before the connection is registered and can read, so it cannot wait
    /// for the first bytes: the value carries a future of the negotiated protocol instead.
    public struct Value: ServerChildChannelValue {
        /// The connection's channel.
        public let channel: any Channel
        /// Completes once the first bytes decided the protocol.
        let negotiated: EventLoopFuture<Negotiated>
    }

    /// The protocol a connection turned out to speak, set up.
    enum Negotiated: Sendable {
        /// An HTTP/1.x connection.
        case http1(HTTP1Channel.Value)
        /// An HTTP/2 connection.
        case http2(HTTP2Channel.Value)
    }

    private let http1: HTTP1Channel
    private let http2: HTTP2Channel

    /// Creates the channel set-up around one responder.
    public init(responder: @escaping HTTPChannelHandler.Responder, idleTimeout: Duration = .seconds(60)) {
        http1 = HTTP1Channel(responder: responder, configuration: .init(idleTimeout: .init(idleTimeout)))
        http2 = HTTP2Channel(responder: responder, configuration: .init(idleTimeout: idleTimeout))
    }

    /// Adds the sniffer; the value's future completes once the protocol is known.
    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let promise = channel.eventLoop.makePromise(of: Negotiated.self)
        let http1 = self.http1
        let http2 = self.http2
        let sniffer = PrefaceSniffingHandler { channel, decision in
            switch decision {
            case .http2:
                let future = http2.setup(channel: channel, logger: logger).map { Negotiated.http2($0) }
                future.cascade(to: promise)
                return future.map { _ in }
            default:
                let future = http1.setup(channel: channel, logger: logger).map { Negotiated.http1($0) }
                future.cascade(to: promise)
                return future.map { _ in }
            }
        }
        channel.closeFuture.whenComplete { _ in promise.fail(ChannelError.ioOnClosedChannel) }
        return channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(sniffer)
            return Value(channel: channel, negotiated: promise.futureResult)
        }
    }

    /// Serves the connection with the protocol it turned out to speak.
    public func handle(value: Value, logger: Logger) async {
        do {
            switch try await value.negotiated.get() {
            case .http1(let connection): await http1.handle(value: connection, logger: logger)
            case .http2(let connection): await http2.handle(value: connection, logger: logger)
            }
        } catch {
            logger.debug("connection closed before its protocol was known: \(error)")
        }
    }
}

extension HTTPServerBuilder {
    /// HTTP/1.1 and h2c with prior knowledge on one plaintext port (see ``DualProtocolChannel``).
    public static func http1AndPlaintextHTTP2(idleTimeout: Duration = .seconds(60)) -> HTTPServerBuilder {
        .init { responder in DualProtocolChannel(responder: responder, idleTimeout: idleTimeout) }
    }
}
