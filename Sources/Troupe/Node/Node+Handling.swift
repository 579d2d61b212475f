import Foundation
import Logging
import NIOCore
import Tracing
public import TroupeMesh
public import TroupeWire

extension Node {
    /// One event delivery for this node's group: idempotency check, handler, one commit, ack.
    func handleDelivery(_ delivery: EventDelivery, from peer: NodeIdentity) async {
        statistics.delivered += 1
        metrics.delivered.increment()
        let envelope = delivery.envelope
        var eventLogger = logger
        // `.stringConvertible` defers formatting to when a line is actually written: this runs
        // for every delivery, and most are never logged.
        eventLogger[metadataKey: "event-id"] = .stringConvertible(envelope.eventID)
        eventLogger[metadataKey: "correlation-id"] = .stringConvertible(envelope.correlationID)
        if let causationID = envelope.causationID { eventLogger[metadataKey: "causation-id"] = .stringConvertible(causationID) }
        eventLogger[metadataKey: "event-type"] = .string(envelope.type)

        if let handlerFaultHook, case .fail(let reason) = await handlerFaultHook(envelope) {
            return await reject(delivery, from: peer, InjectedHandlerFailure(reason: reason), eventLogger)
        }
        guard let registration = handlers.registrations[envelope.type] else {
            return await reject(delivery, from: peer, HandlerError.unknownEventType(envelope.type), eventLogger)
        }
        let event: any Event
        do {
            event = try registration.decode(envelope)
        } catch {
            return await reject(delivery, from: peer, error, eventLogger)
        }
        let key = registration.idempotencyKey(event, envelope)
        let nowMicros = clock.wallMicros()
        if let expiry = idempotencyKeys[key], expiry > nowMicros {
            statistics.duplicatesSuppressed += 1
            metrics.duplicatesSuppressed.increment()
            eventLogger.debug("duplicate suppressed", metadata: ["idempotency-key": "\(key)"])
            return await acknowledge(delivery, from: peer)
        }

        var newState = state
        var context = HandlerContext(envelope: envelope, group: delivery.group, nodeID: identity.nodeID,
                                     nowMicros: nowMicros, logger: eventLogger)
        let started = ContinuousClock.now
        do {
            try withSpan("handle \(envelope.type)", ofKind: .internal) { span in
                EventTracing.annotate(span, envelope, nodeID: identity.nodeID, group: delivery.group)
                try registration.handle(event, &newState, &context)
            }
        } catch {
            return await reject(delivery, from: peer, error, eventLogger)
        }
        metrics.handlerDuration.recordNanoseconds((ContinuousClock.now - started).microseconds * 1000)

        var batch = StoreBatch()
        let expiry = nowMicros + configuration.idempotencyTTL.microseconds
        batch.handled = [HandledEvent(idempotencyKey: key, expiresAtMicros: expiry, envelope: envelope,
                                      group: delivery.group, handledAtMicros: nowMicros)]
        let publications = context.published.map { publication in
            withSpan("publish \(publication.type)", ofKind: .producer) { span in
                let published = makeEnvelope(for: publication, causedBy: envelope, nowMicros: nowMicros)
                EventTracing.annotate(span, published, nodeID: identity.nodeID)
                return published
            }
        }
        let targets = publications.map { matchingGroups(for: $0) }
        batch.published = zip(publications, targets).map { PublishedEvent(envelope: $0, groups: $1, publishedAtMicros: nowMicros) }
        do {
            try Self.persist(&newState, into: &batch)
            try await store.apply(batch)
        } catch {
            eventLogger.error("commit failed; the delivery will be retried: \(error)")
            return await negativelyAcknowledge(delivery, from: peer, reason: "commit failed: \(error)")
        }
        state = newState
        idempotencyKeys[key] = expiry
        statistics.handled += 1
        metrics.handled.increment()
        if envelope.occurredAtMicros > 0 {
            metrics.publishToHandled.recordNanoseconds(max(0, (nowMicros - envelope.occurredAtMicros) * 1000))
        }
        eventLogger.debug("handled", metadata: ["published": "\(publications.count)"])
        if let afterCommitHook { await afterCommitHook(envelope) }
        await acknowledge(delivery, from: peer)
        await startDeliveries(of: publications, to: targets)
        let effects = context.effects
        if !effects.isEmpty { Task { for effect in effects { await effect() } } }
    }

    /// Publishes `event` from outside any handler: it starts a new correlation (unless one is
    /// given, e.g. to replay into an existing one) and a new trace. The event is durable in the
    /// outbox before this returns; delivery continues in the background until every target group
    /// has acknowledged it.
    @discardableResult
    public func publish<E: Event>(
        _ event: E, headers: [Envelope.Header] = [], correlationID: EventID? = nil
    ) async throws -> Envelope {
        let nowMicros = clock.wallMicros()
        let pending = PendingPublication(event: event, encodedBody: nil, type: E.eventType, subject: event.subject, headers: headers)
        let envelope = withSpan("publish \(E.eventType)", ofKind: .producer) { span in
            var envelope = makeEnvelope(for: pending, causedBy: nil, nowMicros: nowMicros)
            if let correlationID { envelope.correlationID = correlationID }
            EventTracing.annotate(span, envelope, nodeID: identity.nodeID)
            return envelope
        }
        let groups = matchingGroups(for: envelope)
        var batch = StoreBatch()
        batch.published = [PublishedEvent(envelope: envelope, groups: groups, publishedAtMicros: nowMicros)]
        try await store.apply(batch)
        await startDeliveries(of: [envelope], to: [groups])
        return envelope
    }

    /// Builds the envelope of a new event; inside a handler it inherits correlation and trace.
    func makeEnvelope(for publication: PendingPublication, causedBy parent: Envelope?, nowMicros: Int64) -> Envelope {
        let eventID = EventID(millisecondsSinceEpoch: UInt64(max(0, nowMicros / 1000)), using: &random)
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
            body = ByteBuffer(bytes: publication.event.flatMap { try? JSONEncoder().encode($0) } ?? Data("{}".utf8))
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
        if peer.nodeID == identity.nodeID {
            await perform(self.delivery.acknowledged([delivery.deliveryID], now: clock.monotonicNow()))
        } else {
            await send(ackBatcher.handled(deliveryID: delivery.deliveryID, from: peer.nodeID, now: clock.monotonicNow()))
        }
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
