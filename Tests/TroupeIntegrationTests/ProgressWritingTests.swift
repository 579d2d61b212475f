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
/// frames meanwhile, and the node's end waits for what is queued.
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

    @Test func stoppingTheNodeCommitsTheQueuedProgressFirst() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let store = GatedStore(base: InMemoryNodeStore(nodeID: "source"), gating: .deliveryProgress)
        let (source, counter) = try await Self.twoAcksBehindAHeldCommit(store: store, on: group)

        let stopping = Task { await source.stop() }
        store.open()
        await stopping.value
        // No waiting here: the node's end waited for the writer.
        #expect(try await store.base.loadSnapshot(nowMicros: .min).outbox.isEmpty)
        #expect(store.completions.reduce(0, +) == 2)
        await counter.stop()
        try await group.shutdownGracefully()
    }
}
