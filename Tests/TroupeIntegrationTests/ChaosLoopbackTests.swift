import Synchronization
import NIOCore
import NIOPosix
import Testing
import Troupe
import TroupeChaos
import TroupeMesh
import TroupeMeshNIO
import TroupeWire
import TroupeTestSupport

/// The chaos layer's two hook points driving the real runtime over loopback TCP: link faults in
/// the mesh, handler faults in the node; every Ping is still applied exactly once.
@Suite("Chaos hooks over loopback TCP", .serialized)
struct ChaosLoopbackTests {
    static let patientPolicy = DeliveryPolicy(
        ackTimeout: .milliseconds(400), maxDeliveries: 12,
        backoff: RetryBackoff(initialDelay: .milliseconds(20), multiplier: 2, maximumDelay: .milliseconds(200), jitter: .proportional(0.2)),
        retention: .seconds(60)
    )

    /// Starts a source and a counter, the source with `sourceHook`, the counter with `counterHook`;
    /// publishes `count` Pings and waits until each is applied once and the outbox is empty.
    static func run(
        count: Int, sourceHook: any LinkHook = PassThroughLinkHook(), counterHook: any LinkHook = PassThroughLinkHook(),
        handlerFaults: HandlerFaultInjector? = nil, counterClock: any NodeClock = SystemNodeClock(), beforePublishing: () -> Void = {},
        configureCounter: (RunningService<CounterService>) async -> Void = { _ in }, _ inspect: (RunningService<SourceService>, RunningService<CounterService>) async -> Void
    ) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let source = try await RunningService.start(SourceService(), hook: sourceHook, on: group, policy: patientPolicy)
        let counter = try await RunningService.start(CounterService(), seeds: [source.address], hook: counterHook, on: group, policy: patientPolicy, clock: counterClock)
        if let handlerFaults { await counter.node.setHandlerFaultHook(handlerFaults.hook) }
        await configureCounter(counter)
        #expect(await eventually("the source knows the counter's interest") {
            await source.mesh.matchingGroups(for: probe("Ping")) == ["counter"]
        })
        beforePublishing()
        for n in 1...count { try await source.node.publish(Ping(n: n)) }
        #expect(await eventually(timeout: .seconds(60), "every Ping applied") { await counter.node.state.applied.count == count })
        #expect(await eventually(timeout: .seconds(60), "the source's outbox is empty") { await source.node.statistics.outboxDepth == 0 })
        #expect(await counter.node.state.applied.values.allSatisfy { $0 == 1 }, "each Ping applied exactly once")
        #expect(try await source.node.deadLetters().isEmpty)
        await inspect(source, counter)
        await counter.stop()
        await source.stop()
        try await group.shutdownGracefully()
    }

    @Test func corruptedFramesAreCaughtByTheChecksumAndRedelivered() async throws {
        let hook = ChaosLinkHook(plan: FaultPlan(links: [LinkFault(from: "source", to: "counter", corrupt: 0.2)]), seed: 1)
        try await Self.run(count: 40, sourceHook: hook) { _, counter in
            #expect(hook.counters.corrupted > 0)
            #expect(await counter.mesh.statistics().checksumFailures > 0, "the receiver's CRC32C caught the flipped bytes")
        }
    }

    @Test func droppedDuplicatedAndReorderedMessagesAreAppliedOnce() async throws {
        let plan = FaultPlan(links: [LinkFault(drop: 0.15, duplicate: 0.3, jitterMillis: 10, reorderWindowMillis: 20)])
        let sourceHook = ChaosLinkHook(plan: plan, seed: 2)
        let counterHook = ChaosLinkHook(plan: plan, seed: 3)
        try await Self.run(count: 60, sourceHook: sourceHook, counterHook: counterHook) { source, counter in
            #expect(sourceHook.counters.dropped + counterHook.counters.dropped > 0)
            #expect(sourceHook.counters.duplicated > 0)
            #expect(await source.node.statistics.redelivered > 0, "lost events and acks were made good by redelivery")
            #expect(await counter.node.statistics.duplicatesSuppressed > 0)
        }
    }

    @Test func aPartitionThatHealsDeliversEverythingAfterwards() async throws {
        let hook = ChaosLinkHook(seed: 4)
        let partition = FaultPlan(links: [LinkFault(from: "counter", to: "*", bothWays: true, partition: true)])
        let heal = Task {
            // Heal once the partition has visibly bitten (the published Pings' frames dropped).
            _ = await eventually("the partition drops frames") { hook.counters.partitioned > 10 }
            hook.setPlan(.empty, seed: 4)
        }
        try await Self.run(count: 20, sourceHook: hook, beforePublishing: { hook.setPlan(partition, seed: 4) }) { _, _ in
            #expect(hook.counters.partitioned > 10)
        }
        await heal.value
    }

    @Test func injectedHandlerFailuresAreNackedAndRetried() async throws {
        let injector = HandlerFaultInjector(nodeID: "counter", service: "counter",
                                            plan: FaultPlan(nodes: [NodeFault(node: "counter", handlerFailure: 0.4, slowHandlerMillis: 2)]), seed: 5)
        try await Self.run(count: 30, handlerFaults: injector) { source, counter in
            #expect(injector.counters.failed > 0 && injector.counters.slowed > 0)
            #expect(await counter.node.statistics.handlerFailures == injector.counters.failed)
            #expect(await source.node.statistics.redelivered >= injector.counters.failed)
        }
    }

    @Test func lostAcksMeetUnexpiredIdempotencyRecordsEvenOnASkewedClock() async throws {
        // The counter commits, its ACK is lost half the time, the source redelivers: each
        // redelivery must be recognised as a duplicate although the counter's wall clock runs
        // 23 hours ahead (idempotency TTL: 24 hours).
        let clock = SkewedNodeClock()
        clock.setSkew(micros: 23 * 3600 * 1_000_000)
        let counterHook = ChaosLinkHook(plan: FaultPlan(links: [LinkFault(from: "counter", to: "source", ackLoss: 0.5)]), seed: 6)
        try await Self.run(count: 30, counterHook: counterHook, counterClock: clock) { source, counter in
            #expect(counterHook.counters.dropped > 0, "ACKs were lost")
            #expect(await source.node.statistics.redelivered > 0)
            #expect(await counter.node.statistics.duplicatesSuppressed > 0, "the redeliveries met the idempotency records")
        }
    }

    @Test func aWallClockJumpBeyondTheTTLDoesNotExpireIdempotencyRecords() async throws {
        // Midway, the counter's wall clock jumps 48 hours ahead: twice the idempotency TTL.
        // Expiry by the wall clock would forget every key at once and apply the redeliveries of
        // lost-ACK events again; expiry on the retention clock (uptime) must not.
        let clock = SkewedNodeClock()
        let handled = Mutex(0)
        let counterHook = ChaosLinkHook(plan: FaultPlan(links: [LinkFault(from: "counter", to: "source", ackLoss: 0.5)]), seed: 7)
        try await Self.run(count: 40, counterHook: counterHook, counterClock: clock, configureCounter: { counter in
            await counter.node.setHandlerFaultHook { _ in
                if handled.withLock({ $0 += 1; return $0 }) == 15 { clock.setSkew(micros: 48 * 3600 * 1_000_000) }
                return .proceed
            }
        }) { source, counter in
            #expect(clock.skewMicros > 0, "the jump happened during the run")
            #expect(counterHook.counters.dropped > 0, "ACKs were lost")
            #expect(await counter.node.statistics.duplicatesSuppressed > 0, "redeliveries after the jump met live records")
        }
    }
}
