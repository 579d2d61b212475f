import Foundation
import Logging
import Testing
import Troupe
import TroupeChaos
@testable import TroupeHTTP
import TroupeHost
import TroupeWire

/// The API's routing and error mapping against a node stand-in (the real node is exercised over
/// HTTP/1.1 and HTTP/2 by the process tests).
@Suite("Admin API routing and errors")
struct AdminAPITests {
    /// A stand-in node that records the CONTROL commands it gets.
    final class FakeNode: Sendable {
        let commands = Mutex<[String]>([])
        var administration: NodeAdministration {
            NodeAdministration(
                identity: NodeIdentity(nodeID: "n1", service: "order", incarnation: 1, listenAddress: PeerAddress(host: "127.0.0.1", port: 1)),
                control: { [self] command, payload in
                    commands.withLock { $0.append(command) }
                    switch command {
                    case ControlCommand.stats:
                        let reply = NodeStatusReply(nodeID: "n1", service: "order", statistics: NodeStatistics(), connectedMembers: [], knownGroups: [])
                        return ControlOutcome(status: ControlStatus.ok, payload: try! JSONEncoder().encode(reply))
                    case ControlCommand.deadLetterReplay:
                        return ControlOutcome(status: ControlStatus.ok, payload: Data("[]".utf8))
                    case ChaosControlCommand.set:
                        let update = try! JSONDecoder().decode(FaultPlanUpdate.self, from: payload)
                        let status = FaultStatus(nodeID: "n1", plan: update.plan, links: LinkFaultCounters(), handlers: HandlerFaultCounters(), checksumFailures: 0, framesRejected: 0)
                        return ControlOutcome(status: ControlStatus.ok, payload: try! JSONEncoder().encode(status))
                    case ControlCommand.trace:
                        return ControlOutcome(status: ControlStatus.failed, payload: Data(#""disk on fire""#.utf8))
                    default:
                        return ControlOutcome(status: ControlStatus.unknownCommand, payload: Data(#""unknown""#.utf8))
                    }
                },
                connectedMembers: { [] }
            )
        }
    }

    func call(_ api: AdminAPI, _ method: String, _ target: String, body: String = "") async -> (status: Int, code: String?, body: String, headers: [String: String]) {
        let response = await api.respond(method: method, target: target, body: Data(body.utf8))
        guard case .data(let data) = response.body else { return (response.status, nil, "<stream>", response.headers) }
        let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        let code = (object?["error"] as? [String: Any])?["code"] as? String
        return (response.status, code, String(decoding: data, as: UTF8.self), response.headers)
    }

    @Test func clientMistakesGetTypedJSONErrors() async {
        let node = FakeNode()
        let api = AdminAPI(node: node.administration, configuration: .init(maximumBodyBytes: 1024))
        let cases: [(String, String, String, Int, String)] = [
            ("GET", "/nope", "", 404, "not_found"),
            ("PUT", "/faults", "", 405, "method_not_allowed"),
            ("POST", "/faults", "{not json", 400, "malformed_json"),
            ("POST", "/faults", #"{"links":[{"drop":3}]}"#, 422, "invalid_request"),
            ("POST", "/faults?seed=minus", #"{}"#, 400, "invalid_query"),
            ("GET", "/faults?scope=galaxy", "", 400, "invalid_query"),
            ("POST", "/dlq/seven/replay", "", 400, "invalid_dead_letter_id"),
            ("POST", "/dlq/7/replay", "", 404, "dead_letter_not_found"),
            ("GET", "/trace/not-an-id", "", 400, "invalid_correlation_id"),
            ("GET", "/trace/01JD3V9Q3M8ZK4X2B7N5R6T0WA", "", 500, "command_failed"),
            ("GET", "/metrics", "", 503, "metrics_unavailable"),
            ("GET", "/dlq", "", 501, "not_supported"),
        ]
        for (method, target, body, status, code) in cases {
            let result = await call(api, method, target, body: body)
            #expect(result.status == status, "\(method) \(target): \(result.body)")
            #expect(result.code == code, "\(method) \(target): \(result.body)")
            #expect(result.headers["Content-Type"] == "application/json")
        }
        #expect(await call(api, "PUT", "/faults").headers["Allow"] == "GET, POST, DELETE")
    }

    @Test func goodRequestsReachTheNodesControlCommands() async throws {
        let node = FakeNode()
        let api = AdminAPI(node: node.administration, configuration: .init(metrics: { "# TYPE x counter\nx 1\n" }))
        let stats = await call(api, "GET", "/stats")
        #expect(stats.status == 200)
        #expect(stats.body.contains(#""nodeID":"n1""#))
        let faults = await call(api, "POST", "/faults?seed=9", body: #"{"links":[{"from":"payment","partition":true}]}"#)
        #expect(faults.status == 200)
        #expect(faults.body.contains(#""partition":true"#))
        let all = await call(api, "POST", "/dlq/all/replay")
        #expect(all.status == 200 && all.body == #"{"replayed":[]}"#)
        let metrics = await call(api, "GET", "/metrics")
        #expect(metrics.status == 200 && metrics.body.contains("x 1"))
        let health = await call(api, "GET", "/health")
        #expect(health.status == 200 && health.body.contains(#""status":"ok""#))
        let page = await api.respond(method: "GET", target: "/")
        #expect(page.headers["Content-Type"]?.hasPrefix("text/html") == true)
        #expect(node.commands.withLock { $0 } == [ControlCommand.stats, ChaosControlCommand.set, ControlCommand.deadLetterReplay])
    }

    @Test func meshScopeCollectsEveryNodesAnswer() async throws {
        let node = FakeNode()
        let api = AdminAPI(node: node.administration)
        let result = await call(api, "GET", "/stats?scope=mesh")
        #expect(result.status == 200)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.body.utf8)) as? [String: Any])
        #expect((object["nodes"] as? [String: Any])?["n1"] != nil)
        #expect((object["errors"] as? [String: Any])?.isEmpty == true)
    }

    @Test func anOverloadedNodeIsA503WithRetryAfter() {
        let outcome = ControlOutcome(status: ControlStatus.overloaded, payload: Data(#""node order is overloaded: 35 events wait for delivery capacity; retry later""#.utf8))
        #expect(throws: APIError(status: 503, code: "overloaded", message: "node order is overloaded: 35 events wait for delivery capacity; retry later",
                                 headers: ["Retry-After": "1"])) {
            try outcome.ensureOK(command: ControlCommand.publish)
        }
    }

    @Test func jsonLogLinesCarryTheMetadata() throws {
        let lines = Mutex<[String]>([])
        var logger = Logger(label: "troupe") { label in JSONLogHandler(label: label) { line in lines.withLock { $0.append(line) } } }
        logger[metadataKey: "node"] = "inventory"
        logger.info("handled", metadata: ["correlation_id": "01JD3V9Q3M8ZK4X2B7N5R6T0WA", "event_id": "01JD3V9Q3M8ZK4X2B7N5R6T0WB", "causation_id": "01JD3V9Q3M8ZK4X2B7N5R6T0WC"])
        let line = try #require(lines.withLock { $0.first })
        #expect(line.hasSuffix("\n") && !line.dropLast().contains("\n"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String])
        #expect(object["node"] == "inventory")
        #expect(object["message"] == "handled")
        #expect(object["level"] == "info")
        #expect(object["correlation_id"] == "01JD3V9Q3M8ZK4X2B7N5R6T0WA")
        #expect(object["event_id"] == "01JD3V9Q3M8ZK4X2B7N5R6T0WB")
        #expect(object["causation_id"] == "01JD3V9Q3M8ZK4X2B7N5R6T0WC")
        #expect(object["ts"]?.hasSuffix("Z") == true)
    }
}

import Synchronization

@Suite("Mesh membership as the API sees it")
struct MeshControlMembershipTests {
    @Test func aNodeThatDropsOutOfTheMeshStaysListedAndClientsAreLeftOut() async {
        let connected = Mutex<[NodeIdentity]>([
            NodeIdentity(nodeID: "payment", service: "payment", incarnation: 1, listenAddress: PeerAddress(host: "127.0.0.1", port: 7103)),
            NodeIdentity(nodeID: "troupe-cli-1", service: "troupe-cli", incarnation: 1, listenAddress: PeerAddress(host: "0.0.0.0", port: 0)),
        ])
        let local = NodeAdministration(
            identity: NodeIdentity(nodeID: "order", service: "order", incarnation: 1, listenAddress: PeerAddress(host: "127.0.0.1", port: 7101)),
            control: { _, _ in ControlOutcome(status: ControlStatus.ok, payload: Data("{}".utf8)) },
            connectedMembers: { connected.withLock { $0 } }
        )
        let mesh = MeshControl(local: local)
        #expect(await mesh.members().map(\.nodeID) == ["order", "payment"])
        connected.withLock { $0 = [] }
        #expect(await mesh.members().map(\.nodeID) == ["order", "payment"], "a partitioned node is still shown")
        connected.withLock { $0 = [NodeIdentity(nodeID: "payment", service: "payment", incarnation: 2, listenAddress: PeerAddress(host: "127.0.0.1", port: 7203))] }
        #expect(await mesh.members().first { $0.nodeID == "payment" }?.listenAddress.port == 7203, "a restarted node is asked at its new address")
        #expect(await mesh.member(hosting: "payment")?.incarnation == 2)
    }
}
