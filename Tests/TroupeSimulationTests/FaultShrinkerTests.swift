import Testing
import TroupeChaos
import TroupeSimulation

/// Delta debugging keeps exactly the steps a failure needs.
@Suite struct FaultShrinkerTests {
    private func steps(_ names: [String]) -> Scenario {
        Scenario(name: "synthetic", steps: names.map { name in
            var step = ScenarioStep(at: "0ms")
            step.crash = name
            return step
        })
    }

    @Test func keepsOnlyTheStepsTheFailureNeeds() async {
        let scenario = steps(["a", "b", "c", "d", "e", "f", "g"])
        let (shrunk, inputs, trials) = await FaultShrinker().shrink(scenario, inputs: 40) { candidate, inputs in
            let names = Set(candidate.steps.compactMap(\.crash))
            return names.isSuperset(of: ["b", "f"]) && inputs >= 5
        }
        #expect(shrunk.steps.compactMap(\.crash) == ["b", "f"])
        #expect(inputs == 5)
        #expect(trials <= 60)
    }

    @Test func aFailureWithoutFaultsShrinksToAnEmptySchedule() async {
        let (shrunk, _, _) = await FaultShrinker().shrink(steps(["a", "b", "c"]), inputs: 2) { _, _ in true }
        #expect(shrunk.steps.isEmpty)
    }
}
