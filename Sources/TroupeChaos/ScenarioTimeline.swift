/// A compiled ``Scenario``: every action a run performs, at its offset, in order.
///
/// Fault steps become plan changes: at each instant where a step starts or ends, the plan in
/// force on every node is replaced by the union of the steps active from then on, with a seed
/// derived from the run seed and the change's position, so each change restarts the nodes'
/// random streams reproducibly. Crash steps become a crash (or an armed
/// crash-after-commit) and a restart.
public struct ScenarioTimeline: Codable, Hashable, Sendable {
    /// One thing the supervisor does.
    public enum Action: Codable, Hashable, Sendable {
        /// Replace every node's plan (`faults.set`), with this seed.
        case setPlan(FaultPlan, seed: UInt64)
        /// Kill the node's process (SIGKILL).
        case crash(String)
        /// Arm the node to kill its own process right after its next commit, before the ack
        /// (``ChaosControlCommand/crashAfterCommit``).
        case crashAfterCommit(String)
        /// Start the node again on the same port and data; then give it the plan in force.
        case restart(String)
        /// Publish this many events of this type with a payload no handler decodes.
        case poison(eventType: String, count: Int)
    }

    /// An action at an offset into the run.
    public struct Entry: Codable, Hashable, Sendable {
        /// Offset into the run, milliseconds.
        public var atMillis: Int
        /// What happens.
        public var action: Action
        /// For people: what changed (`"+ partition payment (both ways)"`, `"- heal …"`).
        public var summary: String
    }

    /// The entries, by offset.
    public var entries: [Entry]
    /// When the last fault heals (the last plan change or restart, or the last poison
    /// published), milliseconds.
    public var lastHealMillis: Int
    /// When every remaining fault heals.
    public var durationMillis: Int

    /// One line per entry, e.g. `"  2.00s  + partition payment (both ways)"`.
    public var lines: [String] {
        entries.map { entry in
            let centiseconds = (entry.atMillis + 5) / 10
            let hundredths = centiseconds % 100
            let offset = "\(centiseconds / 100).\(hundredths < 10 ? "0" : "")\(hundredths)s"
            return String(repeating: " ", count: max(0, 7 - offset.count)) + offset + "  " + entry.summary
        }
    }
}

extension Scenario {
    /// Compiles the scenario for a run seeded with `seed`.
    public func timeline(seed: UInt64) throws -> ScenarioTimeline {
        var faultSteps: [(start: Int, end: Int?, plan: FaultPlan, label: String)] = []
        var entries: [ScenarioTimeline.Entry] = []
        var latest = 0
        for (index, step) in steps.enumerated() {
            let start = try Self.millis(step.at, "at", index)
            let length = try step.for.map { try Self.millis($0, "for", index) }
            if let node = step.crash {
                let restart = start + (try step.restartAfter.map { try Self.millis($0, "restartAfter", index) } ?? 1000)
                entries.append(.init(atMillis: start, action: .crash(node), summary: "crash \(node) (SIGKILL)"))
                entries.append(.init(atMillis: restart, action: .restart(node), summary: "restart \(node) (same port, same data)"))
                latest = max(latest, restart)
            }
            if let node = step.crashAfterCommit {
                let restart = start + (try step.restartAfter.map { try Self.millis($0, "restartAfter", index) } ?? 1000)
                entries.append(.init(atMillis: start, action: .crashAfterCommit(node),
                                     summary: "crash \(node) after its next commit, before the ack"))
                entries.append(.init(atMillis: restart, action: .restart(node), summary: "restart \(node) (same port, same data)"))
                latest = max(latest, restart)
            }
            if let eventType = step.poison {
                let count = step.count ?? 1
                guard count >= 1 else { throw ScenarioError("step \(index + 1): count must be at least 1") }
                entries.append(.init(atMillis: start, action: .poison(eventType: eventType, count: count),
                                     summary: "poison \(count) × \(eventType) (a payload no handler decodes)"))
            }
            let (plan, label) = try step.faults(index: index)
            guard !plan.isEmpty else {
                if step.crash == nil && step.crashAfterCommit == nil && step.poison == nil { throw ScenarioError("step \(index + 1) injects nothing") }
                continue
            }
            faultSteps.append((start, length.map { start + $0 }, plan, label))
            latest = max(latest, start + (length ?? 0))
        }
        let duration = try duration.map { try Self.millis($0, "duration", -1) } ?? latest
        let ends = faultSteps.map { min($0.end ?? duration, max(duration, $0.start)) }
        let instants = Set(faultSteps.map(\.start) + ends).sorted()
        var previous = Set<Int>()
        var random = SplitMix64Seeds(seed: seed)
        for instant in instants {
            let active = Set(faultSteps.indices.filter { faultSteps[$0].start <= instant && instant < ends[$0] })
            guard active != previous else { continue }
            let started = active.subtracting(previous).sorted().map { "+ " + faultSteps[$0].label }
            let healed = previous.subtracting(active).sorted().map { "- heal " + faultSteps[$0].label }
            let plan = active.sorted().reduce(FaultPlan.empty) { $0.merged(with: faultSteps[$1].plan) }
            entries.append(.init(atMillis: instant, action: .setPlan(plan, seed: random.next()), summary: (healed + started).joined(separator: "; ")))
            previous = active
        }
        entries = entries.enumerated().sorted { ($0.element.atMillis, $0.offset) < ($1.element.atMillis, $1.offset) }.map(\.element)
        let lastHeal = max(ends.max() ?? 0, entries.compactMap { entry -> Int? in
            switch entry.action {
            case .restart, .poison: entry.atMillis
            default: nil
            }
        }.max() ?? 0)
        return ScenarioTimeline(entries: entries, lastHealMillis: lastHeal, durationMillis: max(duration, lastHeal))
    }

    static func millis(_ text: String, _ field: String, _ index: Int) throws -> Int {
        guard let value = ScenarioDuration.milliseconds(text) else {
            throw ScenarioError("\(index < 0 ? "scenario" : "step \(index + 1)"): '\(text)' is not a duration for \(field) (try \"2s\" or \"500ms\")")
        }
        return value
    }
}

/// The per-change seeds of a timeline, from the run seed.
struct SplitMix64Seeds {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
