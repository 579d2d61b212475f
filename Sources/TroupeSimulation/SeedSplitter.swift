import TroupeChaos

/// Derives independent seeds for each component of a run from the run's one seed, by name
/// (`"network"`, `"node:payment-1:2"`, ...), so adding a component never shifts another's
/// random stream. Uses the chaos layer's derivation (`ChaosSeed`).
public struct SeedSplitter: Sendable, Hashable {
    /// The run's seed.
    public let seed: UInt64

    /// A splitter for `seed`.
    public init(seed: UInt64) {
        self.seed = seed
    }

    /// The seed of the component called `name`.
    public func seed(for name: String) -> UInt64 {
        ChaosSeed.derive(seed, nodeID: name)
    }
}
