/// A range of seeds as written on the command line: `A..B` (inclusive), or one seed.
public struct SeedRange: Sendable, Hashable, CustomStringConvertible {
    /// The first seed.
    public var lower: UInt64
    /// The last seed (inclusive).
    public var upper: UInt64

    /// Parses `A..B` or `N`; throws ``SimulationInputError`` on anything else, or when B < A.
    public init(parsing text: String) throws(SimulationInputError) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count == 1, let seed = UInt64(text) {
            lower = seed
            upper = seed
            return
        }
        guard parts.count == 3, parts[1].isEmpty, let lower = UInt64(parts[0]), let upper = UInt64(parts[2]) else {
            throw SimulationInputError("'\(text)' is not a seed range (write A..B, e.g. 1..1000)")
        }
        guard lower <= upper else {
            throw SimulationInputError("seed range \(text) is empty: \(lower) is greater than \(upper)")
        }
        self.lower = lower
        self.upper = upper
    }

    /// The seeds, in order.
    public var seeds: ClosedRange<UInt64> { lower...upper }

    /// How many seeds.
    public var count: UInt64 { upper - lower + 1 }

    /// `A..B`.
    public var description: String { "\(lower)..\(upper)" }
}

/// Bad input to the simulator (a seed range, a planted-bug name, a scenario file): the message
/// says what was wrong and what is expected.
public struct SimulationInputError: Error, CustomStringConvertible, Hashable {
    /// What was wrong.
    public var message: String

    /// An error saying `message`.
    public init(_ message: String) {
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
