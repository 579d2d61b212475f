import NIOCore
import Testing
import TroupeMesh
import TroupeWire

@Suite("Mesh membership, handshake and liveness (pure)")
struct MeshStateMachineMembershipTests {
    static let seedAddress = PeerAddress(host: "127.0.0.1", port: 7001)

    func fiveNodeMesh() -> InMemoryMesh {
        var mesh = InMemoryMesh()
        mesh.add(InMemoryMesh.identity("n1", port: 7001), seeds: [])
        for index in 2...5 {
            // Each node knows one seed only: the previous node.
            let seed = PeerAddress(host: "127.0.0.1", port: UInt16(7000 + index - 1))
            mesh.add(InMemoryMesh.identity("n\(index)", port: UInt16(7000 + index)), seeds: [seed])
        }
        mesh.settle()
        return mesh
    }

    @Test func nodesGivenOneSeedEachConvergeToAFullMesh() {
        var mesh = fiveNodeMesh()
        mesh.advance(by: .milliseconds(500))
        #expect(mesh.isFullMesh)
        for node in mesh.machines.keys {
            #expect(mesh.machines[node]!.openLinkCount == 4, "\(node) keeps exactly one link per peer")
        }
    }

    @Test func simultaneousDialsKeepOneLinkChosenTheSameWayOnBothEnds() {
        var mesh = InMemoryMesh()
        mesh.add(InMemoryMesh.identity("a", port: 7001), seeds: [PeerAddress(host: "127.0.0.1", port: 7002)])
        mesh.add(InMemoryMesh.identity("b", port: 7002), seeds: [PeerAddress(host: "127.0.0.1", port: 7001)])
        mesh.settle()
        mesh.advance(by: .milliseconds(200))
        #expect(mesh.connected("a") == ["b"])
        #expect(mesh.connected("b") == ["a"])
        #expect(mesh.machines["a"]!.openLinkCount == 1)
        #expect(mesh.machines["b"]!.openLinkCount == 1)
        #expect(mesh.machines["a"]!.link(toNode: "b") != nil)
    }

    @Test func aSilentPeerIsDeclaredDownWithinTheFailureTimeout() {
        var mesh = fiveNodeMesh()
        mesh.advance(by: .milliseconds(300))
        // n3 stops answering without closing its connections (a pause, not a crash).
        let failureTimeout = mesh.machines["n1"]!.configuration.failureTimeout
        var frozen = mesh.machines.removeValue(forKey: "n3")!
        mesh.advance(by: failureTimeout + .milliseconds(100))
        for node in ["n1", "n2", "n4", "n5"] {
            #expect(mesh.membersDown[node, default: []].contains("n3"), "\(node) noticed n3")
            #expect(!mesh.connected(node).contains("n3"))
        }
        _ = frozen.shutdown()
    }

    @Test func aCrashedNodeThatRestartsWithANewIncarnationRejoins() {
        var mesh = fiveNodeMesh()
        mesh.advance(by: .milliseconds(300))
        mesh.crash("n2")
        for node in ["n1", "n3", "n4", "n5"] {
            #expect(!mesh.connected(node).contains("n2"))
        }
        mesh.advance(by: .seconds(1))
        mesh.add(InMemoryMesh.identity("n2", port: 7002, incarnation: 2), seeds: [Self.seedAddress])
        mesh.settle()
        mesh.advance(by: .seconds(3))
        #expect(mesh.isFullMesh)
        #expect(mesh.machines["n1"]!.connectedMembers.first { $0.nodeID == "n2" }?.incarnation == 2)
    }

    @Test func redialsBackOffWhileAPeerIsAway() {
        var mesh = InMemoryMesh()
        mesh.add(InMemoryMesh.identity("a", port: 7001), seeds: [PeerAddress(host: "127.0.0.1", port: 7002)])
        let failuresAfterOneSecond: Int
        mesh.advance(by: .seconds(1))
        failuresAfterOneSecond = mesh.machines["a"]!.statistics.dialFailures
        mesh.advance(by: .seconds(10))
        let failuresAfterElevenSeconds = mesh.machines["a"]!.statistics.dialFailures
        // Without backoff, a 50 ms redial would fail ~200 times in ten seconds; capped at 2 s it is a handful.
        #expect(failuresAfterOneSecond >= 2)
        #expect(failuresAfterElevenSeconds - failuresAfterOneSecond <= 15)
        // The peer appears: the next redial finds it.
        mesh.add(InMemoryMesh.identity("b", port: 7002), seeds: [])
        mesh.advance(by: .seconds(3))
        #expect(mesh.connected("a") == ["b"])
    }

    @Test func aNodeThatDialsItselfStopsDoingSo() {
        var mesh = InMemoryMesh()
        mesh.add(InMemoryMesh.identity("a", port: 7001), seeds: [PeerAddress(host: "localhost", port: 7001)])
        mesh.addresses[PeerAddress(host: "localhost", port: 7001)] = "a"
        mesh.advance(by: .seconds(2))
        #expect(mesh.machines["a"]!.openLinkCount == 0)
        #expect(mesh.connected("a").isEmpty)
        #expect(mesh.machines["a"]!.statistics.linksEstablished == 0)
    }

    @Test func framesBeforeTheHandshakeAreRefusedWithAnErrorFrame() {
        var machine = MeshStateMachine(configuration: MeshConfiguration(identity: InMemoryMesh.identity("a", port: 7001)))
        let now = NIODeadline.uptimeNanoseconds(1)
        let (link, _) = machine.linkOpened(role: .acceptor, now: now)
        let actions = machine.frameReceived(.ack(Ack(deliveryIDs: [1])), on: link, now: now)
        guard case .close(link, .error(let error)?, _) = actions.first else {
            Issue.record("expected a close with an ERROR frame, got \(actions)")
            return
        }
        #expect(error.code == MeshErrorCode.protocolViolation)
        #expect(machine.linkClosed(link, now: now).isEmpty)
        #expect(machine.openLinkCount == 0)
    }

    @Test func anIncompatibleMajorVersionIsRefused() {
        var machine = MeshStateMachine(configuration: MeshConfiguration(identity: InMemoryMesh.identity("a", port: 7001)))
        let now = NIODeadline.uptimeNanoseconds(1)
        let (link, _) = machine.linkOpened(role: .acceptor, now: now)
        let hello = Hello(protocolVersion: ProtocolVersion(major: 2, minor: 0), identity: InMemoryMesh.identity("b", port: 7002))
        let actions = machine.frameReceived(.hello(hello), on: link, now: now)
        guard case .close(_, .error(let error)?, let reason) = actions.first else {
            Issue.record("expected a refusal, got \(actions)")
            return
        }
        #expect(error.code == MeshErrorCode.handshakeRefused)
        #expect(reason.contains("2.0"))
    }

    @Test func aHandshakeThatNeverCompletesTimesOut() {
        var machine = MeshStateMachine(configuration: MeshConfiguration(identity: InMemoryMesh.identity("a", port: 7001)))
        let start = NIODeadline.uptimeNanoseconds(1)
        let (link, _) = machine.linkOpened(role: .acceptor, now: start)
        #expect(machine.tick(now: start + .seconds(1)).isEmpty)
        let actions = machine.tick(now: start + .seconds(6))
        #expect(actions.contains { if case .close(link, .error(let e)?, _) = $0 { e.code == MeshErrorCode.handshakeTimeout } else { false } })
    }

    @Test func idleLinksSendHeartbeatsAndAnswerPings() {
        var mesh = InMemoryMesh()
        mesh.add(InMemoryMesh.identity("a", port: 7001), seeds: [])
        mesh.add(InMemoryMesh.identity("b", port: 7002), seeds: [PeerAddress(host: "127.0.0.1", port: 7001)])
        mesh.settle()
        // Ten failure timeouts of idle time: heartbeats alone keep the link alive.
        mesh.advance(by: .seconds(30), step: .milliseconds(100))
        #expect(mesh.connected("a") == ["b"])
        #expect(mesh.membersDown["a", default: []].isEmpty)
    }

    @Test func gossipBeyondTheMemberBoundIsIgnoredAndCounted() {
        var mesh = InMemoryMesh()
        mesh.add(InMemoryMesh.identity("a", port: 7001), seeds: []) { $0.maximumMembers = 2 }
        mesh.add(InMemoryMesh.identity("b", port: 7002), seeds: [PeerAddress(host: "127.0.0.1", port: 7001)])
        mesh.settle()
        let flood = (0..<10).map { InMemoryMesh.identity("x\($0)", port: UInt16(8000 + $0)) }
        let link = mesh.machines["a"]!.link(toNode: "b")!
        _ = mesh.machines["a"]!.frameReceived(.members(Members(members: flood)), on: link, now: mesh.now)
        #expect(mesh.machines["a"]!.knownMembers.count == 2)
        #expect(mesh.machines["a"]!.statistics.membersIgnored == 9)
    }
}
