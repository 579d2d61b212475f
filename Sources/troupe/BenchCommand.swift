import ArgumentParser
import Foundation
import Histogram
import Logging
import NIOCore
import NIOPosix
import Troupe
import TroupeMesh
import TroupeMeshNIO
import TroupeStore
import TroupeWire

extension BenchStoreMode: ExpressibleByArgument {}

/// `troupe bench`: publisher and subscriber nodes on loopback, in the style of `nats bench`.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure end-to-end throughput and publish→handled latency on loopback.",
        discussion: """
            Starts --pubs publisher nodes and --subs subscriber nodes (split round-robin into --groups \
            groups; every group gets every event, the members of a group share its events) as \
            separate `troupe` processes on 127.0.0.1, or inside this process with --in-process (all \
            nodes on one event loop group, still over real loopback TCP). The subscribers' handler \
            only records the publish→handled latency. Every event is acked (at-least-once); the run \
            ends when every publisher's outbox is empty.

            Throughput = events handled and acked end to end / wall time (first publish to empty \
            outbox). With --rate R the publishers offer R events/s in total on a fixed schedule and \
            latency is measured from each event's scheduled send time, so queueing is not hidden \
            (no coordinated omission); without it they publish as fast as --window allows.

              troupe bench --in-process --msgs 200000
              troupe bench --mode durable --subs 3 --groups 3
              troupe bench --rate 10000 --msgs 100000 --json
            """
    )

    @Option(help: "Events to publish (in total over all publishers).") var msgs = 100_000
    @Option(help: "Event body size in bytes (JSON).") var size = 256
    @Option(help: "Publisher nodes.") var pubs = 1
    @Option(help: "Subscriber nodes.") var subs = 1
    @Option(help: "Subscriber groups (fan-out: each group gets every event); at most \(benchMaximumGroups).") var groups = 1
    @Option(help: "Stores: memory (in-memory) or durable (SQLite outbox/inbox in a temporary directory).") var mode = BenchStoreMode.memory
    @Option(help: "Offered rate in events/s over all publishers (0: as fast as the window allows).") var rate = 0.0
    @Option(help: "Most events in flight (published, not yet acked by every group) per publisher.") var window = 1024
    @Option(help: "Without --rate: tasks publishing into each publisher node at once.") var concurrency = 8
    @Option(help: "Acks: a subscriber acks after this many handled events (or 2 ms).") var acks = 64
    @Flag(help: "Run every node inside this process.") var inProcess = false
    @Flag(help: "Print the report as one line of JSON.") var json = false
    @Option(help: "Give up after this many seconds.") var timeout = 300.0
    @Option(help: "Keep the databases and node logs here (default: a temporary directory, removed).") var data: String?
    @Option(help: "Durable mode: archive rows each node keeps (default: the SQLite store's \(SQLiteNodeStore.defaultArchiveCapacity)).") var archiveCapacity: Int?

    // Child roles (process mode): `troupe bench --role pub|sub ...`.
    @Option(help: .hidden) var role: String?
    @Option(help: .hidden) var index = 0
    @Option(help: .hidden, transform: NodeAddressOption.parse) var seed: PeerAddress?
    @Option(help: .hidden) var firstSeq = 0

    func validate() throws {
        if msgs < 1 { throw ValidationError("--msgs must be at least 1") }
        if size < 0 { throw ValidationError("--size must not be negative") }
        if pubs < 1 { throw ValidationError("--pubs must be at least 1") }
        if groups < 1 || groups > benchMaximumGroups { throw ValidationError("--groups must be 1...\(benchMaximumGroups)") }
        if subs < groups { throw ValidationError("--subs must be at least --groups") }
        if rate < 0 { throw ValidationError("--rate must not be negative") }
        if window < 1 || window > 8000 { throw ValidationError("--window must be 1...8000") }
        if concurrency < 1 { throw ValidationError("--concurrency must be at least 1") }
        if acks < 1 { throw ValidationError("--acks must be at least 1") }
        if let archiveCapacity, archiveCapacity < 1 { throw ValidationError("--archive-capacity must be at least 1") }
        if timeout <= 0 { throw ValidationError("--timeout must be positive") }
        if let role, role != "pub", role != "sub" { throw ValidationError("--role must be pub or sub") }
    }

    func run() async throws {
        switch role {
        case "pub": return try await BenchChild.runPublisher(self)
        case "sub": return try await BenchChild.runSubscriber(self)
        default: break
        }
        let directory = data ?? NSTemporaryDirectory() + "troupe-bench-\(UInt64.random(in: 0 ... .max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { if data == nil { try? FileManager.default.removeItem(atPath: directory) } }
        let report = inProcess ? try await runInProcess(directory: directory) : try await BenchProcesses(command: self, directory: directory).run()
        print(json ? report.json() : report.text())
        if !report.complete { throw CommandFailure("bench did not complete: handled \(report.count) of \(report.expected)") }
    }

    var logger: Logger {
        var logger = Logger(label: "troupe.bench") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = ProcessInfo.processInfo.environment["TROUPE_BENCH_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .error
        return logger
    }

    func settings(nodeID: String, seeds: [PeerAddress], directory: String) -> BenchNodeSettings {
        BenchNodeSettings(nodeID: nodeID, listen: PeerAddress(host: "127.0.0.1", port: 0), seeds: seeds, mode: mode,
                          dataDirectory: directory, archiveCapacity: archiveCapacity, ackBatch: acks, logger: logger)
    }

    /// Share of `msgs` for publisher `index`.
    func share(of index: Int) -> (first: Int, count: Int) {
        let base = msgs / pubs, extra = msgs % pubs
        return (index * base + min(index, extra), base + (index < extra ? 1 : 0))
    }

    private func runInProcess(directory: String) async throws -> BenchReport {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        let recorder = BenchRecorder()
        let pad = BenchEvent.padding(forSize: size)
        let rssReady = benchResidentKilobytes()
        var sinks: [BenchSinkHandle] = []
        var publishers: [BenchRunning<BenchSource>] = []
        func stopAll() async {
            for publisher in publishers { await publisher.stop() }
            for sink in sinks { await sink.stop() }
        }
        do {
            for i in 0 ..< subs {
                let seeds = sinks.first.map { [$0.address] } ?? []
                sinks.append(try await startBenchSink(groupIndex: i % groups, recorder: recorder,
                                                      settings: settings(nodeID: "sub-\(i)", seeds: seeds, directory: directory),
                                                      on: group.next()))
            }
            for i in 0 ..< pubs {
                publishers.append(try await BenchRunning.start(BenchSource(),
                                                               settings: settings(nodeID: "pub-\(i)", seeds: [sinks[0].address], directory: directory),
                                                               on: group.next()))
            }
            let deadline = ContinuousClock.now + .seconds(timeout)
            var stuck: [Int] = []
            for publisher in publishers {
                stuck.append(try await BenchPublisher.warmUp(publisher, groups: groups, pad: pad, timeout: .seconds(60)))
            }
            let start = ContinuousClock.now
            let startWall = benchWallMicros()
            let expected = msgs * groups
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                for (index, publisher) in publishers.enumerated() {
                    let (first, count) = share(of: index)
                    let perPublisherRate = rate / Double(pubs)
                    let startOffset = rate > 0 ? Double(index) / rate : 0
                    tasks.addTask { [window, pad, stuck] in
                        try await BenchPublisher.publish(publisher, count: count, firstSeq: first, rate: perPublisherRate, window: window,
                                                         pad: pad, start: start + .nanoseconds(Int64(startOffset * 1e9)),
                                                         startWall: startWall + Int64(startOffset * 1e6), concurrency: concurrency,
                                                         stuck: stuck[index])
                    }
                }
                try await tasks.waitForAll()
            }
            // Done when every event was handled by every group and every outbox is empty.
            var done = false
            while ContinuousClock.now < deadline {
                if recorder.handled >= expected {
                    var empty = true
                    for (index, publisher) in publishers.enumerated() where await publisher.node.statistics.outboxDepth > stuck[index] {
                        empty = false
                        break
                    }
                    if empty { done = true; break }
                }
                try await Task.sleep(for: .microseconds(200))
            }
            let elapsed = ContinuousClock.now - start
            let snapshot = recorder.snapshot
            var redelivered = 0, duplicates = 0
            for publisher in publishers { redelivered += await publisher.node.statistics.redelivered }
            for sink in sinks { duplicates += await sink.statistics().duplicatesSuppressed }
            let rssEnd = benchResidentKilobytes()
            await stopAll()
            try? await group.shutdownGracefully()
            return makeReport(count: snapshot.handled, expected: expected, complete: done, elapsed: elapsed.benchSeconds,
                              histogram: snapshot.histogram, sendLateness: snapshot.sendLateness, redelivered: redelivered, duplicates: duplicates,
                              rss: ["process": [rssReady, rssEnd]])
        } catch {
            await stopAll()
            try? await group.shutdownGracefully()
            throw error
        }
    }

    func makeReport(count: Int, expected: Int, complete: Bool, elapsed: Double, histogram: Histogram<UInt64>,
                    sendLateness: Histogram<UInt64>, redelivered: Int, duplicates: Int, rss: [String: [Int]]) -> BenchReport {
        let perSecond = elapsed > 0 ? Double(count) / elapsed : 0
        return BenchReport(
            mode: mode.rawValue, inProcess: inProcess, msgs: msgs, size: size, pubs: pubs, subs: subs, groups: groups,
            rate: rate, window: window, ackBatch: acks, count: count, expected: expected, complete: complete && count >= expected,
            elapsedSeconds: elapsed, msgsPerSecond: perSecond, mbPerSecond: perSecond * Double(size) / 1e6,
            latencyMicros: .init(histogram), sendLatenessMicros: rate > 0 ? .init(sendLateness) : nil, redelivered: redelivered, duplicatesSuppressed: duplicates, rssKilobytes: rss
        )
    }
}

extension Duration {
    var benchSeconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) / 1e18
    }
}
