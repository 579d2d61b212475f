import Foundation
import Testing
import TroupeChaos

/// Scenario files: parsing, compiling to a timeline, and the same seed giving the same timeline.
@Suite("Scenario")
struct ScenarioTests {
    static let libraryDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Samples/Scenarios").path

    static let names = ["flaky-network", "partition-payment", "crash-inventory", "duplicate-storm", "slow-consumer", "corrupt-links", "everything", "poison-events", "skew-and-lost-acks", "crash-after-commit"]

    @Test(arguments: names) func everyLibraryScenarioLoadsAndCompiles(_ name: String) throws {
        let scenario = try Scenario.load(name, searching: [Self.libraryDirectory])
        #expect(scenario.name == name)
        let timeline = try scenario.timeline(seed: 1)
        #expect(!timeline.entries.isEmpty)
        #expect(timeline.lastHealMillis > 0 && timeline.lastHealMillis <= timeline.durationMillis)
        // Every fault heals by the end: the last plan change installs an empty plan.
        if let lastPlan = timeline.entries.last(where: { if case .setPlan = $0.action { true } else { false } }),
           case .setPlan(let plan, _) = lastPlan.action {
            #expect(plan.isEmpty, "\(name) ends with every fault healed")
        }
    }

    @Test func theSameSeedGivesTheSameTimelineAndAnotherSeedOtherDraws() throws {
        let scenario = try Scenario.load("everything", searching: [Self.libraryDirectory])
        let first = try scenario.timeline(seed: 42)
        #expect(first == (try scenario.timeline(seed: 42)))
        #expect(first.lines == (try scenario.timeline(seed: 42)).lines)
        let other = try scenario.timeline(seed: 43)
        #expect(other.lines == first.lines, "the same faults at the same offsets…")
        #expect(other != first, "…with other random streams")
    }

    @Test func aPartitionStepBecomesAPlanAndItsHeal() throws {
        let data = Data(#"{"name": "p", "steps": [{"at": "2s", "partition": ["payment"], "for": "5s"}, {"at": "4s", "crash": "inventory", "restartAfter": "3s"}]}"#.utf8)
        let timeline = try Scenario.decode(data).timeline(seed: 9)
        #expect(timeline.entries.map(\.atMillis) == [2000, 4000, 7000, 7000])
        guard case .setPlan(let plan, _) = timeline.entries[0].action else { Issue.record("first is a plan"); return }
        #expect(plan.links == [LinkFault(from: "payment", to: "*", bothWays: true, partition: true)])
        #expect(timeline.entries[1].action == .crash("inventory"))
        #expect(timeline.entries.contains { $0.action == .restart("inventory") && $0.atMillis == 7000 })
        #expect(timeline.lastHealMillis == 7000)
        #expect(timeline.lines[0] == "  2.00s  + partition payment (both ways)")
    }

    @Test func aCrashAfterCommitStepArmsTheNodeAndRestartsIt() throws {
        let data = Data(#"{"name": "c", "steps": [{"at": "1s", "crashAfterCommit": "payment", "restartAfter": "2s"}]}"#.utf8)
        let timeline = try Scenario.decode(data).timeline(seed: 3)
        #expect(timeline.entries.map(\.action) == [.crashAfterCommit("payment"), .restart("payment")])
        #expect(timeline.entries.map(\.atMillis) == [1000, 3000])
        #expect(timeline.lines[0] == "  1.00s  crash payment after its next commit, before the ack")
        #expect(timeline.lastHealMillis == 3000)
    }

    @Test func overlappingStepsAreMergedWhileBothAreActive() throws {
        let data = Data(#"{"name": "o", "steps": [{"at": "0s", "drop": 0.2, "for": "3s"}, {"at": "1s", "node": "payment", "slow": "20ms", "for": "1s"}]}"#.utf8)
        let timeline = try Scenario.decode(data).timeline(seed: 1)
        let plans = timeline.entries.compactMap { entry -> FaultPlan? in if case .setPlan(let plan, _) = entry.action { plan } else { nil } }
        #expect(plans.map { $0.links.count } == [1, 1, 1, 0])
        #expect(plans.map { $0.nodes.count } == [0, 1, 0, 0])
        #expect(timeline.entries.map(\.atMillis) == [0, 1000, 2000, 3000])
    }

    @Test func aPoisonStepPublishesAtItsOffset() throws {
        let data = Data(#"{"name": "p", "steps": [{"at": "1.5s", "poison": "OrderPlaced", "count": 2}]}"#.utf8)
        let timeline = try Scenario.decode(data).timeline(seed: 1)
        #expect(timeline.entries.map(\.action) == [.poison(eventType: "OrderPlaced", count: 2)])
        #expect(timeline.lastHealMillis == 1500)
        #expect(timeline.lines == ["  1.50s  poison 2 × OrderPlaced (a payload no handler decodes)"])
    }

    @Test func clockSkewAndAckLossBecomeFaults() throws {
        let data = Data(#"{"name": "s", "steps": [{"at": "0s", "for": "1s", "node": "payment", "clockSkew": "-2h", "ackLoss": 0.3}]}"#.utf8)
        let timeline = try Scenario.decode(data).timeline(seed: 1)
        guard case .setPlan(let plan, _) = timeline.entries[0].action else { Issue.record("a plan first"); return }
        #expect(plan.nodes == [NodeFault(node: "payment", clockSkewMillis: -7_200_000)])
        #expect(plan.links == [LinkFault(ackLoss: 0.3)])
        let controller = ChaosController(nodeID: "payment", service: "payment")
        controller.apply(FaultPlanUpdate(plan: plan, seed: 1))
        #expect(controller.clock.skewMicros == -7_200_000_000)
        controller.apply(FaultPlanUpdate(plan: .empty, seed: 1))
        #expect(controller.clock.skewMicros == 0)
    }

    @Test func aStepWithoutForLastsUntilTheScenarioEnds() throws {
        let data = Data(#"{"name": "d", "duration": "4s", "steps": [{"at": "1s", "drop": 0.1}]}"#.utf8)
        let timeline = try Scenario.decode(data).timeline(seed: 1)
        #expect(timeline.entries.map(\.atMillis) == [1000, 4000])
        #expect(timeline.lastHealMillis == 4000)
    }

    @Test func badScenariosSayWhatIsWrong() {
        let cases = [
            (#"{"name": "x", "steps": [{"at": "soon", "drop": 0.1}]}"#, "not a duration"),
            (#"{"name": "x", "steps": [{"at": "1s", "drop": 1.5}]}"#, "between 0 and 1"),
            (#"{"name": "x", "steps": [{"at": "1s"}]}"#, "injects nothing"),
            (#"{"steps": []}"#, "not a scenario"),
        ]
        for (json, message) in cases {
            #expect {
                _ = try Scenario.decode(Data(json.utf8))
            } throws: { error in
                "\(error)".contains(message)
            }
        }
        #expect(throws: ScenarioError.self) { _ = try Scenario.load("no-such-scenario", searching: [Self.libraryDirectory]) }
    }

    @Test func durationsParse() {
        #expect(ScenarioDuration.milliseconds("2s") == 2000)
        #expect(ScenarioDuration.milliseconds("1.5s") == 1500)
        #expect(ScenarioDuration.milliseconds("250ms") == 250)
        #expect(ScenarioDuration.milliseconds("1m") == 60_000)
        #expect(ScenarioDuration.milliseconds("2h") == 7_200_000)
        #expect(ScenarioDuration.milliseconds("3") == 3000)
        #expect(ScenarioDuration.milliseconds("-1s") == nil)
        #expect(ScenarioDuration.milliseconds("fast") == nil)
    }
}
