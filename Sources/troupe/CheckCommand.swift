import ArgumentParser
import Foundation
import OrderSaga
import Troupe
import TroupeStore
import TroupeWire

/// `troupe check`: the saga's invariants over the nodes' stores or a live mesh.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check the order saga's invariants on a run's data.",
        discussion: """
            Reads the four services' state, outbox and dead letters — from the SQLite files in a
            data directory (`troupe demo --data DIR` keeps them; nodes may still be running), or
            from live nodes over CONTROL frames — and prints each invariant with pass/fail and
            counterexamples. Exits 1 if any invariant fails. The placed orders are the
            OrderPlaced events in the order node's archive.
            """
    )

    @Option(help: "The nodes' data directory (files order.sqlite, inventory.sqlite, ...).") var data: String?
    @Option(name: .customLong("node"), help: "A live node, host:port. Give all four.", transform: NodeAddressOption.parse)
    var nodes: [PeerAddress] = []
    @Flag(help: "Print the results as JSON.") var json = false

    func run() async throws {
        let source = try NodeDataSource(data: data, nodes: nodes)
        let snapshot = try await Self.snapshot(from: source)
        let results = SagaInvariantChecker().check(snapshot)
        if json {
            print(String(decoding: try JSONEncoder.pretty.encode(results), as: UTF8.self))
        } else {
            print("\(snapshot.placedOrderIDs.count) orders placed")
            print(SagaInvariantChecker().report(results))
        }
        if !results.allSatisfy({ $0.passed }) { throw ExitCode(1) }
    }

    static func snapshot(from source: NodeDataSource) async throws -> SagaSnapshot {
        var states: [String: Data] = [:]
        var stateRecords: [String: [String: Data]] = [:]
        var statuses: [NodeDeliveryStatus] = []
        switch source {
        case .directory(let directory):
            for service in SagaRole.allCases.map(\.rawValue) {
                guard FileManager.default.fileExists(atPath: "\(directory)/\(service).sqlite") else {
                    throw CommandFailure("no \(service).sqlite in \(directory)")
                }
                let store = try NodeDataSource.store(service, in: directory)
                let loaded = try await store.loadSnapshot(nowMicros: Int64(Date().timeIntervalSince1970 * 1_000_000))
                states[service] = loaded.state
                stateRecords[service] = loaded.stateRecords
                statuses.append(NodeDeliveryStatus(nodeID: service, outboxDepth: loaded.outbox.count, deadLetterCount: try await store.deadLetters().count))
            }
        case .live(let addresses):
            for address in addresses {
                let session = try await ControlSession.open(address)
                let stats = try await session.request(ControlCommand.stats, as: NodeStatusReply.self)
                states[stats.service] = try await session.rawReply(ControlCommand.state)
                statuses.append(NodeDeliveryStatus(nodeID: stats.nodeID, outboxDepth: stats.statistics.outboxDepth, deadLetterCount: stats.statistics.deadLetterDepth))
                await session.close()
            }
        }
        /// A stored state: from its records (keyed states), its JSON document, or — for a node
        /// that never committed anything — its initial state.
        func decode<T: KeyedState>(_ service: String, _ type: T.Type, initial: T) throws -> T {
            do {
                if let records = stateRecords[service], !records.isEmpty { return try T(records: records) }
                if let data = states[service] { return try JSONDecoder().decode(T.self, from: data) }
            } catch {
                throw CommandFailure("the \(service) state does not decode as \(T.self): \(error)")
            }
            guard stateRecords[service] != nil else { throw CommandFailure("no \(service) node among the ones given") }
            return initial
        }
        let archive = try await source.recentArchive(limit: 1_000_000)
        let placed = archive.filter { $0.direction == "published" && $0.event.type == OrderPlaced.eventType }
            .sorted { $0.atMicros < $1.atMicros }.map(\.event.subject)
        var seen = Set<String>()
        return SagaSnapshot(
            placedOrderIDs: placed.filter { seen.insert($0).inserted },
            initialStock: SagaConfiguration.standard.initialStock,
            orders: try decode("order", OrderBook.self, initial: OrderBook()),
            inventory: try decode("inventory", StockLedger.self, initial: SagaConfiguration.standard.inventoryService().initialState()),
            payments: try decode("payment", PaymentLedger.self, initial: PaymentLedger()),
            notifications: try decode("notification", NotificationLog.self, initial: NotificationLog()),
            nodes: statuses
        )
    }
}
