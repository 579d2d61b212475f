public import TroupeWire

extension Node {
    /// The dead-letter queue, oldest first.
    public func deadLetters() async throws -> [StoredDeadLetter] {
        let letters = try await store.deadLetters()
        statistics.deadLetterDepth = letters.count
        metrics.deadLetterDepth.record(letters.count)
        return letters
    }

    /// One dead letter by id.
    public func deadLetter(id: Int64) async throws -> StoredDeadLetter? {
        try await store.deadLetters().first { $0.id == id }
    }

    /// Replays dead letters to their original groups (all of them when `ids` is nil).
    ///
    /// A replay keeps the event id and correlation id — the consumer's idempotency record still
    /// applies, so an event that was in fact handled is not applied twice — and starts a new
    /// series of attempts. A dead letter with no group (never routable) is offered to whatever
    /// groups match now. Returns the replayed ids.
    @discardableResult
    public func replayDeadLetters(ids: [Int64]? = nil) async throws -> [Int64] {
        let letters = try await store.deadLetters().filter { ids == nil || ids!.contains($0.id) }
        guard !letters.isEmpty else { return [] }
        let nowMicros = clock.wallMicros()
        var batch = StoreBatch()
        var envelopes: [Envelope] = []
        var targets: [[String]] = []
        for stored in letters {
            var envelope = stored.letter.envelope
            envelope.attempt = 1
            // A fresh outbox entry under the same event id would collide with nothing: the
            // original left the outbox when it was dead-lettered for its last group.
            let groups = stored.letter.group.isEmpty ? matchingGroups(for: envelope) : [stored.letter.group]
            batch.published.append(PublishedEvent(envelope: envelope, groups: groups, publishedAtMicros: nowMicros))
            envelopes.append(envelope)
            targets.append(groups)
        }
        try await store.apply(batch)
        try await store.removeDeadLetters(letters.map(\.id))
        statistics.deadLetterDepth = max(0, statistics.deadLetterDepth - letters.count)
        await startDeliveries(of: envelopes, to: targets)
        logger.info("replayed \(letters.count) dead letters")
        return letters.map(\.id)
    }

    /// Deletes dead letters (all of them when `ids` is nil); returns how many.
    @discardableResult
    public func purgeDeadLetters(ids: [Int64]? = nil) async throws -> Int {
        let chosen = try await store.deadLetters().filter { ids == nil || ids!.contains($0.id) }.map(\.id)
        let removed = try await store.removeDeadLetters(chosen)
        statistics.deadLetterDepth = max(0, statistics.deadLetterDepth - removed)
        return removed
    }

    /// Every event of one correlation this node published or handled, in order.
    public func trace(correlationID: EventID) async throws -> [ArchivedEvent] {
        try await store.archivedEvents(correlationID: correlationID)
    }
}
