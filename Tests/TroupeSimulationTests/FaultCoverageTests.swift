import SagaSimulation
import Testing
import TroupeChaos
import TroupeSimulation

/// Every scenario of the chaos layer runs in the simulator, and the faults do what they say.
@Suite struct FaultCoverageTests {
    @Test(arguments: ScenarioFiles.names)
    func everyChaosScenarioRunsAndTheSagaHolds(_ name: String) async throws {
        let scenario = try Scenario.loadForSimulation(name, searching: [ScenarioFiles.directory])
        let result = try await SagaSimulation(orders: 20, scenario: scenario).run(seed: 11)
        #expect(result.passed, "\(name): \(result.verdict.counterexamples)")
        #expect(result.settled, "\(name) did not settle")
    }

    @Test func corruptedFramesAreCaughtByTheRealChecksum() async throws {
        let scenario = try Scenario.loadForSimulation("corrupt-links", searching: [ScenarioFiles.directory])
        let result = try await SagaSimulation(orders: 20, scenario: scenario).run(seed: 5, keepsTrace: true)
        #expect(result.counters.framesRejected > 0)
        #expect(result.traceLines.contains { $0.contains("rejects a frame (checksum") })
        #expect(result.passed, "\(result.verdict.counterexamples)")
    }

    @Test func partitionsCutLinksAndCrashedNodesRestartOnTheirStore() async throws {
        let partition = try Scenario.loadForSimulation("partition-payment", searching: [ScenarioFiles.directory])
        let partitioned = try await SagaSimulation(orders: 10, scenario: partition).run(seed: 2, keepsTrace: true)
        #expect(partitioned.traceLines.contains { $0.contains("hears nothing from its peer") })
        #expect(partitioned.traceLines.contains { $0.contains("closes its link to payment-1: nothing received") })
        #expect(partitioned.passed, "\(partitioned.verdict.counterexamples)")
        let crash = try Scenario.loadForSimulation("crash-inventory", searching: [ScenarioFiles.directory])
        let crashed = try await SagaSimulation(orders: 10, scenario: crash).run(seed: 2, keepsTrace: true)
        #expect(crashed.traceLines.contains { $0.contains("inventory-1 crashes") })
        #expect(crashed.traceLines.contains { $0.contains("inventory-1 starts (incarnation 2)") })
        #expect(crashed.passed, "\(crashed.verdict.counterexamples)")
    }

    /// Seed 900 of the first 1000-seed sweep: a short partition right after the handshakes.
    /// Dropping the frames (as the chaos layer's hook does) lost inventory's SUBSCRIBE on a link
    /// that survived, and order-0001 never reached inventory; held frames arrive late, as over TCP.
    @Test func aShortPartitionAfterTheHandshakeLosesNoInterest() async throws {
        var step = ScenarioStep(at: "1ms")
        step.for = "1724ms"
        step.partition = ["inventory"]
        let result = try await SagaSimulation(orders: 3, scenario: Scenario(name: "early partition", steps: [step])).run(seed: 900)
        #expect(result.counters.framesHeld > 0)
        #expect(result.passed, "\(result.verdict.counterexamples)")
    }

    @Test func handlerFailuresPausesSlownessAndSkewAreApplied() async throws {
        var pause = ScenarioStep(at: "100ms")
        pause.for = "300ms"
        pause.node = "payment"
        pause.pause = "300ms"
        var failing = ScenarioStep(at: "50ms")
        failing.for = "400ms"
        failing.node = "inventory"
        failing.handlerFailure = 0.5
        failing.slow = "5ms"
        failing.clockSkew = "-2s"
        let scenario = Scenario(name: "node faults", steps: [pause, failing])
        let result = try await SagaSimulation(orders: 15, scenario: scenario).run(seed: 4, keepsTrace: true)
        #expect(result.traceLines.contains { $0.contains("inventory-1 failed (nacked)") })
        #expect(result.passed, "\(result.verdict.counterexamples)")
    }

    @Test func theNemesisDrawsValidSchedulesFromTheSeed() throws {
        let nemesis = Nemesis(services: SagaWorkload.services, spanMillis: 1500)
        #expect(nemesis.scenario(seed: 9) == nemesis.scenario(seed: 9))
        var kinds: Set<String> = []
        for seed in UInt64(1)...300 {
            let scenario = nemesis.scenario(seed: seed)
            #expect((1...5).contains(scenario.steps.count))
            _ = try scenario.timeline(seed: seed)
            for step in scenario.steps {
                if step.crash != nil { kinds.insert("crash") }
                if step.partition != nil { kinds.insert("partition") }
                if step.drop != nil { kinds.insert("drop") }
                if step.corrupt != nil { kinds.insert("corrupt") }
                if step.reorder != nil { kinds.insert("reorder") }
                if step.ackLoss != nil { kinds.insert("ackLoss") }
                if step.pause != nil { kinds.insert("pause") }
                if step.slow != nil { kinds.insert("slow") }
                if step.handlerFailure != nil { kinds.insert("handlerFailure") }
                if step.clockSkew != nil { kinds.insert("clockSkew") }
            }
        }
        #expect(kinds.count == 10, "\(kinds.sorted())")
    }
}

/// What the sweeps found in the runtime and is not fixed yet: recorded as known issues, so the
/// test fails the day the runtime no longer has them (and the issue must be closed).
/// Regressions the simulator found.
@Suite struct SimulatorFindingTests {
    /// Seed 1934 of `--seeds 1001..5000`, shrunk: inventory is partitioned from the start, so the
    /// order node publishes order-0001 before it knows inventory's interest; the event's delivery
    /// to the late group rests on `ColdStartRetention`, and the order node crashes before the
    /// partition ends. `ColdStartRetention` used to live in memory only, so after the restart
    /// nobody owed inventory the event and order-0001 stayed pending for ever; the node now takes
    /// its recent publications back from the store's archive when it starts.
    @Test func coldStartRetentionSurvivesACrash() async throws {
        var partition = ScenarioStep(at: "0ms")
        partition.for = "1263ms"
        partition.partition = ["inventory"]
        var crash = ScenarioStep(at: "298ms")
        crash.crash = "order"
        crash.restartAfter = "1026ms"
        let scenario = Scenario(name: "seed 1934, shrunk", steps: [partition, crash])
        let result = try await SagaSimulation(orders: 1, scenario: scenario).run(seed: 1934)
        #expect(result.passed, "\(result.verdict.counterexamples)")
        #expect(result.verdict.counterexamples.isEmpty)
    }
}
