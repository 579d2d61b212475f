import SagaSimulation
import Testing
import Troupe
import TroupeChaos
import TroupeSimulation

/// Same seed, same run; different seeds, different runs; and no hidden source of time or chance.
@Suite struct DeterminismTests {
    @Test func sameSeedTwiceGivesTheSameTraceHash() async throws {
        let simulation = SagaSimulation(orders: 15)
        let first = try await simulation.run(seed: 42, keepsTrace: true)
        let second = try await simulation.run(seed: 42, keepsTrace: true)
        #expect(first.traceHash == second.traceHash)
        #expect(first.traceLines == second.traceLines)
        #expect(first.traceLineCount > 100)
        #expect(first.passed, "\(first.verdict.counterexamples)")
    }

    @Test func differentSeedsGiveDifferentTraces() async throws {
        let simulation = SagaSimulation(orders: 10)
        var hashes: Set<UInt64> = []
        for seed in UInt64(1)...4 {
            hashes.insert(try await simulation.run(seed: seed).traceHash)
        }
        #expect(hashes.count == 4)
    }

    @Test func theSameScheduleWithAnotherSeedStillDiffers() async throws {
        let scenario = try Scenario.loadForSimulation("flaky-network", searching: [ScenarioFiles.directory])
        let simulation = SagaSimulation(orders: 10, scenario: scenario)
        let first = try await simulation.run(seed: 1)
        let second = try await simulation.run(seed: 2)
        #expect(first.traceHash != second.traceHash)
    }

    @Test func aSimulatedRunReadsNeitherTheWallClockNorAnUnseededSource() async throws {
        let scenario = try Scenario.loadForSimulation("everything", searching: [ScenarioFiles.directory])
        let result = try await SagaSimulation(orders: 15, scenario: scenario).run(seed: 3)
        #expect(result.determinismViolations.isEmpty, "\(result.determinismViolations)")
        #expect(result.passed, "\(result.verdict.counterexamples)")
    }

    @Test func theGuardTripsWhenANodeIsGivenTheSystemClock() async throws {
        let workload = LeakyClockWorkload(base: SagaWorkload(orders: 3, seed: 1))
        let result = try await Simulator(workload: workload, configuration: SimulationConfiguration(seed: 1)).run()
        #expect(result.determinismViolations.contains("SystemNodeClock.wallMicros"))
        #expect(!result.passed)
    }

    @Test func theGuardTripsOnAnUnseededNodeSeed() async throws {
        let workload = LeakyClockWorkload(base: SagaWorkload(orders: 2, seed: 1), unseeded: true)
        let result = try await Simulator(workload: workload, configuration: SimulationConfiguration(seed: 1)).run()
        #expect(result.determinismViolations.contains("UInt64.random (unseeded node seed)"))
    }

    @Test func theGuardIsSilentOutsideASimulation() {
        let monitor = DeterminismMonitor()
        _ = SystemNodeClock().wallMicros()
        #expect(monitor.violations.isEmpty)
        DeterminismGuard.watching(monitor) {
            _ = SystemNodeClock().monotonicNow()
        }
        #expect(monitor.violations == ["SystemNodeClock.init", "SystemNodeClock.monotonicNow"])
    }
}

/// The saga workload, except that its order node is built with the system clock (or with no
/// seed): what the determinism guard exists to catch.
struct LeakyClockWorkload: SimulationWorkload {
    let base: SagaWorkload
    var unseeded = false

    var nodes: [SimulatedNodeSpec] {
        var nodes = base.nodes
        let unseeded = unseeded
        nodes[0] = SimulatedNodeSpec(nodeID: nodes[0].nodeID, service: nodes[0].service) { environment in
            var configuration = environment.configuration
            if unseeded { configuration.randomSeed = nil }
            let node = try await Node(
                service: OrderServiceForTests.service, mesh: environment.mesh, store: environment.store,
                configuration: configuration, clock: unseeded ? environment.clock : SystemNodeClock(), logger: environment.logger
            )
            try await node.prepareForStepping()
            return SimulatedNode(node)
        }
        return nodes
    }

    var injectionCount: Int { base.injectionCount }

    func inject(_ index: Int, into nodes: SimulatedNodes) async throws -> String? {
        try await base.inject(index, into: nodes)
    }

    func check(_ nodes: SimulatedNodes) async throws -> SimulationVerdict {
        try await base.check(nodes)
    }
}
