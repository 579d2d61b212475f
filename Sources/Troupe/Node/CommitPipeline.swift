/// The handled groups of a node whose commits are still under way: handling the next
/// deliveries while the previous ones commit (pure state; `Node+Pipelining` drives it).
///
/// With a file store a commit takes a hop to the store's writer thread and back plus the write
/// itself (~130 µs at the median on the 2-core benchmark host, up to ~0.7 ms at p99). Handling
/// one group after the other, every delivery that arrived during a commit waited for it before
/// its handler could even start (Benchmarks/README.md, tenth round). In the pipeline, a group is
/// handled as soon as it arrives, on the state the groups before it left — committed or not —
/// and waits here; a single commit loop takes every waiting group at once into one transaction
/// (``takeSubmission()``) as soon as the previous transaction is durable, so commits still
/// happen one at a time and in order.
///
/// What must not escape before a commit does not: acks, published events and effects belong to
/// the group and are released by ``committed()``. Handlers are pure functions of the state, so
/// when a transaction fails every group in it and every group handled on top of it is given
/// back by ``failed()`` to be handled again on the committed state (``epoch`` tells a handling
/// still under way that its base is gone); nothing of them was acked.
///
/// A duplicate of an event that is handled but not yet committed is recognised through
/// ``holds(_:)`` and acked with the group it arrived in, after the original's commit — never
/// before, since the original's commit may still fail.
struct CommitPipeline<State> {
    /// One transaction's worth of waiting groups.
    struct Submission {
        /// The groups' batches, in order, as one batch.
        var batch: StoreBatch
        /// The first group's failure to record its state, if any: the transaction fails with it.
        var persistFailure: (any Error)?
    }

    /// Bumped by every ``failed()``: a group handled on an older epoch was handled on a state
    /// that will never be committed.
    private(set) var epoch = 0
    /// Between ``failed()`` and ``recovered()``: the given-back deliveries are being handled
    /// again, and nothing new may be handled on top of them meanwhile.
    private(set) var isRecovering = false
    /// Deliveries in the waiting groups (back-pressure: see `Node.handleDeliveriesPipelined`).
    private(set) var waitingDeliveries = 0
    private var waiting: [HandledGroup] = []
    /// The state the last waiting group left; nil exactly when nothing waits.
    private var waitingState: State?
    /// The groups of the transaction under way, and the state the last of them left.
    private var committing: (groups: [HandledGroup], state: State)?
    private var keys: Set<IdempotencyKey> = []

    /// An idle pipeline.
    init() {}

    /// The state the next group is handled on; nil: the node's committed state.
    var latestState: State? { waitingState ?? committing?.state }

    /// Whether nothing is waiting or committing.
    var isIdle: Bool { waiting.isEmpty && committing == nil }

    /// Whether an event with `key` is handled in a group not committed yet.
    func holds(_ key: IdempotencyKey) -> Bool {
        !keys.isEmpty && keys.contains(key)
    }

    /// Adds a group handled on ``latestState`` in the current ``epoch``, which left `state`.
    mutating func append(_ group: HandledGroup, leaving state: State) {
        precondition(!isRecovering, "a group handled during a recovery")
        waitingState = state
        for outcome in group.handled { keys.insert(outcome.key) }
        waitingDeliveries += group.handled.count + group.duplicates.count
        waiting.append(group)
    }

    /// Takes every waiting group into one transaction; nil while a transaction is under way,
    /// during a recovery, or when nothing waits.
    mutating func takeSubmission() -> Submission? {
        guard committing == nil, !isRecovering, let state = waitingState, let first = waiting.first else { return nil }
        var submission = Submission(batch: first.batch, persistFailure: first.persistFailure)
        for group in waiting.dropFirst() {
            submission.batch.append(group.batch)
            if submission.persistFailure == nil { submission.persistFailure = group.persistFailure }
        }
        committing = (waiting, state)
        waiting = []
        waitingState = nil
        waitingDeliveries = 0
        return submission
    }

    /// The submitted transaction is durable: its groups, in order, to be acked and released,
    /// and the state they left (now the committed state); nil when none was submitted.
    mutating func committed() -> (groups: [HandledGroup], state: State)? {
        guard let submitted = committing else { return nil }
        committing = nil
        for group in submitted.groups {
            for outcome in group.handled { keys.remove(outcome.key) }
        }
        return submitted
    }

    /// The submitted transaction failed: its groups and every group handled since (on top of
    /// them), to be handled again on the committed state. Starts a recovery and a new epoch.
    mutating func failed() -> (submitted: [HandledGroup], following: [HandledGroup]) {
        let given = (submitted: committing?.groups ?? [], following: waiting)
        committing = nil
        waiting = []
        waitingState = nil
        keys = []
        waitingDeliveries = 0
        epoch &+= 1
        isRecovering = true
        return given
    }

    /// The given-back deliveries are handled: new groups may be appended again.
    mutating func recovered() {
        isRecovering = false
    }
}
