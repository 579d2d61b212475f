import Foundation
public import Logging
import NIOCore
import NIOPosix
public import ServiceLifecycle
public import Troupe
import TroupeChaos
import TroupeMesh
public import TroupeMeshNIO
import TroupeStore
import TroupeWire

/// Runs one Troupe node as a swift-service-lifecycle `Service`: the composition root that wires
/// the store (SQLite or memory), the TCP mesh and the runtime node together.
///
/// Start order: store (load snapshot), mesh listener, node (restore outbox), run loop.
/// Shutdown order (on graceful shutdown, e.g. SIGTERM via a `ServiceGroup`): the mesh says
/// goodbye to every peer and closes, which ends the node's run loop after it flushed its pending
/// acks; then the event loop stops. Committed work is already durable; in-flight deliveries are
/// redelivered by their publishers.
public struct NodeHost<S: ServiceDefinition>: Service {
    /// The service to host.
    public let service: S
    /// How to host it.
    public let configuration: HostConfiguration
    private let started: (@Sendable (NodeHostHandle<S>) async -> Void)?

    /// Creates a host; `started` is called once the node is listening (e.g. to print its address).
    public init(service: S, configuration: HostConfiguration, started: (@Sendable (NodeHostHandle<S>) async -> Void)? = nil) {
        self.service = service
        self.configuration = configuration
        self.started = started
    }

    /// Runs until graceful shutdown (or until the mesh stops).
    public func run() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        do {
            try await runNode(on: group)
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
        try await group.shutdownGracefully()
    }

    private func runNode(on group: MultiThreadedEventLoopGroup) async throws {
        var logger = configuration.logger
        logger[metadataKey: "node"] = "\(configuration.nodeID)"
        let store = try makeStore()
        let identity = NodeIdentity(
            nodeID: configuration.nodeID, service: S.name,
            incarnation: UInt64(Date().timeIntervalSince1970 * 1_000_000), listenAddress: configuration.listenAddress
        )
        let filters = ContentFilterCache()
        let chaos = ChaosController(nodeID: configuration.nodeID, service: S.name, plan: configuration.faultPlan, seed: configuration.chaosSeed)
        let mesh = try await MeshNode.start(
            configuration: MeshConfiguration(
                identity: identity, seeds: configuration.seeds,
                heartbeatInterval: TimeAmount(configuration.heartbeatInterval),
                failureTimeout: TimeAmount(configuration.failureTimeout)
            ),
            on: group.next(), hook: chaos.linkHook, filter: filters, logger: logger
        )
        let node: Node<S>
        do {
            node = try await Node(service: service, mesh: mesh, store: store, configuration: configuration.node, clock: chaos.clock, logger: logger)
        } catch {
            await mesh.shutdown()
            throw error
        }
        let chaosCrash = chaos.afterCommitHook(crash: CrashAfterCommits.crash(after:))
        let processFlagCrash = configuration.crashAfterHandled.map { CrashAfterCommits(limit: $0).hook }
        await node.setAfterCommitHook { envelope in
            await chaosCrash(envelope)
            await processFlagCrash?(envelope)
        }
        await node.setHandlerFaultHook(chaos.handlers.hook)
        await node.setControlExtension(chaos.controlExtension(meshStatistics: { await mesh.statistics() }))
        await started?(NodeHostHandle(node: node, mesh: mesh))
        try await withGracefulShutdownHandler {
            try await node.run()
        } onGracefulShutdown: {
            Task { await mesh.shutdown() }
        }
    }

    private func makeStore() throws -> any NodeStore {
        guard let directory = configuration.dataDirectory else {
            return InMemoryNodeStore(nodeID: configuration.nodeID,
                                     archiveCapacity: configuration.archiveCapacity ?? InMemoryNodeStore.defaultArchiveCapacity)
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw StoreError(code: .storageFailure, message: "cannot create data directory \(directory): \(error.localizedDescription)")
        }
        return try SQLiteNodeStore(path: "\(directory)/\(configuration.nodeID).sqlite", nodeID: configuration.nodeID,
                                   archiveCapacity: configuration.archiveCapacity ?? SQLiteNodeStore.defaultArchiveCapacity)
    }
}

/// What a ``NodeHost`` hands its `started` callback: the running node and its mesh.
public struct NodeHostHandle<S: ServiceDefinition>: Sendable {
    /// The runtime node.
    public let node: Node<S>
    /// The mesh node underneath.
    public let mesh: MeshNode
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
