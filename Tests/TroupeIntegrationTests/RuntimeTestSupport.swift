import Foundation
import Logging
import NIOCore
import NIOPosix
import Synchronization
import Testing
import Troupe
import TroupeMesh
import TroupeMeshNIO
import TroupeWire

/// Fast knobs so redelivery paths finish in well under a second.
let fastPolicy = DeliveryPolicy(
    ackTimeout: .milliseconds(400), maxDeliveries: 3,
    backoff: RetryBackoff(initialDelay: .milliseconds(20), multiplier: 2, maximumDelay: .milliseconds(200), jitter: .proportional(0.2)),
    retention: .seconds(60)
)

func testLogger() -> Logger {
    var logger = Logger(label: "test")
    logger.logLevel = ProcessInfo.processInfo.environment["TROUPE_TEST_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .critical
    return logger
}

/// A running node of service `S` on a loopback mesh node, with its run loop in a task.
struct RunningService<S: ServiceDefinition> {
    let mesh: MeshNode
    let node: Node<S>
    let store: any NodeStore
    let runTask: Task<Void, any Error>

    static func start(
        _ service: S, nodeID: String? = nil, port: UInt16 = 0, seeds: [PeerAddress] = [],
        store: (any NodeStore)? = nil, hook: any LinkHook = PassThroughLinkHook(),
        on group: MultiThreadedEventLoopGroup, policy: DeliveryPolicy = fastPolicy, clock: any NodeClock = SystemNodeClock(),
        configuration: NodeConfiguration? = nil
    ) async throws -> RunningService<S> {
        let id = nodeID ?? S.name
        let filters = ContentFilterCache()
        let identity = NodeIdentity(nodeID: id, service: S.name, incarnation: UInt64(Date().timeIntervalSince1970 * 1e6),
                                    listenAddress: PeerAddress(host: "127.0.0.1", port: port))
        let mesh = try await MeshNode.start(
            configuration: MeshConfiguration(identity: identity, seeds: seeds, heartbeatInterval: .milliseconds(200), failureTimeout: .seconds(3)),
            on: group.next(), hook: hook, filter: filters, logger: testLogger()
        )
        let store = store ?? InMemoryNodeStore(nodeID: id)
        let node = try await Node(service: service, mesh: mesh, store: store,
                                  configuration: configuration ?? NodeConfiguration(defaultDeliveryPolicy: policy), clock: clock, logger: testLogger())
        let runTask = Task { try await node.run() }
        return RunningService(mesh: mesh, node: node, store: store, runTask: runTask)
    }

    var address: PeerAddress { mesh.identity.listenAddress }

    func stop() async {
        await mesh.shutdown()
        _ = try? await runTask.value
    }
}

/// A thread-safe box tests share with handlers.
final class Shared<Value: Sendable>: Sendable {
    private let storage: Mutex<Value>
    init(_ value: Value) { storage = Mutex(value) }
    var value: Value { storage.withLock { $0 } }
    func update<R>(_ body: (inout Value) -> R) -> R { storage.withLock { body(&$0) } }
}
