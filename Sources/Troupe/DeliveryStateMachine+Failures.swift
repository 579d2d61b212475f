public import TroupeWire

/// NACKs, send failures and expired timers.
extension DeliveryStateMachine {
    /// The consumer's handler failed on `deliveryID`. The attempt counts as failed; the next one
    /// goes out after `max(backoff, retryAfter)`, or the series is dead-lettered with `reason`
    /// when it was the last allowed attempt. A NACK for anything but the attempt in flight
    /// (late, duplicate, unknown) is counted and ignored.
    public mutating func nacked(
        deliveryID: UInt64,
        reason: String,
        retryAfter: Duration = .zero,
        now: MonotonicTime
    ) -> [DeliveryAction] {
        defer { pruneTimers() }
        guard let key = deliveryIndex[deliveryID], case .inFlight(let current, _)? = series[key]?.phase,
            current == deliveryID
        else {
            statistics.ignoredNacks += 1
            return []
        }
        var actions: [DeliveryAction] = []
        attemptFailed(key, error: reason, retryAfter: retryAfter, now: now, into: &actions)
        return actions
    }

    /// A NACK frame arrived.
    public mutating func nacked(_ nack: Nack, now: MonotonicTime) -> [DeliveryAction] {
        nacked(
            deliveryID: nack.deliveryID,
            reason: nack.reason,
            retryAfter: .milliseconds(Int64(nack.retryAfterMillis)),
            now: now
        )
    }

    /// The node could not send `deliveryID`: the group has no live member right now (or every
    /// link to one refused it). The attempt does not count; the same attempt is retried with
    /// backoff (or at once on ``routeAppeared(group:now:)``), and once the group has been
    /// unreachable for the policy's `retention` the series is dead-lettered as `undeliverable`.
    public mutating func sendFailed(
        deliveryID: UInt64,
        reason: String = "no live member",
        now: MonotonicTime
    ) -> [DeliveryAction] {
        defer { pruneTimers() }
        guard let key = deliveryIndex[deliveryID], var current = series[key],
            case .inFlight(let inFlight, _) = current.phase, inFlight == deliveryID
        else {
            statistics.ignoredSendFailures += 1
            return []
        }
        deliveryIndex[deliveryID] = nil
        current.withdraw(deliveryID)
        current.attempt -= 1  // it never left the node
        let since = current.unroutableSince ?? now
        current.unroutableSince = since
        current.recordFailure("\(reason) in group \(groups.name(key.group))", at: now)
        var actions: [DeliveryAction] = []
        guard now - since < current.policy.retention else {
            series[key] = current
            deadLetter(key, reason: .undeliverable, now: now, into: &actions)
            return actions
        }
        current.routeRetries += 1
        let delay = current.policy.backoff.delay(forRetry: current.routeRetries, using: &generator)
        let retryAt = min(now + delay, since + current.policy.retention)
        current.phase = .routeRetryScheduled(retryAt)
        current.timerSequence = timers.schedule(at: retryAt, for: .series(key))
        series[key] = current
        return actions
    }

    /// The armed timer of a series fired.
    mutating func seriesTimerFired(_ key: SeriesKey, now: MonotonicTime, into actions: inout [DeliveryAction]) {
        guard let current = series[key] else { return }
        switch current.phase {
        case .waitingTurn:
            return
        case .inFlight:
            attemptFailed(key, error: "ack timeout", retryAfter: .zero, now: now, into: &actions)
        case .retryScheduled:
            statistics.redeliveries += 1
            startAttempt(key, now: now, into: &actions)
        case .routeRetryScheduled:
            startAttempt(key, now: now, into: &actions)
        }
    }

    /// The attempt in flight failed (ack timeout or NACK): schedule the next or dead-letter.
    /// The failed attempt's delivery id stays valid, so its late ACK still ends the series.
    private mutating func attemptFailed(
        _ key: SeriesKey,
        error: String,
        retryAfter: Duration,
        now: MonotonicTime,
        into actions: inout [DeliveryAction]
    ) {
        guard var current = series[key] else { return }
        current.recordFailure(error, at: now)
        current.unroutableSince = nil  // the attempt did reach a member
        current.routeRetries = 0
        guard current.attempt < current.policy.maxDeliveries else {
            series[key] = current
            deadLetter(key, reason: .maxDeliveriesExceeded, now: now, into: &actions)
            return
        }
        let backoff = current.policy.backoff.delay(forRetry: current.attempt, using: &generator)
        let retryAt = now + max(backoff, retryAfter)
        current.phase = .retryScheduled(retryAt)
        current.timerSequence = timers.schedule(at: retryAt, for: .series(key))
        series[key] = current
    }
}
