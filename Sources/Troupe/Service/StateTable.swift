public import Foundation

/// A dictionary of records that remembers which keys changed, for ``KeyedState``.
///
/// It reads like a `[String: Record]` (subscripts, `keys`, `values`, iteration) and encodes as
/// one — so a state's JSON looks the same whether or not it uses tables.
public struct StateTable<Record: Codable & Sendable & Hashable>: Sendable, Hashable, Codable, Sequence,
    ExpressibleByDictionaryLiteral
{
    /// The records by key.
    public private(set) var records: [String: Record]
    private var changedKeys: Set<String> = []

    /// A table holding `records`; nothing counts as changed yet.
    public init(_ records: [String: Record] = [:]) { self.records = records }

    /// A table from a literal.
    public init(dictionaryLiteral elements: (String, Record)...) {
        self.init(Dictionary(elements, uniquingKeysWith: { $1 }))
    }

    /// The record for `key`; setting it (or nil) marks the key changed.
    public subscript(key: String) -> Record? {
        get { records[key] }
        set {
            records[key] = newValue
            changedKeys.insert(key)
        }
    }

    /// The record for `key`, or `defaultValue`; setting it marks the key changed.
    public subscript(key: String, default defaultValue: @autoclosure () -> Record) -> Record {
        get { records[key] ?? defaultValue() }
        set { self[key] = newValue }
    }

    /// The keys.
    public var keys: Dictionary<String, Record>.Keys { records.keys }
    /// The records.
    public var values: Dictionary<String, Record>.Values { records.values }
    /// How many records.
    public var count: Int { records.count }
    /// Whether there are none.
    public var isEmpty: Bool { records.isEmpty }

    /// Iterates (key, record) pairs.
    public func makeIterator() -> Dictionary<String, Record>.Iterator { records.makeIterator() }

    /// The changed records under `prefix` + key, encoded as JSON (nil: removed); clears the set.
    public mutating func takeChanges(prefix: String) throws -> [String: Data?] {
        let encoder = JSONEncoder()
        var changes: [String: Data?] = [:]
        for key in changedKeys {
            // updateValue, not subscript assignment: assigning nil would drop the removal.
            changes.updateValue(try records[key].map { try encoder.encode($0) }, forKey: prefix + key)
        }
        changedKeys.removeAll(keepingCapacity: true)
        return changes
    }

    /// Loads every record stored under `prefix`.
    public mutating func load(prefix: String, from stored: [String: Data]) throws {
        let decoder = JSONDecoder()
        for (key, data) in stored where key.hasPrefix(prefix) {
            records[String(key.dropFirst(prefix.count))] = try decoder.decode(Record.self, from: data)
        }
        changedKeys.removeAll()
    }

    /// Encodes as a plain dictionary.
    public func encode(to encoder: any Encoder) throws { try records.encode(to: encoder) }

    /// Decodes from a plain dictionary.
    public init(from decoder: any Decoder) throws { self.init(try [String: Record](from: decoder)) }

    /// Tables are equal when their records are; pending changes do not count.
    public static func == (lhs: StateTable, rhs: StateTable) -> Bool { lhs.records == rhs.records }

    /// Hashes the records.
    public func hash(into hasher: inout Hasher) { hasher.combine(records) }
}
