import ArgumentParser
import Dispatch
import Foundation
import OrderSaga
import Troupe
import TroupeChaos
import TroupeWire

/// `troupe demo`: four saga nodes as separate processes, N orders, live progress, a checked report.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the order saga live: four node processes, N orders, a checked report.",
        discussion: """
            Starts order, inventory, payment and notification as separate `troupe node` processes
            on free loopback ports with a fresh data directory, waits until the mesh is up, places
            --orders orders at --rate per second through the order node, shows progress, then
            prints counts, latency, per-node counters and the saga's invariant check. Exits 1 if an
            invariant fails. Every child process is stopped at the end, also on Ctrl-C.

            --crash SERVICE kills that node with SIGKILL --crash-at seconds into the run and
            restarts it --restart-after seconds later on the same port and data directory.

            --scenario NAME|FILE plays a timed fault schedule (Samples/Scenarios/NAME.json, or a
            file): link faults and handler faults are set on every node over CONTROL frames,
            crashes and restarts are done by this supervisor. Every random fault decision derives
            from --seed, so the same scenario and seed apply the same faults at the same offsets.
            The report adds the fault timeline, what the faults did, the corrupted frames the
            checksums caught, the dead letters and why, and the convergence time (from the last
            fault healed to every order terminal). Scenarios: flaky-network, partition-payment,
            crash-inventory, duplicate-storm, slow-consumer, corrupt-links, everything,
            poison-events, skew-and-lost-acks, crash-after-commit.

            --node-host NODE=HOST and --node-wrapper COMMAND place the nodes elsewhere than on
            127.0.0.1: deploy/netns/run.sh --demo runs each node in its own network namespace
            (a "host" behind a veth, optionally rate-limited and lossy) with them.
            """
    )

    @Option(help: "How many orders to place.") var orders = 100
    @Option(help: "Orders per second.") var rate = 200.0
    @Option(help: "Seed of the order generator and of every fault decision.") var seed: UInt64 = 1
    @Option(help: "Play a fault scenario: a name from Samples/Scenarios or a JSON file.") var scenario: String?
    @Flag(help: "Print the final report as JSON.") var json = false
    @Option(help: "Keep the nodes' databases and logs in this directory (default: a temporary one, removed).") var data: String?
    @Option(help: "Give up waiting for the saga to settle after this many seconds.") var timeout = 120.0
    @Option(help: "Fault: crash this service's node (SIGKILL) during the run.") var crash: SagaRole?
    @Option(help: "Seconds into the run at which --crash strikes.") var crashAt = 1.0
    @Option(help: "Seconds after the crash at which the node is restarted.") var restartAfter = 1.0
    @Option(help: "Log level of the nodes (their logs go to DATA/<node>.log).") var logLevel = "info"
    @Option(name: .customLong("node-host"), help: ArgumentHelp("Listen host of one node, NODE=HOST (repeatable; default 127.0.0.1).", valueName: "node=host"))
    var nodeHosts: [String] = []
    @Option(help: ArgumentHelp("Start each node through this command; {node} becomes its id (e.g. \"ip netns exec troupe-{node}\").", valueName: "command"))
    var nodeWrapper: String?
    @Option(help: ArgumentHelp("Every node serves the HTTP API and dashboard: node i on port N+i (0: free ports).", valueName: "N"))
    var httpBasePort: Int?
    @Option(help: "How orders reach the order node: control (CONTROL frames) or http (POST /orders; needs --http-base-port).")
    var via: OrderChannel = .control

    func validate() throws {
        if orders < 1 { throw ValidationError("--orders must be at least 1") }
        if !(rate > 0) { throw ValidationError("--rate must be positive") }
        if !(timeout > 0) { throw ValidationError("--timeout must be positive") }
        if crashAt < 0 || restartAfter < 0 { throw ValidationError("--crash-at and --restart-after must not be negative") }
        _ = try placement()
        if let httpBasePort, !(0...65_532).contains(httpBasePort) { throw ValidationError("--http-base-port must be between 0 and 65532") }
        if via == .http, httpBasePort == nil { throw ValidationError("--via http needs --http-base-port") }
    }

    func run() async throws {
        let report = try await runDemo(showingProgress: true)
        print(json ? String(decoding: try JSONEncoder.pretty.encode(report), as: UTF8.self) : report.render())
        if !report.passed { throw ExitCode(1) }
    }

    /// One whole demo — cluster up, orders, faults, settle, check, cluster down — as a report.
    func runDemo(showingProgress: Bool) async throws -> DemoReport {
        let timeline: ScenarioTimeline?
        do {
            timeline = try scenario.map { try Scenario.load($0, searching: DemoScenario.searchDirectories).timeline(seed: seed) }
        } catch let error as ScenarioError {
            throw CommandFailure(error.message)
        }
        let directory = try data ?? Self.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let cluster = DemoCluster(dataDirectory: directory, logLevel: logLevel, placement: try placement(), httpBasePort: httpBasePort)
        let signals = Self.stopChildrenOnSignals(cluster)
        defer { signals.forEach { $0.cancel() } }
        let report: DemoReport
        do {
            try await cluster.start()
            if let dashboard = cluster.httpAddresses["order"] {
                FileHandle.standardError.write(Data("troupe demo: dashboard at http://\(dashboard)/ (every node serves one)\n".utf8))
            }
            var demo = DemoRun(command: self, cluster: cluster, dataDirectory: directory, timeline: timeline)
            demo.showsProgress = showingProgress
            report = try await demo.run()
        } catch {
            await cluster.stop()
            throw error
        }
        await cluster.stop()
        if data == nil { try? FileManager.default.removeItem(atPath: directory) }
        return report
    }

    /// `--node-host` and `--node-wrapper`, parsed.
    func placement() throws -> DemoPlacement {
        var placement = DemoPlacement()
        for text in nodeHosts {
            let (node, host) = try DemoPlacement.parseHost(text)
            placement.hosts[node] = host
        }
        if let nodeWrapper { placement.wrapper = try DemoPlacement.parseWrapper(nodeWrapper) }
        return placement
    }

    static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "troupe-demo-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0 ... .max))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Ctrl-C or SIGTERM: kill every child at once and exit 130, leaving nothing behind.
    static func stopChildrenOnSignals(_ cluster: DemoCluster) -> [any DispatchSourceSignal] {
        [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                cluster.killAll()
                FileHandle.standardError.write(Data("\ntroupe demo: interrupted; every node stopped\n".utf8))
                Glibc.exit(130)
            }
            source.resume()
            return source
        }
    }
}
