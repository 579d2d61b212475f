import Foundation
import NIOPosix
import Testing
import Troupe
import TroupeStore
import TroupeTestSupport

/// A running node keeps its SQLite store bounded: expired idempotency records leave with the
/// commits of later events, and the archive keeps its newest rows.
@Suite("Store retention over loopback")
struct StoreRetentionLoopbackTests {
    @Test func aRunningNodeRemovesExpiredRecordsAndKeepsItsArchiveWithinCapacity() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("troupe-retention-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let source = try await RunningService.start(SourceService(), on: group)
        let store = try SQLiteNodeStore(path: "\(directory)/counter.sqlite", nodeID: "counter", archiveCapacity: 25)
        // A short TTL, still beyond the redelivery horizon of `fastPolicy` (3 deliveries, 400 ms
        // ack timeout, backoff up to 200 ms: about 2 s), as a TTL must be — a copy arriving
        // after its record has gone would be applied again.
        let configuration = NodeConfiguration(defaultDeliveryPolicy: fastPolicy, idempotencyTTL: .seconds(5))
        let counter = try await RunningService.start(CounterService(), seeds: [source.address], store: store, on: group,
                                                     configuration: configuration)
        #expect(await eventually("the source knows the counter's interest") {
            await source.mesh.matchingGroups(for: probe("Ping")) == ["counter"]
        })

        let first = 40
        try await source.node.publish(contentsOf: (1...first).map { Ping(n: $0) })
        #expect(await eventually("the first Pings applied") { await counter.node.state.applied.count == first })

        // Later Pings, one per poll: once the first records have expired, the commits recording
        // the later ones remove them.
        var next = first
        #expect(await eventually(timeout: .seconds(60), "expired records removed by later commits") {
            next += 1
            try? await source.node.publish(Ping(n: next))
            let applied = await counter.node.state.applied.count
            let recorded = (try? await store.loadSnapshot(nowMicros: .min).idempotencyKeys.count) ?? .max
            return applied > first && recorded < applied - first / 2
        })
        #expect(await eventually("every Ping applied") { await counter.node.state.applied.count == next })
        #expect(await counter.node.state.applied.values.allSatisfy { $0 == 1 }, "each Ping applied exactly once")
        let archived = try await store.recentArchivedEvents(limit: 1_000)
        #expect(archived.count == 25, "the archive holds its newest 25 rows of \(next) handled")
        #expect(archived.contains { $0.envelope.subject == "ping-\(next)" }, "the newest one among them")
        await counter.stop()
        await source.stop()
        try store.close()
        try await group.shutdownGracefully()
    }
}
