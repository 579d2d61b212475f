import NIOCore
import NIOPosix
import Testing
import Troupe
import TroupeMesh
import TroupeMeshNIO
import TroupeTestSupport

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

    @Test func anEventThatDoesNotEncodeIsRefusedWithATypedErrorAndNothingIsPublished() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let source = try await RunningService.start(SourceService(), on: group)
        let refusal = await #expect(throws: NodeError.self) {
            try await source.node.publish(contentsOf: [Reading(reading: 1), Reading(reading: .nan)])
        }
        #expect(refusal?.code == .unencodableEvent)
        #expect(refusal?.message.contains("Reading") == true)
        #expect(await source.node.statistics.outboxDepth == 0, "not even the event that encodes")
        #expect(await source.node.statistics.published == 0)
        try await source.node.publish(Reading(reading: 2.5))
        #expect(await source.node.statistics.outboxDepth == 1)
        await source.stop()
        try await group.shutdownGracefully()
    }

    @Test func aHandlerWhosePublicationDoesNotEncodeFailsItsDeliveryAndKeepsNoState() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let source = try await RunningService.start(SourceService(), on: group)
        let reader = try await RunningService.start(ReadingService(), seeds: [source.address], on: group,
                                                    configuration: NodeConfiguration(defaultDeliveryPolicy: fastPolicy))
        #expect(await eventually("interest") { await source.mesh.matchingGroups(for: probe("Ping")) == ["reader"] })
        try await source.node.publish(contentsOf: [Ping(n: 0), Ping(n: 4)])
        #expect(await eventually("Ping 4 handled") { await reader.node.state == 1 })
        #expect(await eventually("Ping 0 dead-lettered") { await source.node.statistics.deadLetterDepth == 1 })
        #expect(await reader.node.state == 1, "the failed handling left no state behind")
        #expect(await reader.node.statistics.handlerFailures >= 1)
        #expect(await reader.node.statistics.published == 1, "only Ping 4's Reading")
        await reader.stop()
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

    @Test func eventsOverTheDeliveryCapacityWaitAndPublishesAreRefusedUntilItFrees() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let source = try await RunningService.start(SourceService(), on: group,
                                                    configuration: NodeConfiguration(defaultDeliveryPolicy: fastPolicy, deliveryCapacity: 5))
        let counter = try await RunningService.start(CounterService(), seeds: [source.address], on: group)
        #expect(await eventually("interest") { await source.mesh.matchingGroups(for: probe("Ping")) == ["counter"] })

        // The counter holds its first delivery until the gate opens: no ack comes back.
        let gate = Gate()
        await counter.node.setHandlerFaultHook { _ in
            await gate.wait()
            return .proceed
        }
        try await source.node.publish(contentsOf: (1...40).map { Ping(n: $0) })
        #expect(await source.node.statistics.outboxDepth == 40)
        // 5 in delivery, 35 waiting: a publish from outside is refused for now...
        let refusal = await #expect(throws: NodeError.self) { try await source.node.publish(Ping(n: 41)) }
        #expect(refusal?.code == .overloaded)
        #expect(refusal?.message.contains("retry later") == true)
        // ...and the backlog drains as series complete, without a restart.
        await gate.open()
        #expect(await eventually("every Ping applied") { await counter.node.state.applied.count == 40 })
        #expect(await eventually("the outbox drains") { await source.node.statistics.outboxDepth == 0 })
        try await source.node.publish(Ping(n: 42))
        #expect(await eventually("accepted again") { await counter.node.state.applied[42] == 1 })
        await counter.stop()
        await source.stop()
        try await group.shutdownGracefully()
    }
}

/// Holds waiters until opened.
actor Gate {
    private var isOpen = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func wait() async {
        guard !isOpen else { return }
        await withCheckedContinuation { waiters.append($0) }
    }

    func open() {
        isOpen = true
        for waiter in waiters { waiter.resume() }
        waiters = []
    }
}
