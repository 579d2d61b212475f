/// The small lists of group names a node computes for every event it publishes: sorted, each
/// name once.
///
/// An event is usually for one to a few groups, and these lists were built with `Set`s
/// (hashing every name, allocating a table) then sorted, twice per published event — 4% of a
/// memory-mode event's instructions (Benchmarks/README.md, eighth round). Sorting a few names
/// and comparing neighbours, or scanning a short list, does the same without hashing; a `Set`
/// is still used where a list is long enough for scanning to cost more.
enum SortedGroups {
    /// Lists up to this long are searched by scanning.
    static let scanLimit = 16

    /// `groups` sorted, each name once.
    static func normalized(_ groups: [String]) -> [String] {
        guard groups.count > 1 else { return groups }
        var sorted = groups.sorted()
        var kept = 1
        for index in 1 ..< sorted.count where sorted[index] != sorted[kept - 1] {
            sorted.swapAt(kept, index)
            kept += 1
        }
        sorted.removeLast(sorted.count - kept)
        return sorted
    }

    /// The names of `groups` that are not in `others`, in their order.
    static func missing(_ groups: [String], from others: [String]) -> [String] {
        guard !groups.isEmpty else { return [] }
        if others.count <= scanLimit {
            return groups.filter { !others.contains($0) }
        }
        let present = Set(others)
        return groups.filter { !present.contains($0) }
    }
}
