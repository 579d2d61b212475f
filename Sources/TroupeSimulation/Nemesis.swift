import Troupe
public import TroupeChaos

/// Draws a random fault schedule from a seed, as a chaos-layer ``Scenario``.
///
/// Writing the schedule in the chaos issue's own scenario format (rather than a private one)
/// means a schedule the nemesis drew — or the minimal one the shrinker kept — can be saved and
/// replayed with `troupe simulate --scenario`, or run against real processes with `troupe chaos`.
///
/// Each schedule has one to five faults, each drawn from every kind the chaos layer knows:
/// loss, duplication, delay, jitter and reordering; corruption; lost acks; a partition of one
/// service; a crash with restart; a pause; a slow handler; failing handlers; clock skew. All
/// start within `spanMillis` (crashes more often than the rest; see `step`) and are bounded in strength and length so that a correct runtime
/// must ride them out within its delivery policy (5 deliveries, 5 s ack timeout).
public struct Nemesis: Sendable {
    /// The services faults may target.
    public var services: [String]
    /// Faults start within this many milliseconds of the start of the run.
    public var spanMillis: Int
    /// The most faults in one schedule.
    public var maximumFaults: Int

    /// A nemesis over `services`.
    public init(services: [String], spanMillis: Int, maximumFaults: Int = 5) {
        precondition(!services.isEmpty && spanMillis > 0 && maximumFaults >= 1, "a nemesis needs targets and time")
        self.services = services
        self.spanMillis = spanMillis
        self.maximumFaults = maximumFaults
    }

    /// The schedule for `seed`.
    public func scenario(seed: UInt64) -> Scenario {
        var random = Xoshiro256StarStar(seed: seed)
        let count = 1 + draw(maximumFaults, &random)
        let steps = (0..<count).map { _ in step(&random) }.sorted { $0.at < $1.at }
        return Scenario(name: "nemesis", description: "drawn by the simulator's nemesis", steps: steps)
    }

    private func step(_ random: inout Xoshiro256StarStar) -> ScenarioStep {
        let at = draw(spanMillis, &random)
        var step = ScenarioStep(at: "\(at)ms")
        let target = services[draw(services.count, &random)]
        let length = 200 + draw(1800, &random)
        // Crashes are drawn three times as often as any other kind: a kill landing on a store
        // write is where lost-effect bugs show, and a schedule needs one to find them.
        switch draw(12, &random) {
        case 0:
            step.for = "\(length)ms"
            step.drop = probability(0.01, 0.05, &random)
            step.duplicate = probability(0, 0.2, &random)
            step.delay = "\(draw(5, &random))ms"
            step.jitter = "\(draw(10, &random))ms"
        case 1:
            step.for = "\(length)ms"
            step.reorder = "\(5 + draw(45, &random))ms"
        case 2:
            step.for = "\(length)ms"
            step.corrupt = probability(0.005, 0.03, &random)
        case 3:
            step.for = "\(length)ms"
            step.ackLoss = probability(0.05, 0.3, &random)
        case 4:
            step.for = "\(300 + draw(2200, &random))ms"
            step.partition = [target]
        case 5, 10, 11:
            step.crash = target
            step.restartAfter = "\(100 + draw(1900, &random))ms"
        case 6:
            let pause = 100 + draw(900, &random)
            step.for = "\(pause)ms"
            step.node = target
            step.pause = "\(pause)ms"
        case 7:
            step.for = "\(length)ms"
            step.node = target
            step.slow = "\(1 + draw(10, &random))ms"
        case 8:
            step.for = "\(length)ms"
            step.node = target
            step.handlerFailure = probability(0.02, 0.2, &random)
        default:
            step.for = "\(length)ms"
            step.node = target
            let skew = 1 + draw(5000, &random)
            step.clockSkew = draw(2, &random) == 0 ? "\(skew)ms" : "-\(skew)ms"
        }
        return step
    }

    private func draw(_ bound: Int, _ random: inout Xoshiro256StarStar) -> Int {
        Int(UInt64(bound).multipliedFullWidth(by: random.next()).high)
    }

    /// A probability in `low...high`, rounded to three decimals so schedules read well.
    private func probability(_ low: Double, _ high: Double, _ random: inout Xoshiro256StarStar) -> Double {
        let unit = Double(random.next() >> 11) / Double(UInt64(1) << 53)
        return ((low + unit * (high - low)) * 1000).rounded() / 1000
    }
}
