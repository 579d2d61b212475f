import Foundation
import OrderSaga
import Troupe
import TroupeWire

/// Reads the live cluster over CONTROL frames: counters, and the four states for the checker.
struct DemoProbe {
    let cluster: DemoCluster

    /// `stats` of every node (nodes that do not answer are left out).
    func statistics() async -> [NodeStatusReply] {
        var replies: [NodeStatusReply] = []
        for (nodeID, address) in cluster.listenAddresses.sorted(by: { $0.key < $1.key }) {
            guard let session = try? await ControlSession.open(address) else { continue }
            if let reply = try? await session.request(ControlCommand.stats, as: NodeStatusReply.self) { replies.append(reply) }
            await session.close()
            _ = nodeID
        }
        return replies
    }

    /// The `state` of one node, decoded.
    func state<State: Decodable>(of nodeID: String, as type: State.Type) async throws -> State {
        guard let address = cluster.listenAddresses[nodeID] else { throw CommandFailure("no node \(nodeID)") }
        return try await ControlSession.with(address) { try await $0.request(ControlCommand.state, as: State.self) }
    }

    /// One line per dead letter of every node: where, which event, and why.
    func deadLetterReasons() async -> [String] {
        var lines: [String] = []
        for (nodeID, address) in cluster.listenAddresses.sorted(by: { $0.key < $1.key }) {
            guard let session = try? await ControlSession.open(address) else { continue }
            let letters = (try? await session.request(ControlCommand.deadLetterList, as: [DeadLetterSummary].self)) ?? []
            await session.close()
            lines += letters.map { "\(nodeID) → \($0.group): \($0.event.type) \($0.event.subject) after \($0.attempts) attempt(s): \($0.reason): \($0.lastError.prefix(120))\($0.lastError.count > 120 ? "…" : "")" }
        }
        return lines
    }

    /// Everything the saga checker needs.
    func snapshot(placedOrderIDs: [String], world: SagaConfiguration) async throws -> SagaSnapshot {
        let statistics = await statistics()
        return SagaSnapshot(
            placedOrderIDs: placedOrderIDs, initialStock: world.initialStock,
            orders: try await state(of: "order", as: OrderBook.self),
            inventory: try await state(of: "inventory", as: StockLedger.self),
            payments: try await state(of: "payment", as: PaymentLedger.self),
            notifications: try await state(of: "notification", as: NotificationLog.self),
            nodes: statistics.map {
                NodeDeliveryStatus(nodeID: $0.nodeID, outboxDepth: $0.statistics.outboxDepth, deadLetterCount: $0.statistics.deadLetterDepth)
            }
        )
    }
}
