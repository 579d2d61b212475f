import TroupeMesh
import TroupeWire

/// A delivery whose handler ran during a group commit, and what must happen once the commit is
/// durable (see `Node.handleDeliveries(_:)`).
struct HandledDelivery {
    /// The delivery, to be acked.
    let delivery: EventDelivery
    /// Who delivered it.
    let peer: NodeIdentity
    /// Its idempotency key and the key's expiry on the retention clock.
    let key: IdempotencyKey
    let expiry: Int64
    /// The events its handler published, and their target groups.
    let publications: [Envelope]
    let targets: [[String]]
    /// Its after-commit effects.
    let effects: [@Sendable () async -> Void]
}
