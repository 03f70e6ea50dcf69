/*
 * sync: the outbox worker (protocol v1, CONTRACT.md section 5). The sync process is its own
 * program, kassa-sync (src/sync/ but sync-client.c), the only one of the till's that links
 * libcurl and jansson; the till links only sync-client.c (start it, read its state).
 */
#ifndef KASSA_SYNC_H
#define KASSA_SYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "kerr.h"
#include "store.h"
#include "worker.h"

/* What the status bar shows, parsed from the sync worker's status lines. */
struct sync_status {
	bool configured;          /* [sync] url is set */
	bool online;              /* the last exchange with the hub worked */
	int64_t pending;          /* events waiting */
	int64_t rejected;
	int64_t oldest_age_s;     /* age of the oldest pending event */
	bool halted;              /* the hub refused the chain (409): pushing stopped until
	                           * `kassa sync --retry-rejected` */
	char last_error[256];     /* escaped for a terminal (termsafe), as the fields below */
	char last_sync_at[32];
	char hub_reason[256];     /* the hub's words: why the chain was refused when halted, else
	                           * why the first rejected event was ("" for none) */
	/* [fiscal] documents (fiscal.h), from the fiscal sender's lines */
	int64_t fiscal_pending;
	int64_t fiscal_rejected;
	int64_t fiscal_oldest_age_s;
	char fiscal_error[256];
};

/* Whether the till starts the sync process: [sync] url is set, or [fiscal] mode = http. */
bool sync_wanted(const struct config *cfg);

/* The foreground loop (`kassa sync`), or one push and pull (`kassa sync --once`, returns 0 only
 * when nothing is left pending). */
int sync_run(const struct config *cfg, const char *db_path, bool once, int verbose);

/* `kassa-sync --worker`: the loop of the till's sync process, started by sync_spawn with the
 * wake pipe on WORKER_WAKE_FD and the status pipe on WORKER_STATUS_FD (worker.h). */
int sync_worker(const struct config *cfg, const char *db_path, int wake_fd, int status_fd);

/* The path of the kassa-sync program into buf: beside this program when it is there (0), else
 * the bare name for a PATH search (-1). */
int sync_program(char *buf, size_t size);

/* The till: starts the sync process as a worker (only when cfg->sync_url is set): the
 * kassa-sync program as `kassa-sync -d DB [-c CONF] --worker`, a fresh process. */
int sync_spawn(struct worker *w, const struct config *cfg, const char *db_path,
    struct kerr *err);

/* The till: folds one status line from the sync worker into *st. */
void sync_status_update(struct sync_status *st, const char *line);

/*
 * A queue the sync process sends upstream, kept in the till's database: each row pending or
 * rejected (refused by the server, kept, not resent by itself), and a halt, the reason sending
 * stopped for the whole queue (kept in meta, so a restart does not resume it). The upstream
 * events (CONTRACT.md section 5) are sync_queue_events; a fiscal documents queue (section 8)
 * adds a descriptor of its own to sync_queues[] and shares every function below.
 */
struct sync_queue {
	const char *name;           /* what the messages call its rows: "events" */
	const char *retry_sql;      /* puts every rejected row back to pending */
	const char *rejected_sql;   /* the rejected rows, oldest first: seq, id, error; ?1 limit */
	const char *halt_key;       /* the meta key of the halt's reason */
	const char *last_error_key; /* the meta key of its sender's last error */
	const char *json_rejected;  /* where `kassa status --json` lists them: "$.rejected" */
	const char *json_halted;    /* ... and the halt: "$.sync_halted" (null when none) */
};
extern const struct sync_queue sync_queue_events;
extern const struct sync_queue sync_queue_fiscal;      /* [fiscal] documents (fiscal.h) */
extern const struct sync_queue *const sync_queues[];   /* every queue, NULL-terminated */

/* How many rejected rows `kassa status` and the status bar show: the first ones. */
#define SYNC_REJECTED_SHOWN 10

/* One rejected row: its seq, id and the server's reason (raw: termsafe before printing). */
struct sync_rejected {
	int64_t seq;
	char id[40];
	char error[256];
};

/* Up to max rejected rows of q, oldest first, into out; *n how many. 0, or -1 with err. */
int sync_queue_rejected(store *st, const struct sync_queue *q, struct sync_rejected *out,
    int max, int *n, struct kerr *err);

/* Why q's sending stopped (malloc'd, caller frees), or NULL when it has not. */
char *sync_queue_halted(store *st, const struct sync_queue *q);

/* Stops q's sending with why (kept in meta until sync_queue_retry). */
int sync_queue_halt(store *st, const struct sync_queue *q, const char *why, struct kerr *err);

/* `kassa sync --retry-rejected`, for whoever fixed the cause: every rejected row of q is
 * pending again (*count of them) and the halt is lifted (*was_halted when there was one), in
 * one transaction. The sync process sends them at its next try. */
int sync_queue_retry(store *st, const struct sync_queue *q, int64_t *count, bool *was_halted,
    struct kerr *err);

/* doc (a JSON object, `kassa status --json`) with every queue's rejected rows (the first
 * SYNC_REJECTED_SHOWN, as [{seq, id, error}]) and halt added. Caller frees; NULL with err. */
char *sync_queue_status_json(store *st, const char *doc, struct kerr *err);

#endif
