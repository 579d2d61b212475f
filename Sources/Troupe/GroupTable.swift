/// The consumer groups the delivery state machine has live series for, each under a small
/// number.
///
/// Series keys, timer entries and ordering lanes name their group by ``ID`` instead of by
/// `String`: a key is then a few machine words, hashed and copied without touching the string's
/// storage. Measured with callgrind on a saturated publisher (Benchmarks/README.md, eighth
/// round), hashing and retaining group strings in those places cost more than the rest of the
/// bookkeeping of an acknowledged delivery. A name is looked up once per series, when it opens.
///
/// Entries are counted: a group's number is given back when its last live series ends, and
/// reused, so a node that sees many short-lived groups keeps only those it is delivering to.
struct GroupTable: Sendable {
    /// A group's number while it has live series.
    struct ID: Hashable, Sendable {
        fileprivate var index: UInt32
    }

    private struct Entry: Sendable {
        var name: String
        var liveSeries: Int
    }

    private var ids: [String: ID] = [:]
    private var entries: [Entry] = []
    private var freeIndices: [UInt32] = []
    /// The group the latest ``retain(_:)`` returned (its entry may have been freed since).
    private var lastRetained: ID?

    /// How many groups have live series.
    var count: Int { ids.count }

    /// How many numbers the table holds, live or free: the most groups live at once.
    var capacity: Int { entries.count }

    /// The name of a group that has live series.
    func name(_ id: ID) -> String {
        entries[Int(id.index)].name
    }

    /// The number of `name` if it has live series.
    func id(of name: String) -> ID? {
        ids[name]
    }

    /// Counts one more live series of `name` and returns the group's number.
    mutating func retain(_ name: String) -> ID {
        // Most events go to the group the previous one went to: comparing the name with that
        // entry's is cheaper than hashing it (a short name is compared as two words).
        if let id = lastRetained, entries[Int(id.index)].liveSeries > 0, entries[Int(id.index)].name == name {
            entries[Int(id.index)].liveSeries += 1
            return id
        }
        if let id = ids[name] {
            lastRetained = id
            entries[Int(id.index)].liveSeries += 1
            return id
        }
        let id: ID
        if let index = freeIndices.popLast() {
            id = ID(index: index)
            entries[Int(index)] = Entry(name: name, liveSeries: 1)
        } else {
            id = ID(index: UInt32(entries.count))
            entries.append(Entry(name: name, liveSeries: 1))
        }
        ids[name] = id
        lastRetained = id
        return id
    }

    /// Counts one live series of the group less; its number is freed with the last one.
    mutating func release(_ id: ID) {
        let index = Int(id.index)
        entries[index].liveSeries -= 1
        precondition(entries[index].liveSeries >= 0, "a group released more often than retained")
        guard entries[index].liveSeries == 0 else { return }
        ids[entries[index].name] = nil
        entries[index].name = ""
        freeIndices.append(id.index)
    }
}
