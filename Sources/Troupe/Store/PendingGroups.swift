import Foundation
public import NIOCore
import TroupeWire

/// The groups an outbox event still owes, with the attempts spent on each, in byte order of
/// their names (SQLite's `BINARY` collation, the order a snapshot lists them in).
///
/// An event is owed to one group or a few, so a sorted array does what a dictionary did in the
/// in-memory store without allocating a hash table per published event and hashing every name
/// at each acknowledgement (Benchmarks/README.md, eighth round). A durable store keeps it in
/// the event's outbox row, in the binary form of ``encode(into:)``, instead of one row per
/// group (Benchmarks/README.md, thirteenth round).
public struct PendingGroups: Sendable, Equatable {
    /// One group still owed the event.
    public struct Entry: Sendable, Equatable {
        /// The group's name.
        public var group: String
        /// Delivery attempts made to the group so far.
        public var attempts: Int
    }

    /// The groups, in byte order of their names, each once.
    public private(set) var entries: [Entry] = []

    /// `groups` (repetitions count once), none attempted yet.
    public init(groups: [String]) {
        entries.reserveCapacity(groups.count)
        for group in groups { add(group) }
    }

    /// Whether no group is owed.
    public var isEmpty: Bool { entries.isEmpty }

    /// Owes the event to `group` as well, with no attempts, unless it already is.
    public mutating func add(_ group: String) {
        let index = insertionIndex(of: group)
        guard index == entries.endIndex || entries[index].group != group else { return }
        entries.insert(Entry(group: group, attempts: 0), at: index)
    }

    /// No longer owes the event to `group` (nothing if it did not).
    public mutating func remove(_ group: String) {
        let index = insertionIndex(of: group)
        guard index < entries.endIndex, entries[index].group == group else { return }
        entries.remove(at: index)
    }

    /// Records the attempts spent on `group`, if it is owed.
    public mutating func setAttempts(_ attempts: Int, for group: String) {
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

    // MARK: Binary form

    /// Appends the binary form: for each entry in order, the name's UTF-8 length (UInt32,
    /// big-endian), the name's bytes and the attempts (UInt32, big-endian; a larger count is
    /// kept as UInt32.max). No groups is no bytes.
    public func encode(into buffer: inout ByteBuffer) {
        for entry in entries {
            buffer.writeInteger(UInt32(truncatingIfNeeded: entry.group.utf8.count))
            buffer.writeString(entry.group)
            buffer.writeInteger(UInt32(clamping: max(0, entry.attempts)))
        }
    }

    /// Reads the binary form of ``encode(into:)``; nil when `bytes` are not one: truncated, a
    /// name that is not UTF-8, or names out of byte order or repeated.
    public init?(decoding bytes: UnsafeRawBufferPointer) {
        var offset = 0
        func readUInt32() -> UInt32? {
            guard bytes.count - offset >= 4 else { return nil }
            defer { offset += 4 }
            return bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self).bigEndian
        }
        while offset < bytes.count {
            guard let length = readUInt32().map(Int.init), bytes.count - offset >= length,
                  let group = UTF8Text.string(validating: UnsafeRawBufferPointer(rebasing: bytes[offset ..< offset + length]))
            else { return nil }
            offset += length
            guard let attempts = readUInt32() else { return nil }
            if let last = entries.last, !Self.bytesPrecede(last.group, group) { return nil }
            entries.append(Entry(group: group, attempts: Int(attempts)))
        }
    }
}
