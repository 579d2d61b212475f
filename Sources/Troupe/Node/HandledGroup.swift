import TroupeWire

/// Deliveries handled together, one after the other on one state, for one commit (see
/// `Node.handleDeliveries(_:)`). The state they leave is kept beside it, not in it: a type
/// generic over the service's state costs a run-time metadata lookup at every use in the
/// node's generic code (~2k instructions per event in memory mode, measured with callgrind).
///
/// It holds everything that may happen only once the commit is durable: the handled
/// deliveries' acks, events and effects, and the acks of copies of events handled but not yet
/// committed. Until then nothing of it has left the node, so a group whose commit fails can be
/// handled again from its ``deliveries``.
struct HandledGroup {
    /// Deliveries whose handler ran, in order.
    var handled: [HandledDelivery] = []
    /// Copies of events whose handling is not committed yet (earlier in this group, or in a
    /// group still committing): acked once that commit is durable, since until then the copy
    /// may still be the one that gets applied.
    var duplicates: [(delivery: EventDelivery, peer: NodeIdentity)] = []
    /// What the commit records: idempotency keys, archive rows, published events, state.
    var batch = StoreBatch()
    /// Why the group's state could not be put into ``batch``; its commit fails with it.
    var persistFailure: (any Error)?

    /// An empty group.
    init() {}

    /// Whether nothing waits for the commit.
    var isEmpty: Bool { handled.isEmpty && duplicates.isEmpty }

    /// Every delivery still undecided, to be handled again if the commit fails.
    var deliveries: [(delivery: EventDelivery, peer: NodeIdentity)] {
        handled.map { ($0.delivery, $0.peer) } + duplicates
    }
}
