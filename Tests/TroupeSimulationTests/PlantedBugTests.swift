import Foundation
import SagaSimulation
import TroupeChaos
import Testing
import Troupe
import TroupeSimulation

/// Each planted bug is caught by the invariant checker within a few seeds, and the
/// counterexample names the order and the duplicated or lost effect.
@Suite struct PlantedBugTests {
    /// The first failing seed of 1...limit, with its result.
    private func firstFailure(_ simulation: SagaSimulation, limit: UInt64) async throws -> SimulationResult? {
        for seed in UInt64(1)...limit {
            let result = try await simulation.run(seed: seed)
            if !result.passed { return result }
        }
        return nil
    }

    @Test func skipIdempotencyIsCaughtAsADuplicatedNotification() async throws {
        let simulation = SagaSimulation(orders: 20, plantedBug: .skipIdempotency)
        let failure = try #require(try await firstFailure(simulation, limit: 10))
        let duplicated = failure.verdict.counterexamples.filter { $0.contains("but notified") && $0.contains("order-") }
        #expect(!duplicated.isEmpty, "\(failure.verdict.counterexamples)")
        #expect(duplicated.allSatisfy { !$0.contains("notified 1 time") && !$0.contains("notified 0 times") })
    }

    @Test func ackBeforeCommitIsCaughtAsALostEffect() async throws {
        let simulation = SagaSimulation(orders: 20, plantedBug: .ackBeforeCommit)
        let failure = try #require(try await firstFailure(simulation, limit: 20))
        let counterexamples = failure.verdict.counterexamples
        #expect(counterexamples.contains { $0.contains("order-") }, "\(counterexamples)")
        let lost = ["pending", "never reserved", "captured 0 times", "notified 0 times", "not yet acknowledged", "still holds", "≠"]
        #expect(counterexamples.contains { line in lost.contains { line.contains($0) } }, "\(counterexamples)")
        #expect(failure.faults.steps.contains { $0.crash != nil }, "a lost commit needs a crash")
    }

    @Test func aFailingSeedShrinksToASmallerScheduleThatStillFails() async throws {
        let simulation = SagaSimulation(orders: 20, plantedBug: .ackBeforeCommit)
        let failure = try #require(try await firstFailure(simulation, limit: 20))
        let counterexample = try await simulation.shrink(failure, shrinker: FaultShrinker(maximumTrials: 30))
        #expect(!counterexample.minimal.passed)
        #expect(counterexample.minimal.faults.steps.count <= failure.faults.steps.count)
        #expect(counterexample.orders <= 20)
        #expect(counterexample.minimal.faults.steps.contains { $0.crash != nil })
        let story = SagaSimulation.story(of: counterexample)
        let orderIDs = counterexample.minimal.verdict.counterexamples.compactMap { line in
            line.split(separator: " ").first { $0.hasPrefix("order-") }
        }
        let named = try #require(orderIDs.first)
        #expect(story.contains("minimal counterexample: seed \(failure.seed)"))
        #expect(story.contains("crashes during a store write"))
        #expect(story.split(separator: "\n").contains { $0.contains(" handled ") && $0.contains(named) })

        // The printed schedule is a scenario file that replays the minimal run exactly.
        let printed = try Scenario.decode(Data(SagaSimulation.scenarioJSON(counterexample.minimal.faults).utf8))
        let replay = try await simulation.run(seed: failure.seed, faults: printed, orders: counterexample.orders)
        #expect(replay.traceHash == counterexample.minimal.traceHash)
        #expect(story.contains("--bug ack-before-commit"))
    }

    @Test func withoutAPlantedBugTheSameSeedsPass() async throws {
        let simulation = SagaSimulation(orders: 20)
        for seed in UInt64(1)...5 {
            let result = try await simulation.run(seed: seed)
            #expect(result.passed, "seed \(seed): \(result.verdict.counterexamples)")
            #expect(result.settled)
        }
    }
}
