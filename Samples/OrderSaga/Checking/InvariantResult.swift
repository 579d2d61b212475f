/// The verdict on one invariant.
public struct InvariantResult: Codable, Sendable, Hashable {
    /// What was checked, e.g. `every order terminal` (a ``SagaInvariant`` raw value).
    public var name: String
    /// Whether it held. Informational lines always pass.
    public var passed: Bool
    /// Why it failed, one line each, naming order ids (or nodes) and values — e.g.
    /// `order-0042 pending`. For informational lines, the observations.
    public var counterexamples: [String]
    /// Whether this line informs rather than judges.
    public var informational: Bool

    /// Creates a result.
    public init(name: String, passed: Bool, counterexamples: [String] = [], informational: Bool = false) {
        self.name = name
        self.passed = passed
        self.counterexamples = counterexamples
        self.informational = informational
    }

    /// The result of `invariant`: passed when `counterexamples` is empty (or always, for an
    /// informational invariant).
    public init(_ invariant: SagaInvariant, counterexamples: [String]) {
        self.init(name: invariant.rawValue, passed: invariant.isInformational || counterexamples.isEmpty,
                  counterexamples: counterexamples, informational: invariant.isInformational)
    }
}
