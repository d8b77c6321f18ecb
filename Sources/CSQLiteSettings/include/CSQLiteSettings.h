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

/// Installs, as the process's page cache, SQLite's default one with the temporary page number of
/// B-tree balances (the page at the locking byte) filed under key 0, so that the cache's largest key
/// stays within the database and the truncation at each commit does not walk the whole cache. Call
/// before SQLite initializes (with `patron_sqlite_disable_memory_statistics`); returns SQLite's
/// result code (`SQLITE_MISUSE` once SQLite is initialized, which changes nothing).
int patron_sqlite_keep_page_cache_keys_low(void);

/// How many times, in this process, a page was moved to the temporary page number (each one a
/// truncation walk over the whole cache without `patron_sqlite_keep_page_cache_keys_low`).
unsigned long long patron_sqlite_temporary_page_moves(void);

#endif
