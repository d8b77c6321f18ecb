#ifndef CSQLITESETTINGS_H
#define CSQLITESETTINGS_H

/// Turns off SQLite's memory statistics for the process (`SQLITE_CONFIG_MEMSTATUS`), which take a
/// global mutex around every allocation SQLite makes. `sqlite3_config` is variadic, so Swift cannot
/// call it. Effective only before SQLite initializes (the first connection opened); returns
/// SQLite's result code (`SQLITE_MISUSE` once SQLite is initialized, which changes nothing).
int patron_sqlite_disable_memory_statistics(void);

/// Registers, as the process's default, a VFS that gathers the write-ahead log writes of a
/// transaction into one buffer written out at the commit (and before any other use of the log),
/// instead of two system calls per log frame. Other files are the platform's. Call after
/// `patron_sqlite_disable_memory_statistics` (registering initializes SQLite); returns SQLite's
/// result code.
int patron_sqlite_batch_log_writes(void);

#endif
