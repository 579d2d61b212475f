import NIOCore
import NIOEmbedded
import NIOPosix
import Synchronization
import Testing
import TroupeMesh
@testable import TroupeMeshNIO
import TroupeWire
import TroupeTestSupport

/// Frames for one link are coalesced into one pending buffer and handed to the channel in
/// order; a frame the link hook changes is cut out and written after the frames before it.
@Suite("Outbound link coalescing")
struct OutboundLinkTests {
    private func eventFrame(_ n: Int, bodyBytes: Int = 2) -> Frame {
        .event(EventDelivery(
            deliveryID: UInt64(n), group: "g",
            envelope: envelope("OrderPlaced", n, body: String(repeating: "x", count: bodyBytes))
        ))
    }

    /// Every frame in the channel's outbound writes, decoded, and how many writes there were.
    private func written(_ channel: EmbeddedChannel) throws -> (frames: [Frame], writes: Int) {
        var codec = FrameCodec()
        var frames: [Frame] = []
        var writes = 0
        while var buffer = try channel.readOutbound(as: ByteBuffer.self) {
            writes += 1
            while let frame = try codec.decode(from: &buffer) { frames.append(frame) }
            #expect(buffer.readableBytes == 0, "a write holds whole frames")
        }
        return (frames, writes)
    }

    @Test func framesAppendedInATickGoOutAsOneWriteInOrder() throws {
        let channel = EmbeddedChannel()
        let link = OutboundLink(channel: channel)
        let codec = FrameCodec()
        var sizes: [Int] = []
        for n in 1...50 { sizes.append(try link.append(eventFrame(n), with: codec)) }
        #expect(link.pendingBytes == sizes.reduce(0, +))
        #expect(try written(channel).writes == 0, "nothing reaches the channel before the hand-over")
        link.handOverAndFlush()
        let (frames, writes) = try written(channel)
        #expect(writes == 1)
        #expect(frames == (1...50).map { eventFrame($0) })
        #expect(link.pendingBytes == 0)
        link.handOverAndFlush()
        #expect(try written(channel).writes == 0, "an empty hand-over writes nothing")
        _ = try channel.finish()
    }

    @Test func aBurstIsHandedOverOnceItReachesTheThreshold() throws {
        let channel = EmbeddedChannel()
        let link = OutboundLink(channel: channel)
        let codec = FrameCodec()
        var n = 0
        while link.pendingBytes < OutboundLink.handOverThreshold {
            n += 1
            _ = try link.append(eventFrame(n, bodyBytes: 1000), with: codec)
            if link.pendingBytes < OutboundLink.handOverThreshold {
                link.handOverIfLarge()
                #expect(link.pendingBytes > 0, "below the threshold the frames wait")
            }
        }
        link.handOverIfLarge()
        #expect(link.pendingBytes == 0)
        channel.flush()
        let (frames, writes) = try written(channel)
        #expect(writes == 1 && frames == (1...n).map { eventFrame($0, bodyBytes: 1000) })
        _ = try channel.finish()
    }

    @Test func theLastFrameCanBeTakenBackForTheHook() throws {
        let channel = EmbeddedChannel()
        let link = OutboundLink(channel: channel)
        let codec = FrameCodec()
        _ = try link.append(eventFrame(1), with: codec)
        let size = try link.append(eventFrame(2), with: codec)
        var taken = link.takeLast(size)
        var decoder = FrameCodec()
        #expect(try decoder.decode(from: &taken) == eventFrame(2))
        link.handOverAndFlush()
        #expect(try written(channel).frames == [eventFrame(1)])
        _ = try channel.finish()
    }

    @Test func aFrameThatDoesNotEncodeLeavesThePendingFramesAlone() throws {
        let channel = EmbeddedChannel()
        let link = OutboundLink(channel: channel)
        let small = FrameCodec(limits: WireLimits(maxBodyLength: 4096))
        _ = try link.append(eventFrame(1), with: small)
        let before = link.pendingBytes
        #expect(throws: WireError.self) { try link.append(eventFrame(2, bodyBytes: 10_000), with: small) }
        #expect(link.pendingBytes == before)
        link.handOverAndFlush()
        #expect(try written(channel).frames == [eventFrame(1)])
        _ = try channel.finish()
    }
}

/// Duplicates and drops EVENT frames on the way out and records what it saw, in order.
final class RecordingFaultHook: LinkHook {
    private let seen = Mutex<[UInt64]>([])

    var eventsSeen: [UInt64] { seen.withLock { $0 } }

    /// What the wire should carry for event number `n`.
    static func copies(of n: UInt64) -> Int {
        n % 5 == 0 ? 0 : (n % 3 == 0 ? 2 : 1)
    }

    func outbound(_ frame: Frame, encodedSize: Int, link: LinkEndpoints) -> LinkHookDecision {
        guard case .event(let delivery) = frame else { return .pass }
        let n = delivery.envelope.eventID.high
        seen.withLock { $0.append(n) }
        switch Self.copies(of: n) {
        case 0: return .drop
        case 2: return LinkHookDecision(copies: [.init(), .init()])
        default: return .pass
        }
    }

    func inbound(_ frame: Frame, link: LinkEndpoints) -> LinkHookDecision { .pass }
}

@Suite("Outbound order under link faults, over loopback TCP", .serialized)
struct OutboundOrderLoopbackTests {
    @Test func droppedAndDuplicatedFramesLeaveTheOthersInOrder() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let hook = RecordingFaultHook()
        let publisher = try await RunningNode.start("pub", on: group, hook: hook)
        let subscriber = try await RunningNode.start("sub", service: "g", seeds: [publisher.address], on: group)
        await subscriber.node.subscribe(Subscribe(subscriptionID: 1, group: "g", pattern: "*"))
        #expect(await eventually("the publisher knows the group") {
            await publisher.node.matchingGroups(for: envelope("OrderPlaced", 0)) == ["g"]
        })

        // Many publishes at once, so several frames share a tick's pending buffer.
        let count = 300
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            for n in 1...count {
                tasks.addTask { _ = try await publisher.node.publish(envelope("OrderPlaced", n)) }
            }
            try await tasks.waitForAll()
        }
        let expectedCount = (1...count).map { RecordingFaultHook.copies(of: UInt64($0)) }.reduce(0, +)
        #expect(await eventually("every surviving copy arrived") { await subscriber.log.events.count == expectedCount })
        let sent = hook.eventsSeen.flatMap { Array(repeating: $0, count: RecordingFaultHook.copies(of: $0)) }
        let received = await subscriber.log.events.map(\.envelope.eventID.high)
        #expect(received == sent, "the wire carries the frames in the order they were sent")
        #expect(Set(hook.eventsSeen) == Set((1...count).map(UInt64.init)))

        await subscriber.stop()
        await publisher.stop()
        try await group.shutdownGracefully()
    }
}
