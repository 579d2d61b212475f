/// Committing delivery progress without holding up the notification loop.
///
/// An ack frame changes the delivery machine at once; what it changes in the store (groups
/// released, events completed, attempts, dead letters) only has to be durable eventually: an
/// event whose completion is lost in a crash is delivered again after the restart, and the
/// consumers' idempotency records absorb it, as for any redelivery. Awaiting that commit in
/// ``perform(_:)`` made the notification loop wait for a transaction per ack frame, so the
/// events and acks arriving meanwhile queued behind it, and a durable publisher completed at
/// most one ack frame per commit latency (`troupe bench --mode durable`: 64 events per frame,
/// ~1 ms per commit; Benchmarks/README.md, fourteenth round).
///
/// When the store commits on another thread (``NodeStore/pipelinesCommits``), progress is
/// queued instead and one writer task at a time commits everything queued, in order, one
/// transaction per turn. Progress of an event never follows its completion, so queued batches
/// merge into one (``StoreBatch/append(_:)``) with the same result as applying them in turn.
/// Whatever must find a completion already in the store waits for the writer first
/// (``settleProgress()``): publishing completed events again to late groups, and the end of
/// ``run()``. Other stores (in memory, simulated) still commit in line, so a simulation keeps
/// its order.
extension Node {
    /// Queues `batch` for the progress writer, starting the writer when none runs.
    func recordProgress(_ batch: StoreBatch) {
        progressBacklog.append(batch)
        if progressWriter == nil {
            progressWriter = Task { await self.writeProgress() }
        }
    }

    /// Commits the queued progress, a transaction per turn, until none is left.
    func writeProgress() async {
        while !progressBacklog.isEmpty {
            let batch = progressBacklog
            progressBacklog = StoreBatch()
            await commitProgress(batch)
        }
        progressWriter = nil
    }

    /// Commits one batch of delivery progress; a failure is logged (the delivery machine has
    /// moved on, and a restart redelivers whatever the store still owes).
    func commitProgress(_ batch: StoreBatch) async {
        do {
            try await store.apply(batch)
            if !batch.deadLetters.isEmpty { statistics.deadLetterDepth += batch.deadLetters.count }
        } catch {
            logger.error("could not record delivery progress: \(error)")
        }
    }

    /// Waits until every queued progress batch is committed.
    func settleProgress() async {
        while let writer = progressWriter {
            progressSettlesWaited += 1
            await writer.value
        }
    }
}
