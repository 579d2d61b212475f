public import TroupeWire

/// Remembers the events a node publishes during its cold-start window, so that a group whose
/// subscription reaches the node only later — a consumer started a moment after the publisher,
/// or interest still propagating through the mesh — receives them too.
///
/// Why a window and not "forever": at-least-once delivery is owed to the groups that exist when
/// an event is published. At a cold start nobody's interest is known yet, so "exists" has to
/// mean "shows up soon". Events with no known group at all are parked by the
/// ``DeliveryStateMachine``; this type covers the other case, where *some* group was known
/// (e.g. the publisher's own) but others had not been heard of yet. After the window closes the
/// memory is dropped; `capacity` bounds it meanwhile (overflow: later events are not retained,
/// counted in ``overflowed``).
///
/// An entry's groups are short lists kept sorted, each name once (``SortedGroups``), not
/// `Set`s: every event published in the window gets an entry, and building a `Set` of its one
/// or few groups hashed each name and allocated a table per event (Benchmarks/README.md,
/// sixteenth round); a list of one group shares the array routing already made.
public struct ColdStartRetention: Sendable {
    struct Entry: Sendable {
        var envelope: Envelope
        /// Sorted, each name once.
        var targeted: [String]
        var isOpen: Bool
        /// Sorted, each name once.
        var owedGroups: [String] = []
    }

    /// When the window closes.
    public let windowEnd: MonotonicTime
    /// The most events retained at once.
    public let capacity: Int
    private var entries: [EventID: Entry] = [:]
    /// Events not retained because the capacity was reached.
    public private(set) var overflowed = 0

    /// Opens a window of `window` starting at `start`.
    public init(start: MonotonicTime, window: Duration, capacity: Int = 50_000) {
        self.windowEnd = start + window
        self.capacity = capacity
    }

    /// How many events are retained.
    public var count: Int { entries.count }

    /// An event was published to `groups` (possibly none: then it is parked, not retained).
    public mutating func published(_ envelope: Envelope, groups: [String], now: MonotonicTime) {
        guard now < windowEnd, !groups.isEmpty else { return }
        if let index = entries.index(forKey: envelope.eventID) {
            entries.values[index].targeted = SortedGroups.normalized(entries.values[index].targeted + groups)
            entries.values[index].isOpen = true
            return
        }
        guard entries.count < capacity else {
            overflowed += 1
            return
        }
        entries[envelope.eventID] = Entry(envelope: envelope, targeted: SortedGroups.normalized(groups), isOpen: true)
    }

    /// Takes back an event a previous run of this node published, read from the store at
    /// start: without it a crash would lose the events owed to groups whose interest has not
    /// arrived yet. `targeted` are the groups it went (or goes) to; `isOpen` says whether it is
    /// still being delivered (restored from the outbox). Counts against ``capacity``.
    public mutating func restored(_ envelope: Envelope, targeted: [String], isOpen: Bool, now: MonotonicTime) {
        guard now < windowEnd, entries[envelope.eventID] == nil else { return }
        guard entries.count < capacity else {
            overflowed += 1
            return
        }
        entries[envelope.eventID] = Entry(envelope: envelope, targeted: SortedGroups.normalized(targeted), isOpen: isOpen)
    }

    /// Every group of the event finished. Returns the groups that appeared while it was open and
    /// are still owed it, for the node to publish it to now.
    public mutating func completed(_ eventID: EventID) -> (envelope: Envelope, groups: [String])? {
        // Changed where it lies (one lookup, no copy of the entry's sets); the common case —
        // no group appeared meanwhile — only closes it. Once per event published in the window.
        guard let index = entries.index(forKey: eventID) else { return nil }
        guard !entries.values[index].owedGroups.isEmpty else {
            entries.values[index].isOpen = false
            return nil
        }
        let owed = SortedGroups.missing(entries.values[index].owedGroups, from: entries.values[index].targeted)
        entries.values[index].owedGroups = []
        entries.values[index].targeted = SortedGroups.normalized(entries.values[index].targeted + owed)
        entries.values[index].isOpen = !owed.isEmpty
        return owed.isEmpty ? nil : (entries.values[index].envelope, owed)
    }

    /// Interest changed: `matchingGroups` tells which groups want an event now. Returns finished
    /// events to publish again to their new groups; open ones are owed them at completion.
    public mutating func interestChanged(
        now: MonotonicTime, matchingGroups: (Envelope) -> [String]
    ) -> [(envelope: Envelope, groups: [String])] {
        expire(now: now)
        var due: [(envelope: Envelope, groups: [String])] = []
        for (eventID, var entry) in entries.sorted(by: { $0.key < $1.key }) {
            let fresh = SortedGroups.missing(SortedGroups.normalized(matchingGroups(entry.envelope)), from: entry.targeted)
            guard !fresh.isEmpty else { continue }
            if entry.isOpen {
                entry.owedGroups = SortedGroups.normalized(entry.owedGroups + fresh)
            } else {
                entry.targeted = SortedGroups.normalized(entry.targeted + fresh)
                entry.isOpen = true
                due.append((entry.envelope, fresh))
            }
            entries[eventID] = entry
        }
        return due
    }

    /// Drops everything once the window has closed.
    public mutating func expire(now: MonotonicTime) {
        if now >= windowEnd, !entries.isEmpty { entries.removeAll() }
    }
}
