import Foundation
import Logging
import NIOCore
import NIOPosix
import Testing
import Troupe
import TroupeMesh
import TroupeMeshNIO
import TroupeWire

// The minimal loopback support of Tests/TroupeIntegrationTests/RuntimeTestSupport.swift
// (test targets cannot import each other).

/// Quiet unless `TROUPE_TEST_LOG` names a level.
func testLogger() -> Logger {
    var logger = Logger(label: "saga-test")
    logger.logLevel = ProcessInfo.processInfo.environment["TROUPE_TEST_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .critical
    return logger
}

/// An envelope of `type` to ask a mesh which groups want it.
func probe(_ type: String, body: String = "{}") -> Envelope {
    Envelope(eventID: EventID(high: 1, low: 1), type: type, source: "probe", correlationID: EventID(high: 1, low: 1),
             occurredAtMicros: 0, body: ByteBuffer(string: body))
}

/// A running node of service `S` on a loopback mesh node, with its run loop in a task.
struct RunningService<S: ServiceDefinition> {
    let mesh: MeshNode
    let node: Node<S>
    let runTask: Task<Void, any Error>

    static func start(
        _ service: S, seeds: [PeerAddress] = [], hook: any LinkHook = PassThroughLinkHook(),
        on group: MultiThreadedEventLoopGroup, policy: DeliveryPolicy
    ) async throws -> RunningService<S> {
        let identity = NodeIdentity(nodeID: S.name, service: S.name, incarnation: UInt64(Date().timeIntervalSince1970 * 1e6),
                                    listenAddress: PeerAddress(host: "127.0.0.1", port: 0))
        let mesh = try await MeshNode.start(
            configuration: MeshConfiguration(identity: identity, seeds: seeds, heartbeatInterval: .milliseconds(200),
                                             failureTimeout: .seconds(3)),
            on: group.next(), hook: hook, filter: ContentFilterCache(), logger: testLogger()
        )
        let node = try await Node(service: service, mesh: mesh, store: InMemoryNodeStore(nodeID: S.name),
                                  configuration: NodeConfiguration(defaultDeliveryPolicy: policy), logger: testLogger())
        let runTask = Task { try await node.run() }
        return RunningService(mesh: mesh, node: node, runTask: runTask)
    }

    var address: PeerAddress { mesh.identity.listenAddress }

    func stop() async {
        await mesh.shutdown()
        _ = try? await runTask.value
    }
}

/// Writes every outbound EVENT frame twice, the copy a few milliseconds late: each delivery
/// arrives again, sometimes after later events (a small dose of at-least-once reality).
struct DuplicatingHook: LinkHook {
    func outbound(_ frame: Frame, encodedSize: Int, link: LinkEndpoints) -> LinkHookDecision {
        guard case .event = frame else { return .pass }
        return LinkHookDecision(copies: [.init(), .init(delay: .milliseconds(3))])
    }

    func inbound(_ frame: Frame, link: LinkEndpoints) -> LinkHookDecision { .pass }
}
