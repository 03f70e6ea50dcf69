/*
 * catalog-import: the product CSV import of CONTRACT.md section 3. The file is read by the
 * generic reader (csvread.c) with the column table below, whose parsers need no database; the
 * row function here writes each good row. All-or-nothing: one transaction, rolled back when
 * any row is bad, every bad row named as FILE:LINE: reason.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "catalog.h"
#include "core-int.h"
#include "csvread.h"
#include "i18n.h"
#include "journal.h"
#include "stock.h"
#include "xalloc.h"

/* ---- the columns: parsing only ---------------------------------------------------------- */

/* vat: a percent with up to 2 decimals, 0 to 100, into basis points. */
static int
parse_vat(const struct csv_column *col, const char *text, void *dst, struct kerr *err)
{
	struct kerr why;
	money_t vat;

	(void)col;
	if (money_parse(text, false, &vat, &why) == -1 || vat > 10000)
		return kerr_set(err, KERR_INPUT, "bad vat '%s': a percent from 0 to 100", text);
	*(int *)dst = (int)vat;	/* percent with 2 decimals = basis points */
	return 0;
}

static int
parse_unit(const struct csv_column *col, const char *text, void *dst, struct kerr *err)
{
	(void)col;
	if (strcmp(text, "pcs") == 0)
		*(bool *)dst = false;
	else if (strcmp(text, "kg") == 0)
		*(bool *)dst = true;
	else
		return kerr_set(err, KERR_INPUT, "bad unit '%s': pcs or kg", text);
	return 0;
}

static int
parse_plu(const struct csv_column *col, const char *text, void *dst, struct kerr *err)
{
	char *end;
	long long plu = strtoll(text, &end, 10);

	(void)col;
	if (*end != '\0' || plu <= 0 || plu > 99999999)
		return kerr_set(err, KERR_INPUT, "bad plu '%s': a weight code of up to 8 digits",
		    text);
	*(int64_t *)dst = plu;
	return 0;
}

/* A price, at most MONEY_PRICE_MAX (include/money.h, issue 9). */
static int
parse_price(const struct csv_column *col, const char *text, void *dst, struct kerr *err)
{
	char m[48];

	if (csv_money(col, text, dst, err) == -1)
		return -1;
	if (*(money_t *)dst > MONEY_PRICE_MAX)
		return kerr_set(err, KERR_INPUT, "price too large (at most %s)",
		    money_format(MONEY_PRICE_MAX, m, sizeof m));
	return 0;
}

static void
product_defaults(void *row)
{
	((struct catalog_csv_row *)row)->p.vat_bp = 1200;
}

#define P(member) offsetof(struct catalog_csv_row, p.member), \
	sizeof ((struct catalog_csv_row *)0)->p.member

/* In enum catalog_csv_col's order. */
static const struct csv_column product_cols[CATALOG_CSV_NCOLS] = {
	{ "barcode", true, csv_barcode, P(barcode) },
	{ "name", true, csv_name, P(name) },
	{ "price", true, parse_price, P(price) },
	{ "vat", false, parse_vat, P(vat_bp) },
	{ "unit", false, parse_unit, P(by_weight) },
	{ "sku", false, csv_text, P(sku) },
	{ "mxik", false, csv_text, P(mxik) },
	{ "category", false, csv_text, P(category) },
	{ "stock", false, csv_qty0, offsetof(struct catalog_csv_row, stock), sizeof (qty_t) },
	{ "plu", false, parse_plu, P(plu) },
	{ "min", false, csv_qty0, P(min) },	/* the low-stock threshold (stock.h) */
};

const struct csv_kind catalog_csv_kind = { product_cols, CATALOG_CSV_NCOLS,
	sizeof (struct catalog_csv_row), product_defaults };

/* ---- writing ---------------------------------------------------------------------------- */

struct import {
	store *st;
	char now[32];
	sqlite3_stmt *seen;    /* duplicate barcodes within the file */
	bool fts_deferred;     /* the name index is brought up to date once, at the end */
	char *trigger_sql[2];  /* products_ai and products_au as the schema has them */
};

/* ---- stock counts ---------------------------------------------------------------------- */

/* Counts from the file wait in a temp table until every row is known good. */
static int
note_count(store *st, int64_t id, qty_t counted, struct kerr *err)
{
	sqlite3_stmt *q;

	if (core_prepare(st, "INSERT OR REPLACE INTO temp.import_counts(product_id, counted) "
	    "VALUES (?1, ?2)", &q, err, N_("counting stock")) == -1)
		return -1;
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_int64(q, 2, counted);
	return core_run(st, q, err, N_("counting stock"));
}

#define COUNTS_PER_EVENT 500

/*
 * The stock column of an import: a count is one fact about many products, so it becomes
 * stock.counted events of up to COUNTS_PER_EVENT products each (keeping each event small
 * enough for an upstream batch), with one stock movement per product whose stock changes.
 */
static int
apply_counts(store *st, struct kerr *err)
{
	static const char payload_sql[] = "SELECT json_object('counts', (SELECT "
	    "json_group_array(json(j)) FROM (SELECT json_object('counted', c.counted, 'delta', "
	    "c.counted - c.old, 'product_id', c.product_id, 'sku', p.sku) AS j FROM "
	    "temp.import_counts c JOIN products p ON p.id = c.product_id WHERE c.n > ?1 AND "
	    "c.n <= ?2 ORDER BY c.n)), 'source', 'import')";
	sqlite3 *db = store_db(st);
	sqlite3_stmt *q;
	int64_t last = 0, seq, mark;
	char now[32];
	int rc;

	/* Where this import's moves start, for the low-stock check at the end (stock.h). */
	if (stock_last_move(st, &mark, err) == -1)
		return -1;
	if (sqlite3_exec(db, "UPDATE temp.import_counts SET old = (SELECT " STOCK_ON_HAND_SQL("p")
	    " FROM products p WHERE p.id = product_id); DELETE FROM temp.import_counts WHERE "
	    "counted = old;", NULL, NULL, NULL) != SQLITE_OK)
		return store_error(st, err, N_("counting stock"));
	if (sqlite3_prepare_v2(db, "SELECT coalesce(max(n), 0) FROM temp.import_counts", -1, &q,
	    NULL) != SQLITE_OK)
		return store_error(st, err, N_("counting stock"));
	if (sqlite3_step(q) == SQLITE_ROW)
		last = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	store_now(now, sizeof now);
	for (int64_t lo = 0; lo < last; lo += COUNTS_PER_EVENT) {
		int64_t hi = lo + COUNTS_PER_EVENT;

		if (sqlite3_prepare_v2(db, "SELECT count(*) FROM temp.import_counts WHERE n > ?1 "
		    "AND n <= ?2", -1, &q, NULL) != SQLITE_OK)
			return store_error(st, err, N_("counting stock"));
		sqlite3_bind_int64(q, 1, lo);
		sqlite3_bind_int64(q, 2, hi);
		rc = sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int(q, 0) : 0;
		sqlite3_finalize(q);
		if (rc == 0)
			continue;	/* every count in this range matched the shelf */
		if (journal_append_sql(st, "stock.counted", payload_sql, lo, hi, &seq, err) == -1)
			return -1;
		if (sqlite3_prepare_v2(db, "INSERT INTO stock_moves(product_id, qty, reason, "
		    "event_seq, at) SELECT product_id, counted - old, 'count', ?3, ?4 FROM "
		    "temp.import_counts WHERE n > ?1 AND n <= ?2 ORDER BY n", -1, &q, NULL) !=
		    SQLITE_OK)
			return store_error(st, err, N_("counting stock"));
		sqlite3_bind_int64(q, 1, lo);
		sqlite3_bind_int64(q, 2, hi);
		sqlite3_bind_int64(q, 3, seq);
		sqlite3_bind_text(q, 4, now, -1, SQLITE_STATIC);
		rc = sqlite3_step(q);
		sqlite3_finalize(q);
		if (rc != SQLITE_DONE)
			return store_error(st, err, N_("counting stock"));
	}
	/* The moves just written (counted - on hand) take on hand to the count; folded now, so
	 * a 200 000-product import leaves no long tail for every look-up to add up. */
	if (store_fold_stock(st, err) == -1)
		return -1;
	return stock_flag_low(st, mark, 0, err);
}

/* Fills the columns missing from the file's header with product id's stored values. */
static int
keep_absent(struct import *im, const struct csv_file *f, int64_t id, struct product *p,
    struct kerr *err)
{
	struct product old;

	if (csv_has(f, CATALOG_CSV_VAT) && csv_has(f, CATALOG_CSV_UNIT) &&
	    csv_has(f, CATALOG_CSV_SKU) && csv_has(f, CATALOG_CSV_MXIK) &&
	    csv_has(f, CATALOG_CSV_CATEGORY) && csv_has(f, CATALOG_CSV_PLU) &&
	    csv_has(f, CATALOG_CSV_MIN))
		return 0;
	if (catalog_get(im->st, id, &old, err) == -1)
		return -1;
	if (!csv_has(f, CATALOG_CSV_VAT))
		p->vat_bp = old.vat_bp;
	if (!csv_has(f, CATALOG_CSV_UNIT))
		p->by_weight = old.by_weight;
	if (!csv_has(f, CATALOG_CSV_SKU))
		memcpy(p->sku, old.sku, sizeof p->sku);
	if (!csv_has(f, CATALOG_CSV_MXIK))
		memcpy(p->mxik, old.mxik, sizeof p->mxik);
	if (!csv_has(f, CATALOG_CSV_CATEGORY))
		memcpy(p->category, old.category, sizeof p->category);
	if (!csv_has(f, CATALOG_CSV_PLU))
		p->plu = old.plu;
	if (!csv_has(f, CATALOG_CSV_MIN))
		p->min = old.min;
	return 0;
}

/* ---- the name index --------------------------------------------------------------------- */

/* Runs sql (a literal) with ?1 = id, for the deferred name index. */
static int
note_fts(store *st, const char *sql, int64_t id, struct kerr *err)
{
	sqlite3_stmt *q;

	if (core_prepare(st, sql, &q, err, N_("indexing names")) == -1)
		return -1;
	sqlite3_bind_int64(q, 1, id);
	return core_run(st, q, err, N_("indexing names"));
}

/*
 * The name index (products_fts) is kept by triggers, one row at a time. Inside a transaction
 * every one of those writes makes FTS5 flush a tiny segment (a statement savepoint each), which
 * was most of a 200 000-row import. So the import drops the two triggers inside its own
 * transaction, notes what it changes, and brings the index up to date with two statements at
 * the end, then puts the triggers back exactly as the schema has them. A rollback restores them
 * as well. If the triggers are not found as expected, the import leaves them alone.
 */
static int
defer_fts(struct import *im, struct kerr *err)
{
	static const char *const names[2] = { "products_ai", "products_au" };
	sqlite3 *db = store_db(im->st);
	sqlite3_stmt *q;

	for (int i = 0; i < 2; i++) {
		if (sqlite3_prepare_v2(db, "SELECT sql FROM sqlite_master WHERE type = 'trigger' "
		    "AND name = ?1 AND tbl_name = 'products'", -1, &q, NULL) != SQLITE_OK)
			return store_error(im->st, err, N_("starting the import"));
		sqlite3_bind_text(q, 1, names[i], -1, SQLITE_STATIC);
		if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0) != NULL)
			im->trigger_sql[i] = xstrdup((const char *)sqlite3_column_text(q, 0));
		sqlite3_finalize(q);
		if (im->trigger_sql[i] == NULL)
			return 0;	/* not the schema we know: the triggers do the work */
	}
	if (sqlite3_exec(db, "CREATE TEMP TABLE IF NOT EXISTS import_fts_old(id INTEGER PRIMARY "
	    "KEY, name TEXT, sku TEXT); DELETE FROM import_fts_old; CREATE TEMP TABLE IF NOT "
	    "EXISTS import_touched(id INTEGER PRIMARY KEY); DELETE FROM import_touched; "
	    "DROP TRIGGER products_ai; DROP TRIGGER products_au;", NULL, NULL, NULL) != SQLITE_OK)
		return store_error(im->st, err, N_("starting the import"));
	im->fts_deferred = true;
	return 0;
}

/* The end of a deferred index: old entries out, new ones in, the triggers back. */
static int
finish_fts(struct import *im, struct kerr *err)
{
	sqlite3 *db = store_db(im->st);

	if (!im->fts_deferred)
		return 0;
	if (sqlite3_exec(db, "INSERT INTO products_fts(products_fts, rowid, name, sku) SELECT "
	    "'delete', id, name, sku FROM temp.import_fts_old; INSERT INTO products_fts(rowid, "
	    "name, sku) SELECT id, name, sku FROM products WHERE id IN (SELECT id FROM "
	    "temp.import_touched); DELETE FROM temp.import_fts_old; DELETE FROM "
	    "temp.import_touched;", NULL, NULL, NULL) != SQLITE_OK)
		return store_error(im->st, err, N_("indexing names"));
	for (int i = 0; i < 2; i++) {
		if (sqlite3_exec(db, im->trigger_sql[i], NULL, NULL, NULL) != SQLITE_OK)
			return store_error(im->st, err, N_("indexing names"));
	}
	im->fts_deferred = false;
	return 0;
}

/* One good row: into the products (and the counts, for the stock column). -1 with err:
 * KERR_INPUT makes it a bad row, anything else stops the import. */
static int
write_row(void *ctx, const struct csv_file *f, long line, void *data, struct kerr *err)
{
	struct import *im = ctx;
	struct catalog_csv_row *row = data;
	struct product *p = &row->p;
	char stored[40];
	int64_t id;

	/* The same barcode twice in one file is a mistake in the file. */
	sqlite3_reset(im->seen);
	sqlite3_bind_text(im->seen, 1, p->barcode, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(im->seen, 2, line);
	if (sqlite3_step(im->seen) != SQLITE_DONE)
		return kerr_set(err, KERR_INPUT, "barcode %s appears earlier in the file",
		    p->barcode);
	/* Written even after a bad row (it all rolls back then), so a clash with another
	 * product's SKU or weight code is named for every row, not only before the first error. */
	id = catalog_existing_id(im->st, p, stored, sizeof stored, err);
	/* A column the file does not have keeps what the product had: a file of barcodes and
	 * new prices must not reset every VAT rate to 12% or clear the SKUs. */
	if (id > 0 && keep_absent(im, f, id, p, err) == -1)
		return -1;
	/* What the name index holds for a product about to change, to take it out at the end;
	 * a product this import wrote already is not in the index yet. */
	if (id > 0 && im->fts_deferred && note_fts(im->st, "INSERT OR IGNORE INTO "
	    "temp.import_fts_old(id, name, sku) SELECT id, name, sku FROM products WHERE id = ?1 "
	    "AND id NOT IN (SELECT id FROM temp.import_touched)", id, err) == -1)
		return -1;
	if (id >= 0)
		id = catalog_write_product(im->st, id, p, im->now, err);
	if (id < 0)
		return -1;
	if (im->fts_deferred && note_fts(im->st, "INSERT OR IGNORE INTO temp.import_touched(id) "
	    "VALUES (?1)", id, err) == -1)
		return -1;
	if (csv_given(f, CATALOG_CSV_STOCK) && note_count(im->st, id, row->stock, err) == -1) {
		if (err->code == KERR_INPUT)
			err->code = KERR_IO;	/* not the row's fault: stop */
		return -1;
	}
	return 0;
}

int
catalog_import_csv(store *st, FILE *in, const char *name, catalog_report_fn report,
    void *ctx, long *imported, struct kerr *err)
{
	struct import im;
	long rows = 0;
	int rc = -1;

	memset(&im, 0, sizeof im);
	im.st = st;
	store_now(im.now, sizeof im.now);
	if (store_begin(st, err) == -1)
		return -1;
	if (sqlite3_exec(store_db(st), "CREATE TEMP TABLE IF NOT EXISTS import_seen(code TEXT "
	    "PRIMARY KEY, line INTEGER); DELETE FROM import_seen; CREATE TEMP TABLE IF NOT EXISTS "
	    "import_counts(n INTEGER PRIMARY KEY, product_id INTEGER UNIQUE, counted INTEGER, "
	    "old INTEGER); DELETE FROM import_counts;", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(store_db(st), "INSERT INTO import_seen(code, line) VALUES (?1, ?2)",
	    -1, &im.seen, NULL) != SQLITE_OK) {
		store_error(st, err, N_("starting the import"));
		goto out;
	}
	if (defer_fts(&im, err) == -1)
		goto out;
	if (csv_read(in, name, &catalog_csv_kind, write_row, &im, report, ctx, &rows, err) == -1)
		goto out;
	sqlite3_finalize(im.seen);
	im.seen = NULL;
	if (apply_counts(st, err) == -1 || finish_fts(&im, err) == -1)
		goto out;
	if (sqlite3_exec(store_db(st), "DELETE FROM import_seen; DELETE FROM import_counts", NULL,
	    NULL, NULL) != SQLITE_OK) {
		store_error(st, err, N_("finishing the import"));
		goto out;
	}
	if (store_commit(st, err) == -1)
		goto out;
	if (imported != NULL)
		*imported = rows;
	rc = 0;
out:
	if (im.seen != NULL)
		sqlite3_finalize(im.seen);
	if (rc != 0)
		store_rollback(st);	/* the triggers too, if they were dropped */
	free(im.trigger_sql[0]);
	free(im.trigger_sql[1]);
	return rc;
}
