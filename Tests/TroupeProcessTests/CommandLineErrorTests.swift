import Foundation
import Testing

/// Bad flags, unreachable nodes and impossible requests: one clear line, a non-zero status.
@Suite("troupe command-line errors")
struct CommandLineErrorTests {
    @Test(arguments: [
        (["node", "--service", "bogus"], "bogus"),
        (["node"], "--service"),
        (["node", "--service", "order", "--listen", "nonsense"], "host:port"),
        (["node", "--service", "order", "--crash-after-handled", "0"], "at least 1"),
        (["node", "--service", "order", "--archive-capacity", "0"], "--archive-capacity must be at least 1"),
        (["bench", "--archive-capacity", "0"], "--archive-capacity must be at least 1"),
        (["demo", "--orders", "0"], "--orders"),
        (["demo", "--rate", "-3"], "--rate"),
        (["demo", "--node-host", "warehouse=10.0.0.1"], "NODE=HOST"),
        (["demo", "--node-host", "order"], "NODE=HOST"),
        (["demo", "--node-wrapper", " "], "--node-wrapper"),
        (["stats", "--node", "127.0.0.1:1"], "cannot reach"),
        (["stats"], "--node"),
        (["dlq", "list", "--node", "127.0.0.1:1"], "cannot reach"),
        (["dlq", "replay", "--node", "not-an-address"], "host:port"),
        (["frobnicate"], "frobnicate"),
        (["node", "--service", "order", "--http", "nonsense"], "--http expects host:port"),
        (["node", "--service", "order", "--http", "127.0.0.1:99999"], "--http expects host:port"),
        (["node", "--service", "order", "--http", "127.0.0.1:0", "--tls-cert", "cert.pem"], "--tls-cert and --tls-key"),
        (["node", "--service", "order", "--tls-cert", "c.pem", "--tls-key", "k.pem"], "needs --http"),
        (["node", "--service", "order", "--http", "127.0.0.1:0", "--tls-cert", "/nonexistent/c.pem", "--tls-key", "/nonexistent/k.pem"], "cannot load the TLS certificate"),
        (["node", "--service", "order", "--log-format", "xml"], "log-format"),
        (["demo", "--via", "http"], "--http-base-port"),
        (["demo", "--via", "carrier-pigeon"], "--via"),
        (["check"], "--data"),
        (["check", "--data", "/nonexistent/troupe-run"], "no data directory"),
        (["trace", "order-0001", "--data", "/nonexistent/troupe-run"], "no data directory"),
        (["trace", "order-0001", "--node", "127.0.0.1:1"], "cannot reach"),
    ])
    func failsWithOneClearLine(arguments: [String], mentions: String) async throws {
        let result = try await TroupeExecutable.run(arguments, timeout: .seconds(60))
        #expect(result.status != 0)
        let lines = result.stderr.split(separator: "\n", omittingEmptySubsequences: true)
        #expect(lines.count == 1, "exactly one line, got: \(result.stderr)")
        #expect(lines.first?.hasPrefix("troupe: ") == true)
        #expect(result.stderr.contains(mentions), "\(result.stderr)")
        #expect(!result.stderr.contains("Fatal error") && !result.stderr.contains("Stack trace"))
    }

    @Test func aPortThatIsTakenIsReportedInOneLine() async throws {
        let holder = try ChildProcess(["node", "--service", "order", "--listen", "127.0.0.1:0"])
        let address = try #require(await holder.waitUntilReady())
        let result = try await TroupeExecutable.run(["node", "--service", "inventory", "--listen", address], timeout: .seconds(60))
        await holder.stop()
        #expect(result.status != 0)
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        #expect(result.stderr.contains("cannot listen on \(address)"))
    }

    @Test func aMissingDataDirectoryParentIsCreatedAndAnUnwritableOneIsOneLine() async throws {
        let result = try await TroupeExecutable.run(["node", "--service", "order", "--data", "/proc/troupe-cannot-write-here"], timeout: .seconds(60))
        #expect(result.status != 0)
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        #expect(result.stderr.contains("/proc/troupe-cannot-write-here"))
    }
}
