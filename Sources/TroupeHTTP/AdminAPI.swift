public import Foundation
import Metrics
import Synchronization
import Troupe
import TroupeChaos
import TroupeWire

/// The HTTP admin API of one node, independent of the HTTP library underneath: a routing table
/// of handlers that drive the node through ``NodeAdministration`` (the same CONTROL code paths the
/// mesh's CONTROL frames take) and the rest of the mesh through ``MeshControl``.
///
/// Routes (every node): `GET /` (dashboard), `GET /health`, `GET /metrics`, `GET /stats`,
/// `GET /mesh`, `GET /events` (server-sent events), `GET /dlq`, `POST /dlq/{id}/replay`,
/// `GET /trace/{correlationId}`, `GET|POST|DELETE /faults`. `?scope=mesh` makes the DLQ, trace
/// and fault routes act on every node of the mesh. Applications add their own routes (the order
/// saga adds `POST /orders` and `GET /orders/{id}`).
public final class AdminAPI: Sendable {
    /// Knobs.
    public struct Configuration: Sendable {
        /// Larger request bodies are refused with 413.
        public var maximumBodyBytes: Int
        /// How often `GET /events` sends a snapshot.
        public var streamInterval: Duration
        /// Prometheus text exposition of the process's metrics; nil: `GET /metrics` answers 503.
        public var metrics: (@Sendable () -> String)?
        /// Recent orders for the dashboard.
        public var orders: (@Sendable (MeshControl) async -> OrdersOverview)?

        /// Creates a configuration.
        public init(maximumBodyBytes: Int = 64 * 1024, streamInterval: Duration = .milliseconds(500),
                    metrics: (@Sendable () -> String)? = nil, orders: (@Sendable (MeshControl) async -> OrdersOverview)? = nil) {
            self.maximumBodyBytes = maximumBodyBytes
            self.streamInterval = streamInterval
            self.metrics = metrics
            self.orders = orders
        }
    }

    /// The mesh helper the handlers use.
    public let mesh: MeshControl
    /// The knobs.
    public let configuration: Configuration
    private let routes: RouteTable<APIHandler>
    private let stopping: StopFlag

    /// Creates the API; `extraRoutes` adds application routes to the table.
    public init(node: NodeAdministration, configuration: Configuration = Configuration(),
                extraRoutes: (inout RouteTable<APIHandler>, MeshControl) -> Void = { _, _ in }) {
        let mesh = MeshControl(local: node)
        let stopping = StopFlag()
        self.mesh = mesh
        self.stopping = stopping
        self.configuration = configuration
        var table = RouteTable<APIHandler>()
        Self.addRoutes(to: &table, mesh: mesh, configuration: configuration, stopping: stopping)
        extraRoutes(&table, mesh)
        self.routes = table
    }

    /// Ends every `GET /events` stream at its next tick (graceful shutdown).
    public func stopStreams() { stopping.stop() }

    /// Routes a request and runs its handler; every failure becomes a JSON error response.
    public func respond(method: String, target: String, headers: [String: String] = [:], body: Data = Data()) async -> APIResponse {
        let (path, query) = APIRequest.splitTarget(target)
        let response: APIResponse
        var pattern = "unmatched"
        switch routes.match(method: method, path: path) {
        case .notFound:
            response = .error(.notFound(path))
        case .methodNotAllowed(let allowed):
            response = .error(.methodNotAllowed(method, path, allowed: allowed))
        case .matched(let handler, let parameters, let matched):
            pattern = matched
            let request = APIRequest(method: method, path: path, parameters: parameters, query: query, headers: headers, body: body)
            do {
                response = try await handler(request)
            } catch let error as APIError {
                response = .error(error)
            } catch {
                response = .error(APIError(status: 500, code: "internal", message: "\(error)"))
            }
        }
        Counter(label: "troupe_http_requests_total", dimensions: [("route", pattern), ("status", "\(response.status)")]).increment()
        return response
    }

    /// The mesh as the dashboard draws it.
    public func snapshot() async -> MeshSnapshot {
        await Self.snapshot(mesh: mesh, orders: configuration.orders)
    }

    static func snapshot(mesh: MeshControl, orders: (@Sendable (MeshControl) async -> OrdersOverview)?) async -> MeshSnapshot {
        async let stats = mesh.askAll(ControlCommand.stats)
        async let faults = mesh.askAll(ChaosControlCommand.status)
        async let recent = orders?(mesh) ?? OrdersOverview()
        let faultPlans = Dictionary(await faults.compactMap { entry -> (String, FaultPlan)? in
            guard case .success(let outcome) = entry.result, let status = try? outcome.decode(FaultStatus.self, command: ChaosControlCommand.status) else { return nil }
            return (entry.member.nodeID, status.plan)
        }, uniquingKeysWith: { first, _ in first })
        let nodes = await stats.map { entry -> NodeView in
            let member = entry.member
            var view = NodeView(nodeID: member.nodeID, service: member.service, listen: "\(member.listenAddress)", reachable: false, faults: faultPlans[member.nodeID])
            switch entry.result {
            case .success(let outcome):
                do throws(APIError) {
                    let reply = try outcome.decode(NodeStatusReply.self, command: ControlCommand.stats)
                    view.reachable = true
                    view.statistics = reply.statistics
                    view.connectedMembers = reply.connectedMembers.filter { !$0.hasPrefix("troupe-") }
                } catch {
                    view.error = error.message
                }
            case .failure(let error):
                view.error = error.message
            }
            return view
        }
        return MeshSnapshot(atMicros: Int64(Date().timeIntervalSince1970 * 1_000_000), servedBy: mesh.local.identity.nodeID,
                            nodes: nodes, links: LinkView.links(between: nodes), orders: await recent)
    }
}

// MARK: - Routes

extension AdminAPI {
    /// `?scope=node` (default) or `?scope=mesh`.
    enum Scope {
        case node, mesh

        init(_ request: APIRequest) throws(APIError) {
            switch request.query["scope"] ?? "node" {
            case "node": self = .node
            case "mesh": self = .mesh
            case let other: throw APIError(status: 400, code: "invalid_query", message: "scope must be 'node' or 'mesh', not '\(other)'")
            }
        }
    }

    /// The result of one command on every node: `{"nodes": {id: result}, "errors": {id: message}}`,
    /// with each node's JSON reply embedded as it came.
    struct MeshResult {
        var nodes: [(String, Data)] = []
        var errors: [String: String] = [:]

        var json: Data {
            var out = Data(#"{"errors":"#.utf8)
            out.append((try? JSONEncoder.api.encode(errors)) ?? Data("{}".utf8))
            out.append(Data(#","nodes":{"#.utf8))
            for (index, (nodeID, payload)) in nodes.enumerated() {
                if index > 0 { out.append(Data(",".utf8)) }
                out.append((try? JSONEncoder().encode(nodeID)) ?? Data(#""?""#.utf8))
                out.append(Data(":".utf8))
                out.append(payload.isEmpty ? Data("null".utf8) : payload)
            }
            out.append(Data("}}".utf8))
            return out
        }
    }

    private static func addRoutes(to table: inout RouteTable<APIHandler>, mesh: MeshControl, configuration: Configuration, stopping: StopFlag) {
        let local = mesh.local

        /// One CONTROL command on this node, or on every node with `?scope=mesh`.
        @Sendable func command(_ name: String, payload: Data, request: APIRequest) async throws -> APIResponse {
            switch try Scope(request) {
            case .node:
                let outcome = await local.control(name, payload)
                try outcome.ensureOK(command: name)
                return .rawJSON(outcome.payload)
            case .mesh:
                var result = MeshResult()
                for entry in await mesh.askAll(name, payload: payload) {
                    switch entry.result {
                    case .success(let outcome):
                        do throws(APIError) {
                            try outcome.ensureOK(command: name)
                            result.nodes.append((entry.member.nodeID, outcome.payload))
                        } catch {
                            result.errors[entry.member.nodeID] = error.message
                        }
                    case .failure(let error):
                        result.errors[entry.member.nodeID] = error.message
                    }
                }
                return .rawJSON(result.json)
            }
        }

        table.add("GET", "/") { _ in
            APIResponse(headers: ["Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"], body: .data(Data(DashboardPage.html.utf8)))
        }
        table.add("GET", "/health") { _ in
            let members = await local.connectedMembers().map(\.nodeID).filter { !$0.hasPrefix("troupe-") }.sorted()
            return try .json(HealthReply(status: "ok", nodeID: local.identity.nodeID, service: local.identity.service,
                                         listen: "\(local.identity.listenAddress)", connectedMembers: members))
        }
        table.add("GET", "/metrics") { _ in
            guard let metrics = configuration.metrics else {
                throw APIError(status: 503, code: "metrics_unavailable", message: "no metrics backend is bootstrapped in this process")
            }
            return .text(metrics(), contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
        table.add("GET", "/stats") { request in
            try await command(ControlCommand.stats, payload: Data(), request: request)
        }
        table.add("GET", "/mesh") { _ in
            try .json(await snapshot(mesh: mesh, orders: configuration.orders))
        }
        table.add("GET", "/dlq") { request in
            try await command(ControlCommand.deadLetterList, payload: Data(), request: request)
        }
        table.add("POST", "/dlq/{id}/replay") { request in
            let text = request.parameter("id")
            let selection: DeadLetterSelection
            if text == "all" {
                selection = DeadLetterSelection()
            } else if let id = Int64(text) {
                selection = DeadLetterSelection(ids: [id])
            } else {
                throw APIError(status: 400, code: "invalid_dead_letter_id", message: "'\(text)' is not a dead-letter id (an integer, or 'all')")
            }
            let payload = try JSONEncoder().encode(selection)
            if try Scope(request) == .mesh { return try await command(ControlCommand.deadLetterReplay, payload: payload, request: request) }
            let replayed = try await local.control(ControlCommand.deadLetterReplay, payload).decode([Int64].self, command: ControlCommand.deadLetterReplay)
            if selection.ids != nil, replayed.isEmpty {
                throw APIError(status: 404, code: "dead_letter_not_found", message: "no dead letter \(text) on \(local.identity.nodeID)")
            }
            return try .json(["replayed": replayed])
        }
        table.add("GET", "/trace/{correlationId}") { request in
            let text = request.parameter("correlationId")
            guard EventID(text) != nil else {
                throw APIError(status: 400, code: "invalid_correlation_id", message: "'\(text)' is not a correlation id (26 characters of Crockford base32)")
            }
            let payload = try JSONEncoder().encode(TraceQuery(correlationID: text))
            switch try Scope(request) {
            case .node:
                let rows = try await local.control(ControlCommand.trace, payload).decode([ArchivedEventSummary].self, command: ControlCommand.trace)
                return try .json(rows.sorted { $0.atMicros < $1.atMicros })
            case .mesh:
                return try .json(try await MeshTrace.rows(of: text, in: mesh))
            }
        }
        table.add("GET", "/faults") { request in
            try await command(ChaosControlCommand.status, payload: Data(), request: request)
        }
        table.add("POST", "/faults") { request in
            let plan = try request.decode(FaultPlan.self)
            if let problem = FaultPlanValidation.problem(in: plan) { throw APIError.invalid(problem) }
            var seed: UInt64 = 1
            if let text = request.query["seed"] {
                guard let value = UInt64(text) else { throw APIError(status: 400, code: "invalid_query", message: "seed must be an unsigned integer, not '\(text)'") }
                seed = value
            }
            return try await command(ChaosControlCommand.set, payload: try JSONEncoder().encode(FaultPlanUpdate(plan: plan, seed: seed)), request: request)
        }
        table.add("DELETE", "/faults") { request in
            try await command(ChaosControlCommand.clear, payload: Data(), request: request)
        }
        table.add("GET", "/events") { _ in
            eventStream(mesh: mesh, configuration: configuration, stopping: stopping)
        }
    }
}

/// A flag that ends long-running streams.
final class StopFlag: Sendable {
    private let value = Atomic<Bool>(false)
    var isStopped: Bool { value.load(ordering: .relaxed) }
    func stop() { value.store(true, ordering: .relaxed) }
}

/// `GET /health`.
struct HealthReply: Codable {
    var status: String
    var nodeID: String
    var service: String
    var listen: String
    var connectedMembers: [String]
}
