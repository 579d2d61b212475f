public import TroupeWire

extension Node {
    /// Publishes `events` from outside any handler, all in ONE store transaction, and hands them
    /// to delivery together: each starts a new correlation and a new trace, exactly as
    /// ``publish(_:headers:correlationID:)`` would, but a batch costs one commit and one trip to
    /// the node instead of one per event (group commit for publishers that produce in bursts).
    /// Every event is durable in the outbox before this returns; nothing is if it throws.
    @discardableResult
    public func publish<E: Event>(contentsOf events: [E], headers: [Envelope.Header] = []) async throws -> [Envelope] {
        try ensureCapacity()
        guard !events.isEmpty else { return [] }
        let nowMicros = clock.wallMicros()
        var envelopes: [Envelope] = []
        var targets: [[String]] = []
        envelopes.reserveCapacity(events.count)
        targets.reserveCapacity(events.count)
        var batch = StoreBatch()
        batch.published.reserveCapacity(events.count)
        for event in events {
            let pending = PendingPublication(event: event, encodedBody: nil, type: E.eventType, subject: event.subject, headers: headers)
            let envelope = makeEnvelope(for: pending, causedBy: nil, nowMicros: nowMicros)
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
