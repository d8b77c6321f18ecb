#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "CSQLiteSettings.h"

// A VFS over the platform's that gathers the writes of a transaction to its write-ahead log into
// one buffer and hands them to the file system in one call: SQLite writes each log frame as two
// calls (a 24-byte header, then the page), so a commit of a thousand pages cost two thousand
// system calls. Every other file, and every other call on the log, goes to the platform's VFS
// unchanged.
//
// The buffer is written out before the frames can be seen or needed by anyone:
// - right after the page of a commit frame (a frame header whose "database size after commit" is
//   not zero), so within the commit, before SQLite publishes the new frames in the shared
//   wal-index; a failed write fails the commit, as it would have without the buffer;
// - before any other call on the log (read, sync, size, truncate, file control, close), and
//   before a write that does not continue the buffer or would overflow it.
// A log file belongs to one connection, which SQLite uses from one thread at a time, so the buffer
// needs no lock.

enum {
    frameHeaderSize = 24,
    /// The Unix VFS writes at most 128 KiB − 1 bytes per call (it masks the size to 17 bits and
    /// reports a shorter write as a full disk): 30 frames of 4 KiB pages.
    bufferCapacity = 124 * 1024,
};

typedef struct BatchedLog {
    sqlite3_file base;
    /// The platform's file, allocated right after this structure.
    sqlite3_file *platform;
    /// Allocated at the first write (readers never write).
    unsigned char *buffer;
    int length;
    sqlite3_int64 offset;
    /// The last write was the header of a commit frame: its page comes next.
    int commitPageNext;
} BatchedLog;

static sqlite3_vfs *platformVfs;
static sqlite3_vfs batchedVfs;

static int writeOut(BatchedLog *log) {
    if (log->length == 0) return SQLITE_OK;
    int length = log->length;
    log->length = 0;
    return log->platform->pMethods->xWrite(log->platform, log->buffer, length, log->offset);
}

static int logWrite(sqlite3_file *file, const void *data, int amount, sqlite3_int64 offset) {
    BatchedLog *log = (BatchedLog *)file;
    int isCommitPage = log->commitPageNext;
    log->commitPageNext = 0;
    int rc = SQLITE_OK;
    if (log->length > 0 && (offset != log->offset + log->length || log->length + amount > bufferCapacity)) {
        rc = writeOut(log);
        if (rc != SQLITE_OK) return rc;
    }
    if (amount > bufferCapacity) return log->platform->pMethods->xWrite(log->platform, data, amount, offset);
    if (log->buffer == NULL) {
        log->buffer = sqlite3_malloc(bufferCapacity);
        if (log->buffer == NULL) return log->platform->pMethods->xWrite(log->platform, data, amount, offset);
    }
    if (log->length == 0) log->offset = offset;
    memcpy(log->buffer + log->length, data, (size_t)amount);
    log->length += amount;
    if (amount == frameHeaderSize) {
        const unsigned char *header = data;
        log->commitPageNext = (header[4] | header[5] | header[6] | header[7]) != 0;
    } else if (isCommitPage) {
        rc = writeOut(log);
    }
    return rc;
}

static int logClose(sqlite3_file *file) {
    BatchedLog *log = (BatchedLog *)file;
    int written = writeOut(log);
    int rc = log->platform->pMethods->xClose(log->platform);
    sqlite3_free(log->buffer);
    log->buffer = NULL;
    return written != SQLITE_OK ? written : rc;
}

static int logRead(sqlite3_file *file, void *data, int amount, sqlite3_int64 offset) {
    BatchedLog *log = (BatchedLog *)file;
    int rc = writeOut(log);
    return rc != SQLITE_OK ? rc : log->platform->pMethods->xRead(log->platform, data, amount, offset);
}

static int logTruncate(sqlite3_file *file, sqlite3_int64 size) {
    BatchedLog *log = (BatchedLog *)file;
    int rc = writeOut(log);
    return rc != SQLITE_OK ? rc : log->platform->pMethods->xTruncate(log->platform, size);
}

static int logSync(sqlite3_file *file, int flags) {
    BatchedLog *log = (BatchedLog *)file;
    int rc = writeOut(log);
    return rc != SQLITE_OK ? rc : log->platform->pMethods->xSync(log->platform, flags);
}

static int logFileSize(sqlite3_file *file, sqlite3_int64 *size) {
    BatchedLog *log = (BatchedLog *)file;
    int rc = writeOut(log);
    return rc != SQLITE_OK ? rc : log->platform->pMethods->xFileSize(log->platform, size);
}

static int logLock(sqlite3_file *file, int level) {
    BatchedLog *log = (BatchedLog *)file;
    return log->platform->pMethods->xLock(log->platform, level);
}

static int logUnlock(sqlite3_file *file, int level) {
    BatchedLog *log = (BatchedLog *)file;
    return log->platform->pMethods->xUnlock(log->platform, level);
}

static int logCheckReservedLock(sqlite3_file *file, int *result) {
    BatchedLog *log = (BatchedLog *)file;
    return log->platform->pMethods->xCheckReservedLock(log->platform, result);
}

static int logFileControl(sqlite3_file *file, int op, void *argument) {
    BatchedLog *log = (BatchedLog *)file;
    int rc = writeOut(log);
    return rc != SQLITE_OK ? rc : log->platform->pMethods->xFileControl(log->platform, op, argument);
}

static int logSectorSize(sqlite3_file *file) {
    BatchedLog *log = (BatchedLog *)file;
    return log->platform->pMethods->xSectorSize(log->platform);
}

static int logDeviceCharacteristics(sqlite3_file *file) {
    BatchedLog *log = (BatchedLog *)file;
    return log->platform->pMethods->xDeviceCharacteristics(log->platform);
}

// Version 1: a log file is never memory-mapped and has no shared memory of its own.
static const sqlite3_io_methods logMethods = {
    1,
    logClose,
    logRead,
    logWrite,
    logTruncate,
    logSync,
    logFileSize,
    logLock,
    logUnlock,
    logCheckReservedLock,
    logFileControl,
    logSectorSize,
    logDeviceCharacteristics,
    NULL, NULL, NULL, NULL, NULL, NULL,
};

static int batchedOpen(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *file, int flags, int *outFlags) {
    (void)vfs;
    // Anything but a write-ahead log is the platform's file itself, with its own methods.
    if ((flags & SQLITE_OPEN_WAL) == 0) return platformVfs->xOpen(platformVfs, name, file, flags, outFlags);
    BatchedLog *log = (BatchedLog *)file;
    memset(log, 0, sizeof(*log));
    log->platform = (sqlite3_file *)&log[1];
    int rc = platformVfs->xOpen(platformVfs, name, log->platform, flags, outFlags);
    if (rc != SQLITE_OK) {
        if (log->platform->pMethods != NULL) log->platform->pMethods->xClose(log->platform);
        log->base.pMethods = NULL;
        return rc;
    }
    log->base.pMethods = &logMethods;
    return SQLITE_OK;
}

int patron_sqlite_batch_log_writes(void) {
    if (platformVfs != NULL) return SQLITE_OK;
    sqlite3_vfs *platform = sqlite3_vfs_find(NULL);
    if (platform == NULL) return SQLITE_ERROR;
    batchedVfs = *platform;
    batchedVfs.pNext = NULL;
    batchedVfs.zName = "patron-batched-log";
    batchedVfs.szOsFile = (int)sizeof(BatchedLog) + platform->szOsFile;
    batchedVfs.xOpen = batchedOpen;
    platformVfs = platform;
    return sqlite3_vfs_register(&batchedVfs, 1);
}
