import Foundation
import Histogram
import Logging
import NIOCore
import NIOPosix
import Synchronization
import Troupe
import TroupeMesh
import TroupeMeshNIO
import TroupeStore
import TroupeWire

/// The one event `troupe bench` publishes. `pad` makes the JSON body `--size` bytes long;
/// `sched` is the scheduled send time (wall µs) under `--rate`, else 0 (then the envelope's
/// `occurredAtMicros` is the start of the latency). Warm-up events have a negative `seq`.
struct BenchEvent: Event {
    static let eventType = "BenchEvent"
    var seq: Int
    var sched: Int64
    var pad: String

    /// An event whose JSON body is `size` bytes (or as close as the fixed fields allow).
    static func padding(forSize size: Int) -> String {
        let probe = (try? JSONEncoder().encode(BenchEvent(seq: 1_000_000, sched: 1_800_000_000_000_000, pad: ""))) ?? Data()
        return String(repeating: "x", count: max(0, size - probe.count))
    }
}

/// Publish→handled latencies (µs) and counts, shared by the handlers of one process.
final class BenchRecorder: Sendable {
    struct Snapshot {
        var histogram: Histogram<UInt64>
        /// Under `--rate`: how late each event left the generator (scheduled send time → the
        /// envelope's `occurredAtMicros`, stamped inside the publishing node), µs. Part of
        /// `histogram`; kept apart so a tail can be told apart from the system's own.
        var sendLateness: Histogram<UInt64>
        var handled: Int
        var warmups: Int
        var lastHandledMicros: Int64
    }

    private let state = Mutex(Snapshot(
        histogram: Histogram<UInt64>(highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .three),
        sendLateness: Histogram<UInt64>(highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .three),
        handled: 0, warmups: 0, lastHandledMicros: 0
    ))

    func record(_ event: BenchEvent, occurredAtMicros: Int64, nowMicros: Int64) {
        state.withLock { state in
            if event.seq < 0 {
                state.warmups += 1
                return
            }
            let start = event.sched > 0 ? event.sched : occurredAtMicros
            _ = state.histogram.record(UInt64(max(0, nowMicros - start)))
            if event.sched > 0 { _ = state.sendLateness.record(UInt64(max(0, occurredAtMicros - event.sched))) }
            state.handled += 1
            state.lastHandledMicros = max(state.lastHandledMicros, nowMicros)
        }
    }

    var handled: Int { state.withLock { $0.handled } }
    var snapshot: Snapshot { state.withLock { $0 } }
}

/// The group name of a bench sink (a type, because a service's name is static).
protocol BenchGroupName: Sendable { static var name: String { get } }
enum BenchGroup0: BenchGroupName { static let name = "bench-sink-0" }
enum BenchGroup1: BenchGroupName { static let name = "bench-sink-1" }
enum BenchGroup2: BenchGroupName { static let name = "bench-sink-2" }
enum BenchGroup3: BenchGroupName { static let name = "bench-sink-3" }
enum BenchGroup4: BenchGroupName { static let name = "bench-sink-4" }
enum BenchGroup5: BenchGroupName { static let name = "bench-sink-5" }
enum BenchGroup6: BenchGroupName { static let name = "bench-sink-6" }
enum BenchGroup7: BenchGroupName { static let name = "bench-sink-7" }

let benchMaximumGroups = 8

func benchGroupName(_ index: Int) -> String { "bench-sink-\(index)" }

/// A subscriber whose handler does nothing but record the publish→handled latency.
struct BenchSink<G: BenchGroupName>: ServiceDefinition {
    static var name: String { G.name }
    let recorder: BenchRecorder
    func initialState() -> Int { 0 }
    func handlers(_ on: inout HandlerSet<Int>) {
        on.event(BenchEvent.self) { [recorder] event, _, context in
            recorder.record(event, occurredAtMicros: context.envelope.occurredAtMicros, nowMicros: context.nowMicros)
        }
    }
}

/// The publisher: no handlers; the bench publishes from it.
struct BenchSource: ServiceDefinition {
    static let name = "bench-source"
    func initialState() -> Int { 0 }
    func handlers(_ on: inout HandlerSet<Int>) {}
}

enum BenchStoreMode: String, CaseIterable, Sendable {
    case memory, durable
}

/// Everything needed to start one bench node.
struct BenchNodeSettings: Sendable {
    var nodeID: String
    var listen: PeerAddress
    var seeds: [PeerAddress]
    var mode: BenchStoreMode
    var dataDirectory: String
    /// Durable mode's archive bound per node; nil: the SQLite store's default.
    var archiveCapacity: Int?
    var ackBatch: Int
    var logger: Logger

    func makeStore() throws -> any NodeStore {
        switch mode {
        case .memory:
            return InMemoryNodeStore(nodeID: nodeID, archiveCapacity: 1)
        case .durable:
            try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
            return try SQLiteNodeStore(path: "\(dataDirectory)/\(nodeID).sqlite", nodeID: nodeID,
                                       archiveCapacity: archiveCapacity ?? SQLiteNodeStore.defaultArchiveCapacity)
        }
    }
}

/// A running node of some service on a loopback mesh node, its run loop in a task.
final class BenchRunning<S: ServiceDefinition>: Sendable {
    let mesh: MeshNode
    let node: Node<S>
    let runTask: Task<Void, any Error>

    init(mesh: MeshNode, node: Node<S>, runTask: Task<Void, any Error>) {
        self.mesh = mesh
        self.node = node
        self.runTask = runTask
    }

    static func start(_ service: S, settings: BenchNodeSettings, on loop: any EventLoop) async throws -> BenchRunning<S> {
        let identity = NodeIdentity(nodeID: settings.nodeID, service: S.name,
                                    incarnation: UInt64(Date().timeIntervalSince1970 * 1e6), listenAddress: settings.listen)
        let filters = ContentFilterCache()
        let store = try settings.makeStore()
        let mesh = try await MeshNode.start(
            configuration: MeshConfiguration(identity: identity, seeds: settings.seeds,
                                             heartbeatInterval: .milliseconds(500), failureTimeout: .seconds(5)),
            on: loop, filter: filters, logger: settings.logger
        )
        let node: Node<S>
        do {
            node = try await Node(service: service, mesh: mesh, store: store,
                                  configuration: NodeConfiguration(ackBatchSize: settings.ackBatch), logger: settings.logger)
        } catch {
            await mesh.shutdown()
            throw error
        }
        let runTask = Task { try await node.run() }
        return BenchRunning(mesh: mesh, node: node, runTask: runTask)
    }

    var address: PeerAddress { mesh.identity.listenAddress }

    func stop() async {
        await mesh.shutdown()
        _ = try? await runTask.value
    }
}

/// A type-erased running subscriber.
struct BenchSinkHandle: Sendable {
    let address: PeerAddress
    let stop: @Sendable () async -> Void
    let statistics: @Sendable () async -> NodeStatistics
}

func startBenchSink(groupIndex: Int, recorder: BenchRecorder, settings: BenchNodeSettings, on loop: any EventLoop) async throws -> BenchSinkHandle {
    func start<G: BenchGroupName>(_: G.Type) async throws -> BenchSinkHandle {
        let running = try await BenchRunning.start(BenchSink<G>(recorder: recorder), settings: settings, on: loop)
        return BenchSinkHandle(address: running.address, stop: { await running.stop() },
                               statistics: { await running.node.statistics })
    }
    switch groupIndex {
    case 0: return try await start(BenchGroup0.self)
    case 1: return try await start(BenchGroup1.self)
    case 2: return try await start(BenchGroup2.self)
    case 3: return try await start(BenchGroup3.self)
    case 4: return try await start(BenchGroup4.self)
    case 5: return try await start(BenchGroup5.self)
    case 6: return try await start(BenchGroup6.self)
    default: return try await start(BenchGroup7.self)
    }
}

/// Current wall clock in µs (the same clock the nodes stamp envelopes with).
func benchWallMicros() -> Int64 { Int64(Date().timeIntervalSince1970 * 1_000_000) }

/// The resident set size of this process in kB (Linux), or 0.
func benchResidentKilobytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in text.split(separator: "\n") where line.hasPrefix("VmRSS:") {
        return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? 0
    }
    return 0
}

enum BenchPublisher {
    /// Waits until the mesh knows every group's subscription, then publishes warm-up events
    /// until 50 were acked by all `groups` (so the node itself routes to every group).
    ///
    /// Returns how many warm-up events stay parked in the outbox for good: an event published
    /// while the node is still merging the interest it just learned can be parked with no target
    /// group and is not re-routed until the interest changes again (an actor-reentrancy race in
    /// `Node.publish`/`interestChanged`, see Benchmarks/README.md). The bench treats that many
    /// outbox entries as "empty".
    static func warmUp(_ publisher: BenchRunning<BenchSource>, groups: Int, pad: String, timeout: Duration) async throws -> Int {
        let deadline = ContinuousClock.now + timeout
        let wanted = Set((0 ..< groups).map(benchGroupName))
        while Set(await publisher.mesh.knownSubscriptions().map(\.subscription.group)).intersection(wanted).count < groups {
            guard ContinuousClock.now < deadline else { throw CommandFailure("bench: the subscribers did not join within \(timeout)") }
            try await Task.sleep(for: .milliseconds(5))
        }
        var stuck = 0
        var fullRounds = 0
        var round = 0
        while fullRounds < 50 {
            guard ContinuousClock.now < deadline else { throw CommandFailure("bench: warm-up did not complete within \(timeout)") }
            let before = await publisher.node.statistics.acked
            round += 1
            try await publisher.node.publish(BenchEvent(seq: -round, sched: 0, pad: pad))
            if try await waitForEmptyOutbox(publisher, allowing: stuck, deadline: min(deadline, ContinuousClock.now + .seconds(2)), throwing: false) {
                if await publisher.node.statistics.acked - before >= groups { fullRounds += 1 }
            } else {
                stuck = await publisher.node.statistics.outboxDepth
            }
        }
        return stuck
    }

    /// Waits until at most `allowing` events are in the outbox; false (or a throw) at `deadline`.
    @discardableResult
    static func waitForEmptyOutbox(_ publisher: BenchRunning<BenchSource>, allowing: Int = 0, deadline: ContinuousClock.Instant,
                                   throwing: Bool = true) async throws -> Bool {
        while await publisher.node.statistics.outboxDepth > allowing {
            guard ContinuousClock.now < deadline else {
                if throwing { throw CommandFailure("bench: the outbox did not drain in time") }
                return false
            }
            try await Task.sleep(for: .microseconds(200))
        }
        return true
    }

    /// Publishes `count` events with sequence numbers from `firstSeq`, at `rate` per second
    /// (0: as fast as the window allows), keeping at most `window` events in flight. Without a
    /// rate, `concurrency` tasks publish into the node at once (like an async-publish window),
    /// each in batches of up to `batch` events (`Node.publish(contentsOf:)`: one commit, one
    /// trip to the node per batch); with a rate, a single task follows the schedule and
    /// publishes every event that is due in one batch (latency counts from each event's
    /// scheduled time).
    ///
    /// Under a rate the schedule runs on the node's own event loop (its task executor): the
    /// schedule's timer is the loop's, and the hop into the node and every wake-up stay on the
    /// node's thread. Without a rate the publishing tasks run on the global pool, in parallel
    /// with the node, like an application's request handlers (on the loop, building the events
    /// took the node's thread: durable throughput 18.3k → 14.2k events/s, medians of 3 A/B).
    static func publish(
        _ publisher: BenchRunning<BenchSource>, count: Int, firstSeq: Int, rate: Double, window: Int, pad: String,
        start: ContinuousClock.Instant, startWall: Int64, concurrency: Int = 1, stuck: Int = 0, batch: Int = 32
    ) async throws {
        try await withTaskExecutorPreference(rate > 0 ? publisher.node.preferredTaskExecutor : nil) {
            try await publishOnSchedule(publisher, count: count, firstSeq: firstSeq, rate: rate, window: window, pad: pad,
                                        start: start, startWall: startWall, concurrency: concurrency, stuck: stuck, batch: batch)
        }
    }

    /// Waits until the window has room for `events`, then publishes them, both on the node's
    /// executor. From a lane on the global pool each `await` on the node is a trip there and
    /// back, so waiting and publishing as two calls cost two trips per batch; isolated to the
    /// node they cost one.
    private static func publishWithinWindow(_ events: [BenchEvent], below limit: Int, on node: isolated Node<BenchSource>) async throws {
        await node.waitUntilOutboxDepth(isBelow: limit)
        try await node.publish(contentsOf: events)
    }

    private static func publishOnSchedule(
        _ publisher: BenchRunning<BenchSource>, count: Int, firstSeq: Int, rate: Double, window: Int, pad: String,
        start: ContinuousClock.Instant, startWall: Int64, concurrency: Int, stuck: Int, batch: Int
    ) async throws {
        let batch = max(1, batch)
        let window = window + stuck
        let node = publisher.node
        if rate == 0, concurrency > 1 {
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                for lane in 0 ..< concurrency {
                    tasks.addTask {
                        // Lane `lane` publishes the chunks lane, lane + concurrency, ... of `batch` events.
                        var chunk = lane
                        while chunk * batch < count {
                            let events = (chunk * batch ..< min(count, (chunk + 1) * batch)).map {
                                BenchEvent(seq: firstSeq + $0, sched: 0, pad: pad)
                            }
                            try await publishWithinWindow(events, below: max(1, window - batch + 1), on: node)
                            chunk += concurrency
                        }
                    }
                }
                try await tasks.waitForAll()
            }
            return
        }
        var i = 0
        while i < count {
            var events: [BenchEvent] = []
            if rate > 0 {
                // Nothing leaves before its scheduled time (an early event would be measured
                // from a later start than its real one). The wait is a timer of the node's own
                // event loop (epoll's timeout: precise, no other thread); being late is
                // measured, since latency counts from the scheduled time.
                let target = start + .nanoseconds(Int64(Double(i) / rate * 1e9))
                let ahead = target - ContinuousClock.now
                if ahead > .zero {
                    let loop = publisher.mesh.eventLoop
                    try await loop.scheduleTask(in: TimeAmount(ahead)) {}.futureResult.get()
                }
                // Everything due by now goes out together, each with its own scheduled time.
                let due = Int((ContinuousClock.now - start).benchSeconds * rate) + 1
                let last = min(count, max(i + 1, min(due, i + batch)))
                events = (i ..< last).map { BenchEvent(seq: firstSeq + $0, sched: startWall + Int64(Double($0) / rate * 1e6), pad: pad) }
            } else {
                events = (i ..< min(count, i + batch)).map { BenchEvent(seq: firstSeq + $0, sched: 0, pad: pad) }
            }
            await node.waitUntilOutboxDepth(isBelow: max(1, window - events.count + 1))
            try await node.publish(contentsOf: events)
            i += events.count
        }
    }
}
