public import NIOCore
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif
public import TroupeWire

/// A short-lived connection to one node for administrative requests (CONTROL / CONTROL_REPLY):
/// what `troupe stats`, `troupe dlq` and the demo supervisor use.
///
/// It introduces itself with listen port 0, which marks it as a client: the node answers its
/// requests but never gossips, dials or routes events to it.
public final class ControlClient: Sendable {
    /// The node at the other end.
    public let peer: NodeIdentity
    private let channel: any Channel
    private let handler: NIOLoopBound<ControlClientHandler>

    private init(peer: NodeIdentity, channel: any Channel, handler: NIOLoopBound<ControlClientHandler>) {
        self.peer = peer
        self.channel = channel
        self.handler = handler
    }

    /// Connects to `address` and completes the handshake.
    public static func connect(
        to address: PeerAddress, on group: any EventLoopGroup, clientID: String = "troupe-cli",
        timeout: TimeAmount = .seconds(5), limits: WireLimits = WireLimits()
    ) async throws -> ControlClient {
        let loop = group.next()
        let identity = NodeIdentity(
            nodeID: "\(clientID)-\(UInt32.random(in: 0 ... .max))", service: clientID, incarnation: 1,
            listenAddress: PeerAddress(host: "0.0.0.0", port: 0)
        )
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: loop)
                .connectTimeout(timeout)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(FrameDecoder(limits: limits)))
                        try channel.pipeline.syncOperations.addHandler(ControlClientHandler(identity: identity, limits: limits, eventLoop: channel.eventLoop))
                    }
                }
                .connect(host: address.host, port: Int(address.port)).get()
        } catch {
            throw ControlClientError(message: "cannot connect to \(address): \(Self.reason(error))")
        }
        let (handler, welcome) = try await loop.submit {
            let handler = try channel.pipeline.syncOperations.handler(type: ControlClientHandler.self)
            return (NIOLoopBound(handler, eventLoop: loop), handler.welcome.futureResult)
        }.get()
        let peer: NodeIdentity
        do {
            peer = try await welcome.timeout(after: timeout, on: loop).get()
        } catch {
            try? await channel.close()
            throw ControlClientError(message: "\(address) did not complete the handshake: \(error)")
        }
        return ControlClient(peer: peer, channel: channel, handler: handler)
    }

    /// The short reason behind a connection failure ("Connection refused"), for one-line messages.
    static func reason(_ error: any Error) -> String {
        if let connection = error as? NIOConnectionError,
           let io = connection.connectionErrors.first?.error as? IOError {
            return String(cString: strerror(io.errnoCode))
        }
        if let io = error as? IOError { return String(cString: strerror(io.errnoCode)) }
        return "\(error)"
    }

    /// Sends `command` and waits for its reply.
    public func request(_ command: String, payload: ByteBuffer = ByteBuffer(), timeout: TimeAmount = .seconds(30)) async throws -> ControlReply {
        let handler = self.handler
        let reply = try await channel.eventLoop.flatSubmit {
            handler.value.send(command: command, payload: payload)
        }.timeout(after: timeout, on: channel.eventLoop).get()
        return reply
    }

    /// Says goodbye and closes the connection.
    public func close() async {
        let handler = self.handler
        try? await channel.eventLoop.submit { handler.value.sayGoodbye() }.get()
        try? await channel.close()
    }
}

/// A control request failed before a reply arrived.
public struct ControlClientError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong, for people.
    public var message: String

    /// Creates an error.
    public init(message: String) { self.message = message }

    public var description: String { message }
}

extension EventLoopFuture {
    /// Fails with a ``ControlClientError`` if not completed within `timeout`.
    fileprivate func timeout(after timeout: TimeAmount, on loop: any EventLoop) -> EventLoopFuture<Value> {
        let promise = loop.makePromise(of: Value.self)
        let task = loop.scheduleTask(in: timeout) {
            promise.fail(ControlClientError(message: "no answer within \(timeout)"))
        }
        self.hop(to: loop).whenComplete { result in
            task.cancel()
            promise.completeWith(result)
        }
        return promise.futureResult
    }
}
