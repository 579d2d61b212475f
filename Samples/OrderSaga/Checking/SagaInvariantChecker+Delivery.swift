extension SagaInvariantChecker {
    /// Nodes whose outbox still holds events: published, but neither acknowledged by every
    /// target group nor dead-lettered. A snapshot without any node cannot show that nothing was
    /// lost, so that fails too.
    static func undeliveredEvents(in snapshot: SagaSnapshot) -> [String] {
        guard !snapshot.nodes.isEmpty else { return ["no node's delivery status in the snapshot"] }
        return snapshot.nodes.filter { $0.outboxDepth != 0 }.map {
            "\($0.nodeID): \($0.outboxDepth) event\($0.outboxDepth == 1 ? "" : "s") not yet acknowledged"
        }
    }

    /// Nodes with dead letters. Dead-lettered events are not lost — they wait, with their last
    /// error, to be inspected and replayed — so this line informs rather than fails.
    static func deadLetterCounts(in snapshot: SagaSnapshot) -> [String] {
        snapshot.nodes.filter { $0.deadLetterCount > 0 }.map { "\($0.nodeID): \($0.deadLetterCount)" }
    }
}
