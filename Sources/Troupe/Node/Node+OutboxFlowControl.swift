extension Node {
    /// Suspends until fewer than `limit` events this node published are unfinished (not yet
    /// acknowledged by every target group): flow control for a publisher that must not run
    /// ahead of its consumers — an async-publish window. Returns at once when the outbox is
    /// already below the limit, and when the node's run loop ends.
    public func waitUntilOutboxDepth(isBelow limit: Int) async {
        guard statistics.outboxDepth >= limit, !hasStopped else { return }
        await withCheckedContinuation { continuation in
            outboxWaiters.append(OutboxWaiter(limit: limit, continuation: continuation))
        }
    }

    /// Records the outbox depth and resumes the waiters it now satisfies.
    func outboxDepthChanged() {
        statistics.outboxDepth = delivery.openEventCount + delivery.parkedEventCount + overflow.count
        guard !outboxWaiters.isEmpty else { return }
        let depth = statistics.outboxDepth
        outboxWaiters.removeAll { waiter in
            guard depth < waiter.limit else { return false }
            waiter.continuation.resume()
            return true
        }
    }

    /// Resumes every waiter: the node stopped.
    func releaseOutboxWaiters() {
        hasStopped = true
        let waiters = outboxWaiters
        outboxWaiters = []
        for waiter in waiters { waiter.continuation.resume() }
    }
}

/// A task waiting in ``Node/waitUntilOutboxDepth(isBelow:)``.
struct OutboxWaiter {
    let limit: Int
    let continuation: CheckedContinuation<Void, Never>
}
