import Troupe

struct Ping: Event {
    static let eventType = "Ping"
    var n: Int
    var subject: String { "ping-\(n)" }
}

struct Pong: Event {
    static let eventType = "Pong"
    var n: Int
}

struct Done: Event {
    static let eventType = "Done"
    var n: Int
}

/// Publishes nothing itself; the tests publish Pings from it.
struct SourceService: ServiceDefinition {
    static let name = "source"
    func initialState() -> Int { 0 }
    func handlers(_ on: inout HandlerSet<Int>) {}
}

/// Counts Pings; its failure plan decides, per attempt, whether the handler throws.
struct CounterService: ServiceDefinition {
    struct Failure: Error, CustomStringConvertible {
        var description: String { "planned failure" }
    }

    static let name = "counter"
    /// How many times the handler has been invoked (applied or not).
    let invocations: Shared<Int>
    /// The handler throws while this returns true for (n, invocation number).
    let fails: @Sendable (Int, Int) -> Bool

    init(invocations: Shared<Int> = Shared(0), fails: @escaping @Sendable (Int, Int) -> Bool = { _, _ in false }) {
        self.invocations = invocations
        self.fails = fails
    }

    struct State: Codable, Sendable {
        var applied: [Int: Int] = [:]
    }

    func initialState() -> State { State() }

    func handlers(_ on: inout HandlerSet<State>) {
        on.event(Ping.self) { [invocations, fails] ping, state, _ in
            let invocation = invocations.update { $0 += 1; return $0 }
            if fails(ping.n, invocation) { throw Failure() }
            state.applied[ping.n, default: 0] += 1
        }
    }
}

/// Three services in a chain: Ping → (relay) Pong → (sink) Done.
struct RelayService: ServiceDefinition {
    static let name = "relay"
    func initialState() -> Int { 0 }
    func handlers(_ on: inout HandlerSet<Int>) {
        on.event(Ping.self) { ping, count, context in
            count += 1
            context.publish(Pong(n: ping.n))
        }
    }
}

struct SinkService: ServiceDefinition {
    static let name = "sink"
    func initialState() -> Int { 0 }
    func handlers(_ on: inout HandlerSet<Int>) {
        on.event(Pong.self) { pong, count, context in
            count += 1
            context.publish(Done(n: pong.n))
        }
    }
}

/// Receives only Pings whose body matches its filter.
struct FilteredService: ServiceDefinition {
    static let name = "big-pings"
    func initialState() -> [Int] { [] }
    func handlers(_ on: inout HandlerSet<[Int]>) {
        on.event(Ping.self, settings: SubscriptionSettings(filter: #"{"body": {"n": [{"numeric": [">=", 100]}]}}"#)) { ping, seen, _ in
            seen.append(ping.n)
        }
    }
}

/// Publishes Pings and also handles them itself (as the order service records its own orders),
/// so the publisher always knows at least one group.
struct SelfAwareSourceService: ServiceDefinition {
    static let name = "self-aware-source"
    func initialState() -> Int { 0 }
    func handlers(_ on: inout HandlerSet<Int>) {
        on.event(Ping.self) { _, seen, _ in seen += 1 }
    }
}

struct Step: Event {
    static let eventType = "Step"
    var key: String
    var n: Int
    var subject: String { key }
}

/// Applies Steps in the order they arrive; the first attempt of step 1 of every key fails, so
/// without per-subject ordering the later steps would overtake it.
struct SequencerService: ServiceDefinition {
    static let name = "sequencer"
    let attempts: Shared<[String: Int]>

    func initialState() -> [String: [Int]] { [:] }

    func handlers(_ on: inout HandlerSet<[String: [Int]]>) {
        on.event(Step.self, settings: SubscriptionSettings(orderedBySubject: true)) { [attempts] step, applied, _ in
            let attempt = attempts.update { $0["\(step.key)-\(step.n)", default: 0] += 1; return $0["\(step.key)-\(step.n)"]! }
            if step.n == 1, attempt == 1 { throw CounterService.Failure() }
            applied[step.key, default: []].append(step.n)
        }
    }
}

/// An event with a number JSON cannot carry when `reading` is not finite.
struct Reading: Event {
    static let eventType = "Reading"
    var reading: Double
}

/// Turns each Ping into a Reading of 1/n: Ping 0 gives infinity, which does not encode. Its
/// state counts the Pings whose handling was kept.
struct ReadingService: ServiceDefinition {
    static let name = "reader"
    func initialState() -> Int { 0 }
    func handlers(_ on: inout HandlerSet<Int>) {
        on.event(Ping.self) { ping, kept, context in
            kept += 1
            context.publish(Reading(reading: 1 / Double(ping.n)))
        }
    }
}
