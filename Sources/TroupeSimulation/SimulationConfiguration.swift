public import Troupe
public import TroupeChaos

/// How one simulated run is set up. Everything random in it derives from ``seed``.
public struct SimulationConfiguration: Sendable {
    /// The run's one seed.
    public var seed: UInt64
    /// The faults to apply, as a scenario of the chaos layer: one the nemesis drew from the
    /// seed, or one read from a file.
    public var faults: Scenario
    /// The defect planted in every node, if any.
    public var plantedBug: PlantedBug?
    /// Whether to keep the trace's lines (the hash is always computed).
    public var keepsTrace: Bool
    /// Inputs are injected one after another, each 1 ms to this many ms after the previous.
    public var maximumInjectionGapMillis: Int
    /// After the last fault healed and the last input went in, the run waits at most this long
    /// (virtual time) for the system to settle.
    public var settleLimitMillis: Int

    /// Creates a configuration.
    public init(
        seed: UInt64, faults: Scenario = Scenario(name: "no faults", steps: []), plantedBug: PlantedBug? = nil,
        keepsTrace: Bool = false, maximumInjectionGapMillis: Int = 40, settleLimitMillis: Int = 180_000
    ) {
        self.seed = seed
        self.faults = faults
        self.plantedBug = plantedBug
        self.keepsTrace = keepsTrace
        self.maximumInjectionGapMillis = maximumInjectionGapMillis
        self.settleLimitMillis = settleLimitMillis
    }
}
