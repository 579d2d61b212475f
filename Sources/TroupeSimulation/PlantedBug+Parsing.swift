public import Troupe
public import TroupeChaos

extension PlantedBug {
    /// The bug called `name` (`skip-idempotency`, `ack-before-commit`); throws
    /// ``SimulationInputError`` listing the known names otherwise.
    public init(named name: String) throws(SimulationInputError) {
        guard let bug = PlantedBug(rawValue: name) else {
            let known = PlantedBug.allCases.map(\.rawValue).joined(separator: ", ")
            throw SimulationInputError("unknown bug '\(name)' (known: \(known))")
        }
        self = bug
    }
}

extension Scenario {
    /// Loads a scenario for the simulator: a name from `directories` or a JSON file. Unreadable
    /// or invalid files throw ``SimulationInputError`` with the chaos layer's message.
    public static func loadForSimulation(_ nameOrPath: String, searching directories: [String]) throws(SimulationInputError) -> Scenario {
        do {
            return try Scenario.load(nameOrPath, searching: directories)
        } catch {
            throw SimulationInputError("scenario: \(error)")
        }
    }
}
