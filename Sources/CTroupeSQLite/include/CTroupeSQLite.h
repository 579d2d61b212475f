#ifndef C_TROUPE_SQLITE_H
#define C_TROUPE_SQLITE_H

#include <sqlite3.h>

/// Switches SQLite's process-wide memory statistics on (1) or off (0), as
/// `sqlite3_config(SQLITE_CONFIG_MEMSTATUS, on)`; Swift cannot call the variadic
/// `sqlite3_config` itself. Valid only before SQLite is initialized (the first connection
/// opened in the process initializes it): returns SQLITE_OK (0), or SQLITE_MISUSE (21) when
/// SQLite is already initialized, in which case nothing changed.
int c_troupe_sqlite3_config_memstatus(int on);

/// The name of the VFS ``c_troupe_sqlite3_register_wal_vfs`` registers.
#define C_TROUPE_WAL_VFS_NAME "troupe-wal"

/// Registers, as the process's default, a VFS that wraps the default one and writes each
/// commit's WAL frames with one write call instead of two per frame (CTroupeWALVFS.c says
/// exactly what it changes). Connections opened afterwards use it. Returns SQLITE_OK, also when
/// it is already registered.
int c_troupe_sqlite3_register_wal_vfs(void);

/// The `sqlite3_file_control` opcode, on a main database file opened through that VFS, that
/// reads its WAL's write counts into a `long long[2]`.
#define C_TROUPE_WAL_FCNTL_WRITE_COUNTS 0x54570001

/// The writes SQLite made to `db`'s WAL through that VFS (`received`), and the write calls the
/// VFS handed the file system for them (`issued`); both 0 while no WAL is open. Returns
/// SQLITE_OK, or SQLITE_NOTFOUND when `db` was not opened through that VFS.
int c_troupe_sqlite3_wal_write_counts(sqlite3 *db, long long *received, long long *issued);

/// The `sqlite3_file_control` opcode that makes the next writes to a connection's WAL fail.
#define C_TROUPE_WAL_FCNTL_FAIL_WRITES 0x54570002

/// A fault for tests: the next `count` write calls the VFS hands the file system for `db`'s
/// WAL fail with SQLITE_IOERR_WRITE and write nothing, as a full disk would. Returns SQLITE_OK,
/// or SQLITE_NOTFOUND when `db` has no WAL open through that VFS.
int c_troupe_sqlite3_wal_fail_writes(sqlite3 *db, int count);

#endif
