import ArgumentParser
import Foundation

/// `troupe soak`: many demos back to back under a fault scenario, one line each.
struct SoakCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "soak",
        abstract: "Run many demos back to back under a fault scenario, one seed each.",
        discussion: """
            Runs `troupe demo --scenario S --seed N` for each seed in --seeds (the first --runs of
            them) and prints one line per run: seed, orders, confirmed, cancelled, redeliveries,
            convergence time and whether every invariant held; then a summary. Exits 1 if any run
            broke an invariant, printing the command that reproduces it.
              troupe soak --runs 20 --scenario everything --seeds 1..20
            """
    )

    @Option(help: "How many runs (default: one per seed).") var runs: Int?
    @Option(help: "The fault scenario: a name from Samples/Scenarios or a JSON file.") var scenario: String
    @Option(help: "Seeds to run, A..B (default 1..runs).") var seeds: String?
    @Option(help: "Orders per run.") var orders = 100
    @Option(help: "Orders per second.") var rate = 50.0
    @Option(help: "Give up waiting for one run to settle after this many seconds.") var timeout = 120.0

    func validate() throws {
        if let runs, runs < 1 { throw ValidationError("--runs must be at least 1") }
        if runs == nil && seeds == nil { throw ValidationError("give --runs N or --seeds A..B") }
        if let seeds, Self.parse(seeds) == nil { throw ValidationError("--seeds must look like 1..20") }
        if orders < 1 || !(rate > 0) || !(timeout > 0) { throw ValidationError("--orders, --rate and --timeout must be positive") }
    }

    /// One line on stdout, unbuffered (a soak is watched while it runs).
    static func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    static func parse(_ range: String) -> ClosedRange<UInt64>? {
        let parts = range.split(separator: ".", omittingEmptySubsequences: true)
        guard range.contains(".."), parts.count == 2, let low = UInt64(parts[0]), let high = UInt64(parts[1]), low <= high else { return nil }
        return low...high
    }

    func run() async throws {
        let range = seeds.flatMap(Self.parse) ?? 1...UInt64(runs ?? 1)
        let chosen = Array(range.prefix(runs ?? range.count))
        var failures: [UInt64] = []
        var convergences: [Double] = []
        Self.say("soak: \(chosen.count) run(s) of scenario \(scenario), \(orders) orders at \(rate)/s")
        for seed in chosen {
            let demo = try DemoCommand.parse([
                "--orders", "\(orders)", "--rate", "\(rate)", "--seed", "\(seed)", "--scenario", scenario, "--timeout", "\(timeout)",
            ])
            let report = try await demo.runDemo(showingProgress: false)
            if !report.passed { failures.append(seed) }
            if let convergence = report.convergenceMillis { convergences.append(convergence) }
            Self.say(String(
                format: "seed %-6llu orders %-5d confirmed %-5d cancelled %-5d redeliveries %-5d convergence %6.0f ms  invariants %@",
                seed, report.orders, report.confirmed, report.cancelled, report.redeliveries, report.convergenceMillis ?? 0,
                report.passed ? "ok" : "FAIL"
            ))
        }
        let sorted = convergences.sorted()
        let p50 = sorted.isEmpty ? 0 : sorted[sorted.count / 2]
        Self.say(String(format: "%d run(s): %d ok, %d failed; convergence p50 %.0f ms, max %.0f ms",
                     chosen.count, chosen.count - failures.count, failures.count, p50, sorted.last ?? 0))
        guard failures.isEmpty else {
            for seed in failures {
                Self.say("reproduce: troupe demo --scenario \(scenario) --seed \(seed) --orders \(orders) --rate \(rate)")
            }
            throw ExitCode(1)
        }
    }
}
