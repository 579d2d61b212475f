import NIOCore
import NIOPosix
import Synchronization
import Testing
import TroupeMesh
import TroupeMeshNIO
import TroupeWire
import TroupeTestSupport

@Suite("Mesh membership over loopback TCP", .serialized)
struct MeshMembershipLoopbackTests {
    @Test func fiveNodesWithOneSeedEachConvergeThenNoticeALossAndARejoin() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        var nodes: [RunningNode] = [try await RunningNode.start("n1", on: group)]
        for index in 2...5 {
            // Each node is given exactly one seed: the node started before it.
            nodes.append(try await RunningNode.start("n\(index)", seeds: [nodes[index - 2].address], on: group))
        }
        let allIDs = Set(nodes.map(\.node.identity.nodeID))
        let converged = await eventually("a full mesh of five") {
            for running in nodes {
                let connected = Set(await running.node.connectedMembers().map(\.nodeID))
                if connected != allIDs.subtracting([running.node.identity.nodeID]) { return false }
            }
            return true
        }
        #expect(converged)
        // A peer's redundant dial may still be on its way in (or being refused) at the moment
        // the membership views agree; no connection outlives that handshake.
        #expect(await eventually("one link per peer") { await Self.eachHasOneLinkPerPeer(nodes) })

        // Kill n3's listener and links: every other node notices within the failure timeout.
        let victim = nodes[2]
        let victimPort = victim.address.port
        await victim.stop()
        let clock = ContinuousClock()
        let stoppedAt = clock.now
        let noticed = await eventually("everyone notices n3 is gone") {
            for running in nodes where running.node.identity.nodeID != "n3" {
                if await running.node.connectedMembers().contains(where: { $0.nodeID == "n3" }) { return false }
            }
            return true
        }
        #expect(noticed)
        #expect(clock.now - stoppedAt < .milliseconds(1500) + .seconds(2), "within the failure timeout (plus scheduling slack)")

        // Restart n3 on the same port as a new incarnation: it rejoins the full mesh.
        let restarted = try await RunningNode.start("n3", port: victimPort, incarnation: 2, seeds: [nodes[0].address], on: group)
        nodes[2] = restarted
        let rejoined = await eventually("n3 rejoins") {
            for running in nodes {
                let connected = Set(await running.node.connectedMembers().map(\.nodeID))
                if connected != allIDs.subtracting([running.node.identity.nodeID]) { return false }
            }
            return true
        }
        #expect(rejoined)
        #expect(await eventually("one link per peer after the rejoin") { await Self.eachHasOneLinkPerPeer(nodes) })
        let seenByN1 = await nodes[0].node.connectedMembers().first { $0.nodeID == "n3" }
        #expect(seenByN1?.incarnation == 2)

        for running in nodes { await running.stop() }
        try await group.shutdownGracefully()
    }

    static func eachHasOneLinkPerPeer(_ nodes: [RunningNode]) async -> Bool {
        for running in nodes where await running.node.openLinkCount() != nodes.count - 1 { return false }
        return true
    }

    @Test func aSilentPeerIsDetectedByHeartbeatTimeout() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let partition = PartitionHook()
        let a = try await RunningNode.start("a", on: group, hook: partition)
        let b = try await RunningNode.start("b", seeds: [a.address], on: group)
        #expect(await eventually("a and b connect") { await a.node.connectedMembers().count == 1 })
        // Everything b sends is now lost on the way into a; the TCP connection stays open.
        partition.isolate("b")
        #expect(await eventually("a declares b down by heartbeat timeout") {
            await a.log.down.contains("b")
        })
        #expect(await a.node.statistics().heartbeatFailures >= 1)
        partition.heal()
        #expect(await eventually("they reconnect after the heal") {
            await a.node.connectedMembers().contains { $0.nodeID == "b" }
        })
        await a.stop()
        await b.stop()
        try await group.shutdownGracefully()
    }
}

/// Drops every inbound frame from isolated node ids: a one-way partition as a ``LinkHook``.
final class PartitionHook: LinkHook {
    private let isolated = Mutex<Set<String>>([])

    func isolate(_ nodeID: String) { isolated.withLock { _ = $0.insert(nodeID) } }
    func heal() { isolated.withLock { $0.removeAll() } }

    func outbound(_ frame: Frame, encodedSize: Int, link: LinkEndpoints) -> LinkHookDecision { .pass }

    func inbound(_ frame: Frame, link: LinkEndpoints) -> LinkHookDecision {
        let remote = link.remoteNodeID ?? ""
        return isolated.withLock { $0.contains(remote) } ? .drop : .pass
    }
}
