import DequeModule
public import TroupeWire

/// The publisher side of at-least-once delivery, as a pure state machine.
///
/// One **delivery series** runs per (event, target group): attempt 1 is sent to a live member
/// of the group; no ACK within the group's `ackTimeout`, or a NACK, schedules a redelivery
/// (attempt + 1, new delivery id) after ``RetryBackoff`` (for a NACK: after
/// `max(backoff, retryAfter)`); after `maxDeliveries` failed attempts the series is
/// dead-lettered. A group with no live member is retried with backoff without spending
/// attempts, and dead-lettered as `undeliverable` after its `retention`. When every group of an
/// event has finished, the node is told to ``DeliveryAction/completeEvent(_:)``.
///
/// The node feeds it facts (``published(_:groups:now:)``, ``acknowledged(_:now:)``,
/// ``nacked(deliveryID:reason:retryAfter:now:)``, ``sendFailed(deliveryID:reason:now:)``,
/// ``tick(now:)``, ...) and performs the returned ``DeliveryAction``s in order. It never does
/// I/O, never reads a clock (time comes in as ``MonotonicTime``) and draws jitter from its own
/// seeded generator, so a run is a function of its inputs.
///
/// **Timers.** Rather than returning schedule/cancel actions, the machine exposes one
/// ``nextDeadline``: after each call the node (re)arms a single timer for it and calls
/// ``tick(now:)`` when it fires (early or late calls are harmless). With thousands of series,
/// per-series timer actions would mostly be cancellations (every ACK cancels one), and the node
/// would have to keep a handle per series; one deadline keeps the shell trivial and the
/// simulator's virtual clock exact.
///
/// **Bounds.** At most `maximumLiveSeries` series and `maximumParkedEvents` parked events; a
/// publish beyond them throws ``DeliveryOverflowError`` and changes nothing: the node keeps the
/// event in its outbox and offers it again later. Late ACKs are matched through every delivery
/// id a live series has issued (at most `maxDeliveries` each).
///
/// **Ordering.** For a group whose policy says `orderedBySubject`, events with the same
/// non-empty subject form a lane: the next one's attempt 1 goes out only after the previous one
/// was acknowledged or dead-lettered.
public struct DeliveryStateMachine: Sendable {
    var configuration: Configuration
    var generator: Xoshiro256StarStar
    var events: [EventID: OpenEvent] = [:]
    var series: [SeriesKey: DeliverySeries] = [:]
    /// The groups of live series, by number.
    var groups = GroupTable()
    /// Every delivery id of every live series.
    var deliveryIndex: [UInt64: SeriesKey] = [:]
    /// Events of each ordering lane in publish order; the first one is the active one.
    var lanes: [SubjectLane: Deque<EventID>] = [:]
    var parked: [EventID: ParkedEvent] = [:]
    var parkOrder: UInt64 = 0
    var timers = TimerHeap()
    var nextDeliveryID: UInt64
    /// Counters for metrics and tests.
    public internal(set) var statistics = DeliveryStatistics()

    /// Creates an empty machine.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        self.generator = Xoshiro256StarStar(seed: configuration.randomSeed)
        self.nextDeliveryID = configuration.firstDeliveryID
    }

    // MARK: Inspection

    /// When the node should next call ``tick(now:)``; nil when no timer is armed.
    public var nextDeadline: MonotonicTime? { timers.top?.deadline }

    /// Live delivery series (in flight, awaiting retry or waiting their turn).
    public var liveSeriesCount: Int { series.count }

    /// Series that can still be started before ``DeliveryOverflowError``.
    public var availableSeriesCapacity: Int { configuration.maximumLiveSeries - series.count }

    /// Events routed to at least one group and not finished.
    public var openEventCount: Int { events.count }

    /// How many events wait parked (no group interested yet); cheap, unlike ``parkedEvents``.
    public var parkedEventCount: Int { parked.count }

    /// Events published while no group was interested, oldest first. The node evaluates a newly
    /// appeared subscription against them and calls ``routeParked(_:groups:now:)``.
    public var parkedEvents: [Envelope] {
        parked.values.sorted { $0.order < $1.order }.map(\.envelope)
    }

    /// The policy series of `group` start with.
    public func policy(forGroup group: String) -> DeliveryPolicy {
        configuration.groupPolicies[group] ?? configuration.defaultPolicy
    }

    /// Sets the policy of `group` (e.g. when a subscription asks for `orderedBySubject`); series
    /// already started keep theirs.
    public mutating func setPolicy(_ policy: DeliveryPolicy, forGroup group: String) {
        configuration.groupPolicies[group] = policy
    }

    // MARK: Facts

    /// The node persisted `envelope` in its outbox and routing found `groups` (possibly none).
    ///
    /// With groups, attempt 1 is sent to each (lanes permitting). Without, the event is parked
    /// until ``routeParked(_:groups:now:)`` or its retention ends. Publishing an event that is
    /// already open or parked does nothing. Throws, changing nothing, at the bounds.
    public mutating func published(
        _ envelope: Envelope,
        groups: [String],
        now: MonotonicTime
    ) throws(DeliveryOverflowError) -> [DeliveryAction] {
        var actions: [DeliveryAction] = []
        try published(envelope, groups: groups, now: now, into: &actions)
        return actions
    }

    /// ``published(_:groups:now:)``, appending its actions to `actions` (a node publishing a
    /// batch gathers them all in one array).
    public mutating func published(
        _ envelope: Envelope,
        groups: [String],
        now: MonotonicTime,
        into actions: inout [DeliveryAction]
    ) throws(DeliveryOverflowError) {
        defer { compactTimersIfNeeded() }  // arms timers, invalidates none
        let eventID = envelope.eventID
        guard events[eventID] == nil, parked[eventID] == nil else { return }
        let targets = Self.distinct(groups)
        guard !targets.isEmpty else {
            try park(envelope, parkedAt: now)
            return
        }
        try reserve(targets.count, for: eventID)
        open(envelope, targets: targets.lazy.map { ($0, 0) }, now: now, into: &actions)
    }

    /// ACK frames arrived naming these delivery ids. Any id ever issued by a live series, even
    /// one superseded by a redelivery, completes the series; unknown ids are counted and ignored.
    public mutating func acknowledged(_ deliveryIDs: [UInt64], now: MonotonicTime) -> [DeliveryAction] {
        defer { pruneTimers() }
        var actions: [DeliveryAction] = []
        for deliveryID in deliveryIDs {
            guard let key = deliveryIndex[deliveryID] else {
                statistics.unknownAcks += 1
                continue
            }
            statistics.acknowledged += 1
            actions.append(.recordAcknowledged(eventID: key.eventID, group: groups.name(key.group)))
            finish(key, now: now, into: &actions)
        }
        return actions
    }

    /// Time passed: fires every timer due at `now` (ack timeouts, scheduled redeliveries and
    /// route retries, parked-event retention) in deadline order.
    public mutating func tick(now: MonotonicTime) -> [DeliveryAction] {
        var actions: [DeliveryAction] = []
        while let top = timers.top, top.deadline <= now {
            _ = timers.popTop()
            switch top.owner {
            case .series(let key):
                guard var current = series[key], current.timerSequence == top.sequence else { continue }
                current.timerSequence = nil
                series[key] = current
                seriesTimerFired(key, now: now, into: &actions)
            case .parked(let eventID):
                guard let entry = parked[eventID], entry.timerSequence == top.sequence else { continue }
                parkedRetentionEnded(entry, now: now, into: &actions)
            }
        }
        pruneTimers()
        return actions
    }

    // MARK: Helpers

    /// `groups` without repetitions, in their first order.
    static func distinct(_ groups: [String]) -> [String] {
        // Short lists (an event's usual one to a few groups) are scanned: no hash table, and no
        // new array unless a name repeats.
        guard groups.count > SortedGroups.scanLimit else {
            guard groups.indices.contains(where: { groups[..<$0].contains(groups[$0]) }) else { return groups }
            var kept: [String] = []
            for group in groups where !kept.contains(group) { kept.append(group) }
            return kept
        }
        var seen = Set<String>()
        return groups.filter { seen.insert($0).inserted }
    }

    /// Throws unless `count` more series fit.
    func reserve(_ count: Int, for eventID: EventID) throws(DeliveryOverflowError) {
        guard count <= availableSeriesCapacity else {
            throw DeliveryOverflowError(eventID: eventID, needed: count, available: availableSeriesCapacity)
        }
    }
}
