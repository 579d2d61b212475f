import NIOCore
import Testing
import TroupeMesh
import TroupeWire

@Suite("Mesh links dialed from both ends at once (pure)")
struct MeshStateMachineDuplicateLinkTests {
    /// Two nodes dial each other; whatever the order in which connections open and frames
    /// arrive, they end on one shared link, and neither ever reports the other down: a link both
    /// ends already use is never replaced by the crossing one finishing its handshake later.
    @Test(arguments: [("a", "b"), ("b", "a")])
    func crossingDialsSettleOnOneLinkWithoutAMemberDown(first: String, second: String) {
        var pair = CrossingDials()
        let addresses = ["a": PeerAddress(host: "127.0.0.1", port: 7001), "b": PeerAddress(host: "127.0.0.1", port: 7002)]
        pair.start(CrossingDials.identity("a", port: 7001), seeds: [addresses["b"]!])
        pair.start(CrossingDials.identity("b", port: 7002), seeds: [addresses["a"]!])
        pair.addDial(from: first, to: second)
        pair.addDial(from: second, to: first)
        var orders = 0
        var failures = 0
        pair.exploreEveryOrder { end in
            orders += 1
            let settled = end.sharedConnection("a", "b") != nil
                && end.machines["a"]!.openLinkCount == 1 && end.machines["b"]!.openLinkCount == 1
            if (!settled || !end.memberDowns.isEmpty || end.memberUps.count != 2), failures < 3 {
                failures += 1
                Issue.record("""
                    settled=\(settled) ups=\(end.memberUps) downs=\(end.memberDowns)
                    \(end.steps.joined(separator: "\n"))
                    """)
            }
        }
        #expect(orders > 100)
        #expect(failures == 0)
    }

    /// The same after a restart: `b` knew `a`'s earlier incarnation, lost it, and the new
    /// incarnation and `b` dial each other on `a`'s old address.
    @Test(arguments: [("a", "b"), ("c", "b")])
    func aRestartedNodeAndAnOldPeerDialingEachOtherSettleOnOneLink(restarted: String, peer: String) {
        var pair = CrossingDials()
        let restartedIdentity = CrossingDials.identity(restarted, port: 7001)
        let peerIdentity = CrossingDials.identity(peer, port: 7002)
        pair.start(restartedIdentity, seeds: [peerIdentity.listenAddress])
        pair.start(peerIdentity, seeds: [])
        // First incarnation: one link, then the restarted node goes away without a word.
        pair.addDial(from: restarted, to: peer)
        while let choice = pair.choices.first { pair.take(choice) }
        #expect(pair.sharedConnection(restarted, peer) == 0)
        let oldLink = pair.machines[peer]!.link(toNode: restarted)!
        _ = pair.machines[peer]!.linkClosed(oldLink, now: pair.now)
        #expect(pair.machines[peer]!.connectedMembers.isEmpty)
        #expect(pair.machines[peer]!.knownMembers.map(\.incarnation) == [1])

        pair.connections = []
        pair.start(CrossingDials.identity(restarted, port: 7001, incarnation: 2), seeds: [peerIdentity.listenAddress])
        pair.memberUps = []
        pair.steps = []
        pair.addDial(from: restarted, to: peer)
        pair.addDial(from: peer, to: restarted)
        var failures = 0
        pair.exploreEveryOrder { end in
            let settled = end.sharedConnection(restarted, peer) != nil
                && end.machines[restarted]!.openLinkCount == 1 && end.machines[peer]!.openLinkCount == 1
            let incarnation = end.machines[peer]!.connectedMembers.first?.incarnation
            if (!settled || incarnation != 2 || !end.memberDowns.isEmpty), failures < 3 {
                failures += 1
                Issue.record("""
                    settled=\(settled) incarnation=\(incarnation.map { "\($0)" } ?? "-") downs=\(end.memberDowns)
                    \(end.steps.joined(separator: "\n"))
                    """)
            }
        }
        #expect(failures == 0)
    }
}
