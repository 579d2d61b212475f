import Foundation
import Testing

/// `troupe bench` with tiny counts: it runs, completes and reports sane numbers. No timing
/// assertions (the machine is shared); only internal consistency of the report.
@Suite("troupe bench smoke", .serialized)
struct BenchSmokeTests {
    struct Report: Decodable {
        struct Latency: Decodable { var p50, p90, p99, p999, max: Double }
        var mode: String
        var count: Int
        var expected: Int
        var complete: Bool
        var msgsPerSecond: Double
        var mbPerSecond: Double
        var latencyMicros: Latency
        var sendLatenessMicros: Latency?
    }

    @Test(arguments: [
        ["--in-process", "--mode", "memory"],
        ["--in-process", "--mode", "durable"],
        ["--in-process", "--mode", "memory", "--subs", "2", "--groups", "2", "--rate", "5000"],
        ["--mode", "memory"],
    ])
    func reportsSaneNumbers(arguments: [String]) async throws {
        let msgs = 2000
        let result = try await TroupeExecutable.run(["bench", "--msgs", "\(msgs)", "--json", "--timeout", "120"] + arguments,
                                                    timeout: .seconds(180))
        #expect(result.status == 0, "\(result.stderr)")
        let line = try #require(result.stdout.split(separator: "\n").last, "no output: \(result.stderr)")
        let report = try JSONDecoder().decode(Report.self, from: Data(line.utf8))
        let groups = arguments.firstIndex(of: "--groups").map { Int(arguments[$0 + 1])! } ?? 1
        #expect(report.complete)
        #expect(report.count == msgs * groups)
        #expect(report.expected == msgs * groups)
        #expect(report.msgsPerSecond > 0)
        #expect(report.mbPerSecond > 0)
        let latency = report.latencyMicros
        #expect(latency.p50 <= latency.p90)
        #expect(latency.p90 <= latency.p99)
        #expect(latency.p99 <= latency.p999)
        #expect(latency.p999 <= latency.max)
        // Under a rate the generator's share is reported apart, and it is a part of the whole.
        if arguments.contains("--rate") {
            let sending = try #require(report.sendLatenessMicros)
            #expect(sending.p50 <= sending.p99 && sending.p99 <= sending.max)
            #expect(sending.max <= latency.max)
        } else {
            #expect(report.sendLatenessMicros == nil)
        }
    }

    @Test func rejectsABadShapeInOneLine() async throws {
        let result = try await TroupeExecutable.run(["bench", "--subs", "1", "--groups", "2"], timeout: .seconds(60))
        #expect(result.status != 0)
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        #expect(result.stderr.contains("--subs"))
    }
}
