/*
 * hub-sql.c: the hub's one door to its database, SQLite (one shop, embedded) or PostgreSQL
 * through libpq (a chain, past one machine). Statements are written once with $1..$N
 * parameters, which both engines read; values go in and come out as text (NULL for SQL NULL),
 * and each engine converts them by the columns they meet.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>
#include <sqlite3.h>

#include "hub-int.h"
#include "xalloc.h"

static void
rows_add(struct hub_rows *r, int ncols, const char *const *vals)
{
	r->ncols = ncols;
	r->cell = xreallocarray(r->cell, (size_t)(r->nrows + 1) * (size_t)ncols,
	    sizeof *r->cell);
	for (int c = 0; c < ncols; c++)
		r->cell[r->nrows * ncols + c] = vals[c] != NULL ? xstrdup(vals[c]) : NULL;
	r->nrows++;
}

static int
sql_sqlite(struct hub *h, const char *sql, int n, const char *const *params,
    struct hub_rows *out, struct kerr *err)
{
	sqlite3 *db = store_db(h->st);
	sqlite3_stmt *q;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
		return store_error(h->st, err, "hub database");
	for (int i = 0; i < n; i++) {
		char name[16];
		int idx;

		snprintf(name, sizeof name, "$%d", i + 1);
		idx = sqlite3_bind_parameter_index(q, name);
		if (idx == 0)
			continue;	/* not used by this statement */
		if (params[i] != NULL)
			sqlite3_bind_text(q, idx, params[i], -1, SQLITE_STATIC);
	}
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *vals[16];
		int ncols = sqlite3_column_count(q);

		if (ncols > 16)
			ncols = 16;
		for (int c = 0; c < ncols; c++)
			vals[c] = (const char *)sqlite3_column_text(q, c);
		if (out != NULL)
			rows_add(out, ncols, vals);
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return store_error(h->st, err, "hub database");
	return 0;
}

static int
sql_pg(struct hub *h, const char *sql, int n, const char *const *params, struct hub_rows *out,
    struct kerr *err)
{
	PGresult *res = PQexecParams(h->pg, sql, n, NULL, params, NULL, NULL, 0);
	ExecStatusType st = PQresultStatus(res);

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		kerr_set(err, KERR_IO, "PostgreSQL: %s", PQresultErrorMessage(res));
		PQclear(res);
		if (PQstatus(h->pg) == CONNECTION_BAD)
			h->pg_lost = true;
		return -1;
	}
	if (out != NULL && st == PGRES_TUPLES_OK) {
		int ncols = PQnfields(res) > 16 ? 16 : PQnfields(res);

		for (int r = 0; r < PQntuples(res); r++) {
			const char *vals[16];

			for (int c = 0; c < ncols; c++)
				vals[c] = PQgetisnull(res, r, c) ? NULL : PQgetvalue(res, r, c);
			rows_add(out, ncols, vals);
		}
	}
	PQclear(res);
	return 0;
}

int
hub_sql(struct hub *h, const char *sql, int n, const char *const *params, struct hub_rows *out,
    struct kerr *err)
{
	if (out != NULL)
		memset(out, 0, sizeof *out);
	return h->pg != NULL ? sql_pg(h, sql, n, params, out, err) :
	    sql_sqlite(h, sql, n, params, out, err);
}

bool
hub_is_pg(const struct hub *h)
{
	return h->pg != NULL;
}

void
hub_array_add(struct hub_array *a, const char *v)
{
	size_t need = (v != NULL ? 2 * strlen(v) : 4) + 4;
	char sep;

	if (a->len + need + 2 > a->cap) {
		a->cap = (a->len + need + 2) * 2;
		a->s = xrealloc(a->s, a->cap);
	}
	sep = a->len == 0 ? '{' : ',';
	a->s[a->len++] = sep;
	if (v == NULL) {
		memcpy(a->s + a->len, "NULL", 4);
		a->len += 4;
		return;
	}
	/* Quoted, with " and \ escaped: any text at all is one element. */
	a->s[a->len++] = '"';
	for (; *v != '\0'; v++) {
		if (*v == '"' || *v == '\\')
			a->s[a->len++] = '\\';
		a->s[a->len++] = *v;
	}
	a->s[a->len++] = '"';
}

const char *
hub_array_end(struct hub_array *a)
{
	if (a->len == 0) {
		free(a->s);
		a->s = xstrdup("{}");
		a->len = 2;
		return a->s;
	}
	if (a->len + 2 > a->cap)
		a->s = xrealloc(a->s, a->cap = a->len + 2);
	a->s[a->len++] = '}';
	a->s[a->len] = '\0';
	return a->s;
}

void
hub_array_free(struct hub_array *a)
{
	free(a->s);
	memset(a, 0, sizeof *a);
}

/* What every new connection is set up with. */
static void
pg_session(struct hub *h)
{
	/* "already exists, skipping" is no news to an operator. */
	PQclear(PQexec(h->pg, "SET client_min_messages TO warning"));
}

bool
hub_db_reconnected(struct hub *h)
{
	if (h->pg == NULL || !h->pg_lost)
		return false;
	/* The old connection is gone and with it any transaction: nothing half-done remains. */
	PQreset(h->pg);
	if (PQstatus(h->pg) != CONNECTION_OK) {
		fprintf(stderr, "kassa-hub: reconnecting to PostgreSQL: %s", PQerrorMessage(h->pg));
		return false;	/* still lost: the next request tries again */
	}
	h->pg_lost = false;
	pg_session(h);
	fprintf(stderr, "kassa-hub: reconnected to PostgreSQL\n");
	return true;
}

const char *
hub_cell(const struct hub_rows *r, int row, int col)
{
	if (row >= r->nrows || col >= r->ncols)
		return NULL;
	return r->cell[row * r->ncols + col];
}

void
hub_rows_free(struct hub_rows *r)
{
	for (int i = 0; i < r->nrows * r->ncols; i++)
		free(r->cell[i]);
	free(r->cell);
	memset(r, 0, sizeof *r);
}

/*
 * SQLite has one writer at a time, and a connection that finds the file locked sleeps in its
 * busy handler (in steps of up to 100 ms) before it tries again: with several workers writing
 * at once, most of a batch's time went in those sleeps. The workers of one process therefore
 * queue for the write transaction on this mutex, handed over at once at COMMIT; the busy
 * timeout is left for other processes (an import) only.
 */
static pthread_mutex_t sqlite_writer = PTHREAD_MUTEX_INITIALIZER;

int
hub_begin(struct hub *h, struct kerr *err)
{
	if (h->pg != NULL)
		return hub_sql(h, "BEGIN", 0, NULL, NULL, err);
	pthread_mutex_lock(&sqlite_writer);
	h->writing = true;
	/* SQLite takes the write lock up front, so a busy file is waited for, not failed. */
	if (hub_sql(h, "BEGIN IMMEDIATE", 0, NULL, NULL, err) == -1) {
		h->writing = false;
		pthread_mutex_unlock(&sqlite_writer);
		return -1;
	}
	return 0;
}

/* The end of a write transaction, committed or not: the next worker may write. */
static void
writer_done(struct hub *h)
{
	if (!h->writing)
		return;
	h->writing = false;
	pthread_mutex_unlock(&sqlite_writer);
}

int
hub_commit(struct hub *h, struct kerr *err)
{
	if (hub_sql(h, "COMMIT", 0, NULL, NULL, err) == -1) {
		hub_rollback(h);
		return -1;
	}
	writer_done(h);
	return 0;
}

void
hub_rollback(struct hub *h)
{
	struct kerr err;

	hub_sql(h, "ROLLBACK", 0, NULL, NULL, &err);
	writer_done(h);
}

/* Each till's stock per product, kept from its stock events (hub-stock.c); data is what the
 * changes feed publishes (entity "stock"), change_seq from the same counter as the products.
 * One statement, its index inline: run at every start, it must not need the table's owner (a
 * PostgreSQL hub may run as a role that only uses the tables). */
#define HUB_STOCK_SCHEMA(bigint) \
	"CREATE TABLE IF NOT EXISTS hub_stock (device_id TEXT NOT NULL, product_id " bigint \
	"  NOT NULL, barcode TEXT, branch TEXT, qty " bigint " NOT NULL DEFAULT 0, data TEXT, " \
	"  updated_at TEXT NOT NULL, change_seq " bigint " UNIQUE, PRIMARY KEY (device_id, " \
	"  product_id));"
/* Customers (hub-customer.c): balance and points summed from every till's events, and per
 * customer the last seq of each till's events counted in them. */
#define CUSTOMERS(INT) \
	"CREATE TABLE IF NOT EXISTS hub_customers (key TEXT PRIMARY KEY, name TEXT NOT NULL, " \
	"  phone TEXT, card TEXT, credit_limit " INT " NOT NULL DEFAULT 0, updated_at TEXT NOT " \
	"  NULL, deleted INTEGER NOT NULL DEFAULT 0, balance " INT " NOT NULL DEFAULT 0, points " \
	INT " NOT NULL DEFAULT 0, balance_at TEXT, change_seq " INT " UNIQUE);" \
	"CREATE TABLE IF NOT EXISTS hub_customer_through (key TEXT NOT NULL, device_id TEXT NOT " \
	"  NULL, seq " INT " NOT NULL, PRIMARY KEY (key, device_id));"

static const char schema_sqlite[] =
	"CREATE TABLE IF NOT EXISTS hub_devices (device_id TEXT PRIMARY KEY, token_sha256 TEXT "
	"  NOT NULL UNIQUE, created_at TEXT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS hub_events (device_id TEXT NOT NULL, seq INTEGER NOT NULL,"
	"  id TEXT NOT NULL UNIQUE, type TEXT NOT NULL, at TEXT NOT NULL, payload TEXT NOT NULL,"
	"  prev_hash TEXT NOT NULL, hash TEXT NOT NULL, status TEXT NOT NULL, error TEXT,"
	"  received_at TEXT NOT NULL, PRIMARY KEY (device_id, seq));"
	"CREATE TABLE IF NOT EXISTS hub_products (id INTEGER PRIMARY KEY, barcode TEXT NOT NULL"
	"  UNIQUE, data TEXT NOT NULL, updated_at TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0,"
	"  change_seq INTEGER);"
	"CREATE TABLE IF NOT EXISTS hub_counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);"
	"CREATE TABLE IF NOT EXISTS hub_webhooks (id INTEGER PRIMARY KEY, event_id TEXT NOT NULL"
	"  UNIQUE, body TEXT NOT NULL, state TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT"
	"  NULL DEFAULT 0, next_at INTEGER NOT NULL DEFAULT 0, error TEXT, sent_at TEXT);"
	"CREATE TABLE IF NOT EXISTS hub_telegram (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE,"
	"  text TEXT NOT NULL, state TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL"
	"  DEFAULT 0, next_at INTEGER NOT NULL DEFAULT 0, error TEXT, sent_at TEXT);"
	CUSTOMERS("INTEGER")
	HUB_STOCK_SCHEMA("INTEGER");

static const char schema_pg[] =
	"CREATE TABLE IF NOT EXISTS hub_devices (device_id TEXT PRIMARY KEY, token_sha256 TEXT "
	"  NOT NULL UNIQUE, created_at TEXT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS hub_events (device_id TEXT NOT NULL, seq BIGINT NOT NULL,"
	"  id TEXT NOT NULL UNIQUE, type TEXT NOT NULL, at TEXT NOT NULL, payload TEXT NOT NULL,"
	"  prev_hash TEXT NOT NULL, hash TEXT NOT NULL, status TEXT NOT NULL, error TEXT,"
	"  received_at TEXT NOT NULL, PRIMARY KEY (device_id, seq));"
	"CREATE TABLE IF NOT EXISTS hub_products (id BIGSERIAL PRIMARY KEY, barcode TEXT NOT NULL"
	"  UNIQUE, data TEXT NOT NULL, updated_at TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0,"
	"  change_seq BIGINT);"
	"CREATE TABLE IF NOT EXISTS hub_counters (name TEXT PRIMARY KEY, value BIGINT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS hub_webhooks (id BIGSERIAL PRIMARY KEY, event_id TEXT NOT NULL"
	"  UNIQUE, body TEXT NOT NULL, state TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT"
	"  NULL DEFAULT 0, next_at BIGINT NOT NULL DEFAULT 0, error TEXT, sent_at TEXT);"
	"CREATE TABLE IF NOT EXISTS hub_telegram (id BIGSERIAL PRIMARY KEY, key TEXT NOT NULL UNIQUE,"
	"  text TEXT NOT NULL, state TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL"
	"  DEFAULT 0, next_at BIGINT NOT NULL DEFAULT 0, error TEXT, sent_at TEXT);"
	CUSTOMERS("BIGINT")
	HUB_STOCK_SCHEMA("BIGINT");

/* Runs a SELECT count(*) query: *yes when it counted more than none. */
static int
any_row(struct hub *h, const char *sql, bool *yes, struct kerr *err)
{
	struct hub_rows r;

	if (hub_sql(h, sql, 0, NULL, &r, err) == -1)
		return -1;
	*yes = hub_cell(&r, 0, 0) != NULL && atoi(hub_cell(&r, 0, 0)) > 0;
	hub_rows_free(&r);
	return 0;
}

/*
 * Schema step 2: every catalogue change carries change_seq, taken from the counter row
 * hub_counters('changes') in the writing transaction, and /v1/changes orders by it (the clock
 * that set updated_at can step back). A hub database from before it gets the column, numbered
 * in the (updated_at, id) order it was served in, and the counter. The counter row is the
 * mark that the step is done; the hub has no other schema version (its tables are created IF
 * NOT EXISTS, and PRAGMA user_version belongs to the till's store in the same SQLite file).
 */
static int
migrate_change_seq(struct hub *h, struct kerr *err)
{
	bool has_col, done;

	if (hub_begin(h, err) == -1)
		return -1;
	if (any_row(h, "SELECT count(*) FROM hub_counters WHERE name = 'changes'", &done,
	    err) == -1)
		goto fail;
	if (done)
		return hub_commit(h, err);
	if (any_row(h, h->pg != NULL ?
	    "SELECT count(*) FROM information_schema.columns WHERE table_schema = "
	    "current_schema() AND table_name = 'hub_products' AND column_name = 'change_seq'" :
	    "SELECT count(*) FROM pragma_table_info('hub_products') WHERE name = 'change_seq'",
	    &has_col, err) == -1)
		goto fail;
	if (!has_col && hub_sql(h, h->pg != NULL ?
	    "ALTER TABLE hub_products ADD COLUMN change_seq BIGINT" :
	    "ALTER TABLE hub_products ADD COLUMN change_seq INTEGER", 0, NULL, NULL, err) == -1)
		goto fail;
	if (hub_sql(h, "UPDATE hub_products SET change_seq = o.n FROM (SELECT id, row_number() "
	    "OVER (ORDER BY updated_at, id) AS n FROM hub_products) AS o WHERE hub_products.id = "
	    "o.id", 0, NULL, NULL, err) == -1 ||
	    hub_sql(h, "CREATE UNIQUE INDEX IF NOT EXISTS hub_products_seq ON "
	    "hub_products(change_seq)", 0, NULL, NULL, err) == -1 ||
	    hub_sql(h, "DROP INDEX IF EXISTS hub_products_cursor", 0, NULL, NULL, err) == -1 ||
	    hub_sql(h, "INSERT INTO hub_counters(name, value) SELECT 'changes', "
	    "COALESCE(max(change_seq), 0) FROM hub_products", 0, NULL, NULL, err) == -1)
		goto fail;
	return hub_commit(h, err);
fail:
	hub_rollback(h);
	return -1;
}

int
hub_next_change_seq(struct hub *h, char *buf, size_t size, struct kerr *err)
{
	struct hub_rows r;

	/* PostgreSQL holds the counter row's lock to COMMIT: numbers commit in their order. */
	if (hub_sql(h, "UPDATE hub_counters SET value = value + 1 WHERE name = 'changes' "
	    "RETURNING value", 0, NULL, &r, err) == -1)
		return -1;
	if (r.nrows != 1 || hub_cell(&r, 0, 0) == NULL) {
		hub_rows_free(&r);
		return kerr_set(err, KERR_INTERNAL, "the hub's change counter is missing");
	}
	snprintf(buf, size, "%s", hub_cell(&r, 0, 0));
	hub_rows_free(&r);
	return 0;
}

int
hub_change_generation(struct hub *h, int64_t *gen, struct kerr *err)
{
	struct hub_rows r;

	if (hub_sql(h, "SELECT value FROM hub_counters WHERE name = 'changes'", 0, NULL, &r,
	    err) == -1)
		return -1;
	*gen = r.nrows == 1 && hub_cell(&r, 0, 0) != NULL ? strtoll(hub_cell(&r, 0, 0), NULL, 10) :
	    0;
	hub_rows_free(&r);
	return 0;
}

int
hub_db_connect(struct hub *h, const char *path, struct kerr *err)
{
	h->pg = NULL;
	h->st = NULL;
	if (strncmp(path, "postgres://", 11) == 0 || strncmp(path, "postgresql://", 13) == 0) {
		PGresult *res;

		h->pg = PQconnectdb(path);
		if (PQstatus(h->pg) != CONNECTION_OK) {
			kerr_set(err, KERR_IO, "PostgreSQL: %s", PQerrorMessage(h->pg));
			PQfinish(h->pg);
			h->pg = NULL;
			return -1;
		}
		pg_session(h);
		/* CREATE IF NOT EXISTS is not race-free across hubs: one at a time. */
		res = PQexec(h->pg, "SELECT pg_advisory_lock(4711)");
		PQclear(res);
		res = PQexec(h->pg, schema_pg);
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			kerr_set(err, KERR_IO, "PostgreSQL: %s", PQresultErrorMessage(res));
			PQclear(res);
			return -1;
		}
		PQclear(res);
		if (migrate_change_seq(h, err) == -1)
			return -1;
		PQclear(PQexec(h->pg, "SELECT pg_advisory_unlock(4711)"));
		return 0;
	}
	h->st = store_open(path, STORE_CREATE, err);
	if (h->st == NULL)
		return -1;
	if (sqlite3_exec(store_db(h->st), schema_sqlite, NULL, NULL, NULL) != SQLITE_OK)
		return store_error(h->st, err, "creating the hub's tables");
	return migrate_change_seq(h, err);
}

void
hub_db_close(struct hub *h)
{
	if (h->pg != NULL)
		PQfinish(h->pg);
	store_close(h->st);
	h->pg = NULL;
	h->st = NULL;
}
