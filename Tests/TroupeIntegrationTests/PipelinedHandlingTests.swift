import Foundation
import NIOCore
import NIOPosix
import Synchronization
import Testing
@testable import Troupe
import TroupeChaos
import TroupeMesh
import TroupeMeshNIO
import TroupeStore
import TroupeWire
import TroupeTestSupport

/// Handling while earlier deliveries commit (`CommitPipeline`): the next groups are handled at
/// once, nothing of them is acked before their commit, and a failed commit hands back its
/// groups and every group handled on top of them, each applied once in the end.
@Suite("Pipelined handling", .serialized)
struct PipelinedHandlingTests {
    /// A peer whose acks wait in the node's ack batcher for the whole test (see `configuration`).
    static let publisher = NodeIdentity(nodeID: "publisher", service: "source", incarnation: 1,
                                        listenAddress: PeerAddress(host: "127.0.0.1", port: 1))
    /// Acks are only counted, never flushed, while a test runs.
    static let configuration = NodeConfiguration(defaultDeliveryPolicy: fastPolicy, ackBatchSize: 10_000, ackBatchDelay: .seconds(3600))

    static func deliveries(_ numbers: [Int], copyIDs: Bool = false) throws -> [(delivery: EventDelivery, peer: NodeIdentity)] {
        try numbers.map { n in
            (try GroupCommitTests.delivery(n, id: UInt64(n), deliveryID: UInt64(copyIDs ? 1000 + n : n)), publisher)
        }
    }

    @Test func theNextGroupIsHandledWhileTheFirstCommitsAndNothingIsAckedBeforeItsCommit() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let store = GatedStore(base: InMemoryNodeStore(nodeID: "counter"))
        store.close()
        let invocations = Shared(0)
        let counter = try await RunningService.start(CounterService(invocations: invocations), store: store, on: group,
                                                     configuration: Self.configuration)
        #expect(await counter.node.pipelinesHandling)

        await counter.node.handleDeliveriesPipelined(try Self.deliveries([1, 2]))
        #expect(await eventually("the first commit waits at the gate") { store.waiting == 1 })
        // 3, and a copy of 1 whose original is not committed yet.
        await counter.node.handleDeliveriesPipelined(try Self.deliveries([3]) + Self.deliveries([1], copyIDs: true))

        #expect(invocations.value == 3, "1, 2 and 3 were handled; the copy of 1 was recognised")
        #expect(await counter.node.statistics.duplicatesSuppressed == 1)
        #expect(await counter.node.statistics.handled == 0, "handled, not committed")
        #expect(await counter.node.state.applied.isEmpty, "the node's state is the committed one")
        #expect(await counter.node.ackBatcher.pendingCount == 0, "no ack, not even the copy's, before the commits")

        store.open()
        #expect(await eventually("all three committed") { await counter.node.statistics.handled == 3 })
        #expect(await counter.node.state.applied == [1: 1, 2: 1, 3: 1])
        #expect(store.transactions == [[1, 2], [3]], "the second group waited for the first transaction, then had its own")
        #expect(await eventually("every delivery acked, the copy too") { await counter.node.ackBatcher.pendingCount == 4 })
        #expect(await counter.node.pipelineIsIdle)
        await counter.stop()
        try await group.shutdownGracefully()
    }

    @Test func aFailedCommitHandsBackItsGroupsAndThoseHandledOnTopEachAppliedOnce() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let store = GatedStore(base: InMemoryNodeStore(nodeID: "counter"))
        store.close()
        store.failNext(1)
        let invocations = Shared(0)
        let counter = try await RunningService.start(CounterService(invocations: invocations), store: store, on: group,
                                                     configuration: Self.configuration)

        await counter.node.handleDeliveriesPipelined(try Self.deliveries([1, 2]))
        #expect(await eventually("the first commit waits at the gate") { store.waiting == 1 })
        await counter.node.handleDeliveriesPipelined(try Self.deliveries([3]) + Self.deliveries([1], copyIDs: true))
        let epoch = await counter.node.pipelineEpoch
        store.open()

        #expect(await eventually("all three committed after the failure") { await counter.node.statistics.handled == 3 })
        #expect(await counter.node.state.applied == [1: 1, 2: 1, 3: 1], "each applied once, on the committed state")
        // The refused transaction (1, 2), then 1 and 2 one by one, then the group handled on
        // top of them again: 3, with the copy of 1 now a copy of a committed event.
        #expect(store.transactions == [[1, 2], [1], [2], [3]])
        #expect(invocations.value == 6, "1, 2, 3 handled, then all three again")
        #expect(await counter.node.pipelineEpoch == epoch + 1)
        #expect(await eventually("every delivery acked once") { await counter.node.ackBatcher.pendingCount == 4 })
        #expect(await counter.node.statistics.handlerFailures == 0)
        await counter.stop()
        try await group.shutdownGracefully()
    }

    @Test func aSQLiteBackedNodeAppliesDuplicatedDeliveriesOnceOverLoopback() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("troupe-pipelined-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let duplicating = ChaosLinkHook(plan: FaultPlan(links: [LinkFault(from: "source", to: "counter", duplicate: 0.3)]), seed: 7)
        let source = try await RunningService.start(SourceService(), hook: duplicating, on: group)
        let store = try SQLiteNodeStore(path: "\(directory)/counter.sqlite", nodeID: "counter")
        let counter = try await RunningService.start(CounterService(), seeds: [source.address], store: store, on: group)
        #expect(await counter.node.pipelinesHandling)
        #expect(await eventually("the source knows the counter's interest") {
            await source.mesh.matchingGroups(for: probe("Ping")) == ["counter"]
        })

        let count = 300
        try await source.node.publish(contentsOf: (1...count).map { Ping(n: $0) })
        #expect(await eventually(timeout: .seconds(60), "every Ping applied") { await counter.node.state.applied.count == count })
        #expect(await eventually(timeout: .seconds(60), "the source's outbox is empty") { await source.node.statistics.outboxDepth == 0 })
        #expect(await counter.node.state.applied.values.allSatisfy { $0 == 1 }, "each Ping applied exactly once")
        #expect(duplicating.counters.duplicated > 0)
        #expect(await counter.node.statistics.duplicatesSuppressed > 0)
        let stored = try await store.loadSnapshot(nowMicros: .min)
        #expect(stored.idempotencyKeys.count == count, "one record per Ping, committed with it")
        await counter.stop()
        await source.stop()
        try store.close()
        try await group.shutdownGracefully()
    }
}

extension Node {
    /// The pipeline's epoch (bumped by each failed transaction).
    var pipelineEpoch: Int { pipeline.epoch }
    /// Whether no handled group waits for or is in a commit.
    var pipelineIsIdle: Bool { pipeline.isIdle }
}

/// A store whose commits of handled events (or, with `.deliveryProgress`, of acks and
/// completions) wait at a gate the test opens, and which can refuse the next commits; it says it
/// commits on another thread, so the node pipelines its handling and writes progress off its loop.
final class GatedStore: NodeStore {
    /// Which commits the gate holds; every other write passes.
    enum Gated: Sendable {
        /// Commits recording handled events.
        case handledEvents
        /// Commits recording acknowledgements or completions.
        case deliveryProgress
    }

    private struct Gate {
        var isOpen = true
        var held: [CheckedContinuation<Void, Never>] = []
        var failures = 0
        var transactions: [[Int]] = []
        var completions: [Int] = []
    }

    let base: InMemoryNodeStore
    let gated: Gated
    private let gate = Mutex(Gate())

    init(base: InMemoryNodeStore, gating gated: Gated = .handledEvents) {
        self.base = base
        self.gated = gated
    }

    var pipelinesCommits: Bool { true }

    /// Holds every gated commit from now on until ``open()``.
    func close() { gate.withLock { $0.isOpen = false } }

    /// Lets the held commits and every later one through.
    func open() {
        let held = gate.withLock { gate in
            gate.isOpen = true
            defer { gate.held = [] }
            return gate.held
        }
        for continuation in held { continuation.resume() }
    }

    /// Refuses the next `count` gated commits.
    func failNext(_ count: Int) { gate.withLock { $0.failures = count } }

    /// Commits held at the gate now.
    var waiting: Int { gate.withLock { $0.held.count } }

    /// The Ping numbers of each gated transaction's handled events, refused ones included.
    var transactions: [[Int]] { gate.withLock { $0.transactions } }

    /// How many events each gated transaction completed, refused ones included.
    var completions: [Int] { gate.withLock { $0.completions } }

    func apply(_ batch: StoreBatch) async throws {
        let isGated = switch gated {
        case .handledEvents: !batch.handled.isEmpty
        case .deliveryProgress: !batch.acknowledged.isEmpty || !batch.completed.isEmpty
        }
        guard isGated else { return try await base.apply(batch) }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let passes = gate.withLock { gate in
                if !gate.isOpen { gate.held.append(continuation) }
                return gate.isOpen
            }
            if passes { continuation.resume() }
        }
        let refused = gate.withLock { gate in
            gate.transactions.append(batch.handled.map { Int($0.envelope.eventID.low) })
            gate.completions.append(batch.completed.count)
            guard gate.failures > 0 else { return false }
            gate.failures -= 1
            return true
        }
        if refused { throw StoreError(code: .storageFailure, message: "refused by the test") }
        try await base.apply(batch)
    }

    func loadSnapshot(nowMicros: Int64) async throws -> StoreSnapshot { try await base.loadSnapshot(nowMicros: nowMicros) }
    func deadLetters() async throws -> [StoredDeadLetter] { try await base.deadLetters() }
    func removeDeadLetters(_ ids: [Int64]) async throws -> Int { try await base.removeDeadLetters(ids) }
    func archivedEvents(correlationID: EventID) async throws -> [ArchivedEvent] { try await base.archivedEvents(correlationID: correlationID) }
    func recentArchivedEvents(limit: Int) async throws -> [ArchivedEvent] { try await base.recentArchivedEvents(limit: limit) }
    func purgeExpiredIdempotencyRecords(nowMicros: Int64) async throws -> Int { try await base.purgeExpiredIdempotencyRecords(nowMicros: nowMicros) }
}
