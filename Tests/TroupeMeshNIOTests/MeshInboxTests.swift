import NIOCore
import Testing
import TroupeMesh
import TroupeWire
@testable import TroupeMeshNIO

/// The inbox between a mesh node and its consumer, without sockets.
@Suite struct MeshInboxTests {
    static func member(_ id: String) -> MeshNotification {
        .memberUp(NodeIdentity(nodeID: id, service: "s", incarnation: 1, listenAddress: PeerAddress(host: "127.0.0.1", port: 1)))
    }

    @Test func notificationsComeOutInOrderAndReadingPausesBetweenTheWatermarks() {
        var pauses: [Bool] = []
        let inbox = MeshInbox(lowWatermark: 1, highWatermark: 3) { pauses.append($0) }
        for id in ["a", "b"] { inbox.yield(Self.member(id)) }
        #expect(pauses.isEmpty)
        inbox.yield(Self.member("c"))
        #expect(pauses == [true], "at the high watermark reading pauses")
        inbox.yield(Self.member("d"))
        #expect(pauses == [true], "once")

        #expect(inbox.take() == .some(Self.member("a")))
        #expect(inbox.take() == .some(Self.member("b")))
        #expect(pauses == [true], "two left: above the low watermark")
        #expect(inbox.take() == .some(Self.member("c")))
        #expect(pauses == [true, false], "down to the low watermark: reading resumes")
        #expect(inbox.take() == .some(Self.member("d")))
        #expect(inbox.take() == nil, "empty: the consumer has to wait")
    }

    @Test func aWaitingConsumerGetsTheNextNotificationAndNilAfterTheFinish() async {
        let inbox = MeshInbox(lowWatermark: 0, highWatermark: 8) { _ in }
        let first = await withCheckedContinuation { continuation in
            inbox.takeOrWait(continuation)
            inbox.yield(Self.member("x"))
        }
        #expect(first == Self.member("x"))
        inbox.yield(Self.member("y"))
        inbox.finish()
        inbox.yield(Self.member("ignored"))
        #expect(inbox.take() == .some(Self.member("y")), "buffered notifications are still taken after the finish")
        #expect(inbox.take() == .some(nil), "then the end")
        let last = await withCheckedContinuation { inbox.takeOrWait($0) }
        #expect(last == nil)
    }
}
