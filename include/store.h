/*
 * store: the SQLite file underneath the core.
 *
 * One database file per till, WAL, synchronous=FULL (a completed sale survives a power cut),
 * foreign keys on, a busy timeout so a locked database is waited for. The file is created with
 * mode 0600. The schema (schema.sql) is embedded at build time and applied to a new file;
 * older files are migrated forward by version.
 *
 * Only the core (src/core) and sync (src/sync) use store_db(); the UI and the command line call
 * core functions. A store never crosses fork(): a child process opens its own.
 */
#ifndef KASSA_STORE_H
#define KASSA_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "kerr.h"

typedef struct store store;
struct sqlite3;

enum store_flags {
	STORE_CREATE = 1 << 0,   /* create the file (0600) and apply the schema if missing */
	STORE_READONLY = 1 << 1, /* open read-only (reports, status) */
	STORE_SMALL_CACHE = 1 << 2, /* a 256 KiB page cache, not SQLite's 2 MiB: for a process
	                            * that reads its rows once, in order (the sync process) */
	STORE_TILL = 1 << 3        /* the till's connection: its commits do not checkpoint the
	                            * WAL (see store_checkpoint_idle) */
};

/* Opens (and when STORE_CREATE, creates) the database. NULL with err on failure: the message
 * names the path. The caller frees with store_close(). */
store *store_open(const char *path, int flags, struct kerr *err);
void store_close(store *st);

/*
 * Checkpoints for a store opened with STORE_TILL (issue 17): a commit of the till never copies
 * the WAL into the database (on an SD card that stalled the scan that crossed SQLite's 1000
 * pages by 40-70 ms). The till calls this from its tick, when nobody has typed for a second:
 * once the WAL holds 1000 pages, or whatever it holds after 30 quiet ticks, it asks the
 * store's checkpointer thread (its own connection, started by store_open and stopped by
 * store_close) for a PASSIVE checkpoint, which never waits for a lock and never blocks a
 * writer, and returns at once. Returns the pages the last finished checkpoint copied (0 when
 * none finished since the last call, or another process held the checkpoint lock), or -1 with
 * err (KERR_IO) when the last one failed. Without the thread (pthread_create failed) it
 * checkpoints in the call itself. A till that is never idle still checkpoints in a commit once
 * its WAL reaches ~80 MB, and the WAL file is cut back to 4 MiB when it starts over, so the WAL
 * stays bounded.
 */
int store_checkpoint_idle(store *st, struct kerr *err);

/*
 * products.stock is the sum of the stock moves up to a mark (meta 'stock_folded'); the moves
 * after it are folded in by the till's checkpointer when it is idle (stock_on_hand() in
 * stock.h adds them). This folds every move now, inside the caller's transaction (the
 * import, after its counts; the tests). 0, or -1 with err.
 */
int store_fold_stock(store *st, struct kerr *err);

/* STORE_TILL, for the bench and the tests: whether the checkpointer has been asked and not yet
 * finished, and the pages in the WAL after this connection's last commit. */
bool store_checkpoint_pending(store *st);
int store_wal_pages(store *st);

/* The path the store was opened with (owned by st). */
const char *store_path(const store *st);

/* The underlying connection, for the core and sync only (owned by st). */
struct sqlite3 *store_db(store *st);

/* The schema version compiled in, and the embedded schema text. */
int store_schema_version(void);
const char *store_schema_sql(void);

/*
 * Transactions. store_begin() starts BEGIN IMMEDIATE (writers take the lock up front, so a busy
 * database is waited for at the start, never half-way). Nesting is not supported: the core
 * function that owns a unit of work begins and ends it. store_commit() returns -1 with err
 * (KERR_IO for a full disk, KERR_BUSY) and then the transaction has been rolled back.
 */
int store_begin(store *st, struct kerr *err);
int store_commit(store *st, struct kerr *err);
void store_rollback(store *st);
bool store_in_tx(store *st);

/* Maps the connection's last error to a kerr: SQLITE_FULL -> KERR_IO "disk full", BUSY ->
 * KERR_BUSY, CONSTRAINT -> KERR_INPUT, others KERR_IO. what says what was being done
 * ("saving the sale"), marked N_() so the message is translated whole. Returns -1. */
int store_error(store *st, struct kerr *err, const char *what);

/*
 * Prepared statements kept for the life of the store, for hot paths (a scan, a sale, an import
 * row). sql must be a string literal or other storage that lives as long as st: the cache is
 * keyed by its address. Returns a statement ready to bind (reset, bindings cleared), owned by
 * st; call store_release() when done with it so it holds no read lock. NULL on a prepare error
 * (then store_error() says why).
 */
struct sqlite3_stmt *store_cached(store *st, const char *sql);
void store_release(struct sqlite3_stmt *q);

/* meta table. store_meta_get returns a malloc'd string (caller frees) or NULL if absent. */
char *store_meta_get(store *st, const char *key);
int store_meta_set(store *st, const char *key, const char *value, struct kerr *err);
int64_t store_meta_get_int(store *st, const char *key, int64_t dflt);
int store_meta_set_int(store *st, const char *key, int64_t value, struct kerr *err);

/* The current time as RFC 3339 UTC with milliseconds, into buf (at least 25 bytes). Always
 * the system clock in the programs (tests of the real binaries use libfaketime). */
char *store_now(char *buf, int size);

/* For unit tests only: fixes what store_now gives in this process to at (canonical RFC 3339
 * UTC; NULL or "": the system clock again). No program calls it, and nothing outside the
 * process (no environment variable) can set it. */
void store_fix_clock(const char *at);

/* A fresh random UUID (libuuid), lower case, into buf (at least 37 bytes). */
char *store_uuid(char *buf);

#endif
