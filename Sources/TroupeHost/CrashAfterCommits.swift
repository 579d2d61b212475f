import Foundation
import Synchronization
import TroupeWire

/// A fault for crash-safety tests: after `limit` handled events have committed, kill this
/// process with SIGKILL — after the commit, before the ack — the window in which a naive
/// "write key, then process" design loses or duplicates work.
final class CrashAfterCommits: Sendable {
    private let limit: Int
    private let count = Mutex(0)

    init(limit: Int) { self.limit = limit }

    var hook: nonisolated(nonsending) @Sendable (Envelope) async -> Void {
        { [self] envelope in
            let reached = count.withLock { count in
                count += 1
                return count >= limit
            }
            guard reached else { return }
            Self.crash(after: envelope)
        }
    }

    /// Says which commit the crash follows, then kills this process with SIGKILL: no flush, no
    /// goodbye, no ack.
    @Sendable static func crash(after envelope: Envelope) {
        FileHandle.standardError.write(Data("troupe: crashing after committing \(envelope.type) \(envelope.eventID) (fault injection)\n".utf8))
        kill(getpid(), SIGKILL)
    }
}
