import HeapModule

/// The scheduler's agenda: items ordered by virtual instant, then by the order they were
/// scheduled in (a sequence number), so ties are broken the same way in every run.
struct SimulationQueue {
    struct Entry: Comparable {
        var nanoseconds: Int64
        var sequence: UInt64
        var item: SimulationItem

        static func < (lhs: Entry, rhs: Entry) -> Bool {
            (lhs.nanoseconds, lhs.sequence) < (rhs.nanoseconds, rhs.sequence)
        }

        /// Sequence numbers are unique, so (instant, sequence) identifies an entry.
        static func == (lhs: Entry, rhs: Entry) -> Bool {
            (lhs.nanoseconds, lhs.sequence) == (rhs.nanoseconds, rhs.sequence)
        }
    }

    private var heap = Heap<Entry>()
    private var nextSequence: UInt64 = 0

    var isEmpty: Bool { heap.isEmpty }
    var count: Int { heap.count }

    /// The instant of the next item.
    var nextInstant: Int64? { heap.min?.nanoseconds }

    mutating func schedule(_ item: SimulationItem, at nanoseconds: Int64) {
        heap.insert(Entry(nanoseconds: nanoseconds, sequence: nextSequence, item: item))
        nextSequence += 1
    }

    mutating func pop() -> Entry? {
        heap.popMin()
    }
}
