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

        // The run can be explained afterwards: the invariants re-checked from the stores...
        let check = try await TroupeExecutable.run(["check", "--data", directory], timeout: .seconds(120))
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        #expect(check.stdout.contains("200 orders placed") && check.stdout.contains("6 of 6 invariants hold"))

        // ...and one confirmed and one payment-declined order traced across all four nodes.
        var confirmedTrace: String?
        var compensatedTrace: String?
        for number in 1...200 where confirmedTrace == nil || compensatedTrace == nil {
            let orderID = "order-" + String(repeating: "0", count: 4 - String(number).count) + String(number)
            let trace = try await TroupeExecutable.run(["trace", orderID, "--data", directory], timeout: .seconds(120))
            #expect(trace.status == 0, "\(trace.stderr)")
            if trace.stdout.contains("OrderConfirmed") { confirmedTrace = confirmedTrace ?? trace.stdout }
            if trace.stdout.contains("StockReleased") { compensatedTrace = compensatedTrace ?? trace.stdout }
        }
        let confirmed = try #require(confirmedTrace)
        for step in ["OrderPlaced", "StockReserved", "PaymentCaptured", "OrderConfirmed", "CustomerNotified", "across 4 nodes"] {
            #expect(confirmed.contains(step), "\(step) missing from\n\(confirmed)")
        }
        let compensated = try #require(compensatedTrace)
        for step in ["OrderPlaced", "StockReserved", "PaymentDeclined", "StockReleased", "OrderCancelled", "CustomerNotified", "across 4 nodes"] {
            #expect(compensated.contains(step), "\(step) missing from\n\(compensated)")
        }
        let mermaid = try await TroupeExecutable.run(["trace", "order-0001", "--data", directory, "--mermaid"], timeout: .seconds(120))
        #expect(mermaid.stdout.hasPrefix("sequenceDiagram") && mermaid.stdout.contains("order->>inventory: OrderPlaced"))
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
