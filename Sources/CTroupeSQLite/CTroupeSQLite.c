#include "CTroupeSQLite.h"

#include <sqlite3.h>

int c_troupe_sqlite3_config_memstatus(int on) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, on);
}
