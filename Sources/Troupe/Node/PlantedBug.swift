/// A deliberate defect the runtime can be told to have, for teaching and for proving that the
/// simulator's invariant checker catches what it claims to (``NodeConfiguration/plantedBug``).
///
/// Never set one in production: each breaks a delivery guarantee on purpose.
public enum PlantedBug: String, CaseIterable, Codable, Sendable, Hashable {
    /// The node neither consults nor keeps idempotency records: a redelivered event runs its
    /// handler again (a duplicated effect, e.g. a second notification for one order).
    case skipIdempotency = "skip-idempotency"
    /// The node acknowledges a delivery before its commit is durable: the handler's state, outbox
    /// and idempotency record are written at the node's next timer tick ("group commit") instead
    /// of before the ack. A crash in between loses an effect the sender already saw acknowledged.
    case ackBeforeCommit = "ack-before-commit"
}
