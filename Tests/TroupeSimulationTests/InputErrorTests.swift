import Foundation
import SagaSimulation
import Testing
import Troupe
import TroupeChaos
import TroupeSimulation

/// Bad input to the simulator is refused with a message saying what is expected.
@Suite struct InputErrorTests {
    @Test func seedRangesParse() throws {
        #expect(try SeedRange(parsing: "1..1000").count == 1000)
        #expect(try SeedRange(parsing: "7").seeds == 7...7)
    }

    @Test(arguments: ["5..1", "abc", "1...3", "1..", "..9", "-1..4", ""])
    func badSeedRangesAreRefused(_ text: String) {
        #expect(throws: SimulationInputError.self) { try SeedRange(parsing: text) }
    }

    @Test func anUnknownBugIsRefusedWithTheKnownNames() throws {
        #expect(try PlantedBug(named: "ack-before-commit") == .ackBeforeCommit)
        let error = #expect(throws: SimulationInputError.self) { try PlantedBug(named: "off-by-one") }
        #expect(error?.message.contains("skip-idempotency") == true)
    }

    @Test func anUnreadableScenarioIsRefused() throws {
        let missing = #expect(throws: SimulationInputError.self) {
            try Scenario.loadForSimulation("/nonexistent/nothing.json", searching: [])
        }
        #expect(missing?.message.contains("no scenario") == true)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("troupe-sim-bad-\(getpid()).json").path
        FileManager.default.createFile(atPath: path, contents: Data("{\"name\": 3}".utf8))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let invalid = #expect(throws: SimulationInputError.self) { try Scenario.loadForSimulation(path, searching: []) }
        #expect(invalid?.message.contains("not a scenario") == true)
    }
}
