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
#include <stdbool.h>
#include <stdint.h>

#include "kerr.h"
#include "store.h"

/* Test-only faults (`serve --fault KIND:N`), to prove the tills cope with a bad hub. */
struct hub_faults {
	int fail503;      /* answer the next N event posts with 503 */
	int fail429;      /* ... with 429 and Retry-After: 1 */
	int badjson;      /* ... with 200 and a body that is not JSON */
	int drop;         /* store the next N batches, then close without an answer */
	int64_t reject_seq; /* reject the event with this seq (stored, marked rejected) */
};

struct pg_conn;

struct hub {
	store *st;                   /* SQLite, or NULL with pg */
	struct pg_conn *pg;          /* PGconn *, for a postgres:// --db */
	const char *db_path;
	struct hub_faults faults;
	/* --webhook URL: events of the types in webhook_types are forwarded there */
	const char *webhook_url;
	const char *webhook_types;   /* comma-separated, default "shift.closed" */
	pthread_t webhook_thread;
	bool webhook_running;
	volatile sig_atomic_t stopping;
};

/* hub-sql.c: the database, SQLite or PostgreSQL. SQL uses $1..$N; values are text. */
struct hub_rows {
	int nrows, ncols;
	char **cell;                 /* cell[row * ncols + col], NULL for SQL NULL */
};
int hub_db_connect(struct hub *h, const char *path, struct kerr *err);
void hub_db_close(struct hub *h);
int hub_sql(struct hub *h, const char *sql, int n, const char *const *params,
    struct hub_rows *out, struct kerr *err);
const char *hub_cell(const struct hub_rows *r, int row, int col);
void hub_rows_free(struct hub_rows *r);
int hub_begin(struct hub *h, struct kerr *err);
int hub_commit(struct hub *h, struct kerr *err);
void hub_rollback(struct hub *h);
/* Inside a write transaction: the next catalogue change number (decimal) into buf. Numbers
 * grow in commit order whatever the clock does; /v1/changes serves changes in their order. */
int hub_next_change_seq(struct hub *h, char *buf, size_t size, struct kerr *err);

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

/* hub-customer.c: customers the tills make and the figures their events add up to. Called
 * in the ingest transaction for each event stored as accepted (any type: the others are
 * ignored). -1 only when the database fails. */
#include <jansson.h>
int hub_customer_event(struct hub *h, const char *device, const char *type, json_int_t seq,
    const char *payload, struct kerr *err);
/* The data of a customer's CHANGE (docs/protocol.md). New reference; NULL with err. */
json_t *hub_customer_data(struct hub *h, const char *key, struct kerr *err);

/* hub-http.c */
int hub_serve(struct hub *h, const char *listen_addr, struct kerr *err);

#endif
