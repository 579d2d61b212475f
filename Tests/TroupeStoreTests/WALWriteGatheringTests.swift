import CTroupeSQLite
import Foundation
import GRDB
import Testing
@testable import TroupeStore

/// The `troupe-wal` VFS (`CTroupeWALVFS.c`): a commit's WAL frames reach the file in one write,
/// and what a commit wrote is in the file when the commit returns — also when the commit is
/// larger than one write, and when its transaction spilled pages and rewrote them.
///
/// "In the file" is checked the hard way: the database and its WAL are copied while the
/// connection is still open (what a crash would leave), and the copy is opened on its own, so
/// SQLite recovers it from the copied WAL alone, checking every frame's checksum.
@Suite("WAL write gathering")
struct WALWriteGatheringTests {
    init() {
        SQLiteProcessSettings.applyOnce()
    }

    @Test func eachCommitsFramesReachTheFileInOneWrite() async throws {
        try await withTemporaryDirectory { directory in
            let pool = try DatabasePool(path: directory.appendingPathComponent("a.sqlite").path)
            try await pool.write { db in try db.execute(sql: "CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB NOT NULL)") }
            let before = try await pool.write { try WALWriteCounts($0) }
            for commit in 0..<10 {
                try await pool.write { db in
                    for row in 0..<20 {
                        try db.execute(sql: "INSERT INTO t (id, body) VALUES (?, ?)",
                                       arguments: [commit * 20 + row, Data(repeating: UInt8(row), count: 1_000)])
                    }
                }
            }
            let after = try await pool.write { try WALWriteCounts($0) }
            // 20 KB of rows: at least five leaf pages per commit, two writes per frame from SQLite.
            #expect(after.received - before.received >= 10 * 5 * 2)
            #expect(after.issued - before.issued == 10)
            // Another connection (the pool's reader) sees every commit.
            #expect(try await pool.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM t") } == 200)
            try pool.close()
        }
    }

    @Test func aCommitLargerThanOneWriteIsWrittenInPiecesAndIsInTheFileWhenItReturns() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("a.sqlite").path
            let pool = try DatabasePool(path: path)
            try await pool.write { db in try db.execute(sql: "CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB NOT NULL)") }
            let before = try await pool.write { try WALWriteCounts($0) }
            // ~1.2 MB in one commit: more than the VFS gathers (256 frames), and many times what
            // the unix VFS takes in one write (128 KiB − 1).
            try await pool.write { db in
                for row in 0..<300 {
                    try db.execute(sql: "INSERT INTO t (id, body) VALUES (?, ?)", arguments: [row, Self.body(row, size: 4_000)])
                }
            }
            let after = try await pool.write { try WALWriteCounts($0) }
            #expect(after.issued - before.issued >= 10)
            #expect(after.issued - before.issued < (after.received - before.received) / 10)

            let copy = try Self.copyAsACrashWouldLeaveIt(path, into: directory)
            try pool.close()
            try Self.expectIntact(copy, rows: 300) { Self.body($0, size: 4_000) }
        }
    }

    @Test func aTransactionThatSpilledAndRewroteItsPagesIsIntactInTheFile() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("a.sqlite").path
            // The transaction below spills to the WAL, then changes pages it already spilled
            // (SQLite overwrites those frames and rewrites checksums).
            let pool = try Self.spillingPool(path)
            try await pool.write { db in try db.execute(sql: "CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB NOT NULL)") }
            try await pool.write { db in
                for row in 0..<400 {
                    try db.execute(sql: "INSERT INTO t (id, body) VALUES (?, ?)", arguments: [row, Self.body(row, size: 500)])
                }
                for row in 0..<400 {
                    try db.execute(sql: "UPDATE t SET body = ? WHERE id = ?", arguments: [Self.body(row + 7, size: 500), row])
                }
            }
            let copy = try Self.copyAsACrashWouldLeaveIt(path, into: directory)
            try pool.close()
            try Self.expectIntact(copy, rows: 400) { Self.body($0 + 7, size: 500) }
        }
    }

    /// The gathered write happens inside the commit, so its failure fails that commit — it is not
    /// put off to where SQLite publishes the commit and could no longer be told.
    @Test func aFailedWriteOfTheGatheredFramesFailsTheCommitAndLosesNothingCommitted() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("a.sqlite").path
            let pool = try DatabasePool(path: path)
            try await pool.write { db in
                try db.execute(sql: "CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB NOT NULL)")
                try db.execute(sql: "INSERT INTO t (id, body) VALUES (0, ?)", arguments: [Self.body(0, size: 1_000)])
            }
            let failed = await #expect(throws: DatabaseError.self) {
                try await pool.write { db in
                    try #require(c_troupe_sqlite3_wal_fail_writes(db.sqliteConnection, 1) == 0)
                    for row in 1...20 {
                        try db.execute(sql: "INSERT INTO t (id, body) VALUES (?, ?)", arguments: [row, Self.body(row, size: 1_000)])
                    }
                }
            }
            #expect(failed?.resultCode == .SQLITE_IOERR)
            #expect(try await pool.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM t") } == 1)
            // The connection goes on: the next commit lands, and the file holds exactly both.
            try await pool.write { db in
                try db.execute(sql: "INSERT INTO t (id, body) VALUES (1, ?)", arguments: [Self.body(1, size: 1_000)])
            }
            let copy = try Self.copyAsACrashWouldLeaveIt(path, into: directory)
            try pool.close()
            try Self.expectIntact(copy, rows: 2) { Self.body($0, size: 1_000) }
        }
    }

    /// Frames a rolled-back transaction spilled are not committed, but they may still be
    /// gathered when the connection lets go of the WAL. They are written out then, never later:
    /// written later, they would land on the frames the next writer — another connection —
    /// committed at the same place in the log.
    @Test func framesOfARolledBackSpillAreWrittenBeforeAnotherConnectionWrites() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("a.sqlite").path
            let spilling = try Self.spillingPool(path)
            try await spilling.write { db in
                try db.execute(sql: "CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB NOT NULL)")
                try db.execute(sql: "INSERT INTO t (id, body) VALUES (0, ?)", arguments: [Self.body(0, size: 500)])
            }
            try await spilling.writeWithoutTransaction { db in
                try db.inTransaction {
                    for row in 1000..<1400 {
                        try db.execute(sql: "INSERT INTO t (id, body) VALUES (?, ?)", arguments: [row, Self.body(row, size: 500)])
                    }
                    return .rollback
                }
            }
            let other = try DatabaseQueue(path: path)
            try await other.write { db in
                for row in 1...5 {
                    try db.execute(sql: "INSERT INTO t (id, body) VALUES (?, ?)", arguments: [row, Self.body(row, size: 500)])
                }
            }
            try await spilling.write { db in
                try db.execute(sql: "INSERT INTO t (id, body) VALUES (6, ?)", arguments: [Self.body(6, size: 500)])
            }
            let copy = try Self.copyAsACrashWouldLeaveIt(path, into: directory)
            try other.close()
            try spilling.close()
            try Self.expectIntact(copy, rows: 7) { Self.body($0, size: 500) }
        }
    }

    /// A pool whose writer has a page cache of ten pages, so a transaction of more spills
    /// pages to the WAL before it commits.
    private static func spillingPool(_ path: String) throws -> DatabasePool {
        var configuration = Configuration()
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA cache_size = 10") }
        return try DatabasePool(path: path, configuration: configuration)
    }

    /// Distinct bytes per row, so a page written from the wrong frame shows.
    private static func body(_ row: Int, size: Int) -> Data {
        Data((0..<size).map { UInt8(truncatingIfNeeded: row &* 31 &+ $0) })
    }

    /// Copies the database and its WAL (not the shared-memory index) while the writer is open.
    private static func copyAsACrashWouldLeaveIt(_ path: String, into directory: URL) throws -> String {
        let copy = directory.appendingPathComponent("copy.sqlite").path
        try FileManager.default.copyItem(atPath: path, toPath: copy)
        try FileManager.default.copyItem(atPath: path + "-wal", toPath: copy + "-wal")
        return copy
    }

    private static func expectIntact(_ path: String, rows: Int, body: (Int) -> Data) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.read { db in
            #expect(try String.fetchOne(db, sql: "PRAGMA integrity_check") == "ok")
            let stored = try Row.fetchAll(db, sql: "SELECT id, body FROM t ORDER BY id")
            #expect(stored.count == rows)
            #expect(stored.allSatisfy { row in row["body"] as Data == body(row["id"]) })
        }
        try queue.close()
    }
}

/// A connection's WAL write counts, as the VFS keeps them.
private struct WALWriteCounts {
    let received: Int64
    let issued: Int64

    init(_ db: Database) throws {
        var received: Int64 = 0
        var issued: Int64 = 0
        let code = c_troupe_sqlite3_wal_write_counts(db.sqliteConnection, &received, &issued)
        try #require(code == 0, "the connection was not opened through the troupe-wal VFS")
        self.received = received
        self.issued = issued
    }
}
