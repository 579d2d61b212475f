import Foundation
import NIOPosix
import Testing
@testable import Troupe
import TroupeMesh
import TroupeMeshNIO
import TroupeWire
import TroupeTestSupport

/// The publisher's delivery progress (acks, completions) is committed by a writer task of its
/// own when the store commits on another thread: the notification loop goes on with the next
/// frames meanwhile; late groups and the node's end wait for what is queued.
@Suite("Progress writing", .serialized)
struct ProgressWritingTests {
    /// Subscribers ack each event at once.
    static let eager = NodeConfiguration(defaultDeliveryPolicy: fastPolicy, ackBatchSize: 1)

    /// A source on `store` (closed) and a counter: Ping 1's completion is held at the gate,
    /// and Ping 2's ack has been processed behind it.
    static func twoAcksBehindAHeldCommit(
        store: GatedStore, on group: MultiThreadedEventLoopGroup
    ) async throws -> (source: RunningService<SourceService>, counter: RunningService<CounterService>) {
        store.close()
        let source = try await RunningService.start(SourceService(), store: store, on: group)
        #expect(await source.node.pipelinesHandling)
        let counter = try await RunningService.start(CounterService(), seeds: [source.address], on: group, configuration: eager)
        #expect(await eventually("the source knows the counter's interest") {
            await source.mesh.matchingGroups(for: probe("Ping")) == ["counter"]
        })
        try await source.node.publish(Ping(n: 1))
        #expect(await eventually("the first event's completion waits at the gate") { store.waiting == 1 })
        try await source.node.publish(Ping(n: 2))
        // Awaiting the first commit in line would hold every later frame: this ack would
        // not be read until the gate opened.
        #expect(await eventually("the second ack is processed behind the held commit") {
            await source.node.statistics.acked == 2
        })
        return (source, counter)
    }

    @Test func theNextAckIsProcessedWhileTheFirstOnesProgressCommits() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let store = GatedStore(base: InMemoryNodeStore(nodeID: "source"), gating: .deliveryProgress)
        let (source, counter) = try await Self.twoAcksBehindAHeldCommit(store: store, on: group)
        #expect(await source.node.statistics.outboxDepth == 0, "both events are complete in memory")
        #expect(store.waiting == 1, "the second event's progress is queued behind the first commit, not beside it")
        #expect(try await store.base.loadSnapshot(nowMicros: .min).outbox.count == 2, "nothing of it is in the store yet")

        store.open()
        #expect(await eventually("both completions committed") {
            (try? await store.base.loadSnapshot(nowMicros: .min).outbox.isEmpty) == true
        })
        #expect(store.completions == [1, 1], "the queued progress went in the next transaction")
        await counter.stop()
        await source.stop()
        try await group.shutdownGracefully()
    }

    @Test func aLateGroupGetsCompletedEventsAgainOnlyOnceTheirCompletionIsCommitted() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let store = GatedStore(base: InMemoryNodeStore(nodeID: "self-aware-source"), gating: .deliveryProgress)
        store.close()
        // The source handles its own Pings: each completes once its own group acked it.
        let source = try await RunningService.start(SelfAwareSourceService(), store: store, on: group)
        #expect(await eventually("the source knows its own group") {
            await source.mesh.matchingGroups(for: probe("Ping")) == ["self-aware-source"]
        })
        for n in 1...5 { try await source.node.publish(Ping(n: n)) }
        #expect(await eventually("all five complete in memory") {
            let handled = await source.node.state
            let depth = await source.node.statistics.outboxDepth
            return handled == 5 && depth == 0
        })
        #expect(store.waiting == 1, "their completions wait at the gate or behind it")

        // The counter's group arrives within the cold-start window and is owed all five, under
        // the same event ids: their new outbox rows must not meet their held completions.
        let counter = try await RunningService.start(CounterService(), seeds: [source.address], on: group)
        #expect(await eventually("the late delivery waits for the progress writer") {
            await source.node.progressSettlesWaited > 0
        })
        #expect(await counter.node.state.applied.isEmpty, "nothing is published again before the completions commit")
        store.open()
        #expect(await eventually("the late group receives every Ping") { await counter.node.state.applied.count == 5 })
        #expect(await eventually("the outbox drains, in memory and in the store") {
            let stored = try? await store.base.loadSnapshot(nowMicros: .min)
            let depth = await source.node.statistics.outboxDepth
            return depth == 0 && stored?.outbox.isEmpty == true
        })
        await counter.stop()
        await source.stop()
        try await group.shutdownGracefully()
    }

    @Test func stoppingTheNodeCommitsTheQueuedProgressFirst() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let store = GatedStore(base: InMemoryNodeStore(nodeID: "source"), gating: .deliveryProgress)
        let (source, counter) = try await Self.twoAcksBehindAHeldCommit(store: store, on: group)

        let waitedBefore = await source.node.progressSettlesWaited
        let stopped = Shared(false)
        let stopping = Task {
            await source.stop()
            stopped.update { $0 = true }
        }
        #expect(await eventually("the stopping node waits for the progress writer") {
            await source.node.progressSettlesWaited > waitedBefore
        })
        #expect(!stopped.value, "stop() does not return while progress is held at the gate")
        store.open()
        await stopping.value
        // No waiting here: the node's end waited for the writer.
        #expect(try await store.base.loadSnapshot(nowMicros: .min).outbox.isEmpty)
        #expect(store.completions.reduce(0, +) == 2)
        await counter.stop()
        try await group.shutdownGracefully()
    }
}
