/// The scheduler's agenda: items ordered by virtual instant, then by the order they were
/// scheduled in (a sequence number), so ties are broken the same way in every run.
struct SimulationQueue {
    struct Entry {
        var nanoseconds: Int64
        var sequence: UInt64
        var item: SimulationItem

        func precedes(_ other: Entry) -> Bool {
            (nanoseconds, sequence) < (other.nanoseconds, other.sequence)
        }
    }

    private var heap: [Entry] = []
    private var nextSequence: UInt64 = 0

    var isEmpty: Bool { heap.isEmpty }
    var count: Int { heap.count }

    /// The instant of the next item.
    var nextInstant: Int64? { heap.first?.nanoseconds }

    mutating func schedule(_ item: SimulationItem, at nanoseconds: Int64) {
        heap.append(Entry(nanoseconds: nanoseconds, sequence: nextSequence, item: item))
        nextSequence += 1
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].precedes(heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> Entry? {
        guard !heap.isEmpty else { return nil }
        heap.swapAt(0, heap.count - 1)
        let first = heap.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < heap.count, heap[left].precedes(heap[smallest]) { smallest = left }
            if right < heap.count, heap[right].precedes(heap[smallest]) { smallest = right }
            guard smallest != parent else { break }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
        return first
    }
}
