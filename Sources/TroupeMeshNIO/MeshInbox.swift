import DequeModule
import NIOCore
import TroupeMesh

/// The notifications a mesh node has produced and its one consumer has not taken yet; confined
/// to the node's event loop.
///
/// It replaces a general-purpose async sequence for one reason: a consumer that runs on the
/// same event loop (a runtime `Node` whose executor is that loop) takes buffered notifications
/// with a plain call — no suspension, no thread hop — and waits with a continuation only when
/// the inbox is empty. Back-pressure is by watermarks: above `highWatermark` the mesh stops
/// reading from its sockets (TCP flow control then slows the senders); once the consumer has
/// taken the inbox down to `lowWatermark`, reading resumes.
final class MeshInbox {
    private var buffer: Deque<MeshNotification> = []
    private var waiter: CheckedContinuation<MeshNotification?, Never>?
    private var isFinished = false
    private var isOverHighWatermark = false
    private let lowWatermark: Int
    private let highWatermark: Int
    /// Called with `true` when reading should pause, `false` when it may resume.
    private let readingShouldPause: (Bool) -> Void

    init(lowWatermark: Int, highWatermark: Int, readingShouldPause: @escaping (Bool) -> Void) {
        precondition(0 <= lowWatermark && lowWatermark < highWatermark, "watermarks must satisfy 0 <= low < high")
        self.lowWatermark = lowWatermark
        self.highWatermark = highWatermark
        self.readingShouldPause = readingShouldPause
    }

    /// Hands `notification` to a waiting consumer, or buffers it.
    func yield(_ notification: MeshNotification) {
        guard !isFinished else { return }
        if let waiter {
            self.waiter = nil
            waiter.resume(returning: notification)
            return
        }
        buffer.append(notification)
        if !isOverHighWatermark, buffer.count >= highWatermark {
            isOverHighWatermark = true
            readingShouldPause(true)
        }
    }

    /// No more notifications: a waiting consumer gets nil; buffered ones are still taken first.
    func finish() {
        guard !isFinished else { return }
        isFinished = true
        if let waiter {
            self.waiter = nil
            waiter.resume(returning: nil)
        }
        if isOverHighWatermark {
            isOverHighWatermark = false
            readingShouldPause(false)
        }
    }

    /// The next notification if one is buffered (`.some(nil)` once finished and drained), or
    /// nil when the consumer has to wait.
    func take() -> MeshNotification?? {
        if let notification = buffer.popFirst() {
            if isOverHighWatermark, buffer.count <= lowWatermark {
                isOverHighWatermark = false
                readingShouldPause(false)
            }
            return .some(notification)
        }
        return isFinished ? .some(nil) : nil
    }

    /// Takes the next notification, or parks `continuation` until there is one.
    func takeOrWait(_ continuation: CheckedContinuation<MeshNotification?, Never>) {
        if let next = take() {
            continuation.resume(returning: next)
            return
        }
        precondition(waiter == nil, "a mesh node's notifications have one consumer")
        waiter = continuation
    }

    /// How many notifications wait.
    var count: Int { buffer.count }
}
