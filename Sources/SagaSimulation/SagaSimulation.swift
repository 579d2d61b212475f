import Foundation
public import Troupe
public import TroupeChaos
public import TroupeSimulation

/// `troupe simulate` as a library: one run, a sweep, shrinking and the counterexample story,
/// for the order saga.
public struct SagaSimulation: Sendable {
    /// Orders per run.
    public var orders: Int
    /// A fixed fault schedule; nil lets the nemesis draw one from each seed.
    public var scenario: Scenario?
    /// The defect planted in every node, if any.
    public var plantedBug: PlantedBug?

    /// A simulation placing `orders` orders under `scenario` (or the nemesis), with `plantedBug`.
    public init(orders: Int, scenario: Scenario? = nil, plantedBug: PlantedBug? = nil) {
        self.orders = orders
        self.scenario = scenario
        self.plantedBug = plantedBug
    }

    /// The fault schedule of `seed`: the scenario if one was given, else the nemesis's draw.
    public func faults(seed: UInt64) -> Scenario {
        if let scenario { return scenario }
        let span = max(1000, orders * 20 + 500)
        return Nemesis(services: SagaWorkload.services, spanMillis: span).scenario(seed: SeedSplitter(seed: seed).seed(for: "nemesis"))
    }

    /// Runs `seed` under `faults` (default: ``faults(seed:)``) with `orders` orders.
    public func run(seed: UInt64, faults: Scenario? = nil, orders: Int? = nil, keepsTrace: Bool = false) async throws -> SimulationResult {
        let workload = SagaWorkload(orders: orders ?? self.orders, seed: SeedSplitter(seed: seed).seed(for: "orders"))
        let configuration = SimulationConfiguration(
            seed: seed, faults: faults ?? self.faults(seed: seed), plantedBug: plantedBug, keepsTrace: keepsTrace
        )
        return try await Simulator(workload: workload, configuration: configuration).run()
    }

    /// A failing run shrunk to a smaller fault schedule and order count, rerun with its trace.
    public struct Counterexample: Sendable {
        /// The original failing run.
        public var original: SimulationResult
        /// The minimal run found (trace kept).
        public var minimal: SimulationResult
        /// Orders in the minimal run.
        public var orders: Int
        /// How many trial runs shrinking took.
        public var trials: Int
        /// The defect planted in the runs, if any.
        public var plantedBug: PlantedBug?
    }

    /// Shrinks the failing run of `seed` (see ``FaultShrinker``).
    public func shrink(_ failing: SimulationResult, shrinker: FaultShrinker = FaultShrinker()) async throws -> Counterexample {
        let seed = failing.seed
        let (scenario, orders, trials) = try await shrinker.shrink(failing.faults, inputs: self.orders) { faults, orders in
            try await !run(seed: seed, faults: faults, orders: orders).passed
        }
        let minimal = try await run(seed: seed, faults: scenario, orders: orders, keepsTrace: true)
        return Counterexample(original: failing, minimal: minimal, orders: orders, trials: trials, plantedBug: plantedBug)
    }

    /// The story of a counterexample: what failed, the schedule that makes it fail (a scenario
    /// file), and every trace line about the orders named in the failures, with the faults and
    /// node crashes and starts between them.
    public static func story(of counterexample: Counterexample) -> String {
        let minimal = counterexample.minimal
        var lines: [String] = []
        lines.append("minimal counterexample: seed \(minimal.seed), \(counterexample.orders) order\(counterexample.orders == 1 ? "" : "s"), "
                     + "\(minimal.faults.steps.count) of \(counterexample.original.faults.steps.count) fault step(s) "
                     + "(\(counterexample.trials) shrinking runs)")
        for failure in minimal.verdict.counterexamples { lines.append("  ✘ \(failure)") }
        let bug = counterexample.plantedBug.map { " --bug \($0.rawValue)" } ?? ""
        lines.append("fault schedule (replay with --seed \(minimal.seed) --orders \(counterexample.orders)\(bug) --scenario FILE; "
                     + "trace hash \(minimal.traceHashText)):")
        lines.append(scenarioJSON(minimal.faults))
        let orderIDs = Set(minimal.verdict.counterexamples.flatMap(orderIDs(in:)))
        lines.append("trace of \(orderIDs.isEmpty ? "the run" : orderIDs.sorted().joined(separator: ", ")):")
        for line in minimal.traceLines where isRelevant(line, orderIDs: orderIDs) {
            lines.append("  " + line)
        }
        return lines.joined(separator: "\n")
    }

    /// A scenario as the JSON `--scenario` reads.
    public static func scenarioJSON(_ scenario: Scenario) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(scenario) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    static func orderIDs(in text: String) -> [String] {
        var found: [String] = []
        var rest = Substring(text)
        while let range = rest.range(of: "order-") {
            let digits = rest[range.upperBound...].prefix { $0.isNumber }
            if !digits.isEmpty { found.append("order-" + digits) }
            rest = rest[range.upperBound...]
        }
        return found
    }

    static func isRelevant(_ line: String, orderIDs: Set<String>) -> Bool {
        if orderIDs.isEmpty { return true }
        if line.contains(" fault: ") || line.contains(" heal: ") || line.contains(" crashes") || line.contains(" starts (") { return true }
        return orderIDs.contains { line.contains($0 + " ") || line.hasSuffix($0) }
    }
}
