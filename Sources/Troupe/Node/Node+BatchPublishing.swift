public import TroupeWire
import Tracing

extension Node {
    /// Publishes `events` from outside any handler, all in ONE store transaction, and hands them
    /// to delivery together: each starts a new correlation and a new trace, exactly as
    /// ``publish(_:headers:correlationID:)`` would, but a batch costs one commit and one trip to
    /// the node instead of one per event (group commit for publishers that produce in bursts).
    /// Every event is durable in the outbox before this returns; nothing is if it throws.
    @discardableResult
    public func publish<E: Event>(contentsOf events: [E], headers: [Envelope.Header] = []) async throws -> [Envelope] {
        try await publishFromOutside(events.map {
            PendingPublication(event: $0, encodedBody: nil, type: E.eventType, subject: $0.subject, headers: headers)
        })
    }

    /// The one path of every publish from outside a handler (typed, by type name, batched):
    /// refuse while overloaded, build each envelope in its `publish` span, commit them all to the
    /// outbox in one transaction, hand them to delivery.
    func publishFromOutside(_ publications: [PendingPublication], correlationID: EventID? = nil) async throws -> [Envelope] {
        try ensureCapacity()
        guard !publications.isEmpty else { return [] }
        let nowMicros = clock.wallMicros()
        var envelopes: [Envelope] = []
        var targets: [[String]] = []
        envelopes.reserveCapacity(publications.count)
        targets.reserveCapacity(publications.count)
        var batch = StoreBatch()
        batch.published.reserveCapacity(publications.count)
        let tracing = EventTracing.isActive
        for publication in publications {
            let makeOne = { [self] () throws -> Envelope in
                var envelope = try makeEnvelope(for: publication, causedBy: nil, nowMicros: nowMicros)
                if let correlationID { envelope.correlationID = correlationID }
                return envelope
            }
            let envelope = !tracing ? try makeOne() : try withSpan("publish \(publication.type)", ofKind: .producer) { span in
                let envelope = try makeOne()
                EventTracing.annotate(span, envelope, nodeID: identity.nodeID)
                return envelope
            }
            let groups = matchingGroups(for: envelope)
            envelopes.append(envelope)
            targets.append(groups)
            batch.published.append(PublishedEvent(envelope: envelope, groups: groups, publishedAtMicros: nowMicros))
        }
        try await store.apply(batch)
        await startDeliveries(of: envelopes, to: targets)
        return envelopes
    }
}
