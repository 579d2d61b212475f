import Foundation
import Testing
import TroupeTestSupport

/// Every route of the HTTP API of live `troupe node --http` processes (the four saga nodes),
/// over HTTP/1.1 (URLSession) and over HTTP/2 (`nghttp`, h2c with prior knowledge), error routes
/// included; h2 over TLS with ALPN; and the dashboard in headless Chromium.
@Suite("HTTP API of live nodes", .serialized)
struct HTTPAPIProcessTests {
    /// Starts the four saga nodes, each with `--http 127.0.0.1:0`; returns their HTTP base URLs.
    static func startCluster(_ cluster: SagaCluster) async throws -> [String: String] {
        var urls: [String: String] = [:]
        for service in ["order", "inventory", "payment", "notification"] {
            try await cluster.start(service, extra: ["--http", "127.0.0.1:0"])
            let child = try #require(cluster.child(service))
            urls[service] = try #require(httpURL(of: child), "no http= in the ready line: \(child.stdout)")
        }
        #expect(await eventually(timeout: processPatience, every: processPoll, "the mesh is up") { await cluster.meshIsUp() })
        return urls
    }

    /// `http://host:port` from a node's ready line.
    static func httpURL(of child: ChildProcess) -> String? {
        guard let line = child.stdout.split(separator: "\n").first(where: { $0.hasPrefix("ready ") }),
              let field = line.split(separator: " ").first(where: { $0.hasPrefix("http=") }) else { return nil }
        return "http://" + field.dropFirst("http=".count)
    }

    @Test("every route over HTTP/1.1")
    func everyRouteOverHTTP1() async throws {
        try await exerciseEveryRoute(with: .http1)
    }

    @Test("every route over HTTP/2 (h2c, nghttp)", .enabled(if: ExternalTool.nghttp != nil, "nghttp is not installed: apt-get install -y nghttp2-client"))
    func everyRouteOverHTTP2() async throws {
        try await exerciseEveryRoute(with: .http2)
    }

    func exerciseEveryRoute(with client: HTTPTestClient) async throws {
        let cluster = try SagaCluster()
        defer { Task { await cluster.stopAll() } }
        do {
            try await routes(client, cluster: cluster)
        } catch {
            await cluster.stopAll()
            throw error
        }
        await cluster.stopAll()
    }

    private func routes(_ client: HTTPTestClient, cluster: SagaCluster) async throws {
        let urls = try await Self.startCluster(cluster)
        let order = try #require(urls["order"])
        let inventory = try #require(urls["inventory"])
        let expectedVersion = client == .http1 ? "HTTP/1.1" : "HTTP/2"

        // GET /health
        let health = try await client.send("GET", order + "/health")
        #expect(health.status == 200)
        #expect(health.version.hasPrefix(expectedVersion), "\(health.version)")
        #expect(health.object["nodeID"] as? String == "order")
        #expect((health.object["connectedMembers"] as? [String])?.sorted() == ["inventory", "notification", "payment"])

        // GET / (the dashboard)
        let page = try await client.send("GET", order + "/")
        #expect(page.status == 200)
        #expect(page.headers["content-type"]?.hasPrefix("text/html") == true)
        #expect(page.text.contains("<title>Troupe dashboard</title>") && page.text.contains("new EventSource(\"/events\")"))
        for reference in ["src=", "<link", "@import", "url(http", "href=\"http"] {
            #expect(!page.text.contains(reference), "the page must be self-contained, found \(reference)")
        }

        // POST /orders → 202, then GET /orders/{id} until terminal, with its timeline
        let placed = try await client.send("POST", order + "/orders", json: #"{"customerID":"ada","sku":"widget","quantity":2}"#)
        #expect(placed.status == 202, "\(placed.text)")
        let orderID = try #require(placed.object["orderID"] as? String)
        let correlationID = try #require(placed.object["correlationID"] as? String)
        #expect(placed.headers["location"] == "/orders/\(orderID)")
        var details = HTTPReply(status: 0, headers: [:], body: Data(), version: "")
        #expect(await eventually(timeout: processPatience, every: processPoll, "order \(orderID) is terminal with its timeline") {
            guard let reply = try? await client.send("GET", order + "/orders/\(orderID)") else { return false }
            details = reply
            let nodes = Set(((reply.object["timeline"] as? [[String: Any]]) ?? []).compactMap { $0["nodeID"] as? String })
            return ["confirmed", "cancelled"].contains(reply.object["status"] as? String ?? "") && nodes.isSuperset(of: ["order", "inventory", "notification"])
        })
        #expect(details.status == 200)
        #expect(details.object["correlationID"] as? String == correlationID)
        // The same order seen through another node's ingress (asked over CONTROL).
        let elsewhere = try await client.send("GET", inventory + "/orders/\(orderID)")
        #expect(elsewhere.status == 200 && elsewhere.object["correlationID"] as? String == correlationID)
        // An order placed through a node that does not host the order service is forwarded.
        let forwarded = try await client.send("POST", inventory + "/orders", json: #"{"customerID":"grace","sku":"gadget","quantity":1}"#)
        #expect(forwarded.status == 202, "\(forwarded.text)")

        // GET /trace/{correlationId}: this node's rows, then the whole mesh's
        let trace = try await client.send("GET", order + "/trace/\(correlationID)")
        #expect(trace.status == 200)
        #expect(!trace.array.isEmpty && trace.array.allSatisfy { $0["nodeID"] as? String == "order" })
        let meshTrace = try await client.send("GET", order + "/trace/\(correlationID)?scope=mesh")
        #expect(Set(meshTrace.array.compactMap { $0["nodeID"] as? String }).count >= 3)

        // GET /stats, GET /stats?scope=mesh, GET /mesh
        let stats = try await client.send("GET", order + "/stats")
        #expect(stats.status == 200 && stats.object["nodeID"] as? String == "order")
        #expect(((stats.object["statistics"] as? [String: Any])?["handled"] as? Int ?? 0) > 0)
        let meshStats = try await client.send("GET", inventory + "/stats?scope=mesh")
        #expect((meshStats.object["nodes"] as? [String: Any])?.count == 4)
        let mesh = try await client.send("GET", payment(urls) + "/mesh")
        #expect((mesh.object["nodes"] as? [Any])?.count == 4)
        #expect((mesh.object["links"] as? [[String: Any]])?.count == 6)
        #expect(((mesh.object["orders"] as? [[String: Any]]) ?? []).contains { $0["orderID"] as? String == orderID })

        // GET /metrics parses as Prometheus text and carries the runtime's counters
        let metrics = try await client.send("GET", order + "/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.headers["content-type"]?.hasPrefix("text/plain") == true)
        let parsed = try PrometheusText(parsing: metrics.text)
        #expect(parsed.types["troupe_events_handled_total"] == "counter")
        #expect((parsed.value("troupe_events_handled_total", ["node": "order"]) ?? 0) > 0)
        #expect((parsed.value("troupe_events_published_total", ["node": "order"]) ?? 0) > 0)
        #expect(parsed.value("troupe_outbox_depth", ["node": "order"]) != nil)
        #expect((parsed.value("troupe_http_requests_total", ["route": "/orders", "status": "202"]) ?? 0) >= 1)

        // GET /dlq, POST /dlq/{id}/replay
        let dlq = try await client.send("GET", order + "/dlq")
        #expect(dlq.status == 200 && dlq.json is [Any])
        let replayAll = try await client.send("POST", order + "/dlq/all/replay")
        #expect(replayAll.status == 200 && (replayAll.object["replayed"] as? [Any])?.isEmpty == true)
        let missing = try await client.send("POST", order + "/dlq/987654/replay")
        #expect(missing.status == 404 && missing.errorCode == "dead_letter_not_found")

        // POST /faults, GET /faults, DELETE /faults (this node, then the mesh)
        let set = try await client.send("POST", order + "/faults?seed=7", json: #"{"links":[{"from":"notification","to":"*","delayMillis":1}]}"#)
        #expect(set.status == 200, "\(set.text)")
        #expect(((set.object["plan"] as? [String: Any])?["links"] as? [Any])?.count == 1)
        let status = try await client.send("GET", order + "/faults")
        #expect(((status.object["plan"] as? [String: Any])?["links"] as? [Any])?.count == 1)
        let cleared = try await client.send("DELETE", order + "/faults")
        #expect(cleared.status == 200 && ((cleared.object["plan"] as? [String: Any])?["links"] as? [Any])?.isEmpty == true)
        let partition = try await client.send("POST", order + "/faults?scope=mesh", json: #"{"links":[{"from":"payment","to":"*","bothWays":true,"partition":true}]}"#)
        #expect((partition.object["nodes"] as? [String: Any])?.count == 4, "\(partition.text)")
        let partitioned = try await client.send("GET", order + "/mesh")
        let links = (partitioned.object["links"] as? [[String: Any]]) ?? []
        #expect(links.filter { $0["condition"] as? String == "partitioned" }.count == 3)
        let healed = try await client.send("DELETE", order + "/faults?scope=mesh")
        #expect(healed.status == 200 && (healed.object["errors"] as? [String: Any])?.isEmpty == true)

        // GET /events: server-sent snapshots
        let stream = try await client.firstBytes(of: order + "/events", until: "event: snapshot")
        #expect(stream.contains("event: snapshot") && stream.contains("data: {"), "\(stream.prefix(500))")

        // Error routes: proper 4xx with a JSON error body
        let errors: [(String, String, String?, Int, String)] = [
            ("GET", "/no/such/route", nil, 404, "not_found"),
            ("DELETE", "/health", nil, 405, "method_not_allowed"),
            ("POST", "/orders", "{not json", 400, "malformed_json"),
            ("POST", "/orders", #"{"customerID":"ada","sku":"widget"}"#, 400, "malformed_json"),
            ("POST", "/orders", #"{"customerID":"ada","sku":"widget","quantity":0}"#, 422, "invalid_request"),
            ("POST", "/orders", #"{"customerID":"ada","sku":"unobtainium","quantity":1}"#, 422, "invalid_request"),
            ("POST", "/orders", "{\"customerID\":\"" + String(repeating: "x", count: 100_000) + "\",\"sku\":\"widget\",\"quantity\":1}", 413, "payload_too_large"),
            ("GET", "/orders/no-such-order", nil, 404, "order_not_found"),
            ("GET", "/trace/not-a-correlation-id", nil, 400, "invalid_correlation_id"),
            ("POST", "/dlq/seven/replay", nil, 400, "invalid_dead_letter_id"),
            ("POST", "/faults", "[1,", 400, "malformed_json"),
            ("POST", "/faults", #"{"links":[{"drop":7}]}"#, 422, "invalid_request"),
            ("GET", "/stats?scope=galaxy", nil, 400, "invalid_query"),
        ]
        for (method, path, body, code, errorCode) in errors {
            let reply: HTTPReply
            if let body {
                reply = try await client.send(method, order + path, json: body)
            } else {
                reply = try await client.send(method, order + path)
            }
            #expect(reply.status == code, "\(method) \(path): \(reply.status) \(reply.text.prefix(300))")
            #expect(reply.errorCode == errorCode, "\(method) \(path): \(reply.text.prefix(300))")
            #expect(reply.headers["content-type"] == "application/json", "\(method) \(path)")
        }
        let notAllowed = try await client.send("DELETE", order + "/health")
        #expect(notAllowed.headers["allow"] == "GET")
    }

    private func payment(_ urls: [String: String]) throws -> String { try #require(urls["payment"]) }
}
