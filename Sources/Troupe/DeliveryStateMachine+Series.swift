import TroupeWire

/// Starting, sending and ending delivery series.
extension DeliveryStateMachine {
    /// Opens `envelope` for `targets` (group, attempts already made) and sends what lanes allow.
    mutating func open(
        _ envelope: Envelope,
        targets: [(group: String, attemptsSoFar: Int)],
        now: MonotonicTime
    ) -> [DeliveryAction] {
        var actions: [DeliveryAction] = []
        open(envelope, targets: targets, now: now, into: &actions)
        return actions
    }

    /// Opens `envelope`'s series, one per target, and starts each unless it waits its turn.
    ///
    /// A new series is started before it is stored (``startAttempt(_:of:now:into:)``): one
    /// table write per series instead of a write, a lookup and a second write, the event's
    /// table lookup spared too — per event published.
    mutating func open<Targets: Collection<(group: String, attemptsSoFar: Int)>>(
        _ envelope: Envelope,
        targets: Targets,
        now: MonotonicTime,
        into actions: inout [DeliveryAction]
    ) {
        let eventID = envelope.eventID
        events[eventID] = OpenEvent(envelope: envelope, openGroupCount: targets.count)
        for target in targets {
            let key = SeriesKey(eventID: eventID, group: groups.retain(target.group))
            let policy = policy(forGroup: target.group)
            var current = DeliverySeries(key: key, policy: policy, attempt: max(0, target.attemptsSoFar))
            if let lane = lane(of: key, policy: policy, subject: envelope.subject) {
                lanes[lane, default: []].append(eventID)
                if lanes[lane, default: []].count > 1 {  // waits for the one before it
                    series[key] = current
                    continue
                }
            }
            guard current.attempt < policy.maxDeliveries else {
                series[key] = current
                startAttempt(key, now: now, into: &actions)  // dead-letters it
                continue
            }
            startAttempt(&current, of: envelope, now: now, into: &actions)
            series[key] = current
        }
    }

    /// The ordering lane of a series, if its policy orders by subject and the subject is set.
    func lane(of key: SeriesKey, policy: DeliveryPolicy, subject: String) -> SubjectLane? {
        guard policy.orderedBySubject, !subject.isEmpty else { return nil }
        return SubjectLane(group: key.group, subject: subject)
    }

    /// Sends the next attempt of a series (new delivery id, ack timer armed), or dead-letters
    /// it when it has no attempt left (an entry restored after its last attempt).
    mutating func startAttempt(_ key: SeriesKey, now: MonotonicTime, into actions: inout [DeliveryAction]) {
        guard var current = series[key], let event = events[key.eventID] else {
            preconditionFailure("a live series always has its open event")
        }
        guard current.attempt < current.policy.maxDeliveries else {
            if current.lastError == nil { current.recordFailure("unacknowledged when the publisher restarted", at: now) }
            series[key] = current
            deadLetter(key, reason: .maxDeliveriesExceeded, now: now, into: &actions)
            return
        }
        startAttempt(&current, of: event.envelope, now: now, into: &actions)
        series[key] = current
    }

    /// Sends the next attempt of `current`, a series of `envelope` with an attempt left; the
    /// caller stores the series.
    private mutating func startAttempt(
        _ current: inout DeliverySeries, of envelope: Envelope, now: MonotonicTime, into actions: inout [DeliveryAction]
    ) {
        let key = current.key
        current.attempt += 1
        let deliveryID = nextDeliveryID
        nextDeliveryID &+= 1
        current.issue(deliveryID)
        deliveryIndex[deliveryID] = key
        let deadline = now + current.policy.ackTimeout
        current.phase = .inFlight(deliveryID: deliveryID, ackDeadline: deadline)
        current.timerSequence = timers.schedule(at: deadline, for: .series(key))
        var envelope = envelope
        envelope.attempt = UInt32(clamping: current.attempt)
        statistics.sends += 1
        actions.append(.send(OutgoingDelivery(group: groups.name(key.group), deliveryID: deliveryID, envelope: envelope)))
    }

    /// Gives up on a series: emits its dead letter, then ends it.
    mutating func deadLetter(
        _ key: SeriesKey,
        reason: DeadLetter.Reason,
        now: MonotonicTime,
        into actions: inout [DeliveryAction]
    ) {
        guard let current = series[key], let event = events[key.eventID] else { return }
        var envelope = event.envelope
        envelope.attempt = UInt32(clamping: max(current.attempt, 1))
        let letter = DeadLetter(
            envelope: envelope,
            group: groups.name(key.group),
            reason: reason,
            lastError: current.lastError ?? "ack timeout",
            attempts: current.attempt,
            firstFailure: current.firstFailure ?? now,
            lastFailure: current.lastFailure ?? now
        )
        statistics.deadLettered += 1
        actions.append(.deadLetter(letter))
        finish(key, now: now, into: &actions)
    }

    /// Ends a series (acknowledged or dead-lettered): forgets its delivery ids, completes the
    /// event when it was the last open group, and lets the next event of its lane go.
    mutating func finish(_ key: SeriesKey, now: MonotonicTime, into actions: inout [DeliveryAction]) {
        // The event is found once and changed where it lies (not read, then written back).
        guard let ended = series.removeValue(forKey: key), let eventIndex = events.index(forKey: key.eventID) else { return }
        ended.forEachDeliveryID { deliveryIndex[$0] = nil }
        groups.release(key.group)  // a next series of its lane (below) holds the group too
        let lane = lane(of: key, policy: ended.policy, subject: events.values[eventIndex].envelope.subject)
        events.values[eventIndex].openGroupCount -= 1
        if events.values[eventIndex].openGroupCount == 0 {
            events.remove(at: eventIndex)
            statistics.completedEvents += 1
            actions.append(.completeEvent(key.eventID))
        }
        guard let lane, var queue = lanes[lane], queue.first == key.eventID else { return }
        queue.removeFirst()
        guard let next = queue.first else {
            lanes[lane] = nil
            return
        }
        lanes[lane] = queue
        startAttempt(SeriesKey(eventID: next, group: lane.group), now: now, into: &actions)
    }

    /// Drops cancelled timers from the top (so ``nextDeadline`` is exact) and compacts the heap
    /// when stale entries outnumber live ones, keeping it bounded.
    mutating func pruneTimers() {
        while let top = timers.top, !Self.isValid(top, series: series, parked: parked) { _ = timers.popTop() }
        compactTimersIfNeeded()
    }

    /// Compacts the heap when stale entries outnumber live ones. Enough after a change that
    /// only arms timers (publishing): every timer valid before stays valid and every new one
    /// is valid, so a top that was exact stays exact, and checking it cost a table lookup per
    /// event.
    mutating func compactTimersIfNeeded() {
        if timers.count > 64 + 4 * (series.count + parked.count) {
            let (series, parked) = (self.series, self.parked)
            timers.compact { Self.isValid($0, series: series, parked: parked) }
        }
    }

    private static func isValid(
        _ entry: TimerHeap.Entry,
        series: [SeriesKey: DeliverySeries],
        parked: [EventID: ParkedEvent]
    ) -> Bool {
        switch entry.owner {
        case .series(let key): series[key]?.timerSequence == entry.sequence
        case .parked(let eventID): parked[eventID]?.timerSequence == entry.sequence
        }
    }
}
