// A SQLite VFS that hands each commit's write-ahead-log frames to the kernel in one write.
//
// SQLite appends a commit to the WAL one frame at a time, and each frame in two writes: its
// 24-byte header, then the page. A node's commit of a few dozen events is ~20 frames, so ~40
// `pwrite` calls, each with its own trip through the kernel's page cache (the header and the
// page straddle the same 4 KiB file pages). This VFS wraps the process's default VFS and
// changes only that: the frames a commit appends are gathered in a buffer owned by the WAL's
// file handle and written with one `pwrite` (or one per 31 pages, see TROUPE_WAL_WRITE_PIECE)
// when the commit's last frame (the one whose header carries the database size) is complete. The write that completes it returns the outcome of
// that `pwrite`, so an I/O error fails the commit exactly as SQLite's own write would have.
//
// What stays as SQLite wrote it:
// - Every other file (database, journals, shared memory) is the wrapped VFS's own, untouched,
//   except that main database files pass through a thin wrapper whose shared-memory barrier
//   and locks first write out anything still gathered for their WAL. By the rules here a
//   commit is never left gathered; what can be is frames a rolled-back transaction spilled,
//   and those must reach the file before the connection lets go of the WAL's write lock:
//   written later, they would land on frames another connection committed at the same place.
//   (Today the rollback's own reads of the WAL write them out already; the lock is what makes
//   it so whatever SQLite reads.)
// - A write that does not extend the gathered run — a page SQLite overwrites within a
//   transaction after spilling it, or the frame headers it rewrites to fix their checksums —
//   first writes out what was gathered, then goes straight through, in SQLite's order.
// - Reads, syncs, size queries, truncation and close write out what was gathered first, so the
//   file always looks to SQLite as if every write had been made when it asked.
//
// Durability is unchanged: frames of an uncommitted transaction may sit in the buffer (SQLite
// ignores them after a crash anyway), a committed one is in the kernel before the commit
// returns, and syncing is SQLite's as before.

#include "CTroupeSQLite.h"

#include <sqlite3.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/// Bytes gathered at most per WAL handle: 256 frames of 4 KiB pages. A longer run is written
/// out when the buffer is full and gathering starts again.
#define TROUPE_WAL_BUFFER_CAPACITY (256 * (4096 + 24))
/// The most bytes handed to the wrapped VFS per write: the unix VFS writes at most 128 KiB − 1
/// bytes per call (it masks the length with 0x1ffff), so a longer run goes in pieces of 31
/// pages' worth.
#define TROUPE_WAL_WRITE_PIECE (31 * 4096)
/// SQLite's WAL frame header: page number, database size after commit (0 if not a commit),
/// salts, checksums.
#define TROUPE_WAL_FRAME_HEADER_SIZE 24
/// SQLite's WAL file header, written at offset 0 when the log starts again.
#define TROUPE_WAL_HEADER_SIZE 32

typedef struct TroupeFile TroupeFile;

/// The wrapper of a main database file or of a WAL file. The wrapped VFS's own file object
/// follows it in the same allocation (`real`).
struct TroupeFile {
    sqlite3_file base;
    sqlite3_file *real;
    int isWAL;
    // Main database file: its name as SQLite passed it (the key WAL files find it by), the next
    // open database in the registry, and its connection's WAL while that is open.
    const char *databaseName;
    TroupeFile *nextDatabase;
    TroupeFile *wal;
    // WAL file: the database it belongs to, and the gathered run of frames.
    TroupeFile *database;
    unsigned char *buffer;
    int length;
    sqlite3_int64 start;
    /// End of the furthest frame gathered or written since the log last started at offset 0; a
    /// write before it rewrites earlier frames and goes straight through.
    sqlite3_int64 appendEnd;
    /// The last gathered write was a commit frame's header: its page completes the commit.
    int commitHeaderGathered;
    /// An error from writing the run out where SQLite could not be told (the barrier); returned
    /// by the next call on this file.
    int deferredError;
    /// Writes SQLite made to this WAL, and write calls handed to the wrapped VFS for them.
    long long writesReceived;
    long long writesIssued;
    /// Write calls still to fail with SQLITE_IOERR_WRITE, without writing (tests' fault).
    int failingWrites;
};

static sqlite3_vfs troupeVFS;
static sqlite3_vfs *wrappedVFS;
static sqlite3_io_methods databaseMethods;
static sqlite3_io_methods walMethods;
static pthread_mutex_t registryLock = PTHREAD_MUTEX_INITIALIZER;
static TroupeFile *openDatabases;

// MARK: - The gathered run

/// Hands `amount` bytes to the wrapped VFS: every write this VFS makes to a WAL goes through here.
static int walIssue(TroupeFile *file, const void *data, int amount, sqlite3_int64 offset) {
    file->writesIssued += 1;
    if (file->failingWrites > 0) {
        file->failingWrites -= 1;
        return SQLITE_IOERR_WRITE;
    }
    return file->real->pMethods->xWrite(file->real, data, amount, offset);
}

static int walFlush(TroupeFile *file) {
    if (file->length == 0) return SQLITE_OK;
    int length = file->length;
    file->length = 0;
    for (int written = 0; written < length; written += TROUPE_WAL_WRITE_PIECE) {
        int piece = length - written < TROUPE_WAL_WRITE_PIECE ? length - written : TROUPE_WAL_WRITE_PIECE;
        int rc = walIssue(file, file->buffer + written, piece, file->start + written);
        if (rc != SQLITE_OK) return rc;
    }
    return SQLITE_OK;
}

/// Writes out the run first; returns an error deferred from the barrier, if any, once.
static int walSettle(TroupeFile *file) {
    int rc = walFlush(file);
    if (rc == SQLITE_OK && file->deferredError != SQLITE_OK) {
        rc = file->deferredError;
        file->deferredError = SQLITE_OK;
    }
    return rc;
}

static int walWrite(sqlite3_file *handle, const void *data, int amount, sqlite3_int64 offset) {
    TroupeFile *file = (TroupeFile *)handle;
    file->writesReceived += 1;
    if (file->deferredError != SQLITE_OK) return walSettle(file);
    if (offset == 0 && amount == TROUPE_WAL_HEADER_SIZE) {
        // The log starts again from its beginning: later frames append from here.
        int rc = walFlush(file);
        if (rc != SQLITE_OK) return rc;
        file->appendEnd = 0;
    }
    int extendsRun = file->length > 0 && offset == file->start + file->length;
    // The page right after a commit frame's header completes the commit.
    int completesCommit = extendsRun && file->commitHeaderGathered;
    file->commitHeaderGathered = 0;
    if (!extendsRun) {
        int rc = walFlush(file);
        if (rc != SQLITE_OK) return rc;
        if (offset < file->appendEnd || amount > TROUPE_WAL_WRITE_PIECE) {
            // Rewrites an earlier frame (or is too large to gather): in SQLite's order, now.
            return walIssue(file, data, amount, offset);
        }
    } else if (file->length + amount > TROUPE_WAL_BUFFER_CAPACITY) {
        int rc = walFlush(file);
        if (rc != SQLITE_OK) return rc;
    }
    if (file->buffer == NULL) {
        file->buffer = sqlite3_malloc(TROUPE_WAL_BUFFER_CAPACITY);
        if (file->buffer == NULL) return walIssue(file, data, amount, offset);
    }
    if (file->length == 0) file->start = offset;
    memcpy(file->buffer + file->length, data, (size_t)amount);
    file->length += amount;
    if (offset + amount > file->appendEnd) file->appendEnd = offset + amount;
    if (completesCommit) return walFlush(file);
    if (amount == TROUPE_WAL_FRAME_HEADER_SIZE) {
        const unsigned char *header = data;
        file->commitHeaderGathered = (header[4] | header[5] | header[6] | header[7]) != 0;
    }
    return SQLITE_OK;
}

static int walRead(sqlite3_file *handle, void *data, int amount, sqlite3_int64 offset) {
    TroupeFile *file = (TroupeFile *)handle;
    int rc = walSettle(file);
    if (rc != SQLITE_OK) return rc;
    return file->real->pMethods->xRead(file->real, data, amount, offset);
}

static int walTruncate(sqlite3_file *handle, sqlite3_int64 size) {
    TroupeFile *file = (TroupeFile *)handle;
    int rc = walSettle(file);
    if (rc != SQLITE_OK) return rc;
    if (file->appendEnd > size) file->appendEnd = size;
    return file->real->pMethods->xTruncate(file->real, size);
}

static int walSync(sqlite3_file *handle, int flags) {
    TroupeFile *file = (TroupeFile *)handle;
    int rc = walSettle(file);
    if (rc != SQLITE_OK) return rc;
    return file->real->pMethods->xSync(file->real, flags);
}

static int walFileSize(sqlite3_file *handle, sqlite3_int64 *size) {
    TroupeFile *file = (TroupeFile *)handle;
    int rc = walSettle(file);
    if (rc != SQLITE_OK) return rc;
    return file->real->pMethods->xFileSize(file->real, size);
}

static int walClose(sqlite3_file *handle) {
    TroupeFile *file = (TroupeFile *)handle;
    int flushed = walSettle(file);
    pthread_mutex_lock(&registryLock);
    if (file->database != NULL && file->database->wal == file) file->database->wal = NULL;
    file->database = NULL;
    pthread_mutex_unlock(&registryLock);
    int rc = file->real->pMethods->xClose(file->real);
    sqlite3_free(file->buffer);
    file->buffer = NULL;
    return flushed != SQLITE_OK ? flushed : rc;
}

/// Called where the WAL's connection publishes or gives up its hold on the log: nothing may
/// stay gathered past it.
static void settleWALOf(TroupeFile *database) {
    TroupeFile *wal = database->wal;
    if (wal == NULL || wal->length == 0) return;
    int rc = walFlush(wal);
    if (rc != SQLITE_OK && wal->deferredError == SQLITE_OK) wal->deferredError = rc;
}

// MARK: - Pass-through methods

#define REAL(handle) (((TroupeFile *)(handle))->real)

static int passLock(sqlite3_file *f, int lock) { return REAL(f)->pMethods->xLock(REAL(f), lock); }
static int passCheckReservedLock(sqlite3_file *f, int *out) {
    return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}
static int passFileControl(sqlite3_file *f, int op, void *arg) {
    return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}

static int databaseFileControl(sqlite3_file *f, int op, void *arg) {
    TroupeFile *wal = ((TroupeFile *)f)->wal;
    switch (op) {
    case C_TROUPE_WAL_FCNTL_WRITE_COUNTS: {
        long long *counts = arg;
        counts[0] = wal ? wal->writesReceived : 0;
        counts[1] = wal ? wal->writesIssued : 0;
        return SQLITE_OK;
    }
    case C_TROUPE_WAL_FCNTL_FAIL_WRITES:
        if (wal == NULL) return SQLITE_NOTFOUND;
        wal->failingWrites = *(int *)arg;
        return SQLITE_OK;
    default:
        return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
    }
}
static int passSectorSize(sqlite3_file *f) { return REAL(f)->pMethods->xSectorSize(REAL(f)); }
static int passDeviceCharacteristics(sqlite3_file *f) {
    return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}
static int passShmMap(sqlite3_file *f, int page, int size, int extend, void volatile **out) {
    return REAL(f)->pMethods->xShmMap(REAL(f), page, size, extend, out);
}
static int passShmUnmap(sqlite3_file *f, int deleteFlag) {
    return REAL(f)->pMethods->xShmUnmap(REAL(f), deleteFlag);
}
static int passFetch(sqlite3_file *f, sqlite3_int64 offset, int amount, void **out) {
    return REAL(f)->pMethods->xFetch(REAL(f), offset, amount, out);
}
static int passUnfetch(sqlite3_file *f, sqlite3_int64 offset, void *page) {
    return REAL(f)->pMethods->xUnfetch(REAL(f), offset, page);
}

static int databaseRead(sqlite3_file *f, void *data, int amount, sqlite3_int64 offset) {
    return REAL(f)->pMethods->xRead(REAL(f), data, amount, offset);
}
static int databaseWrite(sqlite3_file *f, const void *data, int amount, sqlite3_int64 offset) {
    return REAL(f)->pMethods->xWrite(REAL(f), data, amount, offset);
}
static int databaseTruncate(sqlite3_file *f, sqlite3_int64 size) { return REAL(f)->pMethods->xTruncate(REAL(f), size); }
static int databaseSync(sqlite3_file *f, int flags) { return REAL(f)->pMethods->xSync(REAL(f), flags); }
static int databaseFileSize(sqlite3_file *f, sqlite3_int64 *size) { return REAL(f)->pMethods->xFileSize(REAL(f), size); }

static int databaseUnlock(sqlite3_file *f, int lock) {
    settleWALOf((TroupeFile *)f);
    return REAL(f)->pMethods->xUnlock(REAL(f), lock);
}

static int databaseShmLock(sqlite3_file *f, int offset, int count, int flags) {
    settleWALOf((TroupeFile *)f);
    return REAL(f)->pMethods->xShmLock(REAL(f), offset, count, flags);
}

static void databaseShmBarrier(sqlite3_file *f) {
    settleWALOf((TroupeFile *)f);
    REAL(f)->pMethods->xShmBarrier(REAL(f));
}

static int databaseClose(sqlite3_file *handle) {
    TroupeFile *file = (TroupeFile *)handle;
    pthread_mutex_lock(&registryLock);
    for (TroupeFile **link = &openDatabases; *link != NULL; link = &(*link)->nextDatabase) {
        if (*link == file) {
            *link = file->nextDatabase;
            break;
        }
    }
    if (file->wal != NULL) file->wal->database = NULL;
    file->wal = NULL;
    pthread_mutex_unlock(&registryLock);
    return file->real->pMethods->xClose(file->real);
}

static int walUnlock(sqlite3_file *f, int lock) { return REAL(f)->pMethods->xUnlock(REAL(f), lock); }
static int walShmLock(sqlite3_file *f, int offset, int count, int flags) {
    return REAL(f)->pMethods->xShmLock(REAL(f), offset, count, flags);
}
static void walShmBarrier(sqlite3_file *f) { REAL(f)->pMethods->xShmBarrier(REAL(f)); }

/// Copies the wrapped file's method table, version and all, with the given methods in place.
/// Built once from the first file of each kind: the wrapped VFS (unix) gives every file it
/// opens the same table.
static void makeMethods(sqlite3_io_methods *methods, const sqlite3_io_methods *real, int isWAL) {
    methods->iVersion = real->iVersion;
    methods->xClose = isWAL ? walClose : databaseClose;
    methods->xRead = isWAL ? walRead : databaseRead;
    methods->xWrite = isWAL ? walWrite : databaseWrite;
    methods->xTruncate = isWAL ? walTruncate : databaseTruncate;
    methods->xSync = isWAL ? walSync : databaseSync;
    methods->xFileSize = isWAL ? walFileSize : databaseFileSize;
    methods->xLock = passLock;
    methods->xUnlock = isWAL ? walUnlock : databaseUnlock;
    methods->xCheckReservedLock = passCheckReservedLock;
    methods->xFileControl = isWAL ? passFileControl : databaseFileControl;
    methods->xSectorSize = passSectorSize;
    methods->xDeviceCharacteristics = passDeviceCharacteristics;
    methods->xShmMap = real->xShmMap ? passShmMap : NULL;
    methods->xShmLock = real->xShmLock ? (isWAL ? walShmLock : databaseShmLock) : NULL;
    methods->xShmBarrier = real->xShmBarrier ? (isWAL ? walShmBarrier : databaseShmBarrier) : NULL;
    methods->xShmUnmap = real->xShmUnmap ? passShmUnmap : NULL;
    methods->xFetch = real->iVersion >= 3 && real->xFetch ? passFetch : NULL;
    methods->xUnfetch = real->iVersion >= 3 && real->xUnfetch ? passUnfetch : NULL;
}

// MARK: - The VFS

static int troupeOpen(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *handle, int flags, int *outFlags) {
    (void)vfs;
    int wrapped = (flags & (SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_WAL)) != 0 && name != NULL;
    if (!wrapped) {
        // Everything else is the wrapped VFS's own file, in the space SQLite gave us.
        return wrappedVFS->xOpen(wrappedVFS, name, handle, flags, outFlags);
    }
    TroupeFile *file = (TroupeFile *)handle;
    memset(file, 0, sizeof(TroupeFile));
    file->real = (sqlite3_file *)((char *)handle + ((sizeof(TroupeFile) + 15) & ~(size_t)15));
    int rc = wrappedVFS->xOpen(wrappedVFS, name, file->real, flags, outFlags);
    if (rc != SQLITE_OK || file->real->pMethods == NULL) {
        // SQLite calls xClose only when pMethods is set; the wrapped file cleaned up after itself.
        if (file->real->pMethods != NULL) file->real->pMethods->xClose(file->real);
        handle->pMethods = NULL;
        return rc != SQLITE_OK ? rc : SQLITE_CANTOPEN;
    }
    file->isWAL = (flags & SQLITE_OPEN_WAL) != 0;
    pthread_mutex_lock(&registryLock);
    if (file->isWAL) {
        if (walMethods.xClose == NULL) makeMethods(&walMethods, file->real->pMethods, 1);
        // The WAL's name sits in the same block as its database's, which SQLite opened first
        // for the same connection: the pointer identifies that connection's database file.
        const char *databaseName = sqlite3_filename_database(name);
        for (TroupeFile *database = openDatabases; database != NULL; database = database->nextDatabase) {
            if (database->databaseName == databaseName) {
                database->wal = file;
                file->database = database;
                break;
            }
        }
        handle->pMethods = &walMethods;
    } else {
        if (databaseMethods.xClose == NULL) makeMethods(&databaseMethods, file->real->pMethods, 0);
        file->databaseName = name;
        file->nextDatabase = openDatabases;
        openDatabases = file;
        handle->pMethods = &databaseMethods;
    }
    pthread_mutex_unlock(&registryLock);
    return SQLITE_OK;
}

static int troupeDelete(sqlite3_vfs *v, const char *name, int syncDirectory) {
    (void)v;
    return wrappedVFS->xDelete(wrappedVFS, name, syncDirectory);
}
static int troupeAccess(sqlite3_vfs *v, const char *name, int flags, int *out) {
    (void)v;
    return wrappedVFS->xAccess(wrappedVFS, name, flags, out);
}
static int troupeFullPathname(sqlite3_vfs *v, const char *name, int size, char *out) {
    (void)v;
    return wrappedVFS->xFullPathname(wrappedVFS, name, size, out);
}
static void *troupeDlOpen(sqlite3_vfs *v, const char *name) {
    (void)v;
    return wrappedVFS->xDlOpen(wrappedVFS, name);
}
static void troupeDlError(sqlite3_vfs *v, int size, char *message) {
    (void)v;
    wrappedVFS->xDlError(wrappedVFS, size, message);
}
static void (*troupeDlSym(sqlite3_vfs *v, void *library, const char *symbol))(void) {
    (void)v;
    return wrappedVFS->xDlSym(wrappedVFS, library, symbol);
}
static void troupeDlClose(sqlite3_vfs *v, void *library) {
    (void)v;
    wrappedVFS->xDlClose(wrappedVFS, library);
}
static int troupeRandomness(sqlite3_vfs *v, int size, char *out) {
    (void)v;
    return wrappedVFS->xRandomness(wrappedVFS, size, out);
}
static int troupeSleep(sqlite3_vfs *v, int micros) {
    (void)v;
    return wrappedVFS->xSleep(wrappedVFS, micros);
}
static int troupeCurrentTime(sqlite3_vfs *v, double *out) {
    (void)v;
    return wrappedVFS->xCurrentTime(wrappedVFS, out);
}
static int troupeGetLastError(sqlite3_vfs *v, int size, char *out) {
    (void)v;
    return wrappedVFS->xGetLastError ? wrappedVFS->xGetLastError(wrappedVFS, size, out) : 0;
}
static int troupeCurrentTimeInt64(sqlite3_vfs *v, sqlite3_int64 *out) {
    (void)v;
    return wrappedVFS->xCurrentTimeInt64(wrappedVFS, out);
}

int c_troupe_sqlite3_register_wal_vfs(void) {
    if (sqlite3_vfs_find(C_TROUPE_WAL_VFS_NAME) != NULL) return SQLITE_OK;
    sqlite3_vfs *real = sqlite3_vfs_find(NULL);
    if (real == NULL) return SQLITE_ERROR;
    wrappedVFS = real;
    troupeVFS.iVersion = real->iVersion >= 2 ? 2 : 1;
    int wrapperSize = (int)((sizeof(TroupeFile) + 15) & ~(size_t)15);
    troupeVFS.szOsFile = wrapperSize + real->szOsFile;
    troupeVFS.mxPathname = real->mxPathname;
    troupeVFS.zName = C_TROUPE_WAL_VFS_NAME;
    troupeVFS.xOpen = troupeOpen;
    troupeVFS.xDelete = troupeDelete;
    troupeVFS.xAccess = troupeAccess;
    troupeVFS.xFullPathname = troupeFullPathname;
    troupeVFS.xDlOpen = real->xDlOpen ? troupeDlOpen : NULL;
    troupeVFS.xDlError = real->xDlError ? troupeDlError : NULL;
    troupeVFS.xDlSym = real->xDlSym ? troupeDlSym : NULL;
    troupeVFS.xDlClose = real->xDlClose ? troupeDlClose : NULL;
    troupeVFS.xRandomness = troupeRandomness;
    troupeVFS.xSleep = troupeSleep;
    troupeVFS.xCurrentTime = troupeCurrentTime;
    troupeVFS.xGetLastError = troupeGetLastError;
    troupeVFS.xCurrentTimeInt64 = real->iVersion >= 2 && real->xCurrentTimeInt64 ? troupeCurrentTimeInt64 : NULL;
    if (troupeVFS.xCurrentTimeInt64 == NULL) troupeVFS.iVersion = 1;
    return sqlite3_vfs_register(&troupeVFS, 1);
}

int c_troupe_sqlite3_wal_fail_writes(sqlite3 *db, int count) {
    return sqlite3_file_control(db, "main", C_TROUPE_WAL_FCNTL_FAIL_WRITES, &count);
}

int c_troupe_sqlite3_wal_write_counts(sqlite3 *db, long long *received, long long *issued) {
    long long counts[2] = {0, 0};
    int rc = sqlite3_file_control(db, "main", C_TROUPE_WAL_FCNTL_WRITE_COUNTS, counts);
    *received = counts[0];
    *issued = counts[1];
    return rc;
}
