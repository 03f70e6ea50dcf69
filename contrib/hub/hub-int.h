/*
 * hub-int.h: what the files of kassa-hub share.
 *
 * The hub keeps its data in one SQLite file opened through the till's store (so the catalogue
 * and its CSV import are the very code the tills run) plus the hub's own tables: devices with
 * hashed tokens, and every device's events in its chain order.
 */
#ifndef KASSA_HUB_INT_H
#define KASSA_HUB_INT_H

#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "kerr.h"
#include "store.h"

/* What one request is answered: a status and a JSON body, or the connection dropped. */
struct hub_answer {
	unsigned int status;
	char *body;                  /* owned: hub_answer_clear */
	long retry_after;            /* seconds for Retry-After, 0 for none */
	bool drop;                   /* close without an answer (a test fault) */
};
/* Replaces a's body with a copy of body; returns true (so a fault can return it). */
bool hub_answer_set(struct hub_answer *a, unsigned int status, const char *body,
    long retry_after);
void hub_answer_clear(struct hub_answer *a);

/* Test-only faults (`serve --fault KIND:N`), to prove the tills cope with a bad hub. All zero
 * (no --fault) leaves every request alone. */
struct hub_faults {
	int fail503;      /* answer the next N event posts with 503 */
	int fail429;      /* ... with 429 and Retry-After: 1 */
	int badjson;      /* ... with 200 and a body that is not JSON */
	int drop;         /* store the next N batches, then close without an answer */
	int64_t reject_seq; /* reject the event with this seq (stored, marked rejected) */
};

/* hub-fault.c: the one seam of the test faults. */
enum hub_fault_stage {
	HUB_FAULT_BEFORE,            /* an event post arrived, nothing read yet: 503, 429 */
	HUB_FAULT_REPLY              /* its batch is stored, the answer is ready: drop, badjson */
};
/* Parses KIND:N into f; -1 when it is not one of the kinds. */
int hub_fault_parse(struct hub_faults *f, const char *spec);
/* When a fault fires at this stage: its answer replaces *a and true is returned. Safe from
 * every worker thread at once (the counts are taken under a lock). */
bool hub_fault_answer(struct hub_faults *f, enum hub_fault_stage stage, struct hub_answer *a);
/* The merits refusal of the event with this seq (reject:SEQ), or NULL: none. */
const char *hub_fault_verdict(const struct hub_faults *f, int64_t seq);

/* hub-fiscal.c: `kassa-hub fiscal-sim`, the fiscal gateway SIMULATOR (CONTRACT.md section 8),
 * on its own SQLite file db_path, until SIGINT or SIGTERM. 0, or -1 with err. */
int hub_fiscal_sim(const char *db_path, const char *listen_addr, struct hub_faults *faults,
    struct kerr *err);

struct pg_conn;

/*
 * The hub: settings, and one database connection. `serve` runs a pool of worker threads, each
 * with a struct hub of its own (a copy of the settings, its own connection, root pointing at
 * the process's hub); what every worker shares lives in the root only and is reached through
 * hub_root(): the faults' counts and the stop flag.
 */
struct hub {
	struct hub *root;            /* the process's hub; NULL in the root itself */
	store *st;                   /* SQLite, or NULL with pg */
	struct pg_conn *pg;          /* PGconn *, for a postgres:// --db */
	bool pg_lost;                /* a statement found the PostgreSQL connection broken */
	bool writing;                /* SQLite: holds the process's writer turn (hub_begin) */
	const char *db_path;
	struct hub_faults faults;
	/* --webhook URL: events of the types in webhook_types are forwarded there */
	const char *webhook_url;
	const char *webhook_types;   /* comma-separated, default "shift.closed" */
	pthread_t webhook_thread;
	bool webhook_running;
	/* --telegram FILE: the owner's notifications (hub-telegram.c) */
	bool tg_on;
	char tg_token[128];
	char tg_chat[64];
	char tg_api[256];            /* the Bot API's base URL, no trailing slash */
	char tg_language[4];         /* en, ru, uz */
	long tg_silent_after;        /* seconds; 0: off */
	pthread_t tg_thread;
	bool tg_running;
	volatile sig_atomic_t stopping;
	/* serve: worker threads (each with its own database connection), and connection limits */
	unsigned int threads;
	unsigned int max_connections, max_per_address;
};
/* The process's hub (h itself outside the workers). */
struct hub *hub_root(struct hub *h);

/*
 * hub-stock.c: each till's stock per product, from its accepted events (sales, returns,
 * deliveries, adjustments, counts: the payloads of docs/protocol.md), in the transaction that
 * stores the event; each product it moves becomes a change of entity "stock" in the feed (key
 * DEVICE/BARCODE, data: barcode, branch, device, qty), so the other tills can show it. An
 * event of another type is left alone. -1 with err on a database error.
 */
int hub_stock_apply(struct hub *h, const char *device, const char *type, json_t *payload,
    struct kerr *err);

/* hub-sql.c: the database, SQLite or PostgreSQL. SQL uses $1..$N; values are text. */
struct hub_rows {
	int nrows, ncols;
	char **cell;                 /* cell[row * ncols + col], NULL for SQL NULL */
};
int hub_db_connect(struct hub *h, const char *path, struct kerr *err);
void hub_db_close(struct hub *h);
int hub_sql(struct hub *h, const char *sql, int n, const char *const *params,
    struct hub_rows *out, struct kerr *err);
/* True when h talks to PostgreSQL. */
bool hub_is_pg(const struct hub *h);
/* A PostgreSQL array literal ({"a","b",NULL}) built one element at a time, for statements that
 * take a whole batch in one round trip (unnest). */
struct hub_array {
	char *s;                     /* owned: hub_array_free; "{...}" once hub_array_end ran */
	size_t len, cap;
};
void hub_array_add(struct hub_array *a, const char *v);   /* v NULL: SQL NULL */
const char *hub_array_end(struct hub_array *a);
void hub_array_free(struct hub_array *a);
/* After a failed request: true when the failure was a lost PostgreSQL connection (the server
 * restarted, say) and a new one is open, so the caller may run the request's transaction once
 * more. False for SQLite and for every other failure. */
bool hub_db_reconnected(struct hub *h);
const char *hub_cell(const struct hub_rows *r, int row, int col);
void hub_rows_free(struct hub_rows *r);
int hub_begin(struct hub *h, struct kerr *err);
int hub_commit(struct hub *h, struct kerr *err);
void hub_rollback(struct hub *h);
/* Inside a write transaction: the next catalogue change number (decimal) into buf. Numbers
 * grow in commit order whatever the clock does; /v1/changes serves changes in their order. */
int hub_next_change_seq(struct hub *h, char *buf, size_t size, struct kerr *err);
/* The last change number handed out (0 before any), read without a transaction: what the
 * changes cache compares its pages with. Every publish moves it (hub_next_change_seq), so
 * every entity of the feed must take its number there. */
int hub_change_generation(struct hub *h, int64_t *gen, struct kerr *err);

/* hub-cache.c: /v1/changes pages by request key, valid for one change generation; bounded in
 * count and bytes; safe from every worker thread. */
/* A copy of the page for key at generation gen (caller frees), or NULL. */
char *hub_cache_get(const char *key, int64_t gen);
/* Keeps a copy of body for key at gen; a newer gen drops every older page. */
void hub_cache_put(const char *key, int64_t gen, const char *body);

/* hub-log.c: messages that can come by the thousand (refused connections, libmicrohttpd's own)
 * are counted and written at most once per kind every 10 s, with how many there were. */
void hub_log_refused(void);
/* A libmicrohttpd message (MHD_OPTION_EXTERNAL_LOGGER). */
void hub_log_mhd(void *cls, const char *fmt, va_list ap);
/* Writes the counts of a period that has ended (called every few seconds by the main thread). */
void hub_log_flush(bool final);

/* hub-db.c */
/* The device a bearer token belongs to into *device (malloc'd; NULL for an unknown token).
 * Returns -1 when the database cannot be read. */
int hub_device_for_token(struct hub *h, const char *token, char **device, struct kerr *err);
int hub_token_add(struct hub *h, const char *device, char *token_out, size_t size,
    struct kerr *err);

/* hub-webhook.c: the forward queue (filled in the ingest transaction) and its sender thread */
bool hub_webhook_wants(const struct hub *h, const char *type);
int hub_webhook_queue(struct hub *h, const char *device, const char *event_id, const char *type,
    const char *payload);
int hub_webhook_start(struct hub *h, struct kerr *err);
void hub_webhook_stop(struct hub *h);

/* hub-telegram.c: the owner's notifications through Telegram's Bot API. load reads the INI
 * file of --telegram; queue is called in the ingest transaction for every accepted event (0
 * when it is not worth a message); start/stop run the sender thread. */
int hub_telegram_load(struct hub *h, const char *path, struct kerr *err);
int hub_telegram_queue(struct hub *h, const char *device, const char *event_id, const char *type,
    const char *payload, struct kerr *err);
int hub_telegram_start(struct hub *h, struct kerr *err);
void hub_telegram_stop(struct hub *h);

/* hub-report.c: `kassa-hub report [--json|--csv] [--from DATE] [--to DATE]`. */
int hub_report(struct hub *h, const char *format, const char *from, const char *to);

/* hub-canon.c: an event's payload as the canonical text it is hashed with (docs/protocol.md,
 * "Canonical JSON"): caller frees; NULL with why (a static string) when the payload has no
 * canonical form (a number that is not an integer). */
char *hub_canon_payload(json_t *payload, const char **why);

/* hub-import.c: `import products FILE` ("-" for stdin): checked as the tills check it, then
 * published as catalogue changes that carry only what the file says. */
int hub_import_products(struct hub *h, const char *file, struct kerr *err);

/* hub-customer.c: customers the tills make and the figures their events add up to. Called
 * in the ingest transaction for each event stored as accepted (any type: the others are
 * ignored). -1 only when the database fails. */
int hub_customer_event(struct hub *h, const char *device, const char *type, json_int_t seq,
    const char *payload, struct kerr *err);
/* The data of a customer's CHANGE (docs/protocol.md). New reference; NULL with err. */
json_t *hub_customer_data(struct hub *h, const char *key, struct kerr *err);

/* hub-http.c */
int hub_serve(struct hub *h, const char *listen_addr, struct kerr *err);

#endif
