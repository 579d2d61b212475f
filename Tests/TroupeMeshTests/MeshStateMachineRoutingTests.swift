import NIOCore
import Testing
import TroupeMesh
import TroupeWire

@Suite("Mesh interest and routing (pure)")
struct MeshStateMachineRoutingTests {
    static func envelope(_ type: String, _ n: UInt64 = 1) -> Envelope {
        Envelope(eventID: EventID(high: n, low: n), type: type, source: "pub", correlationID: EventID(high: 0, low: n),
                 occurredAtMicros: 0, body: ByteBuffer(string: "{}"))
    }

    /// pub, plus two members each of groups g1, g2 and one of g3 (each node subscribes after joining).
    func meshWithGroups() -> InMemoryMesh {
        var mesh = InMemoryMesh()
        mesh.add(InMemoryMesh.identity("pub", port: 7000), seeds: [])
        let members = [("g1-a", "g1"), ("g1-b", "g1"), ("g2-a", "g2"), ("g2-b", "g2"), ("g3-a", "g3")]
        for (index, (node, group)) in members.enumerated() {
            mesh.add(InMemoryMesh.identity(node, port: UInt16(7001 + index)), seeds: [PeerAddress(host: "127.0.0.1", port: 7000)])
            mesh.settle()
            mesh.apply(mesh.machines[node]!.subscribe(Subscribe(subscriptionID: 1, group: group, pattern: "Order*")), at: node)
            mesh.settle()
        }
        mesh.advance(by: .milliseconds(300))
        return mesh
    }

    @Test func subscriptionsReachEveryPeer() {
        let mesh = meshWithGroups()
        for node in mesh.machines.keys {
            let known = mesh.machines[node]!.subscriptions
            #expect(known.count == 5, "\(node) knows every subscription")
        }
    }

    @Test func publishFansOutToEachGroupOnceAndSharesWithinAGroup() {
        var mesh = meshWithGroups()
        var perNode: [String: Int] = [:]
        for n in 1...100 {
            let (routes, actions) = mesh.machines["pub"]!.publish(Self.envelope("OrderPlaced", UInt64(n)))
            #expect(routes.map(\.group) == ["g1", "g2", "g3"])
            mesh.apply(actions, at: "pub")
            mesh.settle()
        }
        for (node, inbound) in mesh.delivered {
            perNode[node] = inbound.filter { if case .event = $0 { true } else { false } }.count
        }
        #expect(perNode["g1-a", default: 0] + perNode["g1-b", default: 0] == 100)
        #expect(perNode["g2-a", default: 0] + perNode["g2-b", default: 0] == 100)
        #expect(perNode["g3-a"] == 100)
        #expect(perNode["g1-a", default: 0] == 50, "round-robin shares evenly")
        #expect(perNode["g2-b", default: 0] == 50)
    }

    @Test func nonMatchingTypesGoNowhere() {
        var mesh = meshWithGroups()
        let (routes, actions) = mesh.machines["pub"]!.publish(Self.envelope("PaymentCaptured"))
        #expect(routes.isEmpty)
        #expect(actions.isEmpty)
    }

    @Test func unsubscribeWithdrawsInterestEverywhere() {
        var mesh = meshWithGroups()
        mesh.apply(mesh.machines["g3-a"]!.unsubscribe(1), at: "g3-a")
        mesh.settle()
        let (routes, _) = mesh.machines["pub"]!.publish(Self.envelope("OrderPlaced"))
        #expect(routes.map(\.group) == ["g1", "g2"])
    }

    @Test func aGroupWhoseMembersAreAllDownIsKnownButUnroutable() {
        var mesh = meshWithGroups()
        mesh.crash("g3-a")
        let envelope = Self.envelope("OrderPlaced")
        #expect(mesh.machines["pub"]!.matchingGroups(for: envelope) == ["g1", "g2", "g3"])
        let (routes, _) = mesh.machines["pub"]!.publish(envelope)
        #expect(routes.first { $0.group == "g3" }?.outcome == .noLiveMember)
        #expect(routes.first { $0.group == "g1" }.map { if case .sent = $0.outcome { true } else { false } } == true)
    }

    @Test func aMemberWhoseLinkIsFullIsSkippedAndAFullGroupReportsBackpressure() {
        var mesh = meshWithGroups()
        let toG3 = mesh.machines["pub"]!.link(toNode: "g3-a")!
        let toG1a = mesh.machines["pub"]!.link(toNode: "g1-a")!
        mesh.machines["pub"]!.linkWritabilityChanged(toG3, isWritable: false)
        mesh.machines["pub"]!.linkWritabilityChanged(toG1a, isWritable: false)
        for n in 1...4 {
            let (routes, _) = mesh.machines["pub"]!.publish(Self.envelope("OrderPlaced", UInt64(n)))
            #expect(routes.first { $0.group == "g3" }?.outcome == .backpressured)
            let g1 = routes.first { $0.group == "g1" }?.outcome
            guard case .sent(let to, _)? = g1 else {
                Issue.record("g1 should still be served by g1-b")
                continue
            }
            #expect(to.nodeID == "g1-b")
        }
        #expect(mesh.machines["pub"]!.statistics.backpressureRejections == 4)
        mesh.machines["pub"]!.linkWritabilityChanged(toG3, isWritable: true)
        let (routes, _) = mesh.machines["pub"]!.publish(Self.envelope("OrderPlaced", 9))
        #expect(routes.first { $0.group == "g3" }.map { if case .sent = $0.outcome { true } else { false } } == true)
    }

    @Test func localSubscribersAreMembersToo() {
        var machine = MeshStateMachine(configuration: MeshConfiguration(identity: InMemoryMesh.identity("solo", port: 7000)))
        _ = machine.subscribe(Subscribe(subscriptionID: 7, group: "audit", pattern: "*"))
        let (routes, actions) = machine.publish(Self.envelope("Anything"))
        #expect(routes.count == 1)
        guard case .deliveredLocally = routes[0].outcome, case .deliver(.event(let delivery, _))? = actions.first else {
            Issue.record("expected a local delivery, got \(routes) \(actions)")
            return
        }
        #expect(delivery.group == "audit")
    }

    @Test func aMalformedSubscriptionClosesTheLinkWithAnError() {
        var mesh = meshWithGroups()
        let link = mesh.machines["pub"]!.link(toNode: "g1-a")!
        let actions = mesh.machines["pub"]!.frameReceived(.subscribe(Subscribe(subscriptionID: 9, group: "", pattern: "")), on: link, now: mesh.now)
        guard case .close(_, .error(let error)?, _)? = actions.first else {
            Issue.record("expected a refusal, got \(actions)")
            return
        }
        #expect(error.code == MeshErrorCode.invalidSubscription)
    }

    @Test func restartedPeerInterestIsReplacedNotMerged() {
        var mesh = meshWithGroups()
        mesh.crash("g3-a")
        mesh.add(InMemoryMesh.identity("g3-a", port: 7005, incarnation: 2), seeds: [PeerAddress(host: "127.0.0.1", port: 7000)])
        mesh.settle()
        mesh.advance(by: .milliseconds(300))
        // The new incarnation has not subscribed (yet): its old interest must be gone.
        let (routes, _) = mesh.machines["pub"]!.publish(Self.envelope("OrderPlaced"))
        #expect(routes.map(\.group) == ["g1", "g2"])
    }
}

@Suite("Event type patterns")
struct EventTypePatternTests {
    @Test(arguments: [
        ("OrderPlaced", "OrderPlaced", true),
        ("OrderPlaced", "OrderPlacedX", false),
        ("Order*", "OrderPlaced", true),
        ("Order*", "Order", true),
        ("Order*", "PaymentCaptured", false),
        ("*Declined", "PaymentDeclined", true),
        ("*Declined", "PaymentDeclinedLate", false),
        ("*", "", true),
        ("*", "Anything", true),
        ("O*r*d", "OrderConfirmed", true),
        ("O*r*d", "OrderConfirmedX", false),
        ("a*a*a*a*b", String(repeating: "a", count: 2000), false),
    ])
    func matching(pattern: String, type: String, expected: Bool) {
        #expect(EventTypePattern(pattern)!.matches(type) == expected)
    }

    @Test func emptyPatternsAreInvalid() {
        #expect(EventTypePattern("") == nil)
    }
}
