import Foundation
import NIOCore
import Synchronization
import Testing
import TroupeChaos
import TroupeMesh
import TroupeWire

/// The controller's CONTROL commands and its after-commit hook point, without a node.
@Suite struct ChaosControllerTests {
    static let envelope = Envelope(
        eventID: EventID(high: 1, low: 1), type: "Ping", source: "n", subject: "s",
        correlationID: EventID(high: 1, low: 1), causationID: nil, traceparent: "",
        occurredAtMicros: 0, attempt: 1, headers: [], body: ByteBuffer()
    )

    @Test func crashAfterCommitStrikesOnceOnTheNextCommitAfterBeingArmed() async throws {
        let controller = ChaosController(nodeID: "payment", service: "payment")
        let crashes = Mutex<[EventID]>([])
        let hook = controller.afterCommitHook { envelope in crashes.withLock { $0.append(envelope.eventID) } }
        await hook(Self.envelope)
        #expect(crashes.withLock { $0.isEmpty }, "not armed: commits pass")

        let control = controller.controlExtension(meshStatistics: { MeshStatistics() })
        let reply = await control(ControlRequest(requestID: 1, command: ChaosControlCommand.crashAfterCommit, payload: ByteBuffer()))
        #expect(reply?.status == 0)
        #expect(controller.isCrashAfterCommitArmed)

        await hook(Self.envelope)
        await hook(Self.envelope)
        #expect(crashes.withLock { $0.count } == 1, "one shot")
        #expect(!controller.isCrashAfterCommitArmed)
    }
}
