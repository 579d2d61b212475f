import TroupeWire

/// Handling the next deliveries while the previous ones commit (see ``CommitPipeline``).
///
/// ``run()`` hands each burst of deliveries to ``handleDeliveriesPipelined(_:)`` when the
/// store commits on another thread (``NodeStore/pipelinesCommits``): the burst is handled at
/// once on the latest state, committed or not, and queued; one commit task at a time
/// (``driveCommits()``) writes everything queued in one transaction and then releases the acks,
/// published events and effects of its groups, in order. Measured on the benchmark's durable
/// 10k events/s shape: Benchmarks/README.md, eleventh round.
extension Node {
    /// Handles `deliveries` on the latest state and queues them for the next commit.
    ///
    /// Waits first while a failed commit's deliveries are handled again, and afterwards while
    /// a transaction's worth of deliveries (``NodeConfiguration/maximumGroupCommit``) is already
    /// queued behind the commit under way (back-pressure: the mesh holds what is not taken).
    func handleDeliveriesPipelined(_ deliveries: [(delivery: EventDelivery, peer: NodeIdentity)]) async {
        var undecided = deliveries
        while true {
            while pipeline.isRecovering, let driver = commitDriver { await driver.value }
            let epoch = pipeline.epoch
            var working = pipeline.latestState ?? state
            let group = await handleGroup(undecided, on: &working)
            guard !group.isEmpty else { return }
            if epoch == pipeline.epoch {
                pipeline.append(group, leaving: working)
                break
            }
            // A commit below this group's state failed while its handlers ran: handle what is
            // still undecided again, on the state the recovery leaves.
            undecided = group.deliveries
        }
        if commitDriver == nil {
            commitDriver = Task { await self.driveCommits() }
        }
        if pipeline.waitingDeliveries >= configuration.maximumGroupCommit, let driver = commitDriver {
            await driver.value
        }
    }

    /// Commits the queued groups, a transaction at a time, until none is left.
    ///
    /// After a durable transaction its groups are completed in order (state, keys, acks,
    /// published events, effects). After a failed one its deliveries are handled again one
    /// group at a time as ``handleDeliveries(_:)`` does after a failed group commit, then every
    /// group handled on top of it, each on the committed state.
    func driveCommits() async {
        while let submission = pipeline.takeSubmission() {
            do {
                try await commit(submission.batch, persistFailure: submission.persistFailure)
                if let (groups, committed) = pipeline.committed() {
                    await completeCommitted(groups, leaving: committed)
                }
            } catch {
                let (submitted, following) = pipeline.failed()
                let deliveries = submitted.flatMap(\.deliveries)
                let single = deliveries.count == 1 ? submitted.first?.handled.first : nil
                await recover(from: error, handling: deliveries, single: single)
                for group in following { await handleDeliveries(group.deliveries) }
                pipeline.recovered()
            }
        }
        commitDriver = nil
    }

    /// Whether an event with `key` is handled but not committed yet (see ``CommitPipeline``).
    ///
    /// Kept out of line, and asked only on a node that pipelines: a function that mentions the
    /// generic pipeline fetches its type metadata on entry, and reading it copies it through its
    /// value witnesses (memory mode, which never pipelines, paid ~1.5k instructions per event
    /// for that in the handler's path; callgrind).
    @inline(never)
    func pipelineHolds(_ key: IdempotencyKey) -> Bool {
        pipeline.holds(key)
    }

    /// Waits until every queued group is committed and completed (the end of ``run()``).
    func settleCommits() async {
        while let driver = commitDriver { await driver.value }
    }
}
