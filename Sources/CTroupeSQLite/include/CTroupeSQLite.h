#ifndef C_TROUPE_SQLITE_H
#define C_TROUPE_SQLITE_H

/// Switches SQLite's process-wide memory statistics on (1) or off (0), as
/// `sqlite3_config(SQLITE_CONFIG_MEMSTATUS, on)`; Swift cannot call the variadic
/// `sqlite3_config` itself. Valid only before SQLite is initialized (the first connection
/// opened in the process initializes it): returns SQLITE_OK (0), or SQLITE_MISUSE (21) when
/// SQLite is already initialized, in which case nothing changed.
int c_troupe_sqlite3_config_memstatus(int on);

#endif
