import NIOCore
import NIOPosix
import Synchronization
import Testing
import Troupe
import TroupeMesh
import TroupeMeshNIO
import TroupeWire
import TroupeTestSupport

@Suite("At-least-once delivery over loopback TCP", .serialized)
struct DeliveryGuaranteeTests {
    @Test func aHandlerThatThrowsTwiceThenSucceedsIsRetriedAndAppliedOnce() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let invocations = Shared(0)
        let source = try await RunningService.start(SourceService(), on: group)
        let counter = try await RunningService.start(
            CounterService(invocations: invocations, fails: { _, invocation in invocation <= 2 }),
            seeds: [source.address], on: group
        )
        #expect(await eventually("the source knows the counter's interest") {
            await source.mesh.matchingGroups(for: probe("Ping")) == ["counter"]
        })
        try await source.node.publish(Ping(n: 1))
        #expect(await eventually("applied after two failures") { await counter.node.state.applied[1] == 1 })
        #expect(await eventually("the source's outbox is empty") { await source.node.statistics.outboxDepth == 0 })
        #expect(invocations.value == 3)
        #expect(await counter.node.state.applied[1] == 1)
        #expect(await counter.node.statistics.handlerFailures == 2)
        #expect(await source.node.statistics.redelivered == 2)
        #expect(try await source.node.deadLetters().isEmpty)
        await counter.stop()
        await source.stop()
        try await group.shutdownGracefully()
    }

    @Test func aHandlerThatAlwaysThrowsEndsInTheDeadLetterQueueAndReplayDeliversItOnceFixed() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let broken = Shared(true)
        let source = try await RunningService.start(SourceService(), on: group)
        let counter = try await RunningService.start(
            CounterService(fails: { _, _ in broken.value }), seeds: [source.address], on: group
        )
        #expect(await eventually("interest") { await source.mesh.matchingGroups(for: probe("Ping")) == ["counter"] })
        let published = try await source.node.publish(Ping(n: 7))
        #expect(await eventually("dead-lettered after max deliveries") { (try? await source.node.deadLetters().count) == 1 })
        let letter = try #require(try await source.node.deadLetters().first)
        #expect(letter.letter.envelope.eventID == published.eventID)
        #expect(letter.letter.group == "counter")
        #expect(letter.letter.reason == "maxDeliveriesExceeded")
        #expect(letter.letter.lastError.contains("planned failure"))
        #expect(letter.letter.attempts == 3)
        #expect(await counter.node.state.applied[7] == nil)

        broken.update { $0 = false }  // the handler is fixed
        let replayed = try await source.node.replayDeadLetters()
        #expect(replayed == [letter.id])
        #expect(await eventually("the replay is applied") { await counter.node.state.applied[7] == 1 })
        #expect(try await source.node.deadLetters().isEmpty)
        #expect(await eventually("the replayed event completes") { await source.node.statistics.outboxDepth == 0 })
        await counter.stop()
        await source.stop()
        try await group.shutdownGracefully()
    }

    @Test func theSameEventDeliveredFiveTimesAppliesOnce() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let invocations = Shared(0)
        // Every EVENT frame the source writes goes out five times.
        let source = try await RunningService.start(SourceService(), hook: DuplicatingHook(copies: 5), on: group)
        let counter = try await RunningService.start(CounterService(invocations: invocations), seeds: [source.address], on: group)
        #expect(await eventually("interest") { await source.mesh.matchingGroups(for: probe("Ping")) == ["counter"] })
        try await source.node.publish(Ping(n: 3))
        #expect(await eventually("all five copies arrived") { await counter.node.statistics.delivered == 5 })
        #expect(await counter.node.state.applied[3] == 1)
        #expect(invocations.value == 1, "duplicates never reach the handler")
        #expect(await counter.node.statistics.duplicatesSuppressed == 4)
        #expect(await eventually("the source's outbox is empty") { await source.node.statistics.outboxDepth == 0 })
        await counter.stop()
        await source.stop()
        try await group.shutdownGracefully()
    }

    @Test func eventsPublishedBeforeAnySubscriberExistsAreDeliveredWhenItArrives() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let source = try await RunningService.start(SourceService(), on: group)
        for n in 1...20 { try await source.node.publish(Ping(n: n)) }
        #expect(await source.node.statistics.outboxDepth == 20, "parked: no group is known yet")

        let counter = try await RunningService.start(CounterService(), seeds: [source.address], on: group)
        #expect(await eventually("every parked event is handled") { await counter.node.state.applied.count == 20 })
        #expect(await counter.node.state.applied.values.allSatisfy { $0 == 1 })
        #expect(await eventually("the outbox drains") { await source.node.statistics.outboxDepth == 0 })
        await counter.stop()
        await source.stop()
        try await group.shutdownGracefully()
    }

    @Test func aGroupWhoseInterestArrivesAfterThePublishStillGetsTheEventsOfTheColdStart() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        // The publisher handles its own Pings, so each one already has a target group when it
        // is published — the counter's group is simply not known yet.
        let source = try await RunningService.start(SelfAwareSourceService(), on: group)
        #expect(await eventually("the source knows its own group") {
            await source.mesh.matchingGroups(for: probe("Ping")) == ["self-aware-source"]
        })
        for n in 1...20 { try await source.node.publish(Ping(n: n)) }
        #expect(await eventually("the source handled its own Pings") { await source.node.state == 20 })

        let counter = try await RunningService.start(CounterService(), seeds: [source.address], on: group)
        #expect(await eventually("the late group receives every event of the cold start") {
            await counter.node.state.applied.count == 20
        })
        #expect(await counter.node.state.applied.values.allSatisfy { $0 == 1 })
        #expect(await eventually("the outbox drains") { await source.node.statistics.outboxDepth == 0 })
        #expect(await source.node.state == 20, "the source's own group is not served twice")
        await counter.stop()
        await source.stop()
        try await group.shutdownGracefully()
    }

    @Test func perSubjectOrderingDeliversOneEventPerSubjectAtATimeInPublishOrder() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let source = try await RunningService.start(SourceService(), on: group)
        let sequencer = try await RunningService.start(SequencerService(attempts: Shared([:])), seeds: [source.address], on: group)
        #expect(await eventually("interest") { await source.mesh.matchingGroups(for: probe("Step")) == ["sequencer"] })
        for n in 1...5 {
            for key in ["a", "b"] { try await source.node.publish(Step(key: key, n: n)) }
        }
        #expect(await eventually("every step applied") { await sequencer.node.state.values.map(\.count).reduce(0, +) == 10 })
        // Step 1 failed once and was retried; steps 2...5 of the same subject waited for it.
        #expect(await sequencer.node.state == ["a": [1, 2, 3, 4, 5], "b": [1, 2, 3, 4, 5]])
        await sequencer.stop()
        await source.stop()
        try await group.shutdownGracefully()
    }

    @Test func contentFiltersRunAtThePublisherSoFilteredEventsNeverCrossTheWire() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let source = try await RunningService.start(SourceService(), on: group)
        let filtered = try await RunningService.start(FilteredService(), seeds: [source.address], on: group)
        #expect(await eventually("interest") { await source.mesh.matchingGroups(for: probe("Ping", body: #"{"n":100}"#)) == ["big-pings"] })
        for n in 1...150 { try await source.node.publish(Ping(n: n)) }
        #expect(await eventually("the matching ones arrive") { await filtered.node.state.count == 51 })
        #expect(await filtered.node.state.sorted() == Array(100...150))
        #expect(await filtered.node.statistics.delivered == 51, "the other 99 never crossed the wire")
        await filtered.stop()
        await source.stop()
        try await group.shutdownGracefully()
    }

    @Test func anInvalidContentFilterIsRejectedWhenSubscribing() async throws {
        struct BadFilter: ServiceDefinition {
            static let name = "bad"
            func initialState() -> Int { 0 }
            func handlers(_ on: inout HandlerSet<Int>) {
                on.event(Ping.self, settings: SubscriptionSettings(filter: #"{"body": {"n": [{"numeric": ["~", 1]}]}}"#)) { _, _, _ in }
            }
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let bad = try await RunningService.start(BadFilter(), on: group)
        await #expect(throws: NodeError.self) { try await bad.runTask.value }
        await bad.mesh.shutdown()
        try await group.shutdownGracefully()
    }
}

func probe(_ type: String, body: String = "{}") -> Envelope {
    Envelope(eventID: EventID(high: 1, low: 1), type: type, source: "probe", correlationID: EventID(high: 1, low: 1),
             occurredAtMicros: 0, body: ByteBuffer(string: body))
}

/// Sends every outbound EVENT frame `copies` times.
struct DuplicatingHook: LinkHook {
    let copies: Int
    func outbound(_ frame: Frame, encodedSize: Int, link: LinkEndpoints) -> LinkHookDecision {
        guard case .event = frame else { return .pass }
        return LinkHookDecision(copies: Array(repeating: .init(), count: copies))
    }
    func inbound(_ frame: Frame, link: LinkEndpoints) -> LinkHookDecision { .pass }
}
