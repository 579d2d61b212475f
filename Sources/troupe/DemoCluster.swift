import Foundation
import Synchronization
import OrderSaga
import Troupe
import TroupeWire

/// The four saga nodes of a demo as child processes: started in order (the order node first,
/// the others seeded with its address), crashed and restarted on request, always stopped.
final class DemoCluster: Sendable {
    let dataDirectory: String
    let nodes: [NodeProcess]
    private let addresses = SendableBox<[String: PeerAddress]>([:])

    /// `httpBasePort`: nil, no HTTP; 0, every node serves HTTP on a free port; N, node i on N+i.
    init(dataDirectory: String, logLevel: String, placement: DemoPlacement = DemoPlacement(), httpBasePort: Int? = nil) {
        self.httpBasePort = httpBasePort
        self.dataDirectory = dataDirectory
        self.nodes = SagaRole.allCases.map { role in
            NodeProcess(service: role.rawValue, nodeID: role.rawValue, arguments: [], logPath: "\(dataDirectory)/\(role.rawValue).log")
        }
        self.logLevel = logLevel
        self.placement = placement
    }

    private let logLevel: String
    private let placement: DemoPlacement
    private let httpBasePort: Int?
    private let httpPorts = SendableBox<[String: PeerAddress]>([:])

    /// Where each node serves HTTP, by node id (empty without `httpBasePort`).
    var httpAddresses: [String: PeerAddress] { httpPorts.value }

    /// Where each node listens, by node id.
    var listenAddresses: [String: PeerAddress] { addresses.value }

    /// The order node's address (orders are published there).
    var orderAddress: PeerAddress { addresses.value["order"]! }

    /// Starts every node; the order node first on a free port, the rest seeded with it.
    func start() async throws {
        for node in nodes {
            try await start(node)
        }
    }

    private func start(_ node: NodeProcess) async throws {
        let listen = addresses.value[node.nodeID] ?? PeerAddress(host: placement.host(of: node.nodeID), port: 0)
        var arguments = ["node", "--service", node.service, "--id", node.nodeID, "--listen", "\(listen)",
                         "--data", dataDirectory, "--log-level", logLevel]
        if node.nodeID != "order", let seed = addresses.value["order"] { arguments += ["--seed", "\(seed)"] }
        if let httpBasePort {
            let index = nodes.firstIndex { $0.nodeID == node.nodeID } ?? 0
            let http = httpPorts.value[node.nodeID] ?? PeerAddress(host: placement.host(of: node.nodeID), port: httpBasePort == 0 ? 0 : UInt16(httpBasePort + index))
            arguments += ["--http", "\(http)"]
        }
        let process = NodeProcess(service: node.service, nodeID: node.nodeID, arguments: arguments, logPath: node.logPath,
                                  wrapper: placement.wrapper(for: node.nodeID))
        running.update { $0[node.nodeID] = process }
        let address = try await process.start()
        addresses.update { $0[node.nodeID] = address }
        if let http = process.httpAddress { httpPorts.update { $0[node.nodeID] = http } }
    }

    private let running = SendableBox<[String: NodeProcess]>([:])

    /// Kills `nodeID` with SIGKILL (no goodbye, no flush: a crash).
    func crash(_ nodeID: String) async {
        guard let process = running.value[nodeID] else { return }
        process.signal(SIGKILL)
        _ = await process.waitForExit()
    }

    /// Whether `nodeID`'s process is alive.
    func isRunning(_ nodeID: String) -> Bool { running.value[nodeID]?.isRunning ?? false }

    /// Starts `nodeID` again on the same port with the same data directory.
    func restart(_ nodeID: String) async throws {
        guard let node = nodes.first(where: { $0.nodeID == nodeID }) else { return }
        restarted.update { $0.insert(nodeID) }
        try await start(node)
    }

    private let restarted = SendableBox<Set<String>>([])

    /// Nodes restarted at least once, sorted.
    var restartedNodeIDs: [String] { restarted.value.sorted() }

    /// Stops every node (SIGTERM, then SIGKILL after a grace period).
    func stop() async {
        await withTaskGroup(of: Void.self) { group in
            for process in running.value.values { group.addTask { await process.stop() } }
        }
    }

    /// Kills every node at once; for signal handlers, where there is no time to wait.
    func killAll() {
        for process in running.value.values { process.signal(SIGKILL) }
    }

    /// Process ids still alive, for the no-leftovers check.
    var anyRunning: Bool { running.value.values.contains { $0.isRunning } }
}

/// A value behind a lock, for small shared bookkeeping.
final class SendableBox<Value: Sendable>: Sendable {
    private let storage: Mutex<Value>
    init(_ value: Value) { storage = Mutex(value) }
    var value: Value { storage.withLock { $0 } }
    func update<R>(_ body: (inout Value) -> R) -> R { storage.withLock { body(&$0) } }
}
