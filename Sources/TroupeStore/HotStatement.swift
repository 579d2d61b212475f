import GRDB
import GRDBSQLite
import NIOCore
import Troupe
import TroupeWire

/// One of the statements every event pays for (outbox rows, idempotency records),
/// executed with its arguments bound straight through SQLite's C API.
///
/// GRDB's `execute(arguments:)` builds a `StatementArguments` array of existentials, converts
/// each value to a `DatabaseValue`, validates the count and copies blobs into `Data` first; in a
/// durable publisher's profile that was a third of the SQLite writer thread's time, more than
/// SQLite's own work for the same rows. Here the statement is still GRDB's cached prepared
/// statement (prepared once per connection, finalized by GRDB), but values go from the caller's
/// memory to `sqlite3_bind_*` with one copy in between, into the writer's ``ParameterArena``,
/// which SQLite then reads in place (`SQLITE_STATIC`) instead of allocating a copy of its own per
/// parameter. The rare statements (dead letters, interest, state) keep GRDB's API.
///
/// Usage: bind every parameter (1-based), then ``execute()``, which steps, resets and clears
/// the bindings and frees the arena, so the next use starts clean. Because the arena is shared
/// by the writer's statements, bind and execute one statement before binding the next. Errors
/// are GRDB `DatabaseError`s with SQLite's extended result code and message, like GRDB's own.
struct HotStatement {
    private let statement: Statement
    private let db: Database
    private let arena: ParameterArena

    /// The cached statement for `sql` on `db`, binding text and blobs from `arena`.
    ///
    /// The statement is reset first: GRDB's cache may hand out a statement that its own API
    /// stepped to completion and left unreset, and SQLite refuses bindings on those. Its
    /// bindings are cleared too, so none can point into an arena of an earlier transaction
    /// (one whose binding threw before ``execute()``).
    init(_ sql: String, in db: Database, arena: ParameterArena) throws {
        self.statement = try db.cachedStatement(sql: sql)
        self.db = db
        self.arena = arena
        sqlite3_reset(statement.sqliteStatement)
        sqlite3_clear_bindings(statement.sqliteStatement)
    }

    private var handle: OpaquePointer { statement.sqliteStatement }

    /// Binds an integer.
    func bind(_ value: Int64, at index: Int32) throws {
        try check(sqlite3_bind_int64(handle, index, value))
    }

    /// Binds a boolean as 0 or 1.
    func bind(_ value: Bool, at index: Int32) throws {
        try bind(value ? 1 : 0, at: index)
    }

    /// Binds text.
    func bind(_ text: String, at index: Int32) throws {
        var text = text
        try text.withUTF8 { utf8 in
            try bindBytes(UnsafeRawBufferPointer(utf8), at: index, as: .text)
        }
    }

    /// Binds an event id as its 16-byte big-endian blob (see ``RecordCoding``), or NULL.
    func bind(_ id: EventID?, at index: Int32) throws {
        guard let id else {
            try check(sqlite3_bind_null(handle, index))
            return
        }
        try withUnsafeTemporaryAllocation(byteCount: 16, alignment: 8) { raw in
            raw.storeBytes(of: id.high.bigEndian, toByteOffset: 0, as: UInt64.self)
            raw.storeBytes(of: id.low.bigEndian, toByteOffset: 8, as: UInt64.self)
            try bindBytes(UnsafeRawBufferPointer(raw), at: index, as: .blob)
        }
    }

    /// Binds an idempotency key as it is stored (``RecordCoding/databaseValue(of:)``): an event
    /// id as its 16-byte blob, other text as text.
    func bind(_ key: IdempotencyKey, at index: Int32) throws {
        if let eventID = key.eventID {
            try bind(eventID, at: index)
        } else {
            try bind(key.description, at: index)
        }
    }

    /// Binds the readable bytes of `buffer` as a blob.
    func bind(_ buffer: ByteBuffer, at index: Int32) throws {
        try buffer.withUnsafeReadableBytes { bytes in
            try bindBytes(bytes, at: index, as: .blob)
        }
    }

    private enum ByteKind { case text, blob }

    /// Binds a copy of `bytes` in the arena (`SQLITE_STATIC`), or, when it does not fit, `bytes`
    /// themselves for SQLite to copy (`SQLITE_TRANSIENT`). Empty values get a non-null pointer,
    /// so they bind as empty text or blob rather than NULL.
    private func bindBytes(_ bytes: UnsafeRawBufferPointer, at index: Int32, as kind: ByteKind) throws {
        let count = Int32(bytes.count)
        let pointer: UnsafeRawPointer
        let destructor: sqlite3_destructor_type?
        if let copy = arena.copy(bytes) {
            (pointer, destructor) = (copy, SQLITE_STATIC)
        } else {
            (pointer, destructor) = (bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, SQLITE_TRANSIENT)
        }
        switch kind {
        case .text:
            try check(sqlite3_bind_text(handle, index, pointer.assumingMemoryBound(to: CChar.self), count, destructor))
        case .blob:
            try check(sqlite3_bind_blob(handle, index, pointer, count, destructor))
        }
    }

    /// Runs the statement to completion, then resets it and clears its bindings.
    func execute() throws {
        let code = sqlite3_step(handle)
        defer { finish() }
        guard code == SQLITE_DONE || code == SQLITE_ROW else { throw stepFailure() }
    }

    /// Runs a query for its first row and hands `body` that row's first column as bytes (nil
    /// when there is no row; valid only inside `body`), then resets the statement and clears
    /// its bindings.
    func withFirstColumnBytes<Result>(_ body: (UnsafeRawBufferPointer?) throws -> Result) throws -> Result {
        let code = sqlite3_step(handle)
        defer { finish() }
        switch code {
        case SQLITE_ROW:
            // The pointer first, then the size: SQLite's documented order for blobs.
            let start = sqlite3_column_blob(handle, 0)
            return try body(UnsafeRawBufferPointer(start: start, count: Int(sqlite3_column_bytes(handle, 0))))
        case SQLITE_DONE:
            return try body(nil)
        default:
            throw stepFailure()
        }
    }

    private func finish() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        arena.reset()
    }

    /// The error of a failed step, read before the statement is reset.
    private func stepFailure() -> DatabaseError {
        DatabaseError(
            resultCode: ResultCode(rawValue: sqlite3_extended_errcode(db.sqliteConnection)),
            message: String(cString: sqlite3_errmsg(db.sqliteConnection)),
            sql: statement.sql
        )
    }

    /// Binding fails only on a misuse (index out of range, statement not reset): reported as
    /// a `DatabaseError`, which the store turns into a storage failure of the batch.
    private func check(_ code: Int32) throws {
        guard code != SQLITE_OK else { return }
        throw DatabaseError(
            resultCode: ResultCode(rawValue: code),
            message: "binding a parameter failed: \(String(cString: sqlite3_errstr(code)))",
            sql: statement.sql
        )
    }
}

/// SQLite's "copy the value now" destructor sentinel.
private let SQLITE_TRANSIENT = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
/// SQLite's "the value stays put until the binding is replaced or cleared" sentinel.
private let SQLITE_STATIC: sqlite3_destructor_type? = nil
