import NIOCore
import NIOPosix
import Testing
import Troupe
import TroupeMesh
import TroupeMeshNIO

/// `Node.publish(contentsOf:)` and the outbox window, over loopback TCP.
@Suite("Batch publishing and the outbox window", .serialized)
struct BatchPublishingTests {
    @Test func aBatchIsCommittedAtOnceAndEveryEventIsAppliedOnceInItsOwnCorrelation() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let store = InMemoryNodeStore(nodeID: "source")
        let source = try await RunningService.start(SourceService(), store: store, on: group)
        let counter = try await RunningService.start(CounterService(), seeds: [source.address], on: group)
        #expect(await eventually("interest") { await source.mesh.matchingGroups(for: probe("Ping")) == ["counter"] })

        let envelopes = try await source.node.publish(contentsOf: (1...200).map { Ping(n: $0) })
        #expect(envelopes.count == 200)
        #expect(Set(envelopes.map(\.eventID)).count == 200)
        #expect(envelopes.allSatisfy { $0.correlationID == $0.eventID && $0.causationID == nil }, "each starts its own correlation")
        #expect(await eventually("every Ping applied") { await counter.node.state.applied.count == 200 })
        #expect(await counter.node.state.applied.values.allSatisfy { $0 == 1 })
        #expect(await eventually("the outbox drains") { await source.node.statistics.outboxDepth == 0 })
        #expect(try await source.node.publish(contentsOf: [Ping]()).isEmpty)
        await counter.stop()
        await source.stop()
        try await group.shutdownGracefully()
    }

    @Test func waitingForTheOutboxReturnsOnceTheConsumerHasCaughtUp() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let source = try await RunningService.start(SourceService(), on: group)
        // Nobody consumes yet: every published event stays in the outbox (parked, no group).
        try await source.node.publish(contentsOf: (1...50).map { Ping(n: $0) })
        #expect(await source.node.statistics.outboxDepth == 50)
        await source.node.waitUntilOutboxDepth(isBelow: 51)  // already below: returns at once

        let released = Shared(false)
        let waiter = Task {
            await source.node.waitUntilOutboxDepth(isBelow: 10)
            released.update { $0 = true }
        }
        #expect(!released.value)
        let counter = try await RunningService.start(CounterService(), seeds: [source.address], on: group)
        await waiter.value
        #expect(released.value)
        #expect(await source.node.statistics.outboxDepth < 10)
        #expect(await eventually("every Ping applied") { await counter.node.state.applied.count == 50 })
        await counter.stop()
        await source.stop()
        try await group.shutdownGracefully()
    }
}
