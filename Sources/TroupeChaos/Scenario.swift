public import Foundation

/// A seeded schedule of faults (DESIGN.md §5), loaded from a JSON file such as
/// `Samples/Scenarios/partition-payment.json`:
///
/// ```json
/// {"name": "partition-payment", "duration": "6s",
///  "steps": [{"at": "1s", "partition": ["payment"], "for": "3s"}]}
/// ```
///
/// ``timeline(seed:)`` compiles it into the exact list of plan changes, crashes and restarts
/// a run applies, each at its offset; equal scenario and seed give an equal timeline.
public struct Scenario: Codable, Hashable, Sendable {
    /// The scenario's name.
    public var name: String
    /// What it does, for people.
    public var description: String?
    /// When every remaining fault heals (default: the end of the last bounded step).
    public var duration: String?
    /// The steps, in any order.
    public var steps: [ScenarioStep]

    /// Creates a scenario.
    public init(name: String, description: String? = nil, duration: String? = nil, steps: [ScenarioStep]) {
        self.name = name
        self.description = description
        self.duration = duration
        self.steps = steps
    }

    /// Decodes a scenario file, checking every duration and probability.
    public static func decode(_ data: Data) throws -> Scenario {
        let scenario: Scenario
        do {
            scenario = try JSONDecoder().decode(Scenario.self, from: data)
        } catch {
            throw ScenarioError("not a scenario: \(error)")
        }
        _ = try scenario.timeline(seed: 0)
        return scenario
    }

    /// Loads a scenario given as a file path, or as the name of one in `directories`
    /// (`NAME.json`).
    public static func load(_ nameOrPath: String, searching directories: [String]) throws -> Scenario {
        var candidates = [nameOrPath]
        if !nameOrPath.contains("/") { candidates += directories.map { "\($0)/\(nameOrPath).json" } }
        for path in candidates where FileManager.default.fileExists(atPath: path) {
            guard let data = FileManager.default.contents(atPath: path) else { throw ScenarioError("cannot read \(path)") }
            do {
                return try decode(data)
            } catch let error as ScenarioError {
                throw ScenarioError("\(path): \(error.message)")
            }
        }
        throw ScenarioError("no scenario '\(nameOrPath)' (looked in \(candidates.joined(separator: ", ")))")
    }
}

/// A scenario that cannot be read or makes no sense.
public struct ScenarioError: Error, CustomStringConvertible {
    /// What is wrong.
    public var message: String
    /// Creates an error.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}
