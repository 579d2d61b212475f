import Foundation
import OrderSaga
import Troupe
import TroupeChaos

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
    /// `--scenario`, as given.
    var scenario: String?
    /// The run's seed (orders and every fault decision).
    var seed: UInt64 = 0
    /// The scenario's planned timeline: the same for the same scenario and seed.
    var faultTimeline: [String] = []
    /// From the last fault healed to every order terminal and every outbox empty.
    var convergenceMillis: Double?
    /// Corrupted frames the nodes' checksums caught (counted by nodes alive at the end).
    var checksumFailures = 0
    /// What the link faults did (nodes alive at the end, since their last start).
    var linkFaults = LinkFaultCounters()
    /// What the handler faults did.
    var handlerFaults = HandlerFaultCounters()
    /// Each dead letter: where, what, and why.
    var deadLetterReasons: [String] = []
    /// Nodes whose process was restarted during the run: their counters start from the restart.
    var restartedNodes: [String] = []

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
        if !faults.isEmpty { lines += ["", "Faults\(scenario.map { " (scenario \($0), seed \(seed))" } ?? ""):"] + faults.map { "  \($0)" } }
        if let convergenceMillis {
            let l = linkFaults
            let h = handlerFaults
            lines += [
                "  converged \(String(format: "%.0f", convergenceMillis)) ms after the last fault healed",
                "  frames dropped \(l.dropped)  duplicated \(l.duplicated)  corrupted \(l.corrupted)  delayed \(l.delayed)  partitioned \(l.partitioned)  "
                    + "checksum failures caught \(checksumFailures)",
                "  handler failures injected \(h.failed)  slowed \(h.slowed)  paused \(h.pausedDeliveries)",
            ]
        }
        if !deadLetterReasons.isEmpty { lines += ["", "Dead letters:"] + deadLetterReasons.map { "  \($0)" } }
        lines += ["", "Nodes:"] + StatsTable.render(nodes).split(separator: "\n").map { "  \($0)" }
        if !restartedNodes.isEmpty {
            lines.append("  (counters are per process: \(restartedNodes.joined(separator: ", ")) restarted during the run and count from the restart;")
            lines.append("   the invariants above are checked on the stores, which survived)")
        }
        lines += ["", "Invariants:"] + SagaInvariantChecker().report(invariants).split(separator: "\n").map { "  \($0)" }
        lines += ["", passed ? "All invariants hold." : "INVARIANT VIOLATED — see above."]
        if let dataDirectory { lines.append("Data kept in \(dataDirectory) (try: troupe check --data \(dataDirectory))") }
        return lines.joined(separator: "\n")
    }
}
