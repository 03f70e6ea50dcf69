/*
 * stock: goods received, adjustments, stock-takes, low stock, other branches' stock, and the
 * check that rebuilds stock from the events (include/stock.h says the rules).
 *
 * Every change here follows one pattern, inside one transaction: the event(s) with their
 * outbox rows, the moves in stock_moves (written after a mark, the last move's id), then
 * stock_flag_low() looks at the moves after the mark for thresholds crossed. Nothing here
 * writes products.stock: the till's checkpointer folds the moves into it (store_fold_stock,
 * store.h), and stock on hand is products.stock plus the moves not folded yet
 * (STOCK_ON_HAND_SQL, core-int.h). So the moves are the truth; `kassa journal verify`
 * (journal_reconcile, journal-verify.c) rebuilds stock from the events and compares.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "core-int.h"
#include "i18n.h"
#include "journal.h"
#include "stock-csv.h"
#include "stock.h"
#include "xalloc.h"

/* Stock on hand of the products row p, for the SQL below: core-int.h's one definition. */
#define ON_HAND(p) STOCK_ON_HAND_SQL(p)

static const char saving[] = N_("saving stock");

/* The shop's name (kassa init --store) in the stock events, so the hub can name the branch
 * when it publishes this till's stock to the others. */
#define BRANCH "(SELECT value FROM meta WHERE key = 'store')"

/* ---- stock on hand ------------------------------------------------------------------------ */

int
stock_on_hand(store *st, int64_t product_id, qty_t *qty, struct kerr *err)
{
	sqlite3_stmt *q;
	int rc;

	if (core_prepare(st, "SELECT " ON_HAND("p") " FROM products p WHERE p.id = ?1", &q, err,
	    N_("reading stock")) == -1)
		return -1;
	sqlite3_bind_int64(q, 1, product_id);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		*qty = sqlite3_column_int64(q, 0);
	core_release(q);
	if (rc == SQLITE_DONE)
		return kerr_set(err, KERR_NOTFOUND, _("no product %lld"), (long long)product_id);
	if (rc != SQLITE_ROW)
		return store_error(st, err, N_("reading stock"));
	return 0;
}

int
stock_last_move(store *st, int64_t *id, struct kerr *err)
{
	sqlite3_stmt *q;
	int rc;

	if (core_prepare(st, "SELECT coalesce(max(id), 0) FROM stock_moves", &q, err,
	    N_("reading stock")) == -1)
		return -1;
	rc = sqlite3_step(q);
	*id = rc == SQLITE_ROW ? sqlite3_column_int64(q, 0) : 0;
	core_release(q);
	if (rc != SQLITE_ROW)
		return store_error(st, err, N_("reading stock"));
	return 0;
}

int
stock_flag_low(store *st, int64_t after_move, int64_t sale_id, struct kerr *err)
{
	sqlite3_stmt *q;
	int64_t *ids = NULL;
	size_t n = 0, cap = 0;
	int rc;

	/* On hand is STOCK_ON_HAND_SQL summed in the same pass: products.stock plus each move
	 * after the fold's mark (m.u), beside the moves after after_move (m.d). ON_HAND per
	 * product would scan the unfolded moves once per product: a delivery of 200 000 lines
	 * over 20 000 products took minutes. */
	if (core_prepare(st, "WITH f(mark) AS (SELECT (SELECT CAST(value AS INTEGER) FROM meta "
	    "WHERE key = 'stock_folded')), m AS (SELECT product_id, sum(CASE WHEN id > ?1 THEN qty "
	    "ELSE 0 END) AS d, sum(CASE WHEN id > (SELECT mark FROM f) THEN qty ELSE 0 END) AS u "
	    "FROM stock_moves WHERE id > min(?1, coalesce((SELECT mark FROM f), ?1)) GROUP BY "
	    "product_id) SELECT p.id FROM m JOIN products p ON p.id = m.product_id WHERE "
	    "p.stock + m.u <= p.min_stock AND p.stock + m.u - m.d > p.min_stock ORDER BY p.id",
	    &q, err, N_("checking stock")) == -1)
		return -1;
	sqlite3_bind_int64(q, 1, after_move);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			ids = xreallocarray(ids, cap, sizeof *ids);
		}
		ids[n++] = sqlite3_column_int64(q, 0);
	}
	core_release(q);
	if (rc != SQLITE_DONE) {
		free(ids);
		return store_error(st, err, N_("checking stock"));
	}
	for (size_t i = 0; i < n; i++) {
		/* Keys in sorted order: canonical JSON (journal.h). */
		if (journal_append_bind(st, "stock.low", "SELECT json_object('barcode', (SELECT "
		    "min(code) FROM barcodes WHERE product_id = p.id), 'branch', " BRANCH ", 'min', "
		    "p.min_stock, 'name', "
		    "p.name, 'product_id', p.id, 'sale', (SELECT uuid FROM sales WHERE id = ?2), "
		    "'sku', p.sku, 'stock', " ON_HAND("p") ") FROM products p WHERE p.id = ?1",
		    ids[i], sale_id, 0, NULL, NULL, err) == -1) {
			free(ids);
			return -1;
		}
	}
	free(ids);
	return 0;
}

/* A product sold by the piece moves in whole pieces. */
static int
whole_units(const struct product *p, qty_t qty, struct kerr *err)
{
	if (!p->by_weight && qty % 1000 != 0)
		return kerr_set(err, KERR_INPUT, _("%s is sold by the piece: a whole number of "
		    "pieces, please"), p->name);
	return 0;
}

/* ---- adjustments -------------------------------------------------------------------------- */

static const char *const reason_names[] = { "damage", "theft", "expired", "correction" };

const char *
stock_reason_name(enum stock_reason r)
{
	if ((unsigned)r < sizeof reason_names / sizeof reason_names[0])
		return reason_names[r];
	return "correction";
}

int
stock_reason_parse(const char *s, enum stock_reason *out)
{
	for (size_t i = 0; s != NULL && i < sizeof reason_names / sizeof reason_names[0]; i++) {
		if (strcmp(s, reason_names[i]) == 0) {
			*out = (enum stock_reason)i;
			return 0;
		}
	}
	return -1;
}

/* One move of product id by qty for the event seq (reason as stock_moves allows). */
static int
add_move(store *st, int64_t product_id, qty_t qty, const char *reason, int64_t seq,
    const char *now, struct kerr *err)
{
	sqlite3_stmt *q;

	if (core_prepare(st, "INSERT INTO stock_moves(product_id, qty, reason, event_seq, at) "
	    "VALUES (?1, ?2, ?3, ?4, ?5)", &q, err, saving) == -1)
		return -1;
	sqlite3_bind_int64(q, 1, product_id);
	sqlite3_bind_int64(q, 2, qty);
	sqlite3_bind_text(q, 3, reason, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 4, seq);
	sqlite3_bind_text(q, 5, now, -1, SQLITE_STATIC);
	return core_run(st, q, err, saving);
}

/* The stock.adjusted payload, built by SQLite (canonical: keys sorted, names escaped alike)
 * into a malloc'd string; NULL with err. */
static char *
adjust_payload(store *st, int64_t product_id, qty_t delta, const struct user *u,
    const struct user *approver, enum stock_reason reason, struct kerr *err)
{
	sqlite3_stmt *q;
	char *out = NULL;

	if (core_prepare(st, "SELECT json_object('approver', (SELECT name FROM users WHERE id = "
	    "?4), 'barcode', (SELECT min(code) FROM barcodes WHERE product_id = p.id), 'branch', "
	    BRANCH ", 'delta', ?2, "
	    "'name', p.name, 'product_id', p.id, 'reason', ?5, 'sku', p.sku, 'stock', "
	    ON_HAND("p") " + ?2, 'user', (SELECT name FROM users WHERE id = ?3)) FROM products p "
	    "WHERE p.id = ?1", &q, err, saving) == -1)
		return NULL;
	sqlite3_bind_int64(q, 1, product_id);
	sqlite3_bind_int64(q, 2, delta);
	sqlite3_bind_int64(q, 3, u->id);
	if (approver != NULL && approver->id != u->id && !user_can(u, RIGHT_STOCK_ADJUST))
		sqlite3_bind_int64(q, 4, approver->id);
	else
		sqlite3_bind_null(q, 4);
	sqlite3_bind_text(q, 5, stock_reason_name(reason), -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0) != NULL)
		out = xstrdup((const char *)sqlite3_column_text(q, 0));
	else
		store_error(st, err, saving);
	core_release(q);
	return out;
}

int
stock_adjust(store *st, const struct user *u, const struct user *approver, const char *code,
    qty_t delta, enum stock_reason reason, struct product *pout, bool *denied,
    struct kerr *err)
{
	struct product p;
	qty_t unused;
	int64_t mark, seq;
	char now[32], *payload;

	if (denied != NULL)
		*denied = false;
	if (delta == 0)
		return kerr_set(err, KERR_INPUT, _("an adjustment of 0 changes nothing"));
	if (catalog_lookup(st, NULL, code, &p, &unused, err) == -1 ||
	    whole_units(&p, delta, err) == -1)
		return -1;
	if (store_begin(st, err) == -1)
		return -1;
	if (core_check_right(st, u, approver, RIGHT_STOCK_ADJUST, N_("adjusting stock"), 0, denied,
	    err) == -1)
		goto fail;
	if (stock_last_move(st, &mark, err) == -1)
		goto fail;
	payload = adjust_payload(st, p.id, delta, u, approver, reason, err);
	if (payload == NULL)
		goto fail;
	if (journal_append(st, "stock.adjusted", payload, &seq, err) == -1) {
		free(payload);
		goto fail;
	}
	free(payload);
	store_now(now, sizeof now);
	if (add_move(st, p.id, delta, "adjust", seq, now, err) == -1 ||
	    stock_flag_low(st, mark, 0, err) == -1)
		goto fail;
	if (store_commit(st, err) == -1)
		return -1;
	if (pout != NULL && catalog_get(st, p.id, pout, err) == -1)
		return -1;
	return 0;
fail:
	store_rollback(st);
	return -1;
}

/* ---- receiving ---------------------------------------------------------------------------- */

static const char received_sql[] =
	"SELECT json_object('branch', " BRANCH ", 'delivery', d.uuid, 'lines', (SELECT json_group_array(json(j)) FROM "
	"(SELECT json_object('barcode', l.code, 'cost', l.cost, 'product_id', l.product_id, 'qty', "
	"l.qty, 'sku', p.sku) AS j FROM delivery_lines l JOIN products p ON p.id = l.product_id "
	"WHERE l.delivery_id = d.id AND l.lineno > (?2 - 1) * 500 AND l.lineno <= ?2 * 500 ORDER BY "
	"l.lineno)), 'number', d.number, 'part', ?2, 'parts', ?3, 'supplier', d.supplier, 'user', "
	"(SELECT name FROM users WHERE id = d.user_id)) FROM deliveries d WHERE d.id = ?1";
_Static_assert(STOCK_LINES_PER_EVENT == 500, "received_sql and counted_sql say 500");

int
stock_receive(store *st, const struct user *u, const char *supplier,
    const struct stock_line *lines, long n, struct stock_delivery_done *done,
    struct kerr *err)
{
	struct stock_delivery_done d;
	sqlite3_stmt *q;
	int64_t id, mark, number = 0, seq;
	long parts = (n + STOCK_LINES_PER_EVENT - 1) / STOCK_LINES_PER_EVENT;
	char now[32], uuid[40], sup[256] = "";
	bool nested = store_in_tx(st);

	memset(&d, 0, sizeof d);
	if (n <= 0)
		return kerr_set(err, KERR_INPUT, _("a delivery needs at least one line"));
	for (long i = 0; i < n; i++) {
		money_t c;

		if (lines[i].qty <= 0 || lines[i].cost < 0)
			return kerr_set(err, KERR_INPUT, _("line %ld: bad quantity or cost"), i + 1);
		if (!money_times_qty(lines[i].cost, lines[i].qty, &c) || c > INT64_MAX - d.cost_total)
			return kerr_set(err, KERR_INPUT, _("line %ld: the cost is too large"), i + 1);
		d.cost_total += c;
		d.qty += lines[i].qty;
	}
	if (supplier != NULL) {
		snprintf(sup, sizeof sup, "%s", supplier);
		core_name_clean(sup);
	}
	if (!nested && store_begin(st, err) == -1)
		return -1;
	store_now(now, sizeof now);
	if (stock_last_move(st, &mark, err) == -1)
		goto fail;
	if (core_prepare(st, "SELECT coalesce(max(number), 0) + 1 FROM deliveries", &q, err,
	    saving) == -1)
		goto fail;
	if (sqlite3_step(q) == SQLITE_ROW)
		number = sqlite3_column_int64(q, 0);
	core_release(q);
	if (core_prepare(st, "INSERT INTO deliveries(uuid, number, supplier, user_id, at, "
	    "cost_total) VALUES (?1, ?2, ?3, ?4, ?5, ?6)", &q, err, saving) == -1)
		goto fail;
	sqlite3_bind_text(q, 1, store_uuid(uuid), -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(q, 2, number);
	if (sup[0] != '\0')
		sqlite3_bind_text(q, 3, sup, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(q, 3);
	sqlite3_bind_int64(q, 4, u->id);
	sqlite3_bind_text(q, 5, now, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 6, d.cost_total);
	if (core_run(st, q, err, saving) == -1)
		goto fail;
	id = sqlite3_last_insert_rowid(store_db(st));
	for (long i = 0; i < n; i++) {
		if (core_prepare(st, "INSERT INTO delivery_lines(delivery_id, lineno, product_id, "
		    "code, qty, cost) VALUES (?1, ?2, ?3, ?4, ?5, ?6)", &q, err, saving) == -1)
			goto fail;
		sqlite3_bind_int64(q, 1, id);
		sqlite3_bind_int64(q, 2, i + 1);
		sqlite3_bind_int64(q, 3, lines[i].product_id);
		sqlite3_bind_text(q, 4, lines[i].barcode, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(q, 5, lines[i].qty);
		sqlite3_bind_int64(q, 6, lines[i].cost);
		if (core_run(st, q, err, saving) == -1)
			goto fail;
	}
	for (long part = 1; part <= parts; part++) {
		if (journal_append_bind(st, "stock.received", received_sql, id, part, parts, NULL,
		    &seq, err) == -1)
			goto fail;
		if (core_prepare(st, "UPDATE delivery_lines SET event_seq = ?3 WHERE delivery_id = "
		    "?1 AND lineno > (?2 - 1) * 500 AND lineno <= ?2 * 500", &q, err, saving) == -1)
			goto fail;
		sqlite3_bind_int64(q, 1, id);
		sqlite3_bind_int64(q, 2, part);
		sqlite3_bind_int64(q, 3, seq);
		if (core_run(st, q, err, saving) == -1)
			goto fail;
		if (core_prepare(st, "INSERT INTO stock_moves(product_id, qty, reason, event_seq, at) "
		    "SELECT product_id, sum(qty), 'receive', ?3, ?4 FROM delivery_lines WHERE "
		    "delivery_id = ?1 AND lineno > (?2 - 1) * 500 AND lineno <= ?2 * 500 GROUP BY "
		    "product_id", &q, err, saving) == -1)
			goto fail;
		sqlite3_bind_int64(q, 1, id);
		sqlite3_bind_int64(q, 2, part);
		sqlite3_bind_int64(q, 3, seq);
		sqlite3_bind_text(q, 4, now, -1, SQLITE_STATIC);
		if (core_run(st, q, err, saving) == -1)
			goto fail;
	}
	if (stock_flag_low(st, mark, 0, err) == -1)
		goto fail;
	if (!nested && store_commit(st, err) == -1)
		return -1;
	d.number = number;
	d.lines = n;
	if (done != NULL)
		*done = d;
	return 0;
fail:
	if (!nested)
		store_rollback(st);
	return -1;
}

/* The lines of a file, gathered until every row is known good. */
struct receive_file {
	store *st;
	struct stock_line *lines;
	long n, cap;
};

/* The product a receiving or stock-take row names; an unknown barcode is the row's fault. */
static int
row_product(store *st, const char *barcode, struct product *p, struct kerr *err)
{
	qty_t unused;

	if (catalog_lookup(st, NULL, barcode, p, &unused, err) == -1) {
		if (err->code == KERR_NOTFOUND)
			return kerr_set(err, KERR_INPUT, _("unknown barcode %s: import the product "
			    "first"), barcode);
		return -1;
	}
	return 0;
}

static int
receive_row(void *ctx, const struct csv_file *f, long line, void *data, struct kerr *err)
{
	struct receive_file *rf = ctx;
	struct stock_csv_row *row = data;
	struct product p;

	(void)f;
	(void)line;
	if (row_product(rf->st, row->barcode, &p, err) == -1)
		return -1;
	if (whole_units(&p, row->qty, err) == -1)
		return -1;
	if (rf->n == rf->cap) {
		rf->cap = rf->cap ? 2 * rf->cap : 256;
		rf->lines = xreallocarray(rf->lines, (size_t)rf->cap, sizeof *rf->lines);
	}
	memset(&rf->lines[rf->n], 0, sizeof rf->lines[rf->n]);
	rf->lines[rf->n].product_id = p.id;
	snprintf(rf->lines[rf->n].barcode, sizeof rf->lines[rf->n].barcode, "%s", row->barcode);
	rf->lines[rf->n].qty = row->qty;
	rf->lines[rf->n].cost = row->cost;
	rf->n++;
	return 0;
}

int
stock_receive_csv(store *st, const struct user *u, FILE *in, const char *name,
    const char *supplier, stock_report_fn report, void *ctx, struct stock_delivery_done *done,
    struct kerr *err)
{
	struct receive_file rf = { .st = st };
	int rc = -1;

	/* One read transaction for the look-ups, then the write: all or nothing either way. */
	if (store_begin(st, err) == -1)
		return -1;
	if (csv_read(in, name, &stock_csv_receive, receive_row, &rf, report, ctx, NULL,
	    err) == -1)
		goto out;
	if (rf.n == 0) {
		kerr_set(err, KERR_INPUT, _("%s: no lines to receive"), name);
		goto out;
	}
	if (stock_receive(st, u, supplier, rf.lines, rf.n, done, err) == -1)
		goto out;
	rc = store_commit(st, err);
out:
	if (rc == -1)
		store_rollback(st);
	free(rf.lines);
	return rc;
}

/* ---- stock-take --------------------------------------------------------------------------- */

int
stock_take_current(store *st, int64_t *take_id, char *category, size_t size,
    struct kerr *err)
{
	sqlite3_stmt *q;
	int rc;

	*take_id = 0;
	if (category != NULL && size > 0)
		category[0] = '\0';
	if (core_prepare(st, "SELECT id, category FROM stock_takes WHERE state = 'open'", &q, err,
	    N_("reading the stock-take")) == -1)
		return -1;
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		*take_id = sqlite3_column_int64(q, 0);
		if (category != NULL && size > 0)
			core_text(q, 1, category, size);
	}
	core_release(q);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_error(st, err, N_("reading the stock-take"));
	return rc == SQLITE_ROW ? 1 : 0;
}

/* Inside the caller's transaction. */
static int
take_start(store *st, const struct user *u, const char *category, int64_t *take_id,
    struct kerr *err)
{
	sqlite3_stmt *q;
	int64_t open_id, mark;
	char now[32], uuid[40];
	int rc;

	if (stock_take_current(st, &open_id, NULL, 0, err) == -1)
		return -1;
	if (open_id != 0)
		return kerr_set(err, KERR_STATE, _("a stock-take is already open: finish or cancel "
		    "it first (F12, Stock)"));
	if (category != NULL && category[0] != '\0') {
		if (core_prepare(st, "SELECT count(*) FROM products WHERE category = ?1 AND deleted "
		    "= 0", &q, err, saving) == -1)
			return -1;
		sqlite3_bind_text(q, 1, category, -1, SQLITE_TRANSIENT);
		rc = sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int(q, 0) : -1;
		core_release(q);
		if (rc < 0)
			return store_error(st, err, saving);
		if (rc == 0)
			return kerr_set(err, KERR_NOTFOUND, _("no product has the category '%s'"),
			    category);
	}
	if (stock_last_move(st, &mark, err) == -1)
		return -1;
	store_now(now, sizeof now);
	if (core_prepare(st, "INSERT INTO stock_takes(uuid, state, category, user_id, start_move, "
	    "started_at) VALUES (?1, 'open', ?2, ?3, ?4, ?5)", &q, err, saving) == -1)
		return -1;
	sqlite3_bind_text(q, 1, store_uuid(uuid), -1, SQLITE_TRANSIENT);
	if (category != NULL && category[0] != '\0')
		sqlite3_bind_text(q, 2, category, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(q, 2);
	sqlite3_bind_int64(q, 3, u->id);
	sqlite3_bind_int64(q, 4, mark);
	sqlite3_bind_text(q, 5, now, -1, SQLITE_STATIC);
	if (core_run(st, q, err, saving) == -1)
		return -1;
	*take_id = sqlite3_last_insert_rowid(store_db(st));
	return 0;
}

int
stock_take_start(store *st, const struct user *u, const char *category, int64_t *take_id,
    struct kerr *err)
{
	if (store_begin(st, err) == -1)
		return -1;
	if (take_start(st, u, category, take_id, err) == -1) {
		store_rollback(st);
		return -1;
	}
	return store_commit(st, err);
}

/*
 * Counts qty more of product p in the take (the mark: the last move now). once: a product
 * already in the take is an error (a file names each product once). Inside the caller's
 * transaction. KERR_INPUT for a product outside the take's category.
 */
static int
take_count(store *st, int64_t take_id, const struct product *p, qty_t qty, bool once,
    qty_t *counted, struct kerr *err)
{
	sqlite3_stmt *q;
	int64_t mark;
	int rc;

	if (core_prepare(st, "SELECT t.category IS NULL OR t.category = ?2, (SELECT counted FROM "
	    "stock_take_items WHERE take_id = t.id AND product_id = ?3) FROM stock_takes t WHERE "
	    "t.id = ?1 AND t.state = 'open'", &q, err, saving) == -1)
		return -1;
	sqlite3_bind_int64(q, 1, take_id);
	sqlite3_bind_text(q, 2, p->category, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(q, 3, p->id);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		bool in_scope = sqlite3_column_int(q, 0) != 0;
		bool seen = sqlite3_column_type(q, 1) != SQLITE_NULL;

		core_release(q);
		if (!in_scope)
			return kerr_set(err, KERR_INPUT, _("%s (%s) is not in the category being "
			    "counted"), p->barcode, p->name);
		if (seen && once)
			return kerr_set(err, KERR_INPUT, _("barcode %s appears earlier in the file"),
			    p->barcode);
	} else {
		core_release(q);
		if (rc == SQLITE_DONE)
			return kerr_set(err, KERR_STATE, _("no stock-take is open"));
		return store_error(st, err, saving);
	}
	if (stock_last_move(st, &mark, err) == -1)
		return -1;
	if (core_prepare(st, "INSERT INTO stock_take_items(take_id, product_id, counted, "
	    "counted_move) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (take_id, product_id) DO UPDATE SET "
	    "counted = counted + excluded.counted, counted_move = excluded.counted_move RETURNING "
	    "counted", &q, err, saving) == -1)
		return -1;
	sqlite3_bind_int64(q, 1, take_id);
	sqlite3_bind_int64(q, 2, p->id);
	sqlite3_bind_int64(q, 3, qty);
	sqlite3_bind_int64(q, 4, mark);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW && counted != NULL)
		*counted = sqlite3_column_int64(q, 0);
	if (rc == SQLITE_ROW)
		rc = sqlite3_step(q);
	core_release(q);
	if (rc != SQLITE_DONE)
		return store_error(st, err, saving);
	return 0;
}

int
stock_take_add(store *st, int64_t take_id, const char *code, qty_t qty, struct product *pout,
    qty_t *counted, struct kerr *err)
{
	struct product p;
	qty_t unused;

	if (qty < 0)
		return kerr_set(err, KERR_INPUT, _("a count cannot be negative"));
	if (catalog_lookup(st, NULL, code, &p, &unused, err) == -1 ||
	    whole_units(&p, qty, err) == -1)
		return -1;
	if (store_begin(st, err) == -1)
		return -1;
	if (take_count(st, take_id, &p, qty, false, counted, err) == -1) {
		store_rollback(st);
		return -1;
	}
	if (store_commit(st, err) == -1)
		return -1;
	if (pout != NULL)
		*pout = p;
	return 0;
}

/*
 * The take's variances, as posting makes them, into temp.take_var (n from 1, by barcode,
 * only products whose count differs), and *all = products counted (with the category's
 * uncounted ones). The moves since the take started go to temp.take_late first: few, so the
 * expected figure of each product reads only those.
 */
static int
compute_variances(store *st, int64_t take_id, long *all, struct kerr *err)
{
	sqlite3 *db = store_db(st);
	sqlite3_stmt *q;
	int rc;

	if (sqlite3_exec(db, "CREATE TEMP TABLE IF NOT EXISTS take_late(id INTEGER PRIMARY KEY, "
	    "product_id INTEGER, qty INTEGER); CREATE INDEX IF NOT EXISTS temp.take_late_product "
	    "ON take_late(product_id); CREATE TEMP TABLE IF NOT EXISTS take_var(n INTEGER PRIMARY "
	    "KEY, product_id INTEGER, barcode TEXT, counted INTEGER, expected INTEGER); DELETE FROM "
	    "temp.take_late; DELETE FROM temp.take_var;", NULL, NULL, NULL) != SQLITE_OK)
		return store_error(st, err, N_("reading the stock-take"));
	if (sqlite3_prepare_v2(db, "INSERT INTO temp.take_late(id, product_id, qty) SELECT id, "
	    "product_id, qty FROM stock_moves WHERE id > (SELECT start_move FROM stock_takes WHERE "
	    "id = ?1)", -1, &q, NULL) != SQLITE_OK)
		return store_error(st, err, N_("reading the stock-take"));
	sqlite3_bind_int64(q, 1, take_id);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return store_error(st, err, N_("reading the stock-take"));
	/* Counted products: expected when counted. With a category, the uncounted ones are
	 * counted as 0 now (no late moves). */
	if (sqlite3_prepare_v2(db, "WITH c AS ("
	    " SELECT i.product_id AS pid, i.counted AS counted, " ON_HAND("p") " - coalesce((SELECT "
	    "  sum(l.qty) FROM temp.take_late l WHERE l.product_id = i.product_id AND l.id > "
	    "  i.counted_move), 0) AS expected FROM stock_take_items i JOIN products p ON p.id = "
	    "  i.product_id WHERE i.take_id = ?1 "
	    " UNION ALL SELECT p.id, 0, " ON_HAND("p") " FROM stock_takes t JOIN products p ON "
	    "  p.category = t.category WHERE t.id = ?1 AND p.deleted = 0 AND NOT EXISTS (SELECT 1 "
	    "  FROM stock_take_items i WHERE i.take_id = ?1 AND i.product_id = p.id)) "
	    "INSERT INTO temp.take_var(product_id, barcode, counted, expected) SELECT pid, "
	    " coalesce((SELECT min(code) FROM barcodes WHERE product_id = pid), ''), counted, "
	    " expected FROM c WHERE counted <> expected ORDER BY 2, 1", -1, &q, NULL) != SQLITE_OK)
		return store_error(st, err, N_("reading the stock-take"));
	sqlite3_bind_int64(q, 1, take_id);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return store_error(st, err, N_("reading the stock-take"));
	if (sqlite3_prepare_v2(db, "SELECT (SELECT count(*) FROM stock_take_items WHERE take_id = "
	    "?1) + (SELECT count(*) FROM stock_takes t JOIN products p ON p.category = t.category "
	    "WHERE t.id = ?1 AND p.deleted = 0 AND NOT EXISTS (SELECT 1 FROM stock_take_items i "
	    "WHERE i.take_id = ?1 AND i.product_id = p.id))", -1, &q, NULL) != SQLITE_OK)
		return store_error(st, err, N_("reading the stock-take"));
	sqlite3_bind_int64(q, 1, take_id);
	*all = sqlite3_step(q) == SQLITE_ROW ? (long)sqlite3_column_int64(q, 0) : 0;
	sqlite3_finalize(q);
	return 0;
}

int
stock_take_variances(store *st, int64_t take_id, stock_variance_fn fn, void *ctx,
    long *nonzero, struct kerr *err)
{
	sqlite3_stmt *q;
	long all, n = 0;
	int rc;

	if (compute_variances(st, take_id, &all, err) == -1)
		return -1;
	if (sqlite3_prepare_v2(store_db(st), "SELECT v.product_id, v.barcode, p.name, p.unit = "
	    "'kg', v.expected, v.counted FROM temp.take_var v JOIN products p ON p.id = "
	    "v.product_id ORDER BY v.n", -1, &q, NULL) != SQLITE_OK)
		return store_error(st, err, N_("reading the stock-take"));
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct stock_variance v;

		memset(&v, 0, sizeof v);
		v.product_id = sqlite3_column_int64(q, 0);
		core_text(q, 1, v.barcode, sizeof v.barcode);
		core_text(q, 2, v.name, sizeof v.name);
		v.by_weight = sqlite3_column_int(q, 3) != 0;
		v.expected = sqlite3_column_int64(q, 4);
		v.counted = sqlite3_column_int64(q, 5);
		v.variance = v.counted - v.expected;
		n++;
		if (fn != NULL && fn(ctx, &v) == -1) {
			sqlite3_finalize(q);
			return kerr_set(err, KERR_INTERNAL, "stopped");
		}
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return store_error(st, err, N_("reading the stock-take"));
	if (nonzero != NULL)
		*nonzero = n;
	return 0;
}

static const char counted_sql[] =
	"SELECT json_object('approver', (SELECT name FROM users WHERE id = t.approver_id), "
	"'branch', " BRANCH ", 'category', t.category, 'counts', (SELECT json_group_array(json(j)) FROM (SELECT "
	"json_object('barcode', v.barcode, 'counted', v.counted, 'delta', v.counted - v.expected, "
	"'expected', v.expected, 'product_id', v.product_id, 'sku', p.sku) AS j FROM temp.take_var "
	"v JOIN products p ON p.id = v.product_id WHERE v.n > (?2 - 1) * 500 AND v.n <= ?2 * 500 "
	"ORDER BY v.n)), 'id', t.uuid, 'part', ?2, 'parts', ?3, 'source', 'count', 'user', (SELECT "
	"name FROM users WHERE id = t.posted_by)) FROM stock_takes t WHERE t.id = ?1";

/* Posting, inside the caller's transaction. */
static int
take_post(store *st, int64_t take_id, const struct user *u, const struct user *approver,
    struct stock_take_done *done, bool *denied, struct kerr *err)
{
	struct stock_take_done d;
	sqlite3_stmt *q;
	int64_t mark, seq, changed = 0;
	long parts;
	char now[32];
	int rc;

	memset(&d, 0, sizeof d);
	if (core_check_right(st, u, approver, RIGHT_STOCK_ADJUST, N_("posting a stock-take"), 0,
	    denied, err) == -1)
		return -1;
	if (stock_last_move(st, &mark, err) == -1 || compute_variances(st, take_id, &d.counted,
	    err) == -1)
		return -1;
	store_now(now, sizeof now);
	if (core_prepare(st, "UPDATE stock_takes SET state = 'posted', posted_at = ?2, posted_by = "
	    "?3, approver_id = ?4 WHERE id = ?1 AND state = 'open'", &q, err, saving) == -1)
		return -1;
	sqlite3_bind_int64(q, 1, take_id);
	sqlite3_bind_text(q, 2, now, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, u->id);
	if (approver != NULL && !user_can(u, RIGHT_STOCK_ADJUST))
		sqlite3_bind_int64(q, 4, approver->id);
	else
		sqlite3_bind_null(q, 4);
	if (core_run(st, q, err, saving) == -1)
		return -1;
	if (sqlite3_changes(store_db(st)) != 1)
		return kerr_set(err, KERR_STATE, _("no stock-take is open"));
	/* The category's uncounted products are on the record as counted 0. */
	if (sqlite3_prepare_v2(store_db(st), "INSERT INTO stock_take_items(take_id, product_id, "
	    "counted, counted_move) SELECT ?1, p.id, 0, ?2 FROM stock_takes t JOIN products p ON "
	    "p.category = t.category WHERE t.id = ?1 AND p.deleted = 0 AND NOT EXISTS (SELECT 1 "
	    "FROM stock_take_items i WHERE i.take_id = ?1 AND i.product_id = p.id)", -1, &q, NULL)
	    != SQLITE_OK)
		return store_error(st, err, saving);
	sqlite3_bind_int64(q, 1, take_id);
	sqlite3_bind_int64(q, 2, mark);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return store_error(st, err, saving);
	if (sqlite3_prepare_v2(store_db(st), "SELECT count(*), coalesce(sum(max(counted - "
	    "expected, 0)), 0), coalesce(sum(max(expected - counted, 0)), 0) FROM temp.take_var",
	    -1, &q, NULL) != SQLITE_OK)
		return store_error(st, err, saving);
	if (sqlite3_step(q) == SQLITE_ROW) {
		changed = sqlite3_column_int64(q, 0);
		d.gain = sqlite3_column_int64(q, 1);
		d.loss = sqlite3_column_int64(q, 2);
	}
	sqlite3_finalize(q);
	d.changed = (long)changed;
	parts = (d.changed + STOCK_LINES_PER_EVENT - 1) / STOCK_LINES_PER_EVENT;
	for (long part = 1; part <= parts; part++) {
		if (journal_append_bind(st, "stock.counted", counted_sql, take_id, part, parts, NULL,
		    &seq, err) == -1)
			return -1;
		if (core_prepare(st, "INSERT INTO stock_moves(product_id, qty, reason, event_seq, at) "
		    "SELECT product_id, counted - expected, 'count', ?2, ?3 FROM temp.take_var WHERE "
		    "n > (?1 - 1) * 500 AND n <= ?1 * 500 ORDER BY n", &q, err, saving) == -1)
			return -1;
		sqlite3_bind_int64(q, 1, part);
		sqlite3_bind_int64(q, 2, seq);
		sqlite3_bind_text(q, 3, now, -1, SQLITE_STATIC);
		if (core_run(st, q, err, saving) == -1)
			return -1;
	}
	if (stock_flag_low(st, mark, 0, err) == -1)
		return -1;
	if (done != NULL)
		*done = d;
	return 0;
}

int
stock_take_post(store *st, int64_t take_id, const struct user *u,
    const struct user *approver, struct stock_take_done *done, bool *denied,
    struct kerr *err)
{
	if (denied != NULL)
		*denied = false;
	if (store_begin(st, err) == -1)
		return -1;
	if (take_post(st, take_id, u, approver, done, denied, err) == -1) {
		store_rollback(st);
		return -1;
	}
	return store_commit(st, err);
}

int
stock_take_cancel(store *st, int64_t take_id, struct kerr *err)
{
	sqlite3_stmt *q;

	if (core_prepare(st, "UPDATE stock_takes SET state = 'cancelled' WHERE id = ?1 AND state = "
	    "'open'", &q, err, saving) == -1)
		return -1;
	sqlite3_bind_int64(q, 1, take_id);
	if (core_run(st, q, err, saving) == -1)
		return -1;
	if (sqlite3_changes(store_db(st)) != 1)
		return kerr_set(err, KERR_STATE, _("no stock-take is open"));
	return 0;
}

struct count_file {
	store *st;
	int64_t take_id;
};

static int
count_row(void *ctx, const struct csv_file *f, long line, void *data, struct kerr *err)
{
	struct count_file *cf = ctx;
	struct stock_csv_row *row = data;
	struct product p;

	(void)f;
	(void)line;
	if (row_product(cf->st, row->barcode, &p, err) == -1)
		return -1;
	snprintf(p.barcode, sizeof p.barcode, "%s", row->barcode);
	if (whole_units(&p, row->qty, err) == -1)
		return -1;
	return take_count(cf->st, cf->take_id, &p, row->qty, true, NULL, err);
}

int
stock_count_csv(store *st, const struct user *u, FILE *in, const char *name,
    const char *category, stock_report_fn report, void *ctx, struct stock_take_done *done,
    struct kerr *err)
{
	struct count_file cf = { .st = st };
	bool denied = false;

	/* The right first: a file of 20 000 rows is not read to be refused at the end. */
	if (!user_can(u, RIGHT_STOCK_ADJUST))
		return kerr_set(err, KERR_DENIED, _("%s needs a manager's approval"),
		    _("posting a stock-take"));
	if (store_begin(st, err) == -1)
		return -1;
	if (take_start(st, u, category, &cf.take_id, err) == -1 ||
	    csv_read(in, name, &stock_csv_count, count_row, &cf, report, ctx, NULL, err) == -1 ||
	    take_post(st, cf.take_id, u, NULL, done, &denied, err) == -1) {
		store_rollback(st);
		return -1;
	}
	return store_commit(st, err);
}

/* ---- listing ------------------------------------------------------------------------------ */

int
stock_list(store *st, bool low_only, stock_item_fn fn, void *ctx, struct kerr *err)
{
	sqlite3_stmt *q;
	int rc;

	if (sqlite3_prepare_v2(store_db(st), "SELECT p.id, coalesce((SELECT min(code) FROM barcodes "
	    "WHERE product_id = p.id), ''), p.name, coalesce(p.category, ''), p.unit = 'kg', "
	    ON_HAND("p") ", p.min_stock FROM products p WHERE p.deleted = 0 AND (?1 = 0 OR "
	    ON_HAND("p") " <= p.min_stock) ORDER BY p.name, p.id", -1, &q, NULL) != SQLITE_OK)
		return store_error(st, err, N_("reading stock"));
	sqlite3_bind_int(q, 1, low_only ? 1 : 0);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct stock_item it;

		memset(&it, 0, sizeof it);
		it.product_id = sqlite3_column_int64(q, 0);
		core_text(q, 1, it.barcode, sizeof it.barcode);
		core_text(q, 2, it.name, sizeof it.name);
		core_text(q, 3, it.category, sizeof it.category);
		it.by_weight = sqlite3_column_int(q, 4) != 0;
		it.qty = sqlite3_column_int64(q, 5);
		it.min = sqlite3_column_int64(q, 6);
		if (fn(ctx, &it) == -1) {
			sqlite3_finalize(q);
			return kerr_set(err, KERR_INTERNAL, "stopped");
		}
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return store_error(st, err, N_("reading stock"));
	return 0;
}

char *
stock_list_json(store *st, bool low_only, struct kerr *err)
{
	sqlite3_stmt *q;
	char *out = NULL;

	if (sqlite3_prepare_v2(store_db(st), "SELECT coalesce(json_group_array(json(j)), '[]') FROM "
	    "(SELECT json_object('barcode', b.code, 'branches', (SELECT json_group_array(json_object("
	    "'branch', r.branch, 'qty', r.qty)) FROM remote_stock r WHERE r.barcode = b.code), "
	    "'category', p.category, 'low', json(CASE WHEN " ON_HAND("p") " <= p.min_stock THEN "
	    "'true' ELSE 'false' END), 'min', p.min_stock, 'name', p.name, 'qty', " ON_HAND("p")
	    ") AS j FROM products p LEFT JOIN barcodes b ON b.code = (SELECT min(code) FROM barcodes "
	    "WHERE product_id = p.id) WHERE p.deleted = 0 AND (?1 = 0 OR " ON_HAND("p") " <= "
	    "p.min_stock) ORDER BY p.name, p.id)", -1, &q, NULL) != SQLITE_OK) {
		store_error(st, err, N_("reading stock"));
		return NULL;
	}
	sqlite3_bind_int(q, 1, low_only ? 1 : 0);
	if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0) != NULL)
		out = xstrdup((const char *)sqlite3_column_text(q, 0));
	else
		store_error(st, err, N_("reading stock"));
	sqlite3_finalize(q);
	return out;
}

/* ---- other branches ----------------------------------------------------------------------- */

int
stock_remote_list(store *st, const char *barcode, stock_remote_fn fn, void *ctx,
    struct kerr *err)
{
	sqlite3_stmt *q;
	int rc;

	if (core_prepare(st, "SELECT branch, qty, updated_at FROM remote_stock WHERE barcode = ?1 "
	    "ORDER BY branch, key", &q, err, N_("reading stock")) == -1)
		return -1;
	sqlite3_bind_text(q, 1, barcode, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct stock_remote r;

		memset(&r, 0, sizeof r);
		core_text(q, 0, r.branch, sizeof r.branch);
		r.qty = sqlite3_column_int64(q, 1);
		core_text(q, 2, r.updated_at, sizeof r.updated_at);
		if (fn(ctx, &r) == -1) {
			core_release(q);
			return kerr_set(err, KERR_INTERNAL, "stopped");
		}
	}
	core_release(q);
	if (rc != SQLITE_DONE)
		return store_error(st, err, N_("reading stock"));
	return 0;
}

int
stock_remote_set(store *st, const char *key, const char *barcode, const char *branch,
    qty_t qty, const char *updated_at, bool deleted, struct kerr *err)
{
	char name[128];
	sqlite3_stmt *q;

	if (deleted) {
		if (core_prepare(st, "DELETE FROM remote_stock WHERE key = ?1 AND updated_at <= ?2",
		    &q, err, saving) == -1)
			return -1;
		sqlite3_bind_text(q, 1, key, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(q, 2, updated_at, -1, SQLITE_TRANSIENT);
		return core_run(st, q, err, saving);
	}
	snprintf(name, sizeof name, "%s", branch);
	core_name_clean(name);
	if (name[0] == '\0' || barcode == NULL || barcode[0] == '\0')
		return kerr_set(err, KERR_INPUT, _("stock of another branch without its name or "
		    "barcode"));
	if (core_prepare(st, "INSERT INTO remote_stock(key, barcode, branch, qty, updated_at) "
	    "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (key) DO UPDATE SET barcode = "
	    "excluded.barcode, branch = excluded.branch, qty = excluded.qty, updated_at = "
	    "excluded.updated_at WHERE excluded.updated_at >= remote_stock.updated_at", &q, err,
	    saving) == -1)
		return -1;
	sqlite3_bind_text(q, 1, key, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 2, barcode, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 3, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(q, 4, qty);
	sqlite3_bind_text(q, 5, updated_at, -1, SQLITE_TRANSIENT);
	return core_run(st, q, err, saving);
}
