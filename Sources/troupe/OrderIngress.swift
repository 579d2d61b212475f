import Foundation
import OrderSaga
import Synchronization
import Troupe
import TroupeHTTP
import TroupeWire

/// The order saga's HTTP routes, added to every node's admin API: `POST /orders` places an order
/// through the order node (in process on the order node, over CONTROL from any other node),
/// `GET /orders/{id}` shows its state and its timeline across the mesh, `GET /orders` the most
/// recent orders.
struct OrderIngress: Sendable {
    /// Orders placed through this ingress: order id → correlation id (bounded).
    private let placed = SendableBox<[String: String]>([:])
    private static let rememberedOrders = 100_000

    /// `POST /orders` body.
    struct OrderRequest: Codable {
        var orderID: String?
        var customerID: String
        var sku: String
        var quantity: Int
        var amountCents: Int?
    }

    /// `POST /orders` reply.
    struct OrderAccepted: Codable {
        var orderID: String
        var correlationID: String
        var eventID: String
        var status: String
        var location: String
        var trace: String
    }

    /// `GET /orders/{id}` reply.
    struct OrderDetails: Codable {
        var orderID: String
        var status: String
        var record: OrderRecord?
        var correlationID: String?
        var timeline: [ArchivedEventSummary]
    }

    func install(into table: inout RouteTable<APIHandler>, mesh: MeshControl) {
        table.add("POST", "/orders") { request in try await place(request, mesh: mesh) }
        table.add("GET", "/orders") { _ in try .json(await Self.recentOrders(mesh: mesh, limit: 50)) }
        table.add("GET", "/orders/{id}") { request in try await details(request.parameter("id"), mesh: mesh) }
    }

    /// Checks an order request; the event it becomes.
    static func validate(_ order: OrderRequest, newID: () -> String) throws(APIError) -> OrderPlaced {
        let orderID = order.orderID ?? newID()
        guard !orderID.isEmpty, orderID.count <= 64,
              orderID.unicodeScalars.allSatisfy({ CharacterSet.alphanumerics.contains($0) || $0 == "-" || $0 == "_" }),
              orderID.unicodeScalars.allSatisfy(\.isASCII) else {
            throw APIError.invalid("orderID must be 1-64 characters of A-Z, a-z, 0-9, - and _")
        }
        guard !order.customerID.isEmpty else { throw APIError.invalid("customerID must not be empty") }
        guard !order.sku.isEmpty else { throw APIError.invalid("sku must not be empty") }
        guard (1...10_000).contains(order.quantity) else { throw APIError.invalid("quantity must be between 1 and 10000, not \(order.quantity)") }
        let amount: Int
        if let given = order.amountCents {
            guard given >= 0 else { throw APIError.invalid("amountCents must not be negative") }
            amount = given
        } else {
            guard let product = SagaConfiguration.standard.products.first(where: { $0.sku == order.sku }) else {
                throw APIError.invalid("unknown sku '\(order.sku)'; give amountCents to order it anyway")
            }
            amount = product.unitPriceCents * order.quantity
        }
        return OrderPlaced(orderID: orderID, customerID: order.customerID, sku: order.sku, quantity: order.quantity, amountCents: amount)
    }

    private func place(_ request: APIRequest, mesh: MeshControl) async throws -> APIResponse {
        let order = try Self.validate(request.decode(OrderRequest.self)) {
            "web-" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
        }
        let body = String(decoding: try JSONEncoder().encode(order), as: UTF8.self)
        let payload = try JSONEncoder().encode(PublishRequest(type: OrderPlaced.eventType, subject: order.orderID, body: body))
        let node = try await Self.orderNode(mesh)
        let published = try await mesh.ask(node, ControlCommand.publish, payload: payload).decode(PublishReply.self, command: ControlCommand.publish)
        placed.update { placed in
            if placed.count >= Self.rememberedOrders { placed.removeAll(keepingCapacity: true) }
            placed[order.orderID] = published.correlationID
        }
        let accepted = OrderAccepted(orderID: order.orderID, correlationID: published.correlationID, eventID: published.eventID,
                                     status: "accepted", location: "/orders/\(order.orderID)", trace: "/trace/\(published.correlationID)?scope=mesh")
        var response = try APIResponse.json(accepted, status: 202)
        response.headers["Location"] = accepted.location
        return response
    }

    private func details(_ orderID: String, mesh: MeshControl) async throws -> APIResponse {
        let node = try await Self.orderNode(mesh)
        let book = try await mesh.ask(node, ControlCommand.state).decode(OrderBook.self, command: ControlCommand.state)
        let record = book.orders[orderID]
        var correlationID = placed.value[orderID]
        if correlationID == nil {
            let rows = try await mesh.ask(node, ControlCommand.recentArchive, payload: try JSONEncoder().encode(RecentArchiveQuery(limit: 100_000)))
                .decode([ArchivedEventSummary].self, command: ControlCommand.recentArchive)
            correlationID = rows.first { $0.direction == "published" && $0.event.type == OrderPlaced.eventType && $0.event.subject == orderID }?.event.correlationID
        }
        guard record != nil || correlationID != nil else {
            throw APIError(status: 404, code: "order_not_found", message: "no order \(orderID)")
        }
        var timeline: [ArchivedEventSummary] = []
        if let correlationID { timeline = try await MeshTrace.rows(of: correlationID, in: mesh) }
        return try .json(OrderDetails(orderID: orderID, status: record?.status.rawValue ?? "accepted", record: record,
                                      correlationID: correlationID, timeline: timeline))
    }

    /// The node hosting the order service, or 503.
    static func orderNode(_ mesh: MeshControl) async throws(APIError) -> NodeIdentity {
        guard let node = await mesh.member(hosting: OrderService.name) else {
            throw APIError(status: 503, code: "order_service_unavailable", message: "no order node is connected to this node")
        }
        return node
    }

    /// The most recent orders, newest first, for the dashboard and `GET /orders`.
    static func recentOrders(mesh: MeshControl, limit: Int) async -> OrdersOverview {
        guard let node = try? await orderNode(mesh),
              let book = try? await mesh.ask(node, ControlCommand.state).decode(OrderBook.self, command: ControlCommand.state) else { return OrdersOverview() }
        var counts: [String: Int] = [:]
        for record in book.orders.values { counts[record.status.rawValue, default: 0] += 1 }
        let recent = book.orders.records
            .sorted { ($0.value.placedAtMicros ?? $0.value.terminalAtMicros ?? 0, $0.key) > ($1.value.placedAtMicros ?? $1.value.terminalAtMicros ?? 0, $1.key) }
            .prefix(limit)
            .map { OrderView(orderID: $0.key, status: $0.value.status.rawValue, reason: $0.value.reason,
                             placedAtMicros: $0.value.placedAtMicros, terminalAtMicros: $0.value.terminalAtMicros) }
        return OrdersOverview(recent: Array(recent), counts: counts)
    }
}
