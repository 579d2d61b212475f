/// The text of an `INSERT` that writes several rows in one statement, one text per chunk size.
///
/// Why: every SQLite statement pays a fixed toll per execution besides its rows' work — the
/// VDBE program's start (transaction check, cursors opened on the table and each index), its
/// halt, the reset and the clearing of its bindings. Measured with callgrind on SQLite 3.40 (a
/// C loop inserting archive-shaped rows, ~400-byte envelope, one commit per 64 rows): ~19.0k
/// instructions per row one statement per row, ~15.5k four rows per statement, ~14.1k sixteen
/// (Benchmarks/README.md, seventeenth round). A durable publisher writes an outbox row per
/// event and a subscriber an idempotency row, so these statements take their rows in chunks of ``chunkSizes``: a batch of 37 events is 16 + 16 + 4
/// + 1 rows, four statements instead of 37.
///
/// Deletes stay one row per statement: `DELETE … WHERE event_id IN (?, …)` builds an ephemeral
/// table of its values first, and measured slower per row than single-row deletes, which are
/// cheap already (~2.2k instructions).
struct MultiRowInsert: Sendable {
    /// Rows per statement, largest first; the last is 1, so every count splits into them.
    static let chunkSizes = [16, 4, 1]

    /// The statement text for each entry of ``chunkSizes``, in the same order.
    private let texts: [String]

    /// `head` is the statement up to `VALUES` (exclusive); each row binds `columns` parameters.
    init(_ head: String, columns: Int) {
        let row = "(" + Array(repeating: "?", count: columns).joined(separator: ", ") + ")"
        texts = Self.chunkSizes.map { rows in
            head + " VALUES " + Array(repeating: row, count: rows).joined(separator: ", ")
        }
    }

    /// The text that inserts `rows` rows; `rows` must be one of ``chunkSizes``.
    func sql(rows: Int) -> String {
        texts[Self.chunkSizes.firstIndex(of: rows)!]
    }

    /// `count` split into chunk sizes, largest first (37 → 16, 16, 4, 1).
    static func chunks(of count: Int) -> [Int] {
        var remaining = count
        var chunks: [Int] = []
        for size in chunkSizes {
            while remaining >= size {
                chunks.append(size)
                remaining -= size
            }
        }
        return chunks
    }
}
