import Foundation
import Synchronization
import NIOCore
import NIOPosix
import OrderSaga
import Testing
import Troupe
import TroupeMeshNIO
import TroupeWire

/// The four saga nodes as `troupe node` child processes, started and restarted by a test, and
/// read through CONTROL frames.
final class SagaCluster: Sendable {
    let directory: String
    private let children = SharedBox<[String: ChildProcess]>([:])
    private let addresses = SharedBox<[String: String]>([:])

    init() throws {
        directory = try TroupeExecutable.temporaryDirectory()
    }

    /// Starts `service` (its node id is the service name) on `port` (0: any), seeded with the order node.
    @discardableResult
    func start(_ service: String, extra: [String] = []) async throws -> String {
        let listen = addresses.value[service] ?? "127.0.0.1:0"
        var arguments = ["node", "--service", service, "--listen", listen, "--data", directory, "--log-level", "debug"]
        if service != "order", let seed = addresses.value["order"] { arguments += ["--seed", seed] }
        let child = try ChildProcess(arguments + extra)
        children.update { $0[service] = child }
        guard let address = await child.waitUntilReady() else {
            throw SagaClusterError("\(service) did not start: \(child.stderr.suffix(1500))")
        }
        addresses.update { $0[service] = address }
        return address
    }

    func child(_ service: String) -> ChildProcess? { children.value[service] }

    func stopAll() async {
        for child in children.value.values { await child.stop() }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Sends one CONTROL request to a node and decodes its JSON reply.
    func ask<Reply: Decodable>(_ service: String, _ command: String, payload: Data = Data(), as: Reply.Type) async throws -> Reply {
        guard let text = addresses.value[service], let address = PeerAddress(text) else { throw SagaClusterError("no address for \(service)") }
        let client = try await ControlClient.connect(to: address, on: MultiThreadedEventLoopGroup.singleton)
        let reply = try await client.request(command, payload: ByteBuffer(bytes: payload))
        await client.close()
        guard reply.status == ControlStatus.ok else { throw SagaClusterError("\(service) refused \(command): \(String(buffer: reply.payload))") }
        return try JSONDecoder().decode(Reply.self, from: Data(reply.payload.readableBytesView))
    }

    func place(_ order: OrderPlaced) async throws {
        let body = String(decoding: try JSONEncoder().encode(order), as: UTF8.self)
        let request = PublishRequest(type: OrderPlaced.eventType, subject: order.orderID, body: body)
        _ = try await ask("order", ControlCommand.publish, payload: try JSONEncoder().encode(request), as: PublishReply.self)
    }

    func stats(_ service: String) async -> NodeStatusReply? {
        try? await ask(service, ControlCommand.stats, as: NodeStatusReply.self)
    }

    /// Every node connected to the other three.
    func meshIsUp() async -> Bool {
        for service in ["order", "inventory", "payment", "notification"] {
            guard let stats = await stats(service), stats.connectedMembers.count == 3 else { return false }
        }
        return true
    }

    func snapshot(placed: [String]) async throws -> SagaSnapshot {
        var nodes: [NodeDeliveryStatus] = []
        for service in ["order", "inventory", "payment", "notification"] {
            guard let stats = await stats(service) else { throw SagaClusterError("\(service) does not answer") }
            nodes.append(NodeDeliveryStatus(nodeID: service, outboxDepth: stats.statistics.outboxDepth, deadLetterCount: stats.statistics.deadLetterDepth))
        }
        return SagaSnapshot(
            placedOrderIDs: placed, initialStock: SagaConfiguration.standard.initialStock,
            orders: try await ask("order", ControlCommand.state, as: OrderBook.self),
            inventory: try await ask("inventory", ControlCommand.state, as: StockLedger.self),
            payments: try await ask("payment", ControlCommand.state, as: PaymentLedger.self),
            notifications: try await ask("notification", ControlCommand.state, as: NotificationLog.self),
            nodes: nodes
        )
    }

    /// Every placed order terminal and every outbox empty.
    func settled(_ placed: [String]) async -> Bool {
        guard let book = try? await ask("order", ControlCommand.state, as: OrderBook.self),
              placed.allSatisfy({ [.confirmed, .cancelled].contains(book.status(of: $0)) }) else { return false }
        for service in ["order", "inventory", "payment", "notification"] {
            guard let stats = await stats(service), stats.statistics.outboxDepth == 0 else { return false }
        }
        return true
    }
}

struct SagaClusterError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

final class SharedBox<Value: Sendable>: Sendable {
    private let storage: Mutex<Value>
    init(_ value: Value) { storage = Mutex(value) }
    var value: Value { storage.withLock { $0 } }
    func update<R>(_ body: (inout Value) -> R) -> R { storage.withLock { body(&$0) } }
}

/// How long a process test waits for a condition: node processes start, mesh and settle
/// slowly on a busy 2-core machine.
let processPatience: Duration = .seconds(90)
/// How often a process test asks its nodes again (each ask is a request to every node).
let processPoll: Duration = .milliseconds(100)
