public import TroupeChaos

/// Shrinks a failing run's fault schedule to a smaller one that still fails, by delta debugging
/// (Zeller's ddmin) over the scenario's steps: try dropping chunks of steps, keep any smaller
/// schedule that still fails, refine the chunks until no single step can go. Then it tries the
/// same with the number of inputs, halving while the failure remains.
///
/// Every trial is a full deterministic run of the same seed, so "still fails" is exact, not
/// probabilistic.
public struct FaultShrinker: Sendable {
    /// The most trial runs (each is a full simulation).
    public var maximumTrials: Int

    /// A shrinker running at most `maximumTrials` trials.
    public init(maximumTrials: Int = 60) {
        self.maximumTrials = maximumTrials
    }

    /// The smallest schedule (and input count) found for which `fails` still holds.
    public func shrink(
        _ scenario: Scenario, inputs: Int, fails: (Scenario, Int) async throws -> Bool
    ) async rethrows -> (scenario: Scenario, inputs: Int, trials: Int) {
        var trials = 0
        var steps = scenario.steps
        var granularity = 2
        func variant(_ kept: [ScenarioStep]) -> Scenario {
            var shrunk = scenario
            shrunk.name = "\(scenario.name) (shrunk)"
            shrunk.steps = kept
            return shrunk
        }
        while steps.count >= 1, trials < maximumTrials {
            let chunk = max(1, (steps.count + granularity - 1) / granularity)
            var reduced = false
            var start = 0
            while start < steps.count, trials < maximumTrials {
                let complement = Array(steps[..<start]) + Array(steps[min(steps.count, start + chunk)...])
                trials += 1
                if try await fails(variant(complement), inputs) {
                    steps = complement
                    granularity = max(granularity - 1, 2)
                    reduced = true
                    break
                }
                start += chunk
            }
            if !reduced {
                if chunk == 1 { break }
                granularity = min(steps.count, granularity * 2)
            }
        }
        var inputs = inputs
        while inputs > 1, trials < maximumTrials {
            trials += 1
            guard try await fails(variant(steps), inputs / 2) else { break }
            inputs /= 2
        }
        return (variant(steps), inputs, trials)
    }
}
