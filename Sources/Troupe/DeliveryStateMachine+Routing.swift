public import TroupeWire

/// Cold start (parked events), routes reappearing, and rebuilding after a restart.
extension DeliveryStateMachine {
    /// A parked event now has target groups (a subscription appeared that matches it): attempt 1
    /// goes to each. Unknown (already routed or expired) events and empty `groups` do nothing.
    /// Throws, leaving the event parked, at the series bound.
    public mutating func routeParked(
        _ eventID: EventID,
        groups: [String],
        now: MonotonicTime
    ) throws(DeliveryOverflowError) -> [DeliveryAction] {
        defer { pruneTimers() }
        guard let entry = parked[eventID] else { return [] }
        let targets = Self.distinct(groups)
        guard !targets.isEmpty else { return [] }
        try reserve(targets.count, for: eventID)
        parked[eventID] = nil
        return open(entry.envelope, targets: targets.map { ($0, 0) }, now: now)
    }

    /// A member of `group` became reachable: every series of the group waiting for a route is
    /// sent now (in event-id order) instead of at its backoff time.
    public mutating func routeAppeared(group: String, now: MonotonicTime) -> [DeliveryAction] {
        defer { pruneTimers() }
        guard let group = groups.id(of: group) else { return [] }  // no live series in it
        let waiting = series.values.compactMap { current -> SeriesKey? in
            guard current.key.group == group, case .routeRetryScheduled = current.phase else { return nil }
            return current.key
        }
        var actions: [DeliveryAction] = []
        for key in waiting.sorted(by: { $0.eventID < $1.eventID }) {
            series[key]?.timerSequence = nil
            startAttempt(key, now: now, into: &actions)
        }
        return actions
    }

    /// Rebuilds one unfinished outbox entry after a restart; call it for every entry in publish
    /// order (event ids sort by time). Each pending group is re-sent as attempt
    /// `attemptsSoFar + 1` (or dead-lettered if it had none left); an entry without pending
    /// groups is parked again, its retention counted from `now - age`. Throws at the bounds,
    /// like ``published(_:groups:now:)``: keep the rest for later.
    public mutating func restored(_ entry: OutboxEntry, now: MonotonicTime) throws(DeliveryOverflowError) -> [DeliveryAction] {
        defer { pruneTimers() }
        let eventID = entry.envelope.eventID
        guard events[eventID] == nil, parked[eventID] == nil else { return [] }
        var seen = Set<String>()
        let pending = entry.pendingGroups.filter { seen.insert($0.group).inserted }
        guard !pending.isEmpty else {
            try park(entry.envelope, parkedAt: now - entry.age)
            return []
        }
        try reserve(pending.count, for: eventID)
        return open(entry.envelope, targets: pending.map { ($0.group, $0.attemptsSoFar) }, now: now)
    }

    /// Parks an event no group wants yet; its retention timer uses the default policy.
    mutating func park(_ envelope: Envelope, parkedAt: MonotonicTime) throws(DeliveryOverflowError) {
        let free = configuration.maximumParkedEvents - parked.count
        guard free > 0 else {
            throw DeliveryOverflowError(eventID: envelope.eventID, needed: 1, available: free)
        }
        parkOrder += 1
        let deadline = parkedAt + configuration.defaultPolicy.retention
        let sequence = timers.schedule(at: deadline, for: .parked(envelope.eventID))
        parked[envelope.eventID] = ParkedEvent(
            envelope: envelope,
            parkedAt: parkedAt,
            order: parkOrder,
            timerSequence: sequence
        )
    }

    /// A parked event outlived its retention without any group: dead-letter and complete it.
    mutating func parkedRetentionEnded(_ entry: ParkedEvent, now: MonotonicTime, into actions: inout [DeliveryAction]) {
        let eventID = entry.envelope.eventID
        parked[eventID] = nil
        let letter = DeadLetter(
            envelope: entry.envelope,
            group: "",
            reason: .undeliverable,
            lastError: "no subscribed group for event type \(entry.envelope.type)",
            attempts: 0,
            firstFailure: entry.parkedAt,
            lastFailure: now
        )
        statistics.deadLettered += 1
        statistics.completedEvents += 1
        actions.append(.deadLetter(letter))
        actions.append(.completeEvent(eventID))
    }
}
