import Foundation
import Histogram
import NIOCore
import NIOPosix
import Synchronization
import Troupe
import TroupeMesh
import TroupeHost
import TroupeMeshNIO
import TroupeWire

/// The child roles of process mode: `troupe bench --role sub|pub ...` (hidden options).
enum BenchChild {
    /// A subscriber node: prints `ready listen=H:P`, handles until SIGTERM/SIGINT, then prints
    /// its `result {...}` line (count, histogram) and exits 0.
    static func runSubscriber(_ command: BenchCommand) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let recorder = BenchRecorder()
        let stopRequested = BenchSignals.termination()
        let nodeID = "sub-\(command.index)"
        let sink = try await startBenchSink(
            groupIndex: command.index % command.groups, recorder: recorder,
            settings: command.settings(nodeID: nodeID, seeds: command.seed.map { [$0] } ?? [], directory: command.data ?? "."),
            on: group.next()
        )
        let rssReady = benchResidentKilobytes()
        benchSay("ready listen=\(sink.address)")
        await stopRequested()
        let statistics = await sink.statistics()
        let rssEnd = benchResidentKilobytes()
        await sink.stop()
        let snapshot = recorder.snapshot
        var result = BenchChildResult(role: "sub", nodeID: nodeID)
        result.handled = snapshot.handled
        result.duplicatesSuppressed = statistics.duplicatesSuppressed
        result.rssReadyKilobytes = rssReady
        result.rssEndKilobytes = rssEnd
        result.latencies = snapshot.histogram.recordedValues().map { [$0.value, UInt64($0.count)] }
        result.sendLateness = snapshot.sendLateness.recordedValues().map { [$0.value, UInt64($0.count)] }
        benchSay(result.line())
        try? await group.shutdownGracefully()
    }

    /// A publisher node: joins via --seed, warms up, prints `warm`, waits for `go` on stdin,
    /// publishes its share, waits until its outbox is empty, prints its `result {...}` line.
    static func runPublisher(_ command: BenchCommand) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let nodeID = "pub-\(command.index)"
        let publisher = try await BenchRunning.start(
            BenchSource(), settings: command.settings(nodeID: nodeID, seeds: command.seed.map { [$0] } ?? [], directory: command.data ?? "."),
            on: group.next()
        )
        let rssReady = benchResidentKilobytes()
        benchSay("ready listen=\(publisher.address)")
        let pad = BenchEvent.padding(forSize: command.size)
        do {
            let stuck = try await BenchPublisher.warmUp(publisher, groups: command.groups, pad: pad, timeout: .seconds(60))
            benchSay("warm")
            await BenchSignals.readLine()
            let count = command.msgs  // the coordinator passes this publisher's share as --msgs
            let start = ContinuousClock.now
            let startWall = benchWallMicros()
            try await BenchPublisher.publish(publisher, count: count, firstSeq: command.firstSeq, rate: command.rate,
                                             window: command.window, pad: pad, start: start, startWall: startWall,
                                             concurrency: command.concurrency, stuck: stuck)
            try await BenchPublisher.waitForEmptyOutbox(publisher, allowing: stuck, deadline: start + .seconds(command.timeout))
            let endWall = benchWallMicros()
            let statistics = await publisher.node.statistics
            var result = BenchChildResult(role: "pub", nodeID: nodeID)
            result.published = count
            result.startMicros = startWall
            result.endMicros = endWall
            result.redelivered = statistics.redelivered
            result.rssReadyKilobytes = rssReady
            result.rssEndKilobytes = benchResidentKilobytes()
            benchSay(result.line())
        } catch {
            await publisher.stop()
            try? await group.shutdownGracefully()
            throw error
        }
        await publisher.stop()
        try? await group.shutdownGracefully()
    }
}

func benchSay(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

enum BenchSignals {
    /// Returns a function that waits until SIGTERM or SIGINT arrives.
    static func termination() -> @Sendable () async -> Void {
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        for sig in [SIGTERM, SIGINT] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { continuation.yield() }
            source.resume()
            BenchSignals.keep.append(source)
        }
        return {
            for await _ in stream { return }
        }
    }

    nonisolated(unsafe) private static var keep: [any DispatchSourceSignal] = []

    /// Reads one line from stdin without blocking the cooperative pool.
    static func readLine() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                _ = Swift.readLine()
                continuation.resume()
            }
        }
    }
}

/// A `troupe bench --role ...` child: stdout collected line by line, stdin a pipe, stderr to a log.
final class BenchChildProcess: Sendable {
    let name: String
    private let process: Process
    private let stdin: Pipe
    private final class Output: Sendable {
        let mutex = Mutex<(lines: [String], partial: Data, status: Int32?, eof: Bool)>(([], Data(), nil, false))
        func withLock<R>(_ body: (inout (lines: [String], partial: Data, status: Int32?, eof: Bool)) -> R) -> R { mutex.withLock { body(&$0) } }
    }
    private let state = Output()

    init(name: String, arguments: [String], logPath: String) throws {
        self.name = name
        let process = Process()
        process.executableURL = URL(fileURLWithPath: NodeProcess.executablePath)
        process.arguments = arguments
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        let stdout = Pipe()
        let stdin = Pipe()
        process.standardOutput = stdout
        process.standardInput = stdin
        process.environment = LauncherWatch.childEnvironment()
        self.process = process
        self.stdin = stdin
        process.terminationHandler = { [state] process in state.withLock { $0.status = process.terminationStatus } }
        do {
            try process.run()
        } catch {
            throw CommandFailure("cannot start \(name): \(error)")
        }
        PipeDrain.start(stdout.fileHandleForReading, received: { [state] data in
            state.withLock { state in
                state.partial.append(data)
                while let newline = state.partial.firstIndex(of: 0x0A) {
                    state.lines.append(String(decoding: state.partial[..<newline], as: UTF8.self))
                    state.partial.removeSubrange(...newline)
                }
            }
        }, ended: { [state] in state.withLock { $0.eof = true } })
    }

    var status: Int32? { state.withLock { $0.status } }

    /// Waits for a stdout line starting with `prefix`; nil if the child exited or time ran out.
    func waitForLine(startingWith prefix: String, timeout: Duration) async -> String? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let (line, exited) = state.withLock { ($0.lines.first { $0.hasPrefix(prefix) }, $0.status != nil) }
            if let line { return line }
            if exited {
                // The pipe may still hold the last lines: read to its end.
                let eofDeadline = ContinuousClock.now + .seconds(5)
                while !state.withLock({ $0.eof }), ContinuousClock.now < eofDeadline { try? await Task.sleep(for: .milliseconds(2)) }
                return state.withLock { $0.lines.first { $0.hasPrefix(prefix) } }
            }
            try? await Task.sleep(for: .milliseconds(1))
        }
        return nil
    }

    func send(_ line: String) {
        try? stdin.fileHandleForWriting.write(contentsOf: Data((line + "\n").utf8))
    }

    func signal(_ sig: Int32) {
        if process.isRunning { kill(process.processIdentifier, sig) }
    }

    /// SIGTERM, then SIGKILL after `grace`; returns once the process is gone.
    func stop(grace: Duration = .seconds(10)) async {
        guard status == nil else { return }
        signal(SIGTERM)
        let deadline = ContinuousClock.now + grace
        while status == nil, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(5)) }
        if status == nil {
            signal(SIGKILL)
            while status == nil { try? await Task.sleep(for: .milliseconds(5)) }
        }
    }
}

/// Process mode: subscriber and publisher children, coordinated over their stdin/stdout.
struct BenchProcesses {
    let command: BenchCommand
    let directory: String

    private func arguments(role: String, index: Int, seed: PeerAddress?) -> [String] {
        var arguments = ["bench", "--role", role, "--index", "\(index)", "--mode", command.mode.rawValue,
                         "--size", "\(command.size)", "--groups", "\(command.groups)", "--subs", "\(command.subs)",
                         "--window", "\(command.window)", "--concurrency", "\(command.concurrency)", "--acks", "\(command.acks)", "--timeout", "\(command.timeout)",
                         "--data", directory]
        if let seed { arguments += ["--seed", "\(seed)"] }
        if let capacity = command.archiveCapacity { arguments += ["--archive-capacity", "\(capacity)"] }
        if role == "pub" {
            let (first, count) = command.share(of: index)
            arguments += ["--msgs", "\(count)", "--first-seq", "\(first)", "--rate", "\(command.rate / Double(command.pubs))"]
        }
        return arguments
    }

    func run() async throws -> BenchReport {
        var children: [BenchChildProcess] = []
        do {
            let report = try await run(children: &children)
            for child in children { await child.stop() }
            return report
        } catch {
            for child in children { await child.stop() }
            throw error
        }
    }

    private func run(children: inout [BenchChildProcess]) async throws -> BenchReport {
        var subscribers: [BenchChildProcess] = []
        var firstAddress: PeerAddress?
        for i in 0 ..< command.subs {
            let child = try BenchChildProcess(name: "sub-\(i)", arguments: arguments(role: "sub", index: i, seed: firstAddress),
                                              logPath: "\(directory)/sub-\(i).log")
            children.append(child)
            subscribers.append(child)
            guard let ready = await child.waitForLine(startingWith: "ready ", timeout: .seconds(60)) else {
                throw CommandFailure("sub-\(i) did not become ready; see \(directory)/sub-\(i).log")
            }
            if firstAddress == nil {
                firstAddress = PeerAddress(String(ready.dropFirst("ready listen=".count)))
            }
        }
        var publishers: [BenchChildProcess] = []
        for i in 0 ..< command.pubs {
            let child = try BenchChildProcess(name: "pub-\(i)", arguments: arguments(role: "pub", index: i, seed: firstAddress),
                                              logPath: "\(directory)/pub-\(i).log")
            children.append(child)
            publishers.append(child)
        }
        for publisher in publishers where await publisher.waitForLine(startingWith: "warm", timeout: .seconds(90)) == nil {
            throw CommandFailure("\(publisher.name) did not warm up; see \(directory)/\(publisher.name).log")
        }
        for publisher in publishers { publisher.send("go") }
        var pubResults: [BenchChildResult] = []
        for publisher in publishers {
            let line = await publisher.waitForLine(startingWith: "result ", timeout: .seconds(command.timeout))
            guard let line, let result = BenchChildResult.parse(line[...]) else {
                throw CommandFailure("\(publisher.name) did not finish within \(command.timeout) s; see \(directory)/\(publisher.name).log")
            }
            pubResults.append(result)
        }
        for subscriber in subscribers { subscriber.signal(SIGTERM) }
        var subResults: [BenchChildResult] = []
        for subscriber in subscribers {
            guard let line = await subscriber.waitForLine(startingWith: "result ", timeout: .seconds(30)),
                  let result = BenchChildResult.parse(line[...]) else {
                throw CommandFailure("\(subscriber.name) reported no result; see \(directory)/\(subscriber.name).log")
            }
            subResults.append(result)
        }
        var histogram = Histogram<UInt64>(highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .three)
        var sendLateness = histogram
        for result in subResults {
            for pair in result.latencies where pair.count == 2 { _ = histogram.record(pair[0], count: pair[1]) }
            for pair in result.sendLateness where pair.count == 2 { _ = sendLateness.record(pair[0], count: pair[1]) }
        }
        let start = pubResults.map(\.startMicros).min() ?? 0
        let end = pubResults.map(\.endMicros).max() ?? 0
        var rss: [String: [Int]] = [:]
        for result in pubResults + subResults { rss[result.nodeID] = [result.rssReadyKilobytes, result.rssEndKilobytes] }
        return command.makeReport(
            count: subResults.map(\.handled).reduce(0, +), expected: command.msgs * command.groups, complete: true,
            elapsed: Double(end - start) / 1e6, histogram: histogram, sendLateness: sendLateness,
            redelivered: pubResults.map(\.redelivered).reduce(0, +),
            duplicates: subResults.map(\.duplicatesSuppressed).reduce(0, +), rss: rss
        )
    }
}
