import NIOCore
import NIOPosix
import Testing
import TroupeMesh
import TroupeMeshNIO
import TroupeWire
import TroupeTestSupport

@Suite("Bad input at the socket", .serialized)
struct MeshBadInputLoopbackTests {
    /// A node with one healthy peer subscribed, so every test can check the node keeps serving.
    struct Fixture {
        let group: MultiThreadedEventLoopGroup
        let node: RunningNode
        let peer: RunningNode

        static func make() async throws -> Fixture {
            let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
            let node = try await RunningNode.start("server", on: group)
            let peer = try await RunningNode.start("peer", seeds: [node.address], on: group)
            await peer.node.subscribe(Subscribe(subscriptionID: 1, group: "peer", pattern: "*"))
            _ = await eventually("the healthy peer is connected and subscribed") {
                await node.node.matchingGroups(for: envelope("Ping", 0)) == ["peer"]
            }
            return Fixture(group: group, node: node, peer: peer)
        }

        func expectStillServing(_ n: Int) async throws {
            let routes = try await node.node.publish(envelope("StillThere", n))
            #expect(routes.count == 1)
            #expect(await eventually("the healthy peer still receives events") {
                await peer.log.events.contains { $0.envelope.eventID == EventID(high: UInt64(n), low: UInt64(n)) }
            })
            #expect(await node.node.connectedMembers().map(\.nodeID) == ["peer"])
        }

        func tearDown() async throws {
            await peer.stop()
            await node.stop()
            try await group.shutdownGracefully()
        }
    }

    static func errorCode(in frames: [Frame]) -> UInt16? {
        for case .error(let error) in frames { return error.code }
        return nil
    }

    @Test func garbageGetsAnErrorFrameAndADisconnectWhileANormalPeerKeepsWorking() async throws {
        let fixture = try await Fixture.make()
        let client = try await RawTCPClient.connect(to: fixture.node.address, on: fixture.group)
        try await client.send(Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
        let frames = try await client.framesUntilClosed()
        #expect(Self.errorCode(in: frames) == WireError.Code.badMagic.rawValue)
        try await fixture.expectStillServing(1)
        try await fixture.tearDown()
    }

    @Test func anOversizedLengthIsRefusedWithoutWaitingForTheBody() async throws {
        let fixture = try await Fixture.make()
        let client = try await RawTCPClient.connect(to: fixture.node.address, on: fixture.group)
        // A header declaring a 4 GiB body: refused as soon as the header is read.
        try await client.send([0x54, 0x52, 0x50, 0x10, 0x03, 0x00, 0xFF, 0xFF, 0xFF, 0xFF])
        let frames = try await client.framesUntilClosed()
        #expect(Self.errorCode(in: frames) == WireError.Code.frameTooLarge.rawValue)
        try await fixture.expectStillServing(2)
        try await fixture.tearDown()
    }

    @Test func aChecksumFailureIsRefused() async throws {
        let fixture = try await Fixture.make()
        let client = try await RawTCPClient.connect(to: fixture.node.address, on: fixture.group)
        var buffer = ByteBuffer()
        try FrameCodec().encode(.ping(Heartbeat(sequence: 1, sentAtNanos: 2)), into: &buffer)
        var bytes = Array(buffer.readableBytesView)
        bytes[12] ^= 0xFF  // inside the body
        try await client.send(bytes)
        let frames = try await client.framesUntilClosed()
        #expect(Self.errorCode(in: frames) == WireError.Code.checksumMismatch.rawValue)
        try await fixture.expectStillServing(3)
        try await fixture.tearDown()
    }

    @Test func aWrongMajorVersionIsRefused() async throws {
        let fixture = try await Fixture.make()
        let client = try await RawTCPClient.connect(to: fixture.node.address, on: fixture.group)
        var buffer = ByteBuffer()
        try FrameCodec().encode(.ping(Heartbeat(sequence: 1, sentAtNanos: 2)), into: &buffer)
        var bytes = Array(buffer.readableBytesView)
        bytes[3] = 0x20  // version 2.0
        try await client.send(bytes)
        let frames = try await client.framesUntilClosed()
        #expect(Self.errorCode(in: frames) == WireError.Code.unsupportedVersion.rawValue)
        try await fixture.expectStillServing(4)
        try await fixture.tearDown()
    }

    @Test func anEventBeforeTheHandshakeIsAProtocolViolation() async throws {
        let fixture = try await Fixture.make()
        let client = try await RawTCPClient.connect(to: fixture.node.address, on: fixture.group)
        try await client.send(.event(EventDelivery(deliveryID: 1, group: "peer", envelope: envelope("Sneaky", 1))))
        let frames = try await client.framesUntilClosed()
        #expect(Self.errorCode(in: frames) == MeshErrorCode.protocolViolation)
        try await fixture.expectStillServing(5)
        try await fixture.tearDown()
    }

    @Test func aPeerVanishingMidFrameLeavesNoLinkBehind() async throws {
        let fixture = try await Fixture.make()
        let baseline = await fixture.node.node.openLinkCount()
        for _ in 0..<5 {
            let client = try await RawTCPClient.connect(to: fixture.node.address, on: fixture.group)
            var buffer = ByteBuffer()
            let hello = Hello(identity: NodeIdentity(nodeID: "ghost", service: "ghost", incarnation: 1,
                                                     listenAddress: PeerAddress(host: "127.0.0.1", port: 1)))
            try FrameCodec().encode(.hello(hello), into: &buffer)
            let bytes = Array(buffer.readableBytesView)
            try await client.send(Array(bytes[0..<(bytes.count / 2)]))  // half a HELLO, then gone
            await client.close()
        }
        #expect(await eventually("every half-open link is gone") {
            await fixture.node.node.openLinkCount() == baseline
        })
        #expect(await fixture.node.node.connectedMembers().map(\.nodeID) == ["peer"])
        try await fixture.expectStillServing(6)
        try await fixture.tearDown()
    }
}
