import Foundation
import Testing

/// `troupe simulate` as a user runs it: bad input in one line, and a seed that replays exactly
/// in another process.
@Suite("troupe simulate")
struct SimulateCommandTests {
    @Test(arguments: [
        (["simulate"], "--seed"),
        (["simulate", "--seeds", "9..2"], "empty"),
        (["simulate", "--seeds", "one..ten"], "A..B"),
        (["simulate", "--seed", "1", "--seeds", "1..2"], "not both"),
        (["simulate", "--seed", "1", "--orders", "0"], "--orders"),
        (["simulate", "--seed", "1", "--bug", "off-by-one"], "unknown bug 'off-by-one'"),
        (["simulate", "--seed", "1", "--scenario", "/nonexistent/troupe.json"], "no scenario"),
    ])
    func badInputFailsWithOneClearLine(arguments: [String], mentions: String) async throws {
        let result = try await TroupeExecutable.run(arguments, timeout: .seconds(60))
        #expect(result.status != 0)
        let lines = result.stderr.split(separator: "\n", omittingEmptySubsequences: true)
        #expect(lines.count == 1, "exactly one line, got: \(result.stderr)")
        #expect(result.stderr.contains(mentions), "\(result.stderr)")
    }

    @Test func aSeedReplaysToTheSameTraceHashInAnotherProcess() async throws {
        func hash(_ seed: String) async throws -> String {
            let result = try await TroupeExecutable.run(["simulate", "--seed", seed, "--orders", "8"], timeout: .seconds(120))
            #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
            #expect(result.stdout.contains("6 of 6 invariants hold"))
            return try #require(result.stdout.split(separator: "\n").first { $0.hasPrefix("trace hash: ") }.map(String.init))
        }
        let first = try await hash("31")
        let again = try await hash("31")
        let other = try await hash("32")
        #expect(first == again)
        #expect(first != other)
    }
}
