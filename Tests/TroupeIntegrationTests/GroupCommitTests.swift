import Foundation
import NIOCore
import NIOPosix
import Synchronization
import Testing
@testable import Troupe
import TroupeMesh
import TroupeMeshNIO
import TroupeWire

/// Group commit: deliveries taken together are handled in order and committed once; failures
/// and duplicates inside a group are handled one by one.
@Suite("Group commit", .serialized)
struct GroupCommitTests {
    static func delivery(_ n: Int, id: UInt64, deliveryID: UInt64) throws -> EventDelivery {
        let eventID = EventID(high: 1, low: id)
        let body = ByteBuffer(bytes: try JSONEncoder().encode(Ping(n: n)))
        let envelope = Envelope(eventID: eventID, type: "Ping", source: "elsewhere", subject: "ping-\(n)", correlationID: eventID,
                                causationID: nil, traceparent: "", occurredAtMicros: 0, attempt: 1, headers: [], body: body)
        return EventDelivery(deliveryID: deliveryID, group: "counter", envelope: envelope)
    }

    @Test func aGroupAppliesEachEventOnceSkipsDuplicatesAndLeavesAFailedHandlerOut() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let store = InMemoryNodeStore(nodeID: "counter")
        let attempts = Mutex<[Int: Int]>([:])
        let counter = try await RunningService.start(
            CounterService(fails: { n, _ in n == 3 && attempts.withLock { $0[n, default: 0] += 1; return $0[n]! } == 1 }),
            store: store, on: group
        )
        let peer = counter.mesh.identity
        let burst = try [
            Self.delivery(1, id: 1, deliveryID: 11), Self.delivery(2, id: 2, deliveryID: 12),
            Self.delivery(1, id: 1, deliveryID: 13), Self.delivery(3, id: 3, deliveryID: 14),
        ].map { (delivery: $0, peer: peer) }
        await counter.node.handleDeliveries(burst)

        #expect(await counter.node.state.applied == [1: 1, 2: 1], "3 failed, the copy of 1 was a duplicate")
        let statistics = await counter.node.statistics
        #expect(statistics.delivered == 4 && statistics.handled == 2)
        #expect(statistics.duplicatesSuppressed == 1 && statistics.handlerFailures == 1)
        let snapshot = try await store.loadSnapshot(nowMicros: .min)
        #expect(Set(snapshot.idempotencyKeys.keys.map(\.description)) == [EventID(high: 1, low: 1).description, EventID(high: 1, low: 2).description])

        // The redelivery of 3 and a late copy of 2 in the next group.
        await counter.node.handleDeliveries(try [Self.delivery(3, id: 3, deliveryID: 15), Self.delivery(2, id: 2, deliveryID: 16)].map { ($0, peer) })
        #expect(await counter.node.state.applied == [1: 1, 2: 1, 3: 1])
        #expect(await counter.node.statistics.duplicatesSuppressed == 2)
        await counter.stop()
        try await group.shutdownGracefully()
    }

    @Test func whenAGroupCannotCommitEachDeliveryIsHandledOnItsOwn() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let store = RefusesGroupsStore(base: InMemoryNodeStore(nodeID: "counter"))
        let counter = try await RunningService.start(CounterService(), store: store, on: group)
        let peer = counter.mesh.identity
        await counter.node.handleDeliveries(try (1...5).map { (try Self.delivery($0, id: UInt64($0), deliveryID: UInt64(100 + $0)), peer) })
        #expect(await counter.node.state.applied == [1: 1, 2: 1, 3: 1, 4: 1, 5: 1])
        #expect(store.refusals.withLock { value in value } == 1)
        #expect(await counter.node.statistics.handled == 5)
        await counter.stop()
        try await group.shutdownGracefully()
    }
}

/// A store that refuses any batch recording more than one handled event.
final class RefusesGroupsStore: NodeStore {
    let base: InMemoryNodeStore
    let refusals = Mutex(0)

    init(base: InMemoryNodeStore) { self.base = base }

    func loadSnapshot(nowMicros: Int64) async throws -> StoreSnapshot { try await base.loadSnapshot(nowMicros: nowMicros) }
    func apply(_ batch: StoreBatch) async throws {
        if batch.handled.count > 1 {
            refusals.withLock { $0 += 1 }
            throw StoreError(code: .storageFailure, message: "refused a group")
        }
        try await base.apply(batch)
    }
    func deadLetters() async throws -> [StoredDeadLetter] { try await base.deadLetters() }
    func removeDeadLetters(_ ids: [Int64]) async throws -> Int { try await base.removeDeadLetters(ids) }
    func archivedEvents(correlationID: EventID) async throws -> [ArchivedEvent] { try await base.archivedEvents(correlationID: correlationID) }
    func recentArchivedEvents(limit: Int) async throws -> [ArchivedEvent] { try await base.recentArchivedEvents(limit: limit) }
    func purgeExpiredIdempotencyRecords(nowMicros: Int64) async throws -> Int { try await base.purgeExpiredIdempotencyRecords(nowMicros: nowMicros) }
}

/// The idempotency cache is bounded; the store catches what it forgot.
@Suite("Idempotency beyond the cache", .serialized)
struct IdempotencyBeyondTheCacheTests {
    @Test func aDuplicateOfAKeyTheCacheForgotIsCaughtByTheStoreAndAcked() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let counter = try await RunningService.start(CounterService(), on: group, configuration: NodeConfiguration(idempotencyCacheCapacity: 2))
        let peer = counter.mesh.identity
        for n in 1...5 { await counter.node.handleDeliveries([(try GroupCommitTests.delivery(n, id: UInt64(n), deliveryID: UInt64(n)), peer)]) }
        #expect(await counter.node.idempotencyKeys.count == 2, "only the newest two keys are in memory")
        // Event 1 again: not in the cache any more; the handler runs, the commit is refused.
        await counter.node.handleDeliveries([(try GroupCommitTests.delivery(1, id: 1, deliveryID: 99), peer)])
        #expect(await counter.node.state.applied == [1: 1, 2: 1, 3: 1, 4: 1, 5: 1], "applied once")
        #expect(await counter.node.statistics.duplicatesSuppressed == 1)
        #expect(await counter.node.statistics.handlerFailures == 0, "a duplicate, not a failure")
        await counter.stop()
        try await group.shutdownGracefully()
    }
}
