import Foundation
import Histogram

/// What `troupe bench` reports (also its `--json` output, one line).
struct BenchReport: Codable, Sendable {
    struct Latency: Codable, Sendable {
        var p50: Double
        var p90: Double
        var p99: Double
        var p999: Double
        var max: Double
        var mean: Double

        init(_ histogram: Histogram<UInt64>) {
            p50 = Double(histogram.valueAtPercentile(50))
            p90 = Double(histogram.valueAtPercentile(90))
            p99 = Double(histogram.valueAtPercentile(99))
            p999 = Double(histogram.valueAtPercentile(99.9))
            max = Double(histogram.max)
            mean = histogram.mean
        }
    }

    var system = "troupe"
    var mode: String
    var inProcess: Bool
    var msgs: Int
    var size: Int
    var pubs: Int
    var subs: Int
    var groups: Int
    /// Offered rate in events/s (0: as fast as the window allows).
    var rate: Double
    var window: Int
    var ackBatch: Int
    /// Events handled by the subscribers (msgs × groups when complete).
    var count: Int
    var expected: Int
    var complete: Bool
    var elapsedSeconds: Double
    /// Events handled and acked end to end per second (count / wall time).
    var msgsPerSecond: Double
    /// Payload bytes (`size` each) per second, 10^6 B.
    var mbPerSecond: Double
    /// Publish (or scheduled send, under --rate) → handled, µs.
    var latencyMicros: Latency
    /// Under --rate: scheduled send → published (stamped in the publishing node), µs: the part
    /// of `latencyMicros` spent before the event reached the runtime (the generator's timer
    /// wake-up and the hop into the node). Nil without a rate.
    var sendLatenessMicros: Latency?
    var redelivered: Int
    var duplicatesSuppressed: Int
    /// Resident set size in kB: per node process (process mode) or of the whole bench (in-process).
    var rssKilobytes: [String: [Int]]

    func text() -> String {
        func fmtRate(_ v: Double) -> String {
            v >= 1e6 ? String(format: "%.2fM", v / 1e6) : v >= 1e3 ? String(format: "%.1fk", v / 1e3) : String(format: "%.0f", v)
        }
        func us(_ v: Double) -> String { v >= 1000 ? String(format: "%.2f ms", v / 1000) : String(format: "%.0f µs", v) }
        let shape = "\(pubs) pub → \(subs) sub\(subs == 1 ? "" : "s") in \(groups) group\(groups == 1 ? "" : "s")"
        let head = "Troupe bench — \(mode) mode, \(inProcess ? "in-process" : "separate processes"), \(shape), \(msgs) msgs × \(size) B"
        let offered: String = rate > 0 ? ", offered \(fmtRate(rate))/s" : ", window \(window)"
        let completeness: String = complete ? "" : " (INCOMPLETE)"
        let elapsedText = String(format: "%.3f", elapsedSeconds)
        let mb = String(format: "%.1f", mbPerSecond)
        let throughput = "  handled \(count) of \(expected)\(completeness) in \(elapsedText) s: \(fmtRate(msgsPerSecond)) msgs/s, \(mb) MB/s"
        let l = latencyMicros
        let p50 = us(l.p50), p90 = us(l.p90), p99 = us(l.p99), p999 = us(l.p999), mx = us(l.max)
        let latency = "  publish→handled  p50 \(p50)  p90 \(p90)  p99 \(p99)  p99.9 \(p999)  max \(mx)"
        var lines: [String] = [head + offered, throughput, latency]
        if let late = sendLatenessMicros {
            lines.append("  of which sending p50 \(us(late.p50))  p90 \(us(late.p90))  p99 \(us(late.p99))  p99.9 \(us(late.p999))  max \(us(late.max))")
        }
        lines.append("  redelivered \(redelivered)   duplicates suppressed \(duplicatesSuppressed)")
        if !rssKilobytes.isEmpty {
            let parts = rssKilobytes.keys.sorted().map { key in
                "\(key) " + rssKilobytes[key]!.map { String(format: "%.1f", Double($0) / 1024) }.joined(separator: "→") + " MB"
            }
            lines.append("  RSS (ready→end)  " + parts.joined(separator: "   "))
        }
        return lines.joined(separator: "\n")
    }

    func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(self)) ?? Data("{}".utf8), as: UTF8.self)
    }
}

/// The one `result {...}` line a bench child prints on stdout before it exits.
struct BenchChildResult: Codable, Sendable {
    var role: String
    var nodeID: String
    var handled = 0
    var published = 0
    var startMicros: Int64 = 0
    var endMicros: Int64 = 0
    var redelivered = 0
    var duplicatesSuppressed = 0
    var rssReadyKilobytes = 0
    var rssEndKilobytes = 0
    /// The subscriber's latency histogram as [value µs, count] pairs.
    var latencies: [[UInt64]] = []
    /// The subscriber's send-lateness histogram (under --rate) as [value µs, count] pairs.
    var sendLateness: [[UInt64]] = []

    func line() -> String {
        "result " + String(decoding: (try? JSONEncoder().encode(self)) ?? Data("{}".utf8), as: UTF8.self)
    }

    static func parse(_ line: Substring) -> BenchChildResult? {
        guard line.hasPrefix("result ") else { return nil }
        return try? JSONDecoder().decode(BenchChildResult.self, from: Data(line.dropFirst("result ".count).utf8))
    }
}
