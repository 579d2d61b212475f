import Synchronization
public import Troupe
public import TroupeWire

/// A node's durable store in a simulation: an ``InMemoryNodeStore`` that outlives the node's
/// crashes, with a crash point on its write path.
///
/// When a crash is armed (a `crash` fault), the node dies in the middle of its next write: the
/// write is lost, as an uncommitted SQLite transaction is, and ``SimulatedNodeStore/crashed``
/// tells the simulator to take the process down before it can send another byte. A kill landing
/// exactly on a write is the moment a crash is most likely to expose a bug (an ack that went out
/// before the data was safe), and a uniformly random instant would almost always miss it.
public final class SimulatedNodeStore: NodeStore {
    /// The surviving data.
    public let base: InMemoryNodeStore
    private enum Life {
        case alive
        case armed(@Sendable (String) -> Void)
        case armedAfterCommit(@Sendable (String) -> Void)
        case dead
    }

    private let life = Mutex<Life>(.alive)

    /// A store over `base`.
    public init(base: InMemoryNodeStore) {
        self.base = base
    }

    /// Arms the crash point: the next ``apply(_:)`` is lost and calls `onCrash` first, with a
    /// description of what the lost write held.
    func arm(_ onCrash: @escaping @Sendable (String) -> Void) {
        life.withLock { $0 = .armed(onCrash) }
    }

    /// Arms the crash-after-commit point (a `crashAfterCommit` fault): the next write that
    /// records a handled event is kept, then the process dies before it can ack — `onCrash` is
    /// called with what the kept write held — and every later write is lost.
    func armAfterCommit(_ onCrash: @escaping @Sendable (String) -> Void) {
        life.withLock { $0 = .armedAfterCommit(onCrash) }
    }

    /// The process died: every write from now on is lost, until ``revive()``.
    func kill() {
        life.withLock { $0 = .dead }
    }

    /// A new process opens the store.
    func revive() {
        life.withLock { $0 = .alive }
    }

    /// Whether a crash is armed and has not happened yet.
    var isArmed: Bool {
        life.withLock { life in
            switch life {
            case .armed, .armedAfterCommit: true
            case .alive, .dead: false
            }
        }
    }

    /// Reads the surviving data.
    public func loadSnapshot(nowMicros: Int64) async throws -> StoreSnapshot {
        try await base.loadSnapshot(nowMicros: nowMicros)
    }

    /// Writes `batch`, unless the node dies during this write.
    public func apply(_ batch: StoreBatch) async throws {
        let (dead, onCrash, afterWrite): (Bool, (@Sendable (String) -> Void)?, (@Sendable (String) -> Void)?) = life.withLock { life in
            switch life {
            case .alive:
                return (false, nil, nil)
            case .armed(let onCrash):
                life = .dead
                return (true, onCrash, nil)
            case .armedAfterCommit(let onCrash):
                guard !batch.handled.isEmpty else { return (false, nil, nil) }
                life = .dead
                return (false, nil, onCrash)
            case .dead:
                return (true, nil, nil)
            }
        }
        guard !dead else {
            onCrash?(Self.describe(batch))
            throw StoreError(code: .storageFailure, message: "the process was killed during this write")
        }
        try await base.apply(batch)
        afterWrite?(Self.describe(batch))
    }

    /// What a write held, for the trace: the events it recorded as handled and published, or
    /// the delivery bookkeeping it carried.
    static func describe(_ batch: StoreBatch) -> String {
        var parts: [String] = []
        parts += batch.handled.map { "handled \($0.envelope.type) \($0.envelope.subject) \($0.envelope.eventID)" }
        parts += batch.published.map { "published \($0.envelope.type) \($0.envelope.subject) \($0.envelope.eventID)" }
        let progress = batch.acknowledged.count + batch.completed.count + batch.attemptsMade.count + batch.targetsAdded.count
        if progress > 0 { parts.append("\(progress) delivery-progress record(s)") }
        return parts.isEmpty ? "nothing the saga sees" : parts.joined(separator: "; ")
    }

    /// Dead letters of the surviving data.
    public func deadLetters() async throws -> [StoredDeadLetter] {
        try await base.deadLetters()
    }

    /// Removes dead letters.
    @discardableResult
    public func removeDeadLetters(_ ids: [Int64]) async throws -> Int {
        try await base.removeDeadLetters(ids)
    }

    /// Archived events of a correlation.
    public func archivedEvents(correlationID: EventID) async throws -> [ArchivedEvent] {
        try await base.archivedEvents(correlationID: correlationID)
    }

    /// The latest archived events.
    public func recentArchivedEvents(limit: Int) async throws -> [ArchivedEvent] {
        try await base.recentArchivedEvents(limit: limit)
    }

    /// Purges expired idempotency records.
    @discardableResult
    public func purgeExpiredIdempotencyRecords(nowMicros: Int64) async throws -> Int {
        try await base.purgeExpiredIdempotencyRecords(nowMicros: nowMicros)
    }
}
