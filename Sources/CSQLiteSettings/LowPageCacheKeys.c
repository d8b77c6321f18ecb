#include <sqlite3.h>
#include <stdatomic.h>

#include "CSQLiteSettings.h"

// SQLite's page cache over its default one, with a single difference: the page number SQLite
// borrows as a temporary name is filed under key 0 instead.
//
// When a B-tree balance renumbers its new pages into ascending order, it swaps two pages' numbers
// through a temporary one: the page at the locking byte (1 GiB), which no real page can have
// (page 262,145 with 4 KiB pages). The default cache remembers the largest key it ever held until
// a truncation below it, and the pager truncates the cache to the database's size at every commit;
// with a key that far above the database, the truncation walks the whole cache's hash table. With
// the writer's cache of 16,384 pages, that walk cost most commits after a balance several hundred
// microseconds (6 % of the server's samples at 10,000 events/s; BENCHMARKS.md §5).
//
// Page 0 does not exist, so key 0 is free for the temporary name: it is used for every call that
// names the temporary page (fetch and move, both ways), so the default cache sees consistent keys,
// and its largest key stays within the database.

typedef struct LowKeyCache {
    sqlite3_pcache *platform;
    /// The page at the locking byte for this cache's page size.
    unsigned temporaryKey;
} LowKeyCache;

static sqlite3_pcache_methods2 defaultMethods;
static atomic_ullong temporaryMoves;

static unsigned lowered(const LowKeyCache *cache, unsigned key) {
    return key == cache->temporaryKey ? 0 : key;
}

static int cacheInit(void *argument) {
    (void)argument;
    return defaultMethods.xInit(defaultMethods.pArg);
}

static void cacheShutdown(void *argument) {
    (void)argument;
    if (defaultMethods.xShutdown) defaultMethods.xShutdown(defaultMethods.pArg);
}

static sqlite3_pcache *cacheCreate(int pageSize, int extraSize, int purgeable) {
    LowKeyCache *cache = sqlite3_malloc(sizeof(LowKeyCache));
    if (cache == NULL) return NULL;
    cache->platform = defaultMethods.xCreate(pageSize, extraSize, purgeable);
    if (cache->platform == NULL) {
        sqlite3_free(cache);
        return NULL;
    }
    // SQLite's PENDING_BYTE, which only its test builds change.
    cache->temporaryKey = 0x40000000u / (unsigned)pageSize + 1;
    return (sqlite3_pcache *)cache;
}

static void cacheSize(sqlite3_pcache *cache, int pages) {
    defaultMethods.xCachesize(((LowKeyCache *)cache)->platform, pages);
}

static int cachePageCount(sqlite3_pcache *cache) {
    return defaultMethods.xPagecount(((LowKeyCache *)cache)->platform);
}

static sqlite3_pcache_page *cacheFetch(sqlite3_pcache *cache, unsigned key, int create) {
    LowKeyCache *lowKeys = (LowKeyCache *)cache;
    return defaultMethods.xFetch(lowKeys->platform, lowered(lowKeys, key), create);
}

static void cacheUnpin(sqlite3_pcache *cache, sqlite3_pcache_page *page, int discard) {
    defaultMethods.xUnpin(((LowKeyCache *)cache)->platform, page, discard);
}

static void cacheRekey(sqlite3_pcache *cache, sqlite3_pcache_page *page, unsigned oldKey, unsigned newKey) {
    LowKeyCache *lowKeys = (LowKeyCache *)cache;
    if (newKey == lowKeys->temporaryKey) atomic_fetch_add_explicit(&temporaryMoves, 1, memory_order_relaxed);
    defaultMethods.xRekey(lowKeys->platform, page, lowered(lowKeys, oldKey), lowered(lowKeys, newKey));
}

static void cacheTruncate(sqlite3_pcache *cache, unsigned limit) {
    defaultMethods.xTruncate(((LowKeyCache *)cache)->platform, limit);
}

static void cacheDestroy(sqlite3_pcache *cache) {
    LowKeyCache *lowKeys = (LowKeyCache *)cache;
    defaultMethods.xDestroy(lowKeys->platform);
    sqlite3_free(lowKeys);
}

static void cacheShrink(sqlite3_pcache *cache) {
    defaultMethods.xShrink(((LowKeyCache *)cache)->platform);
}

int patron_sqlite_keep_page_cache_keys_low(void) {
    if (defaultMethods.xCreate != NULL) return SQLITE_OK;
    sqlite3_pcache_methods2 platform;
    int rc = sqlite3_config(SQLITE_CONFIG_GETPCACHE2, &platform);
    if (rc != SQLITE_OK) return rc;
    if (platform.xShrink == NULL) return SQLITE_MISUSE;
    defaultMethods = platform;
    static const sqlite3_pcache_methods2 lowKeyMethods = {
        .iVersion = 2,
        .pArg = NULL,
        .xInit = cacheInit,
        .xShutdown = cacheShutdown,
        .xCreate = cacheCreate,
        .xCachesize = cacheSize,
        .xPagecount = cachePageCount,
        .xFetch = cacheFetch,
        .xUnpin = cacheUnpin,
        .xRekey = cacheRekey,
        .xTruncate = cacheTruncate,
        .xDestroy = cacheDestroy,
        .xShrink = cacheShrink,
    };
    rc = sqlite3_config(SQLITE_CONFIG_PCACHE2, &lowKeyMethods);
    if (rc != SQLITE_OK) defaultMethods.xCreate = NULL;
    return rc;
}

unsigned long long patron_sqlite_temporary_page_moves(void) {
    return atomic_load_explicit(&temporaryMoves, memory_order_relaxed);
}
