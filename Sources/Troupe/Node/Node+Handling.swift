import Foundation
import Logging
import NIOCore
import Tracing
import TroupeMesh
public import TroupeWire

extension Node {
    /// One event delivery for this node's group: idempotency check, handler, one commit, ack.
    func handleDelivery(_ delivery: EventDelivery, from peer: NodeIdentity) async {
        await handleDeliveries([(delivery, peer)])
    }

    /// Deliveries taken from the mesh together, handled with ONE commit (group commit), then
    /// acknowledged: one group at a time (stepping, the serial path of a store that applies at
    /// once, and the recovery after a failed commit; ``run()`` pipelines groups instead when the
    /// store commits on another thread, see ``handleDeliveriesPipelined(_:)``).
    ///
    /// Each delivery goes through the fault hook, decoding, the idempotency check (against
    /// committed keys and the keys of this group) and its handler, in order, each handler
    /// seeing the state its predecessors left. A delivery that fails is NACKed on its own and
    /// leaves the state as it was. Then one store transaction commits the new state, every
    /// idempotency record and every published event; only after it are the deliveries acked,
    /// their events handed to delivery and their after-commit effects run. If the commit
    /// fails for a group of several, each delivery is handled again on its own (handlers are
    /// pure functions of the state, and nothing escaped before the commit), so one bad
    /// delivery cannot hold back the others.
    func handleDeliveries(_ deliveries: [(delivery: EventDelivery, peer: NodeIdentity)]) async {
        var working = state
        let group = await handleGroup(deliveries, on: &working)
        guard !group.isEmpty else { return }
        if configuration.plantedBug == .ackBeforeCommit {
            return await acknowledgeBeforeCommit(group, leaving: working)
        }
        do {
            try await commit(group.batch, persistFailure: group.persistFailure)
        } catch {
            let single = group.deliveries.count == 1 ? group.handled.first : nil
            return await recover(from: error, handling: group.deliveries, single: single)
        }
        await completeCommitted([group], leaving: working)
    }

    /// Runs the handlers of `deliveries` in order on `working`, and records the state they leave
    /// in the group's batch. Nothing of the group has left the node when this returns, except
    /// the NACKs of rejected deliveries and the acks of copies of committed events.
    func handleGroup(_ deliveries: [(delivery: EventDelivery, peer: NodeIdentity)], on working: inout Service.State) async -> HandledGroup {
        var group = HandledGroup()
        var keysInGroup = Set<IdempotencyKey>(minimumCapacity: deliveries.count)  // no rehash as it fills
        for (delivery, peer) in deliveries {
            // Without a fault hook to ask, the handler runs without an async call (entering one
            // of this generic actor's costs a run-time executor lookup); what follows it
            // asynchronously (a NACK, an early ack) is rare.
            let followUp: HandlerFollowUp
            if handlerFaultHook == nil {
                followUp = runHandler(for: delivery, from: peer, on: &working, into: &group, keysInGroup: &keysInGroup)
            } else {
                followUp = await runHandlerAskingTheFaultHook(for: delivery, from: peer, on: &working, into: &group, keysInGroup: &keysInGroup)
            }
            if case .none = followUp { continue }
            await carryOut(followUp, for: delivery, from: peer)
        }
        guard !group.handled.isEmpty else { return group }
        do {
            try Self.persist(&working, into: &group.batch)
        } catch {
            group.persistFailure = error
        }
        return group
    }

    /// Commits a group's batch, or fails with the reason its state could not be recorded.
    func commit(_ batch: StoreBatch, persistFailure: (any Error)?) async throws {
        if let persistFailure { throw persistFailure }
        try await store.apply(batch)
    }

    /// After a failed commit of `deliveries`: several are handled again one by one, so that only
    /// the one at fault fails; a `single` handled delivery is acked if the store knew its key (a
    /// duplicate the cache had forgotten), else NACKed for a later retry.
    func recover(from error: any Error, handling deliveries: [(delivery: EventDelivery, peer: NodeIdentity)], single: HandledDelivery?) async {
        guard let outcome = single else {
            logger.warning("group commit of \(deliveries.count) deliveries failed; handling them one by one: \(error)")
            for delivery in deliveries { await handleDeliveries([delivery]) }
            return
        }
        if let storeError = error as? StoreError, storeError.code == .duplicateIdempotencyKey {
            // A key the cache had forgotten: the store still holds it, so this is a duplicate.
            statistics.duplicatesSuppressed += 1
            metrics.duplicatesSuppressed.increment()
            return await acknowledge(outcome.delivery, from: outcome.peer)
        }
        Logger.forEvent(outcome.delivery.envelope, base: logger).error("commit failed; the delivery will be retried: \(error)")
        await negativelyAcknowledge(outcome.delivery, from: outcome.peer, reason: "commit failed: \(error)")
    }

    /// What follows a durable commit of `groups` (in order): the committed state and keys, then
    /// the acks, the published events' delivery and the effects.
    func completeCommitted(_ groups: [HandledGroup], leaving committed: Service.State) async {
        guard let last = groups.last else { return }
        state = committed
        // Every key before the first suspension: a copy arriving meanwhile finds it.
        // The handled deliveries are read field by field where they lie: taking each out of
        // its array copied all seven of its reference-counted fields, twice per event.
        if configuration.plantedBug != .skipIdempotency {
            for group in groups {
                for index in group.handled.indices { idempotencyKeys[group.handled[index].key] = group.handled[index].expiry }
            }
        }
        let nowMicros = clock.wallMicros()
        for group in groups {
            for index in group.handled.indices {
                statistics.handled += 1
                metrics.handled.increment()
                let delivery = group.handled[index].delivery
                let peer = group.handled[index].peer
                let occurredAtMicros = delivery.envelope.occurredAtMicros
                if occurredAtMicros > 0 {
                    metrics.publishToHandled.recordNanoseconds(max(0, (nowMicros - occurredAtMicros) * 1000))
                }
                if logger.logLevel <= .debug {
                    Logger.forEvent(delivery.envelope, base: logger)
                        .debug("handled", metadata: ["published": "\(group.handled[index].publications.count)"])
                }
                if let afterCommitHook { await afterCommitHook(delivery.envelope) }
                // A remote delivery's ack joins the batcher without an async call (most acks
                // only wait there; see ``batchedAcknowledgement(of:from:)``).
                if let due = batchedAcknowledgement(of: delivery, from: peer) {
                    if !due.isEmpty { await send(due) }
                } else {
                    await acknowledge(delivery, from: peer)
                }
            }
            for duplicate in group.duplicates { await acknowledge(duplicate.delivery, from: duplicate.peer) }
        }
        // Entering an async method of the generic actor looks its executor up at run time
        // (~450 instructions); a handler that published nothing and has no effects skips both.
        let handled = groups.count == 1 ? last.handled : groups.flatMap(\.handled)
        let publications = handled.flatMap(\.publications)
        if publications.isEmpty {
            outboxDepthChanged()
        } else {
            await startDeliveries(of: publications, to: handled.flatMap(\.targets))
        }
        let effects = handled.flatMap(\.effects)
        if !effects.isEmpty { await runEffects(effects) }
    }

    /// Runs after-commit effects: inline and in order when ``NodeConfiguration/runsEffectsInline``
    /// is set (simulation), otherwise in a task of their own so they never hold up deliveries.
    func runEffects(_ effects: [@Sendable () async -> Void]) async {
        guard !effects.isEmpty else { return }
        if configuration.runsEffectsInline {
            for effect in effects { await effect() }
        } else {
            Task { for effect in effects { await effect() } }
        }
    }

    /// The planted ``PlantedBug/ackBeforeCommit`` defect: the new state is taken and the acks
    /// sent at once, while the commit waits for the next timer tick (see
    /// ``writeDeferredCommits()``); a crash in between loses effects that were acknowledged.
    private func acknowledgeBeforeCommit(_ group: HandledGroup, leaving newState: Service.State) async {
        if let failure = group.persistFailure {
            for (delivery, peer) in group.deliveries {
                await negativelyAcknowledge(delivery, from: peer, reason: "state does not encode: \(failure)")
            }
            return
        }
        state = newState
        for outcome in group.handled {
            idempotencyKeys[outcome.key] = outcome.expiry
            statistics.handled += 1
        }
        deferredCommits.append(group.batch)
        if deferredCommitDeadline == nil { deferredCommitDeadline = clock.monotonicNow() + configuration.ackBatchDelay }
        for (delivery, peer) in group.deliveries { await acknowledge(delivery, from: peer) }
        await flushAcks()
        await startDeliveries(of: group.handled.flatMap(\.publications), to: group.handled.flatMap(\.targets))
        await runEffects(group.handled.flatMap(\.effects))
    }

    /// Writes the commits the planted ``PlantedBug/ackBeforeCommit`` defect held back.
    func writeDeferredCommits() async {
        let batches = deferredCommits
        deferredCommits = []
        deferredCommitDeadline = nil
        for batch in batches {
            do {
                try await store.apply(batch)
            } catch {
                logger.error("deferred commit failed: \(error)")
            }
        }
    }

    /// Sends what `followUp` says `delivery` still needs (called only when it needs something:
    /// most deliveries do not, and skip the async call).
    private func carryOut(_ followUp: HandlerFollowUp, for delivery: EventDelivery, from peer: NodeIdentity) async {
        switch followUp {
        case .none:
            break
        case .reject(let error):
            await reject(delivery, from: peer, error, Logger.forEvent(delivery.envelope, base: logger))
        case .acknowledge:
            await acknowledge(delivery, from: peer)
        }
    }

    /// Asks the handler fault hook about `delivery` first (an injected failure rejects it), then
    /// runs its handler as ``runHandler(for:from:on:into:keysInGroup:)`` does.
    private func runHandlerAskingTheFaultHook(
        for delivery: EventDelivery, from peer: NodeIdentity, on working: inout Service.State,
        into group: inout HandledGroup, keysInGroup: inout Set<IdempotencyKey>
    ) async -> HandlerFollowUp {
        if let handlerFaultHook, case .fail(let reason) = await handlerFaultHook(delivery.envelope) {
            statistics.delivered += 1
            metrics.delivered.increment()
            return .reject(InjectedHandlerFailure(reason: reason))
        }
        return runHandler(for: delivery, from: peer, on: &working, into: &group, keysInGroup: &keysInGroup)
    }

    /// Runs one delivery's handler on `working` inside a `deliver` span that continues the
    /// envelope's trace, and adds to `group` what the commit must record and what follows it. A
    /// delivery to reject, or a copy of a committed event, is returned as its follow-up (neither
    /// changes the group); a copy of an event not committed yet waits in the group's
    /// ``HandledGroup/duplicates``. On failure `working` is left as it was.
    private func runHandler(
        for delivery: EventDelivery, from peer: NodeIdentity, on working: inout Service.State,
        into group: inout HandledGroup, keysInGroup: inout Set<IdempotencyKey>
    ) -> HandlerFollowUp {
        // Asked once per delivery and passed down: each ask reads the global instrument under
        // a lock and casts it (Benchmarks/README.md, eighth round).
        guard EventTracing.isActive else {
            return runHandlerInSpan(for: delivery, from: peer, on: &working, into: &group, keysInGroup: &keysInGroup, tracing: false)
        }
        return withSpan("deliver \(delivery.envelope.type)", context: EventTracing.parentContext(of: delivery.envelope), ofKind: .consumer) { span in
            EventTracing.annotate(span, delivery.envelope, nodeID: identity.nodeID, group: delivery.group)
            return runHandlerInSpan(for: delivery, from: peer, on: &working, into: &group, keysInGroup: &keysInGroup, tracing: true)
        }
    }

    private func runHandlerInSpan(
        for delivery: EventDelivery, from peer: NodeIdentity, on working: inout Service.State,
        into group: inout HandledGroup, keysInGroup: inout Set<IdempotencyKey>, tracing: Bool
    ) -> HandlerFollowUp {
        statistics.delivered += 1
        metrics.delivered.increment()
        let envelope = delivery.envelope
        guard let registration = handlers.registration(for: envelope.type) else {
            return .reject(HandlerError.unknownEventType(envelope.type))
        }
        do {
            return try registration.process(envelope) { key, handle in
                handleAdmitted(delivery, from: peer, key: key, handle: handle, on: &working, into: &group,
                               keysInGroup: &keysInGroup, tracing: tracing)
            }
        } catch {
            return .reject(error)  // the body did not decode
        }
    }

    /// Runs a decoded delivery's handler (`handle`) unless its idempotency key shows it is a
    /// copy of an event handled already; see ``runHandlerInSpan(for:from:on:into:keysInGroup:tracing:)``.
    private func handleAdmitted(
        _ delivery: EventDelivery, from peer: NodeIdentity, key: IdempotencyKey,
        handle: (inout Service.State, inout HandlerContext) throws -> Void,
        on working: inout Service.State, into group: inout HandledGroup, keysInGroup: inout Set<IdempotencyKey>,
        tracing: Bool
    ) -> HandlerFollowUp {
        let envelope = delivery.envelope
        let nowMicros = clock.wallMicros()
        let retentionNow = retention.now(at: clock.monotonicNow())
        let skipsIdempotency = configuration.plantedBug == .skipIdempotency
        if !skipsIdempotency {
            let committed = idempotencyKeys[key].map({ $0 > retentionNow }) == true
            // The key joins the group's keys as it is checked (one hash, not a lookup and an
            // insert); a delivery rejected below takes it out again.
            let uncommitted = !committed
                && (pipelinesHandling && pipelineHolds(key) || !keysInGroup.insert(key).inserted)
            if committed || uncommitted {
                statistics.duplicatesSuppressed += 1
                metrics.duplicatesSuppressed.increment()
                if logger.logLevel <= .debug {
                    Logger.forEvent(envelope, base: logger).debug("duplicate suppressed", metadata: ["idempotency-key": "\(key)"])
                }
                // A copy of an event whose commit is still to come is acked after it: the
                // original's commit may yet fail, and then this copy is the one to apply.
                guard committed else {
                    group.duplicates.append((delivery, peer))
                    return .none
                }
                return .acknowledge
            }
        }

        var candidate = working
        var context = HandlerContext(envelope: envelope, group: delivery.group, nodeID: identity.nodeID,
                                     nowMicros: nowMicros, logger: logger)
        let started = clock.monotonicNow()
        do {
            if tracing {
                try withSpan("handle \(envelope.type)", ofKind: .internal) { span in
                    EventTracing.annotate(span, envelope, nodeID: identity.nodeID, group: delivery.group)
                    try handle(&candidate, &context)
                }
            } else {
                try handle(&candidate, &context)
            }
        } catch {
            keysInGroup.remove(key)
            return .reject(error)
        }
        metrics.handlerDuration.recordNanoseconds((clock.monotonicNow() - started).microseconds * 1000)
        // The events it published are built before anything is kept: one that does not encode
        // fails the delivery like a throwing handler, leaving the state as it was.
        let publications: [Envelope]
        do {
            publications = try context.published.map { publication in
                guard tracing else { return try makeEnvelope(for: publication, causedBy: envelope, nowMicros: nowMicros) }
                return try withSpan("publish \(publication.type)", ofKind: .producer) { span in
                    let published = try makeEnvelope(for: publication, causedBy: envelope, nowMicros: nowMicros)
                    EventTracing.annotate(span, published, nodeID: identity.nodeID)
                    return published
                }
            }
        } catch {
            keysInGroup.remove(key)
            return .reject(error)
        }
        working = candidate

        // The planted skip-idempotency defect writes records that are already expired, so
        // neither this node nor its store recognises the next copy.
        let expiry = skipsIdempotency ? retentionNow : retentionNow + configuration.idempotencyTTL.microseconds
        group.batch.handled.append(HandledEvent(idempotencyKey: key, expiresAtMicros: expiry, envelope: envelope,
                                                group: delivery.group, handledAtMicros: nowMicros, retentionMicros: retentionNow))
        let targets = publications.map { matchingGroups(for: $0) }
        group.batch.published += zip(publications, targets).map { PublishedEvent(envelope: $0, groups: $1, publishedAtMicros: nowMicros) }
        group.handled.append(HandledDelivery(delivery: delivery, peer: peer, key: key, expiry: expiry, publications: publications,
                                             targets: targets, effects: context.effects))
        return .none
    }

    /// Publishes `event` from outside any handler: it starts a new correlation (unless one is
    /// given, e.g. to replay into an existing one) and a new trace. The event is durable in the
    /// outbox before this returns; delivery continues in the background until every target group
    /// has acknowledged it. Throws ``NodeError`` (`overloaded`) while events wait for delivery
    /// capacity: retry later; (`unencodableEvent`) when the event does not encode as JSON.
    @discardableResult
    public func publish<E: Event>(
        _ event: E, headers: [Envelope.Header] = [], correlationID: EventID? = nil
    ) async throws -> Envelope {
        let pending = PendingPublication(event: event, encodedBody: nil, type: E.eventType, subject: event.subject, headers: headers)
        return try await publishFromOutside([pending], correlationID: correlationID)[0]
    }

    /// Builds the envelope of a new event; inside a handler it inherits correlation and trace.
    /// Throws ``NodeError`` (`unencodableEvent`) when the event's body does not encode.
    func makeEnvelope(for publication: PendingPublication, causedBy parent: Envelope?, nowMicros: Int64) throws -> Envelope {
        let eventID = EventID.monotonic(after: lastEventID, millisecondsSinceEpoch: UInt64(max(0, nowMicros / 1000)), using: &random)
        lastEventID = eventID
        let trace: TraceParent
        if let parent, let parentTrace = TraceParent(parent.traceparent) {
            trace = parentTrace.child(using: &random)
        } else {
            trace = TraceParent.root(using: &random)
        }
        let body: ByteBuffer
        if let encoded = publication.encodedBody {
            body = encoded
        } else {
            do {
                // Not `event.map { … }`: a closure reading the node's writer looked up the
                // generic node's metadata for every event.
                if let event = publication.event {
                    body = try EventBodyCoding.encode(event, using: bodyWriter)
                } else {
                    body = ByteBuffer(string: "{}")
                }
            } catch {
                throw NodeError(code: .unencodableEvent, message: "\(publication.type) does not encode as JSON, nothing was published: \(error)")
            }
        }
        return Envelope(
            eventID: eventID, type: publication.type, source: identity.nodeID, subject: publication.subject,
            correlationID: parent?.correlationID ?? eventID, causationID: parent?.eventID,
            traceparent: EventTracing.currentTraceparent() ?? trace.description, occurredAtMicros: nowMicros, attempt: 1,
            headers: publication.headers, body: body
        )
    }

    /// Puts the state after a handler into `batch`: only the changed records of a
    /// ``KeyedState``, the whole JSON document of any other state.
    static func persist(_ state: inout Service.State, into batch: inout StoreBatch) throws {
        if var keyed = state as? any KeyedState {
            batch.stateRecords = try keyed.takeChangedRecords()
            state = keyed as! Service.State
        } else {
            batch.state = try JSONEncoder().encode(state)
        }
    }

    /// NACKs a delivery whose handler (or decoding) failed.
    private func reject(_ delivery: EventDelivery, from peer: NodeIdentity, _ error: any Error, _ eventLogger: Logger) async {
        statistics.handlerFailures += 1
        metrics.handlerFailures.increment()
        eventLogger.warning("handler failed (attempt \(delivery.envelope.attempt)): \(error)")
        await negativelyAcknowledge(delivery, from: peer, reason: "\(error)")
    }

    private func negativelyAcknowledge(_ delivery: EventDelivery, from peer: NodeIdentity, reason: String) async {
        if peer.nodeID == identity.nodeID {
            let nack = Nack(deliveryID: delivery.deliveryID, reason: reason)
            await perform(self.delivery.nacked(nack, now: clock.monotonicNow()))
        } else {
            await mesh.send(.nack(Nack(deliveryID: delivery.deliveryID, reason: String(reason.prefix(4000)))), toNode: peer.nodeID)
        }
    }

    private func acknowledge(_ delivery: EventDelivery, from peer: NodeIdentity) async {
        guard let flushes = batchedAcknowledgement(of: delivery, from: peer) else {
            return await perform(self.delivery.acknowledged([delivery.deliveryID], now: clock.monotonicNow()))
        }
        // Most acks wait in the batcher: skip the async call (see `completeCommitted`).
        if !flushes.isEmpty { await send(flushes) }
    }

    /// Puts the ack of a remote peer's delivery into the ack batcher and returns the batches
    /// it filled, to be sent; nil for a delivery from this node, which ``acknowledge(_:from:)``
    /// hands to the delivery machine.
    private func batchedAcknowledgement(of delivery: EventDelivery, from peer: NodeIdentity) -> [AckBatcher<String>.Flush]? {
        guard peer.nodeID != identity.nodeID else { return nil }
        return ackBatcher.handled(deliveryID: delivery.deliveryID, from: peer.nodeID, now: clock.monotonicNow())
    }

    func send(_ flushes: [AckBatcher<String>.Flush]) async {
        for flush in flushes {
            await mesh.send(.ack(flush.ack), toNode: flush.peer)
        }
    }
}

extension Duration {
    /// Whole microseconds.
    var microseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000 + attoseconds / 1_000_000_000_000
    }
}
