import Foundation
import Testing
import TroupeChaos

/// Every fault kind applied to a live four-process demo through a scenario, then every saga
/// invariant checked; plus reproducible timelines and `troupe chaos` against a live node.
@Suite("troupe demo --scenario (multi-process)", .serialized)
struct ChaosProcessTests {
    struct Report: Decodable {
        struct Invariant: Decodable {
            var name: String
            var passed: Bool
        }

        var orders: Int
        var pending: Int
        var passed: Bool
        var redeliveries: Int
        var duplicatesSuppressed: Int
        var deadLetters: Int
        var deadLetterReasons: [String]
        var faults: [String]
        var faultTimeline: [String]
        var convergenceMillis: Double?
        var checksumFailures: Int
        var linkFaults: LinkFaultCounters
        var handlerFaults: HandlerFaultCounters
        var invariants: [Invariant]
    }

    static func demo(_ scenario: String, seed: Int = 7, orders: Int = 80) async throws -> Report {
        let directory = try TroupeExecutable.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let result = try await TroupeExecutable.run([
            "demo", "--orders", "\(orders)", "--rate", "20", "--scenario", scenario, "--seed", "\(seed)",
            "--json", "--data", directory, "--timeout", "150",
        ])
        #expect(TroupeExecutable.processes(mentioning: directory).isEmpty, "every node process was stopped")
        #expect(result.status == 0, "stderr: \(result.stderr.suffix(2000))")
        let report = try JSONDecoder().decode(Report.self, from: Data(result.stdout.utf8))
        #expect(report.passed, "invariants failed under \(scenario): \(report.invariants.filter { !$0.passed }.map(\.name))")
        #expect(report.invariants.allSatisfy { $0.passed }, "\(report.invariants.filter { !$0.passed }.map(\.name))")
        #expect(report.orders == orders && report.pending == 0, "no order lost under \(scenario)")
        #expect(report.convergenceMillis != nil)
        #expect(report.faults.count == report.faultTimeline.count, "every planned step was applied: \(report.faults)")
        return report
    }

    @Test func flakyNetworkDropsAndDuplicatesMessagesAndLosesNoOrder() async throws {
        let report = try await Self.demo("flaky-network")
        #expect(report.linkFaults.dropped > 0 && report.linkFaults.duplicated > 0 && report.linkFaults.delayed > 0)
        #expect(report.redeliveries > 0, "lost messages were redelivered")
    }

    @Test func aPartitionedPaymentNodeCatchesUpAfterTheHeal() async throws {
        let report = try await Self.demo("partition-payment")
        #expect(report.linkFaults.partitioned > 0)
        #expect(report.faultTimeline.contains { $0.contains("heal partition payment") })
    }

    @Test func aCrashedInventoryNodeIsRestartedAndLosesNothing() async throws {
        let report = try await Self.demo("crash-inventory")
        #expect(report.faults.contains { $0.contains("crash inventory") } && report.faults.contains { $0.contains("restart inventory") })
    }

    @Test func aDuplicateStormIsAbsorbedByIdempotency() async throws {
        let report = try await Self.demo("duplicate-storm")
        #expect(report.linkFaults.duplicated > 0)
        #expect(report.duplicatesSuppressed > 0, "duplicates reached handlers' idempotency checks and were suppressed")
    }

    @Test func aSlowFailingAndPausedConsumerStillConverges() async throws {
        let report = try await Self.demo("slow-consumer")
        #expect(report.handlerFaults.slowed > 0 && report.handlerFaults.pausedDeliveries > 0)
    }

    @Test func corruptedFramesAreCaughtByTheChecksumAndRedelivered() async throws {
        let report = try await Self.demo("corrupt-links")
        #expect(report.linkFaults.corrupted > 0)
        #expect(report.checksumFailures > 0, "receivers detected the corrupted frames")
    }

    @Test func poisonEventsEndInTheDeadLetterQueueWithoutBlockingTheGroup() async throws {
        let report = try await Self.demo("poison-events")
        // Three poison events, each dead-lettered once per group that subscribes to OrderPlaced.
        #expect(report.deadLetters >= 3 && report.deadLetters % 3 == 0, "\(report.deadLetterReasons)")
        #expect(report.deadLetterReasons.count == report.deadLetters)
        #expect(report.deadLetterReasons.allSatisfy { $0.contains("OrderPlaced poison-") && $0.contains("does not decode") })
    }

    @Test func lostAcksOnSkewedClocksAreAbsorbedByIdempotency() async throws {
        let report = try await Self.demo("skew-and-lost-acks")
        #expect(report.linkFaults.dropped > 0, "ACKs were lost")
        #expect(report.duplicatesSuppressed > 0, "redeliveries of committed events were recognised")
    }

    @Test func aNodeThatCrashesBetweenCommitAndAckChargesNothingTwice() async throws {
        let report = try await Self.demo("crash-after-commit")
        let crashes = report.faults.filter { $0.contains("after its next commit") }
        #expect(crashes.count == 2, "\(report.faults)")
        #expect(!report.faults.contains { $0.contains("had not crashed") }, "each armed node crashed on a commit: \(report.faults)")
        #expect(report.redeliveries > 0, "the lost acks were made good by redelivery")
        #expect(report.duplicatesSuppressed > 0, "the redelivered events met the records committed before the crash")
    }

    @Test func everythingAtOnceStillHoldsEveryInvariant() async throws {
        let report = try await Self.demo("everything")
        #expect(report.faults.contains { $0.contains("crash inventory") })
    }

    @Test func theSameSeedAppliesTheSameFaultTimeline() async throws {
        let first = try await Self.demo("partition-payment", seed: 11, orders: 30)
        let second = try await Self.demo("partition-payment", seed: 11, orders: 30)
        #expect(!first.faultTimeline.isEmpty && first.faultTimeline == second.faultTimeline)
        let offsets = { (report: Report) in report.faults.map { Double($0.trimmingCharacters(in: .whitespaces).prefix { $0 != "s" }) ?? -1 } }
        for (a, b) in zip(offsets(first), offsets(second)) {
            #expect(abs(a - b) < 0.5, "the same fault at (nearly) the same offset: \(first.faults) vs \(second.faults)")
        }
    }

    @Test func soakRunsOneDemoPerSeedAndSummarises() async throws {
        let result = try await TroupeExecutable.run(["soak", "--scenario", "flaky-network", "--seeds", "5..6", "--orders", "30", "--rate", "30"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr.suffix(2000))")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.filter { $0.hasPrefix("seed ") }.count == 2, "\(result.stdout)")
        #expect(lines.contains { $0.hasPrefix("seed 5 ") && $0.contains("orders 30") && $0.hasSuffix("invariants ok") }, "\(result.stdout)")
        #expect(lines.last?.hasPrefix("2 run(s): 2 ok, 0 failed") == true, "\(result.stdout)")
        let bad = try await TroupeExecutable.run(["soak", "--scenario", "everything"])
        #expect(bad.status != 0 && bad.stderr.hasPrefix("troupe: "), "\(bad.stderr)")
    }

    @Test func aScenarioThatDoesNotExistIsRefusedInOneLine() async throws {
        let result = try await TroupeExecutable.run(["demo", "--scenario", "no-such-scenario"])
        #expect(result.status != 0)
        #expect(result.stderr.hasPrefix("troupe: no scenario 'no-such-scenario'"), "\(result.stderr)")
    }

    @Test func chaosSetStatusAndClearChangeALiveNode() async throws {
        let cluster = try SagaCluster()
        defer { Task { await cluster.stopAll() } }
        let address = try await cluster.start("order")
        let set = try await TroupeExecutable.run(["chaos", "set", "--node", address, "--to", "payment", "--drop", "0.25", "--target", "order", "--slow-ms", "5"])
        #expect(set.status == 0, "\(set.stderr)")
        #expect(set.stdout.contains("order: 1 link fault(s), 1 node fault(s)"), "\(set.stdout)")
        let status = try await TroupeExecutable.run(["chaos", "status", "--node", address, "--json"])
        let statuses = try JSONDecoder().decode([FaultStatus].self, from: Data(status.stdout.utf8))
        #expect(statuses.first?.plan == FaultPlan(links: [LinkFault(to: "payment", drop: 0.25)], nodes: [NodeFault(node: "order", slowHandlerMillis: 5)]))
        let clear = try await TroupeExecutable.run(["chaos", "clear", "--node", address])
        #expect(clear.status == 0 && clear.stdout.contains("order: no faults"), "\(clear.stdout)\(clear.stderr)")
        let after = try await TroupeExecutable.run(["chaos", "status", "--node", address, "--json"])
        #expect(try JSONDecoder().decode([FaultStatus].self, from: Data(after.stdout.utf8)).first?.plan == FaultPlan())
        let bad = try await TroupeExecutable.run(["chaos", "set", "--node", address, "--drop", "2"])
        #expect(bad.status != 0 && bad.stderr.hasPrefix("troupe: "), "\(bad.stderr)")
        await cluster.stopAll()
    }
}
