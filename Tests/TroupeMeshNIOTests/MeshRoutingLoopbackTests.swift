import NIOCore
import NIOPosix
import Testing
import TroupeMesh
import TroupeMeshNIO
import TroupeWire
import TroupeTestSupport

@Suite("Mesh routing over loopback TCP", .serialized)
struct MeshRoutingLoopbackTests {
    @Test func aPublishReachesEachGroupOnceAndMembersOfAGroupShare() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let publisher = try await RunningNode.start("pub", on: group)
        var subscribers: [(group: String, node: RunningNode)] = []
        for (name, groupName) in [("inv-1", "inventory"), ("inv-2", "inventory"), ("pay-1", "payment"), ("note-1", "notification")] {
            let node = try await RunningNode.start(name, service: groupName, seeds: [publisher.address], on: group)
            await node.node.subscribe(Subscribe(subscriptionID: 1, group: groupName, pattern: "Order*"))
            subscribers.append((groupName, node))
        }
        let interestKnown = await eventually("the publisher knows all three groups") {
            let groups = await publisher.node.matchingGroups(for: envelope("OrderPlaced", 0))
            let members = await publisher.node.connectedMembers()
            return groups == ["inventory", "notification", "payment"] && members.count == 4
        }
        #expect(interestKnown)

        let count = 200
        for n in 1...count {
            let routes = try await publisher.node.publish(envelope("OrderPlaced", n))
            #expect(routes.count == 3)
        }
        _ = try await publisher.node.publish(envelope("PaymentCaptured", 999))  // matches no subscription

        let allArrived = await eventually("every group got every event") {
            var total = 0
            for (_, node) in subscribers { total += await node.log.events.count }
            return total == count * 3
        }
        #expect(allArrived)
        var perGroup: [String: [EventID]] = [:]
        var perNode: [String: Int] = [:]
        for (groupName, node) in subscribers {
            let events = await node.log.events
            perGroup[groupName, default: []] += events.map(\.envelope.eventID)
            perNode[node.node.identity.nodeID] = events.count
            #expect(events.allSatisfy { $0.group == groupName && $0.envelope.type == "OrderPlaced" })
        }
        let expected = Set((1...count).map { EventID(high: UInt64($0), low: UInt64($0)) })
        for (groupName, ids) in perGroup {
            #expect(ids.count == count, "\(groupName) got each event exactly once")
            #expect(Set(ids) == expected)
        }
        #expect(perNode["inv-1", default: 0] > 0 && perNode["inv-2", default: 0] > 0, "both members got a share: \(perNode)")

        for (_, node) in subscribers { await node.stop() }
        await publisher.stop()
        try await group.shutdownGracefully()
    }

    @Test func aSlowConsumerCannotMakeThePublishersMemoryGrowWithoutBound() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let publisher = try await RunningNode.start("pub", on: group)
        // This subscriber never reads its notifications: its buffer fills, it stops reading the
        // socket, TCP pushes back, and the publisher's link crosses its high watermark.
        let stalled = try await RunningNode.start("stalled", seeds: [publisher.address], on: group, drainNotifications: false)
        await stalled.node.subscribe(Subscribe(subscriptionID: 1, group: "slow", pattern: "*"))
        #expect(await eventually("interest arrives") { await publisher.node.matchingGroups(for: envelope("E", 0)) == ["slow"] })

        let body = String(repeating: "x", count: 16 * 1024)
        var sent = 0
        var backpressured = false
        for n in 1...50_000 {
            let outcome = try await publisher.node.route(envelope("E", n, body: body), deliveryID: UInt64(n), toGroup: "slow")
            if outcome == .backpressured {
                backpressured = true
                break
            }
            sent += 1
        }
        #expect(backpressured, "the publisher must report a full link instead of queueing without bound")
        #expect(sent < 50_000)
        #expect(await publisher.node.statistics().backpressureRejections >= 1)

        // Once the consumer reads again, the link drains and routing resumes.
        let resumed = Task { for await _ in stalled.node.notifications {} }
        #expect(await eventually("the link drains") {
            (try? await publisher.node.route(envelope("E", 0, body: "{}"), deliveryID: 0, toGroup: "slow")).map {
                if case .sent = $0 { true } else { false }
            } ?? false
        })
        await publisher.stop()
        await stalled.node.shutdown()
        await resumed.value
        try await group.shutdownGracefully()
    }

    @Test func anOversizedEventIsRefusedBeforeItIsRouted() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let node = try await RunningNode.start("pub", on: group)
        await node.node.subscribe(Subscribe(subscriptionID: 1, group: "local", pattern: "*"))
        let huge = String(repeating: "x", count: 2 * 1024 * 1024)
        await #expect(throws: MeshNodeError.self) {
            try await node.node.publish(envelope("Big", 1, body: huge))
        }
        await node.stop()
        try await group.shutdownGracefully()
    }
}
