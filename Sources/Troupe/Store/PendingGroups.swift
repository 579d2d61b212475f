import Foundation

/// The groups an outbox event still owes, with the attempts spent on each, in byte order of
/// their names (SQLite's `BINARY` collation, the order a snapshot lists them in).
///
/// An event is owed to one group or a few, so a sorted array does what a dictionary did in the
/// in-memory store without allocating a hash table per published event and hashing every name
/// at each acknowledgement (Benchmarks/README.md, eighth round).
struct PendingGroups: Sendable, Equatable {
    /// One group still owed the event.
    struct Entry: Sendable, Equatable {
        var group: String
        var attempts: Int
    }

    /// The groups, in byte order of their names, each once.
    private(set) var entries: [Entry] = []

    /// `groups` (repetitions count once), none attempted yet.
    init(groups: [String]) {
        entries.reserveCapacity(groups.count)
        for group in groups { add(group) }
    }

    /// Whether no group is owed.
    var isEmpty: Bool { entries.isEmpty }

    /// Owes the event to `group` as well, with no attempts, unless it already is.
    mutating func add(_ group: String) {
        let index = insertionIndex(of: group)
        guard index == entries.endIndex || entries[index].group != group else { return }
        entries.insert(Entry(group: group, attempts: 0), at: index)
    }

    /// No longer owes the event to `group` (nothing if it did not).
    mutating func remove(_ group: String) {
        let index = insertionIndex(of: group)
        guard index < entries.endIndex, entries[index].group == group else { return }
        entries.remove(at: index)
    }

    /// Records the attempts spent on `group`, if it is owed.
    mutating func setAttempts(_ attempts: Int, for group: String) {
        let index = insertionIndex(of: group)
        guard index < entries.endIndex, entries[index].group == group else { return }
        entries[index].attempts = attempts
    }

    /// The first index whose group does not sort before `group`.
    private func insertionIndex(of group: String) -> Int {
        var low = 0, high = entries.count
        while low < high {
            let middle = (low + high) / 2
            if Self.bytesPrecede(entries[middle].group, group) { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// Whether `first`'s UTF-8 sorts before `second`'s, byte by byte (`memcmp` is unsigned):
    /// what `utf8.lexicographicallyPrecedes` answers, without its generic iteration, which
    /// cost ~400 instructions a comparison on the in-memory store's acknowledgement path.
    static func bytesPrecede(_ first: String, _ second: String) -> Bool {
        var first = first, second = second
        return first.withUTF8 { a in
            second.withUTF8 { b in
                let common = min(a.count, b.count)
                let order = common == 0 ? 0 : memcmp(a.baseAddress!, b.baseAddress!, common)
                return order < 0 || (order == 0 && a.count < b.count)
            }
        }
    }
}
