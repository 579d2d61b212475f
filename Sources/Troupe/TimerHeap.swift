import DequeModule
import HeapModule
import TroupeWire

/// What a timer belongs to.
enum TimerOwner: Hashable, Sendable {
    case series(SeriesKey)
    case parked(EventID)
}

/// Timers ordered by (deadline, sequence): equal deadlines fire in the order they were armed,
/// so runs are deterministic.
///
/// Two lanes hold the entries: a FIFO for every timer armed no earlier than the last one in
/// it, and a `Heap` of swift-collections for the rest. Nearly every timer is an ack deadline —
/// now plus the group's ack timeout — armed in time order, so nearly all go to the FIFO, where
/// arming and firing are an append and a removal at the front instead of a sift through the
/// heap (~650 instructions per event delivered, callgrind, Benchmarks/README.md, fifteenth
/// round). Retries after backoff, which fall between ack deadlines, go to the heap. The FIFO
/// stays sorted because it only takes entries that sort after its last, so the earliest entry
/// is the smaller of the two lanes' fronts and the order is the same as one heap's.
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

    /// Entries in (deadline, sequence) order, each armed no earlier than the one before.
    private var ordered = Deque<Entry>()
    /// Entries armed earlier than the FIFO's last.
    private var others = Heap<Entry>()
    private var nextSequence: UInt64 = 0

    var count: Int { ordered.count + others.count }

    var top: Entry? {
        guard let first = ordered.first else { return others.min }
        guard let min = others.min else { return first }
        return min < first ? min : first
    }

    /// Arms a timer and returns its sequence number.
    mutating func schedule(at deadline: MonotonicTime, for owner: TimerOwner) -> UInt64 {
        nextSequence += 1
        let entry = Entry(deadline: deadline, sequence: nextSequence, owner: owner)
        // A later sequence sorts after the last entry whenever its deadline is not earlier.
        if let last = ordered.last, deadline < last.deadline {
            others.insert(entry)
        } else {
            ordered.append(entry)
        }
        return nextSequence
    }

    /// Removes and returns the earliest entry.
    mutating func popTop() -> Entry? {
        guard let first = ordered.first else { return others.popMin() }
        if let min = others.min, min < first { return others.popMin() }
        return ordered.removeFirst()
    }

    /// Drops every entry for which `isValid` is false and rebuilds the lanes.
    mutating func compact(keeping isValid: (Entry) -> Bool) {
        ordered = Deque(ordered.filter(isValid))
        others = Heap(others.unordered.filter(isValid))
    }
}
