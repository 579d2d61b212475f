import Synchronization
import Troupe

/// Batches waiting for a store's next write transaction: group commit at the store.
///
/// A node hands its store many small batches at once — each concurrent publisher's events, the
/// delivery progress of every ack that arrived, a group of handled events — and a transaction
/// per batch rewrites the same hot pages (the outbox's tail, the archive's tail, their
/// indexes) into the write-ahead log once per batch. Instead, ``SQLiteNodeStore/apply(_:)``
/// enqueues its batch here, and only the first batch enqueued while no write is scheduled
/// schedules one on the database's serial writer. When that write starts it takes *every*
/// batch waiting at that moment, so under load one transaction commits many callers' batches,
/// while a lone batch on an idle node is written at once (no timer, no added latency).
///
/// Each batch keeps its own all-or-nothing outcome: when one batch of a shared transaction is
/// refused (a live duplicate idempotency key), the store rolls the transaction back and commits
/// the batches again one transaction each, so only the refused caller gets the error (see
/// `SQLiteNodeStore.commitWaitingBatches`). Batches are applied one after the other in arrival
/// order and never merged, so "complete event X, then publish X again" keeps its order. Every
/// caller is resumed only after the transaction holding its batch committed.
final class CommitQueue: Sendable {
    /// A batch and the caller waiting for its commit.
    struct Pending: Sendable {
        let batch: StoreBatch
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var waiting: [Pending] = []
        var writeScheduled = false
    }

    private let state = Mutex(State())

    /// Adds `pending`; returns true when the caller must schedule a write (none is scheduled
    /// that would still see this batch).
    func enqueue(_ pending: Pending) -> Bool {
        state.withLock { state in
            state.waiting.append(pending)
            guard !state.writeScheduled else { return false }
            state.writeScheduled = true
            return true
        }
    }

    /// How many batches wait (for tests).
    var waitingCount: Int { state.withLock { $0.waiting.count } }

    /// Takes every waiting batch, in arrival order, at the start of a write; a batch enqueued
    /// from now on schedules the next write.
    func takeAll() -> [Pending] {
        state.withLock { state in
            state.writeScheduled = false
            defer { state.waiting = [] }
            return state.waiting
        }
    }
}
