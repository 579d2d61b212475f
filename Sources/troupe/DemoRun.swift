import Foundation
import OrderSaga
import Troupe
import TroupeChaos
import TroupeWire

/// One demo run against a started cluster: wait for the mesh, place orders, watch, report.
struct DemoRun {
    let command: DemoCommand
    let cluster: DemoCluster
    let dataDirectory: String
    /// The compiled `--scenario`, if any.
    var timeline: ScenarioTimeline?
    /// Whether to print a progress line on stderr every half second.
    var showsProgress = true

    func run() async throws -> DemoReport {
        let probe = DemoProbe(cluster: cluster)
        try await waitForMesh(probe)
        let world = SagaConfiguration.standard
        var generator = OrderGenerator(seed: command.seed, configuration: world)
        let orders = generator.orders(command.orders)
        let started = ContinuousClock.now
        let faults = SendableBox<[String]>([])
        let faultTask = scheduleCrash(started: started, faults: faults)
        let scenarioTask = timeline.map { timeline in
            Task { try await DemoScenario(cluster: cluster, timeline: timeline).run(started: started, applied: faults) }
        }
        let progress = Task { if showsProgress { await showProgress(probe, total: orders.count, started: started) } }
        defer {
            progress.cancel()
            faultTask?.cancel()
            scenarioTask?.cancel()
        }

        if command.via == .http {
            try await placeViaHTTP(orders, started: started)
        } else {
            try await place(orders, started: started)
        }
        try await faultTask?.value
        try await scenarioTask?.value
        try await waitUntilSettled(probe, orderIDs: orders.map(\.orderID), started: started)
        let settled = ContinuousClock.now
        progress.cancel()
        _ = await progress.value
        let chaos = await DemoScenario.statuses(cluster)
        let deadLetters = await probe.deadLetterReasons()

        let wall = ContinuousClock.now - started
        let snapshot = try await probe.snapshot(placedOrderIDs: orders.map(\.orderID), world: world)
        let results = SagaInvariantChecker().check(snapshot)
        let statistics = await probe.statistics()
        let handled = statistics.reduce(0) { $0 + $1.statistics.handled }
        let seconds = Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18
        let statuses = orders.map { snapshot.orders.status(of: $0.orderID) }
        let timelineLines: [String] = timeline?.lines ?? []
        var convergence: Double?
        if let timeline { convergence = Self.millis(settled - (started + .milliseconds(timeline.lastHealMillis))) }
        let checksumFailures: Int = chaos.reduce(0) { $0 + $1.checksumFailures }
        var linkFaults = LinkFaultCounters()
        var handlerFaults = HandlerFaultCounters()
        for status in chaos {
            linkFaults.add(status.links)
            handlerFaults.add(status.handlers)
        }
        return DemoReport(
            orders: orders.count,
            confirmed: statuses.filter { $0 == .confirmed }.count,
            cancelled: statuses.filter { $0 == .cancelled }.count,
            pending: statuses.filter { $0 != .confirmed && $0 != .cancelled }.count,
            wallSeconds: seconds, eventsHandled: handled, eventsPerSecond: Double(handled) / max(seconds, 0.001),
            redeliveries: statistics.reduce(0) { $0 + $1.statistics.redelivered },
            duplicatesSuppressed: statistics.reduce(0) { $0 + $1.statistics.duplicatesSuppressed },
            deadLetters: statistics.reduce(0) { $0 + $1.statistics.deadLetterDepth },
            orderCompletionLatency: DemoReport.latency(of: snapshot.orders, orderIDs: orders.map(\.orderID)),
            faults: faults.value, nodes: statistics, invariants: results,
            passed: results.allSatisfy { $0.passed || $0.informational },
            dataDirectory: command.data,
            scenario: command.scenario, seed: command.seed, faultTimeline: timelineLines,
            convergenceMillis: convergence, checksumFailures: checksumFailures,
            linkFaults: linkFaults, handlerFaults: handlerFaults, deadLetterReasons: deadLetters,
            restartedNodes: cluster.restartedNodeIDs
        )
    }

    static func millis(_ duration: Duration) -> Double {
        max(0, Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15)
    }

    /// Every node connected to the three others.
    private func waitForMesh(_ probe: DemoProbe) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            let stats = await probe.statistics()
            if stats.count == 4, stats.allSatisfy({ $0.connectedMembers.count == 3 }),
               stats.first(where: { $0.nodeID == "order" })?.knownGroups.contains("inventory") == true { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw CommandFailure("the four nodes did not form a mesh within 30 s; logs are in \(dataDirectory)")
    }

    /// Publishes the orders through the order node at the requested rate.
    private func place(_ orders: [OrderPlaced], started: ContinuousClock.Instant) async throws {
        var session = try await ControlSession.open(cluster.orderAddress)
        let interval = 1.0 / command.rate
        for (index, order) in orders.enumerated() {
            let due = started + .seconds(Double(index) * interval)
            if due > ContinuousClock.now { try await Task.sleep(until: due) }
            let body = String(decoding: try JSONEncoder().encode(order), as: UTF8.self)
            let payload = ControlSession.json(PublishRequest(type: OrderPlaced.eventType, subject: order.orderID, body: body))
            var attempt = 0
            while true {
                do {
                    _ = try await session.request(ControlCommand.publish, payload: payload, as: PublishReply.self)
                    break
                } catch where attempt < 100 {
                    // The order node may be down (a crash fault): reconnect and try again.
                    attempt += 1
                    try await Task.sleep(for: .milliseconds(100))
                    if let fresh = try? await ControlSession.open(cluster.orderAddress) {
                        await session.close()
                        session = fresh
                    }
                }
            }
        }
        await session.close()
    }

    /// Posts the orders to the order node's `POST /orders` at the requested rate.
    private func placeViaHTTP(_ orders: [OrderPlaced], started: ContinuousClock.Instant) async throws {
        let interval = 1.0 / command.rate
        for (index, order) in orders.enumerated() {
            let due = started + .seconds(Double(index) * interval)
            if due > ContinuousClock.now { try await Task.sleep(until: due) }
            var attempt = 0
            while true {
                // The order node's address is read each time: a crash fault restarts it.
                guard let address = cluster.httpAddresses["order"] else { throw CommandFailure("the order node serves no HTTP") }
                do {
                    try await OrderPoster.post(order, to: address)
                    break
                } catch where attempt < 100 {
                    attempt += 1
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
        }
    }

    /// Every placed order terminal and every outbox empty.
    private func waitUntilSettled(_ probe: DemoProbe, orderIDs: [String], started: ContinuousClock.Instant) async throws {
        let deadline = started + .seconds(command.timeout)
        while ContinuousClock.now < deadline {
            if let book = try? await probe.state(of: "order", as: OrderBook.self),
               orderIDs.allSatisfy({ [.confirmed, .cancelled].contains(book.status(of: $0)) }) {
                let stats = await probe.statistics()
                if stats.count == 4, stats.allSatisfy({ $0.statistics.outboxDepth == 0 }) { return }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        FileHandle.standardError.write(Data("troupe demo: not settled after \(command.timeout) s; reporting what there is\n".utf8))
    }

    private func scheduleCrash(started: ContinuousClock.Instant, faults: SendableBox<[String]>) -> Task<Void, any Error>? {
        guard let role = command.crash else { return nil }
        return Task {
            try await Task.sleep(until: started + .seconds(command.crashAt))
            await cluster.crash(role.rawValue)
            faults.update { $0.append(String(format: "%6.2fs  crash %@ (SIGKILL)", command.crashAt, role.rawValue)) }
            try await Task.sleep(for: .seconds(command.restartAfter))
            try await cluster.restart(role.rawValue)
            let at = Double((ContinuousClock.now - started).components.seconds) + Double((ContinuousClock.now - started).components.attoseconds) / 1e18
            faults.update { $0.append(String(format: "%6.2fs  restart %@ (same port, same data)", at, role.rawValue)) }
        }
    }

    /// One status line, rewritten in place on a terminal, every half second.
    private func showProgress(_ probe: DemoProbe, total: Int, started: ContinuousClock.Instant) async {
        let isTerminal = isatty(STDERR_FILENO) == 1
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(500))
            guard !Task.isCancelled else { break }
            let stats = await probe.statistics()
            let book = try? await probe.state(of: "order", as: OrderBook.self)
            let records = book?.orders.values.map(\.status) ?? []
            let elapsed = Double((ContinuousClock.now - started).components.seconds) + Double((ContinuousClock.now - started).components.attoseconds) / 1e18
            let handled = stats.reduce(0) { $0 + $1.statistics.handled }
            let line = String(
                format: "%6.1fs  placed %d/%d  confirmed %d  cancelled %d  events/s %.0f  redeliveries %d  duplicates %d  dlq %d",
                elapsed, records.count, total, records.filter { $0 == .confirmed }.count, records.filter { $0 == .cancelled }.count,
                Double(handled) / max(elapsed, 0.001), stats.reduce(0) { $0 + $1.statistics.redelivered },
                stats.reduce(0) { $0 + $1.statistics.duplicatesSuppressed }, stats.reduce(0) { $0 + $1.statistics.deadLetterDepth }
            )
            FileHandle.standardError.write(Data((isTerminal ? "\r\u{1B}[K" + line : line + "\n").utf8))
        }
        if isTerminal { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
