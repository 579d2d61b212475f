import NIOCore

/// Connects the inbound sequence's back-pressure to the mesh: when the consumer falls behind,
/// the core stops reading from sockets (TCP flow control then slows the senders); when it
/// catches up, reading resumes.
struct MeshInboundDelegate: NIOAsyncSequenceProducerDelegate {
    let core: NIOLoopBound<MeshCore>

    func produceMore() {
        core.eventLoop.execute { core.value.setReading(paused: false) }
    }

    func didTerminate() {
        core.eventLoop.execute { core.value.setReading(paused: false) }
    }
}
