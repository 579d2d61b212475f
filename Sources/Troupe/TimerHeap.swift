import HeapModule
import TroupeWire

/// What a timer belongs to.
enum TimerOwner: Hashable, Sendable {
    case series(SeriesKey)
    case parked(EventID)
}

/// Timers ordered by (deadline, sequence): equal deadlines fire in the order they were armed,
/// so runs are deterministic. A `Heap` of swift-collections underneath.
///
/// Cancellation is lazy: an owner remembers the sequence number of its one valid timer, and
/// stale entries are dropped when they reach the top (or in ``compact(keeping:)``).
struct TimerHeap: Sendable {
    struct Entry: Comparable, Hashable, Sendable {
        var deadline: MonotonicTime
        var sequence: UInt64
        var owner: TimerOwner

        static func < (lhs: Entry, rhs: Entry) -> Bool {
            (lhs.deadline, lhs.sequence) < (rhs.deadline, rhs.sequence)
        }
    }

    private var entries = Heap<Entry>()
    private var nextSequence: UInt64 = 0

    var count: Int { entries.count }
    var top: Entry? { entries.min }

    /// Arms a timer and returns its sequence number.
    mutating func schedule(at deadline: MonotonicTime, for owner: TimerOwner) -> UInt64 {
        nextSequence += 1
        entries.insert(Entry(deadline: deadline, sequence: nextSequence, owner: owner))
        return nextSequence
    }

    /// Removes and returns the earliest entry.
    mutating func popTop() -> Entry? {
        entries.popMin()
    }

    /// Drops every entry for which `isValid` is false and rebuilds the heap.
    mutating func compact(keeping isValid: (Entry) -> Bool) {
        entries = Heap(entries.unordered.filter(isValid))
    }
}
