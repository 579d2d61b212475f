import Foundation
import Testing

/// The demo as a newcomer runs it: the built binary, four child processes, a checked report.
@Suite("troupe demo (multi-process)", .serialized)
struct DemoProcessTests {
    struct Report: Decodable {
        struct Invariant: Decodable {
            var name: String
            var passed: Bool
            var counterexamples: [String]
        }

        var orders: Int
        var confirmed: Int
        var cancelled: Int
        var pending: Int
        var passed: Bool
        var faults: [String]
        var invariants: [Invariant]
    }

    @Test func twoHundredOrdersPassEveryInvariantAndLeaveNoProcessBehind() async throws {
        let directory = try TroupeExecutable.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let result = try await TroupeExecutable.run(["demo", "--orders", "200", "--json", "--data", directory])
        #expect(result.status == 0, "stderr: \(result.stderr.suffix(2000))")
        let report = try JSONDecoder().decode(Report.self, from: Data(result.stdout.utf8))
        #expect(report.passed)
        #expect(report.invariants.allSatisfy { $0.passed }, "\(report.invariants.filter { !$0.passed }.map(\.name))")
        #expect(report.orders == 200 && report.pending == 0)
        #expect(report.confirmed > 0 && report.cancelled > 0, "both the happy and the compensating path ran")
        #expect(TroupeExecutable.processes(mentioning: directory).isEmpty, "every node process was stopped")
    }

    @Test func killingThePaymentNodeMidDemoLosesNoOrder() async throws {
        let directory = try TroupeExecutable.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let result = try await TroupeExecutable.run([
            "demo", "--orders", "200", "--rate", "150", "--json", "--data", directory,
            "--crash", "payment", "--crash-at", "0.5", "--restart-after", "0.5",
        ])
        #expect(result.status == 0, "stderr: \(result.stderr.suffix(2000))")
        let report = try JSONDecoder().decode(Report.self, from: Data(result.stdout.utf8))
        #expect(report.faults.count == 2, "crash and restart were applied: \(report.faults)")
        #expect(report.passed)
        #expect(report.pending == 0, "zero orders lost")
        #expect(report.invariants.allSatisfy { $0.passed }, "\(report.invariants.filter { !$0.passed }.map(\.name))")
        #expect(TroupeExecutable.processes(mentioning: directory).isEmpty)
    }
}
