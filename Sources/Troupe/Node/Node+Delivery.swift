import Foundation
import TroupeMesh
import TroupeWire

extension Node {
    /// Hands freshly committed events to the delivery state machine.
    ///
    /// `targets` were computed before the commit; interest may have changed while the commit
    /// was awaited (an event with no group would then be parked after the parked events were
    /// already re-routed, and stay parked). So the groups are recomputed here, with no suspension
    /// point before the hand-over, and any new ones recorded in the outbox first.
    func startDeliveries(of envelopes: [Envelope], to committedTargets: [[String]]) async {
        var targets = committedTargets
        var added = StoreBatch()
        for (index, envelope) in envelopes.enumerated() {
            let extra = SortedGroups.missing(matchingGroups(for: envelope), from: targets[index])
            guard !extra.isEmpty else { continue }
            targets[index] += extra
            added.targetsAdded += extra.map { DeliveryProgress(eventID: envelope.eventID, group: $0) }
        }
        if !added.isEmpty {
            do {
                try await store.apply(added)
            } catch {
                logger.error("could not record new target groups: \(error)")
            }
            // The apply suspended: check once more without suspending before the hand-over.
            for (index, envelope) in envelopes.enumerated() {
                targets[index] += SortedGroups.missing(matchingGroups(for: envelope), from: targets[index])
            }
        }
        let now = clock.monotonicNow()
        // The sends of every event are performed together: one pass (and one commit of what
        // the sends change) for the whole batch instead of one per event.
        var actions: [DeliveryAction] = []
        for (envelope, groups) in zip(envelopes, targets) {
            statistics.published += 1
            metrics.published.increment()
            coldStart.published(envelope, groups: groups, now: now)
            guard overflow.isEmpty else {
                // Others wait already: keep publication order.
                overflow.append((envelope, groups))
                continue
            }
            do {
                try delivery.published(envelope, groups: groups, now: now, into: &actions)
            } catch {
                // Over the live-series bound: the event is durable in the outbox and waits here
                // until series complete (see ``drainOverflow()``, which ``perform(_:)`` runs).
                logger.warning("delivery capacity exhausted; events wait for it (\(error))")
                overflow.append((envelope, groups))
            }
        }
        if actions.isEmpty {
            outboxDepthChanged()
        } else {
            await perform(actions)
        }
    }

    /// Performs delivery actions: sends go to the mesh (and report failures back), store
    /// changes are committed together at the end.
    func perform(_ actions: [DeliveryAction]) async {
        var pending = actions[...]
        var batch = StoreBatch()
        var owed: [(envelope: Envelope, groups: [String])] = []
        while let action = pending.popFirst() {
            switch action {
            case .send(let outgoing):
                if outgoing.attempt > 1 {
                    statistics.redelivered += 1
                    metrics.redelivered.increment()
                    batch.attemptsMade.append(DeliveryProgress(eventID: outgoing.eventID, group: outgoing.group, attempts: Int(outgoing.attempt)))
                }
                let outcome = (try? await mesh.route(outgoing.envelope, deliveryID: outgoing.deliveryID, toGroup: outgoing.group)) ?? .noLiveMember
                switch outcome {
                case .sent, .deliveredLocally:
                    break
                case .noLiveMember, .backpressured:
                    let reason = outcome == .backpressured ? "every member's link is full" : "no live member of \(outgoing.group)"
                    pending.append(contentsOf: delivery.sendFailed(deliveryID: outgoing.deliveryID, reason: reason, now: clock.monotonicNow()))
                }
            case .recordAcknowledged(let eventID, let group):
                batch.acknowledged.append(DeliveryProgress(eventID: eventID, group: group))
            case .completeEvent(let eventID):
                // The acknowledgement that finished the event comes just before its completion;
                // the completion removes the event and every release of it from the store, so
                // recording the release as well is work for nothing (a lookup per event in
                // memory, a table of the batch's completions in SQLite).
                if batch.acknowledged.last?.eventID == eventID { batch.acknowledged.removeLast() }
                batch.completed.append(eventID)
                if let late = coldStart.completed(eventID) { owed.append(late) }
            case .deadLetter(let letter):
                statistics.deadLettered += 1
                metrics.deadLettered.increment()
                batch.deadLetters.append(newDeadLetter(from: letter))
                logger.warning("dead-lettered \(letter.envelope.type) \(letter.eventID) for \(letter.group.isEmpty ? "(no group)" : letter.group): \(letter.reason): \(letter.lastError)")
            }
        }
        outboxDepthChanged()
        metrics.outboxDepth.record(statistics.outboxDepth)
        if !batch.isEmpty {
            if pipelinesHandling {
                recordProgress(batch)
            } else {
                await commitProgress(batch)
            }
        }
        if !owed.isEmpty { await deliverToLateGroups(owed) }
        if !overflow.isEmpty, delivery.availableSeriesCapacity > 0 { await drainOverflow() }
    }

    /// Hands waiting events to the delivery machine while it has room.
    func drainOverflow() async {
        let now = clock.monotonicNow()
        var actions: [DeliveryAction] = []
        while let next = overflow.first, delivery.availableSeriesCapacity >= max(1, next.groups.count) {
            overflow.removeFirst()
            do {
                try delivery.published(next.envelope, groups: next.groups, now: now, into: &actions)
            } catch {
                overflow.prepend(next)
                break
            }
        }
        if overflow.isEmpty { logger.info("delivery capacity available again; the backlog is handed over") }
        outboxDepthChanged()
        if !actions.isEmpty { await perform(actions) }
    }

    /// Refuses a publish from outside while events wait for delivery capacity: the caller is
    /// told to retry (HTTP 503) instead of growing the backlog without bound.
    func ensureCapacity() throws(NodeError) {
        guard overflow.isEmpty else {
            throw NodeError(code: .overloaded, message: "node \(identity.nodeID) is overloaded: \(overflow.count) events wait for delivery capacity; retry later")
        }
    }

    /// Publishes finished events again, to groups whose interest arrived after they were
    /// published (within the cold-start window).
    func deliverToLateGroups(_ owed: [(envelope: Envelope, groups: [String])]) async {
        // The events go out again under the same ids: their completions, which may still be
        // queued for the progress writer, must be in the store before they are published again.
        await settleProgress()
        var batch = StoreBatch()
        let nowMicros = clock.wallMicros()
        batch.published = owed.map { PublishedEvent(envelope: $0.envelope, groups: $0.groups, publishedAtMicros: nowMicros) }
        do {
            try await store.apply(batch)
        } catch {
            logger.error("could not record late deliveries: \(error)")
            return
        }
        let now = clock.monotonicNow()
        for (envelope, groups) in owed {
            logger.debug("late group(s) \(groups) get \(envelope.type) \(envelope.eventID)")
            do {
                await perform(try delivery.published(envelope, groups: groups, now: now))
            } catch {
                logger.error("delivery capacity exhausted for a late group: \(error)")
            }
        }
    }

    private func newDeadLetter(from letter: DeadLetter) -> NewDeadLetter {
        let wallNow = clock.wallMicros()
        let monotonicNow = clock.monotonicNow()
        func wall(_ instant: MonotonicTime) -> Int64 { wallNow - (monotonicNow - instant).microseconds }
        return NewDeadLetter(
            envelope: letter.envelope, group: letter.group, reason: letter.reason.rawValue, lastError: letter.lastError,
            attempts: letter.attempts, firstFailureMicros: wall(letter.firstFailure), lastFailureMicros: wall(letter.lastFailure)
        )
    }

    /// The groups that want `envelope`: every known subscription (live or remembered) whose
    /// type pattern and content filter match.
    ///
    /// Where no content filter took part, the answer depends on the event's type alone and is
    /// kept in ``groupsByEventType`` until ``knownInterest`` changes: a node publishes few types,
    /// so the patterns are matched once per type instead of once per event. The few kept are
    /// scanned, not hashed: comparing a short type name is a two-word compare, hashing it ~600
    /// instructions.
    func matchingGroups(for envelope: Envelope) -> [String] {
        let type = envelope.type
        if let known = groupsByEventType.first(where: { $0.type == type }) { return known.groups }
        var groups: [String] = []
        var input: FilterInput?
        var filtered = false
        // A group already found needs no other subscription checked (a filter may be costly).
        // Once more than a few groups are found, scanning them for each subscription would cost
        // more than that check: every subscription is checked, and repeats go at the end.
        for learned in knownInterest
        where groups.count > SortedGroups.scanLimit || !groups.contains(learned.subscription.group) {
            let subscription = learned.subscription
            guard let pattern = EventTypePattern(subscription.pattern), pattern.matches(type) else { continue }
            if !subscription.filter.isEmpty {
                filtered = true
                guard let filter = try? filters.filter(for: subscription.filter) else { continue }
                if input == nil { input = FilterInput(envelope) }
                guard filter.matches(input!) else { continue }
            }
            groups.append(subscription.group)
        }
        let normalized = SortedGroups.normalized(groups)
        if !filtered {
            if groupsByEventType.count >= Self.groupsByEventTypeLimit { groupsByEventType.removeFirst() }
            groupsByEventType.append((type, normalized))
        }
        return normalized
    }

    /// Event types whose groups ``groupsByEventType`` keeps at most; the oldest goes first.
    static var groupsByEventTypeLimit: Int { 16 }

    /// The mesh's view of interest changed: merge it with what we remember, persist it, give
    /// parked events their targets, and retry groups that may have become reachable.
    func interestChanged() async {
        let live = await mesh.knownSubscriptions()
        let liveNodes = Set(live.map(\.nodeID))
        let remembered = knownInterest.filter { !liveNodes.contains($0.nodeID) }
        let merged = (live + remembered).sorted { ($0.nodeID, $0.subscription.subscriptionID) < ($1.nodeID, $1.subscription.subscriptionID) }
        let oldGroups = Set(knownInterest.map(\.subscription.group))
        guard merged != knownInterest else { return }
        knownInterest = merged
        for learned in merged where learned.subscription.options.contains(.orderedBySubject) {
            var policy = delivery.policy(forGroup: learned.subscription.group)
            if !policy.orderedBySubject {
                policy.orderedBySubject = true
                delivery.setPolicy(policy, forGroup: learned.subscription.group)
            }
        }
        var batch = StoreBatch()
        batch.interest = merged.map { LearnedInterest(nodeID: $0.nodeID, subscription: $0.subscription) }
        let now = clock.monotonicNow()
        var actions: [DeliveryAction] = []
        for envelope in delivery.parkedEvents {
            let groups = matchingGroups(for: envelope)
            guard !groups.isEmpty else { continue }
            do {
                actions += try delivery.routeParked(envelope.eventID, groups: groups, now: now)
                batch.targetsAdded += groups.map { DeliveryProgress(eventID: envelope.eventID, group: $0) }
            } catch {
                logger.error("cannot route parked \(envelope.eventID) yet: \(error)")
            }
        }
        do {
            try await store.apply(batch)
        } catch {
            logger.error("could not persist learned interest: \(error)")
        }
        await perform(actions)
        let late = coldStart.interestChanged(now: clock.monotonicNow()) { matchingGroups(for: $0) }
        if !late.isEmpty { await deliverToLateGroups(late) }
        for group in Set(merged.map(\.subscription.group)).subtracting(oldGroups).sorted() {
            await perform(delivery.routeAppeared(group: group, now: clock.monotonicNow()))
        }
    }

    /// Takes back into ``ColdStartRetention`` what a previous run of this node published within
    /// the last cold-start window (the store's archive keeps it): the groups whose interest
    /// arrives after this restart are still owed those events. Groups that had them already
    /// are not sent them again (they are targeted), and any copy that does reach a group twice
    /// meets its idempotency record.
    func restoreColdStartRetention(outbox: [StoredOutboxEvent]) async throws {
        guard configuration.coldStartWindow > .zero else { return }
        let since = clock.wallMicros() - configuration.coldStartWindow.microseconds
        let open = Dictionary(outbox.map { ($0.envelope.eventID, $0.pendingGroups.map(\.group)) }, uniquingKeysWith: { first, _ in first })
        let now = clock.monotonicNow()
        let recent = try await store.recentArchivedEvents(limit: coldStart.capacity)
        var restored = 0
        for row in recent.reversed() where row.direction == .published && row.nodeID == identity.nodeID && row.atMicros >= since {
            let envelope = row.envelope
            let targeted = Set(matchingGroups(for: envelope)).union(open[envelope.eventID] ?? []).sorted()
            let before = coldStart.count
            coldStart.restored(envelope, targeted: targeted, isOpen: open[envelope.eventID] != nil, now: now)
            if coldStart.count > before { restored += 1 }
        }
        if restored > 0 { logger.info("cold start: \(restored) events published before the restart are kept for groups that arrive late") }
    }

    /// Re-sends what a previous run of this node published but did not finish.
    func restoreOutbox(_ outbox: [StoredOutboxEvent]) async throws {
        let now = clock.monotonicNow()
        let wallNow = clock.wallMicros()
        var actions: [DeliveryAction] = []
        for stored in outbox.sorted(by: { $0.envelope.eventID < $1.envelope.eventID }) {
            let entry = OutboxEntry(
                envelope: stored.envelope,
                pendingGroups: stored.pendingGroups.map { .init(group: $0.group, attemptsSoFar: $0.attempts) },
                age: .microseconds(max(0, wallNow - stored.publishedAtMicros))
            )
            actions += try delivery.restored(entry, now: now)
        }
        if !outbox.isEmpty { logger.info("restored \(outbox.count) unfinished events from the outbox") }
        await perform(actions)
    }
}
