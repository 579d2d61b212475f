import CTroupeSQLite
import Synchronization

/// SQLite settings that belong to the whole process rather than one connection, applied once
/// before the first node store opens its database.
///
/// **Memory statistics off.** With SQLite's default `SQLITE_CONFIG_MEMSTATUS` every allocation
/// SQLite makes outside a connection's lookaside goes through one process-wide mutex, to keep
/// the counters behind `sqlite3_memory_used()`. A durable event makes about 47 such
/// allocations (bound values, statement registers, page buffers); turning the statistics off
/// removed ~9 600 instructions per durable event, 4% of them (Benchmarks/README.md, ninth
/// round). Troupe reads none of those counters, and `sqlite3_soft_heap_limit64` (which needs
/// them) is not used. An application that embeds Troupe and wants the counters opens its first
/// SQLite connection before any node store: the setting can then no longer change and SQLite
/// keeps its default (``applyOnce()`` returns false).
///
/// **One write per commit into the WAL.** SQLite writes a commit's WAL frames one at a time, two
/// `pwrite` calls per frame (its 24-byte header, then the page). The `troupe-wal` VFS
/// (`CTroupeWALVFS.c`), registered here as the process's default, wraps the default VFS and
/// gathers a commit's frames into one `pwrite`; everything else is the wrapped VFS's own, and a
/// committed transaction is in the kernel before its commit returns, as before. Registered
/// whether or not the statistics could still be switched off: connections opened before it keep
/// the VFS they were opened with.
enum SQLiteProcessSettings {
    /// nil until the first call of ``applyOnce()``, then its outcome.
    private static let outcome = Mutex<Bool?>(nil)

    /// Applies the settings on the first call in the process and returns whether memory
    /// statistics are off (false when SQLite was already initialized by a connection opened
    /// elsewhere in this process); later calls return the first call's answer.
    ///
    /// An explicit once rather than a `static let` whose initializer has the side effect: the
    /// optimizer may drop the load of a global whose value is unused, and the call with it.
    @discardableResult
    static func applyOnce() -> Bool {
        outcome.withLock { outcome in
            if let outcome { return outcome }
            let off = c_troupe_sqlite3_config_memstatus(0) == 0
            _ = c_troupe_sqlite3_register_wal_vfs()
            outcome = off
            return off
        }
    }
}
