import TroupeWire

/// What a timer belongs to.
enum TimerOwner: Hashable, Sendable {
    case series(SeriesKey)
    case parked(EventID)
}

/// A binary min-heap of timers ordered by (deadline, sequence): equal deadlines fire in the order
/// they were armed, so runs are deterministic.
///
/// Cancellation is lazy: an owner remembers the sequence number of its one valid timer, and
/// stale entries are dropped when they reach the top (or in ``compact(keeping:)``).
struct TimerHeap: Sendable {
    struct Entry: Hashable, Sendable {
        var deadline: MonotonicTime
        var sequence: UInt64
        var owner: TimerOwner

        func precedes(_ other: Entry) -> Bool {
            (deadline, sequence) < (other.deadline, other.sequence)
        }
    }

    private var entries: [Entry] = []
    private var nextSequence: UInt64 = 0

    var count: Int { entries.count }
    var top: Entry? { entries.first }

    /// Arms a timer and returns its sequence number.
    mutating func schedule(at deadline: MonotonicTime, for owner: TimerOwner) -> UInt64 {
        nextSequence += 1
        entries.append(Entry(deadline: deadline, sequence: nextSequence, owner: owner))
        siftUp(from: entries.count - 1)
        return nextSequence
    }

    /// Removes and returns the earliest entry.
    mutating func popTop() -> Entry? {
        guard !entries.isEmpty else { return nil }
        entries.swapAt(0, entries.count - 1)
        let top = entries.removeLast()
        if !entries.isEmpty { siftDown(from: 0) }
        return top
    }

    /// Drops every entry for which `isValid` is false and rebuilds the heap.
    mutating func compact(keeping isValid: (Entry) -> Bool) {
        entries.removeAll { !isValid($0) }
        for index in stride(from: entries.count / 2 - 1, through: 0, by: -1) { siftDown(from: index) }
    }

    private mutating func siftUp(from start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard entries[child].precedes(entries[parent]) else { return }
            entries.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(from start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < entries.count, entries[left].precedes(entries[smallest]) { smallest = left }
            if right < entries.count, entries[right].precedes(entries[smallest]) { smallest = right }
            guard smallest != parent else { return }
            entries.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
