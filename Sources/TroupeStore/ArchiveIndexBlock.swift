import Foundation
import Troupe
import TroupeWire

/// A run of consecutive archive entries kept as one row of `archive_block` (schema v8): for each
/// entry, its correlation id and the position of its record in the ``ArchiveLog``.
///
/// ```
/// entry i, whose seq is first_seq + i (24 bytes):
///   correlation id, high then low word (2 × u64, big-endian) | log position (i64, big-endian)
/// ```
///
/// One row per entry cost two b-tree insertions per archived event (the row and the
/// correlation index) and as many deletions when retention took it, on both the publishing and
/// the handling node. A block takes up to ``capacity`` entries in one row, so a commit under
/// load writes one or two rows for its whole batch, and retention drops whole blocks. A
/// timeline then scans the blocks instead of seeking an index: at the default capacity of
/// 250 000 entries about 2 000 rows and 6 MB, read off the hot path.
///
/// Pure: encoding and decoding touch no database.
struct ArchiveIndexBlock: Sendable, Equatable {
    /// Bytes per entry.
    static let entryLength = 24
    /// The most entries in a block: 128 × 24 = 3 072 bytes, so a row fits within one 4 KiB page
    /// of the table's b-tree (no overflow pages to read or write).
    static let capacity = 128

    /// The seq of the first entry.
    let firstSeq: Int64
    /// The entries, ``entryLength`` bytes each.
    private(set) var bytes: [UInt8]

    /// An empty block whose first entry will be `firstSeq`.
    init(firstSeq: Int64) {
        self.firstSeq = firstSeq
        bytes = []
        bytes.reserveCapacity(Self.capacity * Self.entryLength)
    }

    /// The block stored at `firstSeq` with entries `blob`; a blob that is not a whole number of
    /// entries, or holds none or more than ``capacity``, is a ``StoreError/Code/corruptRecord``.
    init(firstSeq: Int64, decoding blob: Data?) throws(StoreError) {
        guard let blob, !blob.isEmpty, blob.count % Self.entryLength == 0, blob.count <= Self.capacity * Self.entryLength else {
            throw StoreError(
                code: .corruptRecord,
                message: "the archive block at seq \(firstSeq) is \(blob.map { "\($0.count) bytes" } ?? "NULL"), "
                    + "not 1 to \(Self.capacity) entries of \(Self.entryLength) bytes"
            )
        }
        self.firstSeq = firstSeq
        bytes = [UInt8](blob)
    }

    /// How many entries the block holds.
    var count: Int { bytes.count / Self.entryLength }

    /// Whether the block holds ``capacity`` entries.
    var isFull: Bool { count >= Self.capacity }

    /// The seq the next entry appended would have.
    var nextSeq: Int64 { firstSeq + Int64(count) }

    /// Whether the entry with `seq` is in the block.
    func holds(_ seq: Int64) -> Bool { seq >= firstSeq && seq < nextSeq }

    /// Appends the entry for seq ``nextSeq``; the block must not be full.
    mutating func append(correlationID: EventID, position: Int64) {
        precondition(!isFull, "an archive block holds at most \(Self.capacity) entries")
        Self.appendBigEndian(correlationID.high, to: &bytes)
        Self.appendBigEndian(correlationID.low, to: &bytes)
        Self.appendBigEndian(UInt64(bitPattern: position), to: &bytes)
    }

    /// The correlation id of entry `index` (0-based).
    func correlationID(at index: Int) -> EventID {
        EventID(high: word(at: index * Self.entryLength), low: word(at: index * Self.entryLength + 8))
    }

    /// The log position of entry `index` (0-based).
    func position(at index: Int) -> Int64 {
        Int64(bitPattern: word(at: index * Self.entryLength + 16))
    }

    /// The entries as a blob to store.
    var blob: Data { Data(bytes) }

    private func word(at offset: Int) -> UInt64 {
        bytes.withUnsafeBytes { UInt64(bigEndian: $0.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) }
    }

    private static func appendBigEndian(_ value: UInt64, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }
}
