import Foundation
import OrderSaga
import Troupe

/// What `troupe demo` prints at the end (and as JSON with `--json`).
struct DemoReport: Codable {
    struct Latency: Codable {
        var p50Millis: Double
        var p99Millis: Double
        var maxMillis: Double
    }

    var orders: Int
    var confirmed: Int
    var cancelled: Int
    var pending: Int
    var wallSeconds: Double
    var eventsHandled: Int
    var eventsPerSecond: Double
    var redeliveries: Int
    var duplicatesSuppressed: Int
    var deadLetters: Int
    var orderCompletionLatency: Latency
    var faults: [String]
    var nodes: [NodeStatusReply]
    var invariants: [InvariantResult]
    var passed: Bool
    var dataDirectory: String?

    static func latency(of book: OrderBook, orderIDs: [String]) -> Latency {
        let millis = orderIDs.compactMap { id -> Double? in
            guard let record = book.orders[id], let placed = record.placedAtMicros, let done = record.terminalAtMicros else { return nil }
            return Double(max(0, done - placed)) / 1000
        }.sorted()
        func percentile(_ p: Double) -> Double {
            guard !millis.isEmpty else { return 0 }
            return millis[min(millis.count - 1, Int((p * Double(millis.count)).rounded(.up)) - 1)]
        }
        return Latency(p50Millis: percentile(0.5), p99Millis: percentile(0.99), maxMillis: millis.last ?? 0)
    }

    func render() -> String {
        var lines = [
            "",
            "Troupe demo — \(orders) orders in \(String(format: "%.2f", wallSeconds)) s",
            "  confirmed \(confirmed)   cancelled \(cancelled)   pending \(pending)",
            "  events handled \(eventsHandled) (\(String(format: "%.0f", eventsPerSecond))/s)   redeliveries \(redeliveries)   duplicates suppressed \(duplicatesSuppressed)   dead letters \(deadLetters)",
            "  order completion latency  p50 \(String(format: "%.1f", orderCompletionLatency.p50Millis)) ms   p99 \(String(format: "%.1f", orderCompletionLatency.p99Millis)) ms   max \(String(format: "%.1f", orderCompletionLatency.maxMillis)) ms",
        ]
        if !faults.isEmpty { lines += ["", "Faults:"] + faults.map { "  \($0)" } }
        lines += ["", "Nodes:"] + StatsTable.render(nodes).split(separator: "\n").map { "  \($0)" }
        lines += ["", "Invariants:"] + SagaInvariantChecker().report(invariants).split(separator: "\n").map { "  \($0)" }
        lines += ["", passed ? "All invariants hold." : "INVARIANT VIOLATED — see above."]
        if let dataDirectory { lines.append("Data kept in \(dataDirectory) (try: troupe check --data \(dataDirectory))") }
        return lines.joined(separator: "\n")
    }
}
