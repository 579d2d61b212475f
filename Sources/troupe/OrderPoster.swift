import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import OrderSaga
import TroupeWire

/// Places one order through a node's HTTP ingress (`POST /orders` over HTTP/1.1).
///
/// A small SwiftNIO client rather than `URLSession`: FoundationNetworking pulls libcurl into the
/// binary, which the statically linked release build (the one deployed and benchmarked) cannot
/// link, and the demo needs nothing beyond one request and its status.
enum OrderPoster {
    /// Posts `order` (with its own order id); throws unless the node answers 202 within
    /// `timeout`.
    static func post(_ order: OrderPlaced, to address: PeerAddress, timeout: Duration = .seconds(10)) async throws {
        let body = try JSONEncoder().encode(order)
        let (status, text) = try await withThrowingTaskGroup(of: (Int, String).self) { group in
            group.addTask { try await exchange(body, with: address) }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw CommandFailure("POST http://\(address)/orders: no answer within \(timeout)")
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
        guard status == 202 else {
            throw CommandFailure("POST http://\(address)/orders answered \(status): \(text.prefix(300))")
        }
    }

    /// One request on its own connection (`Connection: close`): the status and the body.
    private static func exchange(_ body: Data, with address: PeerAddress) async throws -> (Int, String) {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(5))
            .connect(host: address.host, port: Int(address.port)) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: "/orders")
            head.headers.add(name: "Host", value: "\(address)")
            head.headers.add(name: "Content-Type", value: "application/json")
            head.headers.add(name: "Content-Length", value: "\(body.count)")
            head.headers.add(name: "Connection", value: "close")
            try await outbound.write(.head(head))
            try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: body))))
            try await outbound.write(.end(nil))
            var status = 0
            var text = ""
            for try await part in inbound {
                switch part {
                case .head(let response): status = Int(response.status.code)
                case .body(let chunk): text += String(buffer: chunk)
                case .end: return (status, text)
                }
            }
            return (status, text)
        }
    }
}
