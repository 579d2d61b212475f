import ArgumentParser
import Foundation
import SagaSimulation
import Troupe
import TroupeChaos
import TroupeSimulation

/// `troupe simulate`: the order saga in the deterministic simulator.
struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Run the order saga in the deterministic simulator.",
        discussion: """
            The four saga services run in this process as real runtime nodes over their real mesh
            state machines, on a simulated network and a virtual clock, driven one step at a time
            by a single-threaded scheduler. Every source of time and randomness derives from the
            seed, so a seed replays exactly: the trace hash says so.

            Faults come from a seeded nemesis (every kind the chaos layer knows), or from
            --scenario NAME|FILE (Samples/Scenarios). A failing seed is shrunk to a smaller fault
            schedule that still fails, printed as a scenario you can replay. --bug plants a defect
            in the runtime to show that the invariant checker catches it.

              troupe simulate --seed 7 --orders 50
              troupe simulate --seeds 1..1000 --orders 50
              troupe simulate --seeds 1..50 --bug skip-idempotency
            """
    )

    @Option(help: "The seed of one run.") var seed: UInt64?
    @Option(help: "Sweep a range of seeds, A..B (inclusive).") var seeds: String?
    @Option(help: "Orders per run.") var orders = 50
    @Option(help: "Play this fault scenario (a name from Samples/Scenarios or a JSON file) instead of the nemesis.") var scenario: String?
    @Option(help: "Plant a defect: \(PlantedBug.allCases.map(\.rawValue).joined(separator: ", ")).") var bug: String?
    @Flag(help: "Print the run's full trace.") var trace = false
    @Flag(help: "Do not shrink a failing seed.") var noShrink = false
    @Option(help: "Runs at once in a sweep (default: the number of cores).") var jobs: Int?

    func run() async throws {
        guard orders >= 1 else { throw SimulationInputError("--orders must be at least 1") }
        let plantedBug = try bug.map { name throws(SimulationInputError) in try PlantedBug(named: name) }
        let loaded = try scenario.map { name throws(SimulationInputError) in
            try Scenario.loadForSimulation(name, searching: DemoScenario.searchDirectories)
        }
        let simulation = SagaSimulation(orders: orders, scenario: loaded, plantedBug: plantedBug)
        switch (seed, seeds) {
        case (let seed?, nil):
            try await runOne(simulation, seed: seed)
        case (nil, let text?):
            try await sweep(simulation, range: try SeedRange(parsing: text))
        case (nil, nil):
            throw SimulationInputError("give --seed N or --seeds A..B")
        case (_?, _?):
            throw SimulationInputError("give --seed or --seeds, not both")
        }
    }

    private func runOne(_ simulation: SagaSimulation, seed: UInt64) async throws {
        let result = try await simulation.run(seed: seed, keepsTrace: trace)
        if trace { for line in result.traceLines { print(line) } }
        print(Self.summary(of: result, orders: orders))
        print(result.verdict.report)
        if !result.determinismViolations.isEmpty {
            print("✘ determinism: the run read \(Set(result.determinismViolations).sorted().joined(separator: ", "))")
        }
        print("trace hash: \(result.traceHashText) (\(result.traceLineCount) lines)")
        guard !result.passed else { return }
        if !noShrink { try await shrinkAndTell(simulation, result) }
        throw ExitCode(1)
    }

    private func sweep(_ simulation: SagaSimulation, range: SeedRange) async throws {
        let parallelism = jobs ?? ProcessInfo.processInfo.activeProcessorCount
        let started = ContinuousClock.now
        let results = try await SimulationSweep.run(range, parallelism: parallelism) { seed in
            let result = try await simulation.run(seed: seed)
            return (seed: seed, passed: result.passed, hash: result.traceHash, virtual: result.virtualNanoseconds,
                    failures: result.verdict.counterexamples + result.determinismViolations)
        }
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let failing = results.filter { !$0.passed }
        let hashes = Set(results.map(\.hash))
        let virtualSeconds = Double(results.reduce(0) { $0 + $1.virtual }) / 1e9
        print("\(range.count) seeds (\(range)), \(orders) orders each, \(parallelism) at a time: "
              + "\(results.count - failing.count) passed, \(failing.count) failed")
        print("\(hashes.count) distinct trace hashes; \(String(format: "%.1f", virtualSeconds)) s of virtual time simulated")
        print(String(format: "wall time %.2f s, %.1f seeds/s", seconds, Double(results.count) / max(seconds, 1e-9)))
        guard let first = failing.first else { return }
        print("failing seeds: \(failing.map { String($0.seed) }.joined(separator: " "))")
        for failure in failing.prefix(10) {
            print("  seed \(failure.seed): \(failure.failures.prefix(3).joined(separator: "; "))")
        }
        if !noShrink {
            let result = try await simulation.run(seed: first.seed)
            try await shrinkAndTell(simulation, result)
        }
        throw ExitCode(1)
    }

    private func shrinkAndTell(_ simulation: SagaSimulation, _ result: SimulationResult) async throws {
        print("shrinking seed \(result.seed) (\(result.faults.steps.count) fault step(s), \(orders) orders)…")
        let counterexample = try await simulation.shrink(result)
        print(SagaSimulation.story(of: counterexample))
    }

    static func summary(of result: SimulationResult, orders: Int) -> String {
        var lines = ["seed \(result.seed): \(orders) orders, faults: \(result.faults.name) (\(result.faults.steps.count) step(s))"]
        if let timeline = try? result.faults.timeline(seed: 0) {
            lines += timeline.lines.map { "  " + $0 }
        }
        let counters = result.counters
        lines.append(String(format: "virtual time %.3f s, %d steps, %@; frames: %d sent, %d delivered, %d lost, %d held by partitions, %d rejected",
                            Double(result.virtualNanoseconds) / 1e9, result.steps, result.settled ? "settled" : "did NOT settle",
                            counters.framesSent, counters.framesDelivered, counters.framesDropped, counters.framesHeld, counters.framesRejected))
        return lines.joined(separator: "\n")
    }
}
