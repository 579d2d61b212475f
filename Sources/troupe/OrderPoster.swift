import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import OrderSaga
import TroupeWire

/// Places one order through a node's HTTP ingress (`POST /orders`, HTTP/1.1 keep-alive).
enum OrderPoster {
    private static let session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 10
        configuration.httpMaximumConnectionsPerHost = 4
        return URLSession(configuration: configuration)
    }()

    /// Posts `order` (with its own order id); throws unless the node answers 202.
    static func post(_ order: OrderPlaced, to address: PeerAddress) async throws {
        guard let url = URL(string: "http://\(address)/orders") else { throw CommandFailure("bad HTTP address \(address)") }
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = try JSONEncoder().encode(order)
        let (body, response) = try await session.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard status == 202 else {
            throw CommandFailure("POST \(url) answered \(status): \(String(decoding: body.prefix(300), as: UTF8.self))")
        }
    }
}
