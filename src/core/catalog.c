/*
 * catalog: products and their barcodes. Look-up of what the cashier scanned (barcode, SKU or an
 * in-store weight label), name search for F2 (FTS5), last-write-wins upserts for the import and
 * for sync, and the all-or-nothing CSV import of CONTRACT.md section 3 (libcsv).
 */
#include <ctype.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>
#include <sqlite3.h>

#include "core-int.h"
#include "catalog.h"
#include "i18n.h"
#include "journal.h"
#include "timestamp.h"
#include "xalloc.h"

#define PRODUCT_COLS "p.id, coalesce(p.sku, ''), p.name, p.price, p.vat_bp, p.unit, " \
	"coalesce(p.mxik, ''), coalesce(p.category, ''), coalesce(p.plu, 0), p.stock"

/* Fills p from a row of PRODUCT_COLS (and the barcode, when col 10 exists). */
static void
fill_product(sqlite3_stmt *q, struct product *p)
{
	memset(p, 0, sizeof *p);
	p->id = sqlite3_column_int64(q, 0);
	core_text(q, 1, p->sku, sizeof p->sku);
	core_text(q, 2, p->name, sizeof p->name);
	p->price = sqlite3_column_int64(q, 3);
	p->vat_bp = sqlite3_column_int(q, 4);
	p->by_weight = strcmp((const char *)sqlite3_column_text(q, 5), "kg") == 0;
	core_text(q, 6, p->mxik, sizeof p->mxik);
	core_text(q, 7, p->category, sizeof p->category);
	p->plu = sqlite3_column_int64(q, 8);
	p->stock = sqlite3_column_int64(q, 9);
	if (sqlite3_column_count(q) > 10)
		core_text(q, 10, p->barcode, sizeof p->barcode);
}

/* Runs sql (one text or integer parameter) and fills p from the first row: 1 found, 0 not,
 * -1 error. */
static int
find_one(store *st, const char *sql, const char *text, int64_t num, struct product *p,
    struct kerr *err)
{
	sqlite3_stmt *q;
	int rc;

	q = store_cached(st, sql);
	if (q == NULL)
		return store_error(st, err, N_("looking up a product"));
	if (text != NULL)
		sqlite3_bind_text(q, 1, text, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(q, 1, num);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		fill_product(q, p);
	store_release(q);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return store_error(st, err, N_("looking up a product"));
}

static const char by_barcode_sql[] = "SELECT " PRODUCT_COLS ", b.code FROM barcodes b "
	"JOIN products p ON p.id = b.product_id WHERE b.code = ?1 AND p.deleted = 0";
static const char by_sku_sql[] = "SELECT " PRODUCT_COLS ", (SELECT min(code) FROM barcodes "
	"WHERE product_id = p.id) FROM products p WHERE p.sku = ?1 AND p.deleted = 0";
static const char by_plu_sql[] = "SELECT " PRODUCT_COLS ", (SELECT min(code) FROM barcodes "
	"WHERE product_id = p.id) FROM products p WHERE p.plu = ?1 AND p.deleted = 0";
static const char by_id_sql[] = "SELECT " PRODUCT_COLS ", (SELECT min(code) FROM barcodes "
	"WHERE product_id = p.id) FROM products p WHERE p.id = ?1";

int
catalog_lookup(store *st, const struct weight_layout *layout, const char *code,
    struct product *p, qty_t *qty, struct kerr *err)
{
	int64_t plu, value;
	size_t len = strlen(code);
	int rc;

	if (len == 0)
		return kerr_set(err, KERR_INPUT, _("no code given"));
	if (len >= CATALOG_CODE_MAX)
		return kerr_set(err, KERR_INPUT, _("code too long: %.20s..."), code);
	*qty = QTY_ONE;
	rc = find_one(st, by_barcode_sql, code, 0, p, err);
	/* Scanners send a UPC-A as a 13-digit EAN with a leading 0: try the 12-digit form. */
	if (rc == 0 && len == 13 && code[0] == '0')
		rc = find_one(st, by_barcode_sql, code + 1, 0, p, err);
	/* ... and the other way round, when the catalogue holds the 13-digit form. */
	if (rc == 0 && len == 12) {
		char ean[14];

		snprintf(ean, sizeof ean, "0%s", code);
		rc = find_one(st, by_barcode_sql, ean, 0, p, err);
	}
	if (rc == 0)
		rc = find_one(st, by_sku_sql, code, 0, p, err);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (barcode_weight_parse(layout, code, &plu, &value)) {
		rc = find_one(st, by_plu_sql, NULL, plu, p, err);
		if (rc < 0)
			return -1;
		if (rc == 0)
			return kerr_set(err, KERR_NOTFOUND, _("no product with weight code %lld "
			    "(label %s)"), (long long)plu, code);
		snprintf(p->barcode, sizeof p->barcode, "%s", code);
		if (layout != NULL && layout->value_is_price) {
			/* The label carries the price: the quantity is what that price buys. */
			if (p->price <= 0 || !money_muldiv(value, QTY_ONE, p->price, qty) || *qty <= 0)
				return kerr_set(err, KERR_INPUT, _("label %s: cannot work out the "
				    "weight"), code);
		} else
			*qty = value;	/* grams are thousandths of a kilogram */
		return 0;
	}
	if (barcode_kind(code) != BARCODE_NONE && !barcode_valid(code))
		return kerr_set(err, KERR_INPUT, _("bad check digit in %s: scan again or type "
		    "it"), code);
	return kerr_set(err, KERR_NOTFOUND, _("unknown code %s"), code);
}

int
catalog_get(store *st, int64_t id, struct product *p, struct kerr *err)
{
	int rc = find_one(st, by_id_sql, NULL, id, p, err);

	if (rc == 0)
		return kerr_set(err, KERR_NOTFOUND, _("no product %lld"), (long long)id);
	return rc < 0 ? -1 : 0;
}

/* Turns what the cashier typed into an FTS5 query: every word a quoted prefix, so nothing the
 * user types is taken as FTS syntax. A double quote separates words, as the tokenizer splits
 * names there too. Returns NULL when there is no word. Caller frees. */
static char *
fts_query(const char *text)
{
	/* Worst case "a b c": every 2 bytes typed become 5 ("a"* and a space). */
	size_t cap = strlen(text) * 3 + 16, o = 0;
	char *q = xmalloc(cap);
	const char *p = text;

	while (*p != '\0') {
		while (*p != '\0' && (isspace((unsigned char)*p) || *p == '"'))
			p++;
		if (*p == '\0')
			break;
		if (o > 0)
			q[o++] = ' ';
		q[o++] = '"';
		while (*p != '\0' && !isspace((unsigned char)*p) && *p != '"')
			q[o++] = *p++;
		q[o++] = '"';
		q[o++] = '*';
	}
	q[o] = '\0';
	if (o == 0) {
		free(q);
		return NULL;
	}
	return q;
}

static const char search_ranked_sql[] = "SELECT " PRODUCT_COLS ", (SELECT min(code) FROM "
	"barcodes WHERE product_id = p.id) FROM products_fts f JOIN products p ON p.id = f.rowid "
	"WHERE products_fts MATCH ?1 AND p.deleted = 0 ORDER BY f.rank, length(p.name) LIMIT ?2";
static const char search_plain_sql[] = "SELECT " PRODUCT_COLS ", (SELECT min(code) FROM "
	"barcodes WHERE product_id = p.id) FROM products_fts f JOIN products p ON p.id = f.rowid "
	"WHERE products_fts MATCH ?1 AND p.deleted = 0 LIMIT ?2";

int
catalog_search(store *st, const char *query, struct product *out, int max, struct kerr *err)
{
	sqlite3_stmt *q;
	char *match;
	int n = 0, rc;
	bool ranked;

	if (max <= 0)
		return 0;
	match = fts_query(query);
	if (match == NULL)
		return 0;
	/*
	 * Best matches first (bm25 rank, then shorter names) when there are few enough to rank
	 * at once; a prefix that matches thousands (the first letter typed) lists them unranked,
	 * and the next letters narrow it down.
	 */
	q = store_cached(st, "SELECT count(*) FROM (SELECT rowid FROM products_fts WHERE "
	    "products_fts MATCH ?1 LIMIT 1000)");
	if (q == NULL) {
		free(match);
		return store_error(st, err, N_("searching products"));
	}
	sqlite3_bind_text(q, 1, match, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	ranked = rc == SQLITE_ROW && sqlite3_column_int(q, 0) < 1000;
	store_release(q);
	if (rc != SQLITE_ROW) {
		free(match);
		return store_error(st, err, N_("searching products"));
	}
	q = store_cached(st, ranked ? search_ranked_sql : search_plain_sql);
	if (q == NULL) {
		free(match);
		return store_error(st, err, N_("searching products"));
	}
	sqlite3_bind_text(q, 1, match, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 2, max);
	while (n < max && (rc = sqlite3_step(q)) == SQLITE_ROW)
		fill_product(q, &out[n++]);
	store_release(q);
	free(match);
	if (n < max && rc != SQLITE_DONE)
		return store_error(st, err, N_("searching products"));
	return n;
}

int64_t
catalog_count(store *st)
{
	sqlite3_stmt *q;
	int64_t n = 0;

	/* All minus the deleted: two index scans (products_deleted is a partial index). */
	if (sqlite3_prepare_v2(store_db(st), "SELECT (SELECT count(*) FROM products) - "
	    "(SELECT count(*) FROM products WHERE deleted <> 0)", -1, &q, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(q) == SQLITE_ROW)
		n = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return n;
}

/* The product that sql (?1 = key) finds: its id and updated_at; 0 none, -1 error. */
static int64_t
id_by(store *st, const char *sql, const char *key, char *updated_at, size_t size,
    struct kerr *err)
{
	sqlite3_stmt *q = store_cached(st, sql);
	int64_t id = 0;
	int rc;

	if (q == NULL)
		return store_error(st, err, N_("saving a product"));
	sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		id = sqlite3_column_int64(q, 0);
		core_text(q, 1, updated_at, size);
	}
	store_release(q);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_error(st, err, N_("saving a product"));
	return id;
}

/* The product a row describes: the one with its barcode, else the one with its SKU.
 * >0, 0 none, -1 error. */
static int64_t
existing_id(store *st, const struct product *p, char *updated_at, size_t size,
    struct kerr *err)
{
	/* By barcode first; a new barcode with a known SKU is that product's extra barcode (a
	 * new pack of the same goods), so the SKU is tried next. */
	int64_t id = p->barcode[0] == '\0' ? 0 : id_by(st, "SELECT p.id, p.updated_at FROM "
	    "barcodes b JOIN products p ON p.id = b.product_id WHERE b.code = ?1", p->barcode,
	    updated_at, size, err);

	if (id == 0 && p->sku[0] != '\0')
		id = id_by(st, "SELECT id, updated_at FROM products WHERE sku = ?1", p->sku,
		    updated_at, size, err);
	return id;
}

static void
bind_optional(sqlite3_stmt *q, int col, const char *s)
{
	if (s[0] != '\0')
		sqlite3_bind_text(q, col, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(q, col);
}

/* Writes p (new or existing id) with updated_at. Returns the product id or -1. */
static int64_t
write_product(store *st, int64_t id, const struct product *p, const char *updated_at,
    struct kerr *err)
{
	sqlite3_stmt *q;
	int rc;

	if (id == 0)
		q = store_cached(st, "INSERT INTO products(sku, name, price, vat_bp, unit, mxik, "
		    "category, plu, updated_at, deleted) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
		    "0)");
	else
		q = store_cached(st, "UPDATE products SET sku = ?1, name = ?2, price = ?3, vat_bp = "
		    "?4, unit = ?5, mxik = ?6, category = ?7, plu = ?8, updated_at = ?9, deleted = 0 "
		    "WHERE id = ?10");
	if (q == NULL)
		return store_error(st, err, N_("saving a product"));
	bind_optional(q, 1, p->sku);
	sqlite3_bind_text(q, 2, p->name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(q, 3, p->price);
	sqlite3_bind_int(q, 4, p->vat_bp);
	sqlite3_bind_text(q, 5, p->by_weight ? "kg" : "pcs", -1, SQLITE_STATIC);
	bind_optional(q, 6, p->mxik);
	bind_optional(q, 7, p->category);
	if (p->plu > 0)
		sqlite3_bind_int64(q, 8, p->plu);
	else
		sqlite3_bind_null(q, 8);
	sqlite3_bind_text(q, 9, updated_at, -1, SQLITE_TRANSIENT);
	if (id != 0)
		sqlite3_bind_int64(q, 10, id);
	rc = sqlite3_step(q);
	store_release(q);
	if (rc != SQLITE_DONE) {
		if ((sqlite3_extended_errcode(store_db(st)) & 0xff) == SQLITE_CONSTRAINT)
			return kerr_set(err, KERR_INPUT, _("product '%s': its SKU or weight code "
			    "belongs to another product"), p->name);
		return store_error(st, err, N_("saving a product"));
	}
	if (id == 0)
		id = sqlite3_last_insert_rowid(store_db(st));
	if (p->barcode[0] != '\0') {
		q = store_cached(st, "INSERT OR IGNORE INTO barcodes(code, product_id) VALUES (?1, "
		    "?2)");
		if (q == NULL)
			return store_error(st, err, N_("saving a barcode"));
		sqlite3_bind_text(q, 1, p->barcode, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(q, 2, id);
		rc = sqlite3_step(q);
		store_release(q);
		if (rc != SQLITE_DONE)
			return store_error(st, err, N_("saving a barcode"));
	}
	return id;
}

int
catalog_upsert(store *st, const struct product *given, const char *given_at,
    struct kerr *err)
{
	struct product copy = *given, *p = &copy;
	char stored_at[40] = "", updated_at[TIMESTAMP_SIZE];
	struct kerr why;
	int64_t id;

	core_blank_controls(copy.sku);
	core_blank_controls(copy.barcode);
	core_blank_controls(copy.name);
	core_blank_controls(copy.mxik);
	core_blank_controls(copy.category);
	if (!store_in_tx(st))
		return kerr_set(err, KERR_INTERNAL, "catalog_upsert outside a transaction");
	if (p->barcode[0] == '\0' && p->sku[0] == '\0')
		return kerr_set(err, KERR_INPUT, _("product '%s' has neither barcode nor SKU"),
		    p->name);
	/* Stored canonical, so the next comparison is a string comparison of UTC times. */
	if (timestamp_canon(given_at, updated_at, &why) == -1)
		return kerr_set(err, KERR_INPUT, _("product '%s': bad updated_at: %s"), p->name,
		    why.msg);
	id = existing_id(st, p, stored_at, sizeof stored_at, err);
	if (id < 0)
		return -1;
	/* Last write wins: an older change than the one stored is ignored, not an error. */
	if (id > 0 && timestamp_cmp_stored(updated_at, stored_at) < 0)
		return 0;
	return write_product(st, id, p, updated_at, err) < 0 ? -1 : 0;
}

int
catalog_delete(store *st, const char *code, const char *given_at, struct kerr *err)
{
	struct product p;
	char stored_at[40] = "", updated_at[TIMESTAMP_SIZE];
	struct kerr why;
	sqlite3_stmt *q;
	int64_t id;
	int rc;

	if (timestamp_canon(given_at, updated_at, &why) == -1)
		return kerr_set(err, KERR_INPUT, _("product %s: bad updated_at: %s"), code,
		    why.msg);
	memset(&p, 0, sizeof p);
	snprintf(p.barcode, sizeof p.barcode, "%s", code);
	id = existing_id(st, &p, stored_at, sizeof stored_at, err);
	if (id <= 0 || timestamp_cmp_stored(updated_at, stored_at) < 0)
		return id < 0 ? -1 : 0;
	/* Kept, not removed: old sales and their receipts still name the product. */
	if (sqlite3_prepare_v2(store_db(st), "UPDATE products SET deleted = 1, updated_at = ?2 "
	    "WHERE id = ?1", -1, &q, NULL) != SQLITE_OK)
		return store_error(st, err, N_("removing a product"));
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_text(q, 2, updated_at, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? 0 : store_error(st, err, N_("removing a product"));
}

/* ---- CSV import ---------------------------------------------------------------------- */

enum col { COL_BARCODE, COL_NAME, COL_PRICE, COL_VAT, COL_UNIT, COL_SKU, COL_MXIK,
	COL_CATEGORY, COL_STOCK, COL_PLU, NCOLS };
static const char *const col_names[NCOLS] = { "barcode", "name", "price", "vat", "unit",
	"sku", "mxik", "category", "stock", "plu" };

#define MAX_FIELDS 64

struct import {
	store *st;
	const char *name;
	catalog_report_fn report;
	void *ctx;
	long line;             /* physical line being read */
	long row_line;         /* line where the current row started */
	bool at_row_start;
	bool cr_at_end;        /* the last read ended in CR: an LF next is the same line break */
	bool header_done;
	int ncols;             /* fields in the header */
	int col[NCOLS];        /* field index of each column, -1 if absent */
	char *field[MAX_FIELDS];
	int nfields;
	bool too_many;
	long bad;              /* bad rows */
	long imported;
	char now[32];
	struct kerr fatal;     /* a database error: stop */
	bool failed;
	sqlite3_stmt *seen;    /* duplicate barcodes within the file */
	bool fts_deferred;     /* the name index is brought up to date once, at the end */
	char *trigger_sql[2];  /* products_ai and products_au as the schema has them */
};

static void
report_bad(struct import *im, long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
report_bad(struct import *im, long line, const char *fmt, ...)
{
	char reason[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof reason, fmt, ap);
	va_end(ap);
	im->bad++;
	if (im->report != NULL)
		im->report(im->ctx, im->name, line, reason);
}

/*
 * What is wrong with a field's text, or NULL when it is valid UTF-8 without control characters
 * (tabs excepted). A line break or other control character would break the receipt and the
 * canonical JSON of the events that carry the name.
 */
static const char *
text_problem(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p != '\0') {
		int n;
		uint32_t cp;

		if (*p < 0x80) {
			if (*p == '\n' || *p == '\r')
				return "has a line break";
			if ((*p < ' ' && *p != '\t') || *p == 0x7f)
				return "has a control character";
			p++;
			continue;
		}
		if ((*p & 0xe0) == 0xc0) { n = 1; cp = *p & 0x1f; }
		else if ((*p & 0xf0) == 0xe0) { n = 2; cp = *p & 0x0f; }
		else if ((*p & 0xf8) == 0xf0) { n = 3; cp = *p & 0x07; }
		else return "is not valid UTF-8 (save the file as UTF-8)";
		p++;
		for (int i = 0; i < n; i++, p++) {
			if ((*p & 0xc0) != 0x80)
				return "is not valid UTF-8 (save the file as UTF-8)";
			cp = (cp << 6) | (*p & 0x3f);
		}
		/* overlong forms, surrogates and out-of-range code points */
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return "is not valid UTF-8 (save the file as UTF-8)";
	}
	return NULL;
}

static const char *
get(const struct import *im, enum col c)
{
	if (im->col[c] < 0 || im->col[c] >= im->nfields)
		return "";
	return im->field[im->col[c]];
}

static void
read_header(struct import *im)
{
	bool missing = false;

	im->header_done = true;
	im->ncols = im->nfields;
	for (int c = 0; c < NCOLS; c++)
		im->col[c] = -1;
	for (int i = 0; i < im->nfields; i++) {
		char *h = im->field[i];
		int found = -1;

		/* A UTF-8 byte order mark from spreadsheet exports. */
		if (i == 0 && (unsigned char)h[0] == 0xef && (unsigned char)h[1] == 0xbb &&
		    (unsigned char)h[2] == 0xbf)
			memmove(h, h + 3, strlen(h + 3) + 1);
		for (char *p = h; *p != '\0'; p++)
			*p = (char)tolower((unsigned char)*p);
		for (int c = 0; c < NCOLS; c++) {
			if (strcmp(h, col_names[c]) == 0)
				found = c;
		}
		if (found < 0)
			report_bad(im, im->row_line, "unknown column '%s' (known: barcode, name, "
			    "price, vat, unit, sku, mxik, category, stock, plu)", h);
		else if (im->col[found] >= 0)
			report_bad(im, im->row_line, "column '%s' appears twice", h);
		else
			im->col[found] = i;
	}
	for (int c = COL_BARCODE; c <= COL_PRICE; c++) {
		if (im->col[c] < 0) {
			report_bad(im, im->row_line, "missing required column '%s'", col_names[c]);
			missing = true;
		}
	}
	if (missing)
		im->failed = true;	/* no row can be read without them */
}

/* Parses stock: 0 or a positive quantity with up to 3 decimals. */
static int
parse_stock(const char *s, qty_t *out, struct kerr *err)
{
	if (strcmp(s, "0") == 0 || strcmp(s, "0.0") == 0 || strcmp(s, "0.00") == 0) {
		*out = 0;
		return 0;
	}
	return qty_parse(s, out, err);
}

/* Counts from the file wait in a temp table until every row is known good. */
static int
note_count(store *st, int64_t id, qty_t counted, struct kerr *err)
{
	sqlite3_stmt *q = store_cached(st, "INSERT OR REPLACE INTO temp.import_counts(product_id, "
	    "counted) VALUES (?1, ?2)");
	int rc;

	if (q == NULL)
		return store_error(st, err, N_("counting stock"));
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_int64(q, 2, counted);
	rc = sqlite3_step(q);
	store_release(q);
	return rc == SQLITE_DONE ? 0 : store_error(st, err, N_("counting stock"));
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
	int64_t last = 0, seq;
	char now[32];
	int rc;

	if (sqlite3_exec(db, "UPDATE temp.import_counts SET old = (SELECT stock FROM products "
	    "WHERE id = product_id); DELETE FROM temp.import_counts WHERE counted = old;", NULL,
	    NULL, NULL) != SQLITE_OK)
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
	if (sqlite3_exec(db, "UPDATE products SET stock = (SELECT counted FROM "
	    "temp.import_counts c WHERE c.product_id = products.id) WHERE id IN (SELECT "
	    "product_id FROM temp.import_counts)", NULL, NULL, NULL) != SQLITE_OK)
		return store_error(st, err, N_("counting stock"));
	return 0;
}

/* Fills the columns missing from the file's header with product id's stored values. */
static int
keep_absent(struct import *im, int64_t id, struct product *p, struct kerr *err)
{
	struct product old;

	if (im->col[COL_VAT] >= 0 && im->col[COL_UNIT] >= 0 && im->col[COL_SKU] >= 0 &&
	    im->col[COL_MXIK] >= 0 && im->col[COL_CATEGORY] >= 0 && im->col[COL_PLU] >= 0)
		return 0;
	if (catalog_get(im->st, id, &old, err) == -1)
		return -1;
	if (im->col[COL_VAT] < 0)
		p->vat_bp = old.vat_bp;
	if (im->col[COL_UNIT] < 0)
		p->by_weight = old.by_weight;
	if (im->col[COL_SKU] < 0)
		memcpy(p->sku, old.sku, sizeof p->sku);
	if (im->col[COL_MXIK] < 0)
		memcpy(p->mxik, old.mxik, sizeof p->mxik);
	if (im->col[COL_CATEGORY] < 0)
		memcpy(p->category, old.category, sizeof p->category);
	if (im->col[COL_PLU] < 0)
		p->plu = old.plu;
	return 0;
}

/* Runs sql (a literal) with ?1 = id, for the deferred name index. */
static int
note_fts(store *st, const char *sql, int64_t id, struct kerr *err)
{
	sqlite3_stmt *q = store_cached(st, sql);
	int rc;

	if (q == NULL)
		return store_error(st, err, N_("indexing names"));
	sqlite3_bind_int64(q, 1, id);
	rc = sqlite3_step(q);
	store_release(q);
	return rc == SQLITE_DONE ? 0 : store_error(st, err, N_("indexing names"));
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

static void
read_row(struct import *im)
{
	struct product p;
	struct kerr err;
	const char *barcode, *name, *s;
	long line = im->row_line;
	qty_t stock = 0;
	bool has_stock;
	int64_t id;
	money_t vat;
	char stored[40];

	if (im->too_many || im->nfields != im->ncols) {
		report_bad(im, line, "expected %d fields, found %d%s", im->ncols,
		    im->too_many ? MAX_FIELDS : im->nfields, im->too_many ? " or more" : "");
		return;
	}
	for (int i = 0; i < im->nfields; i++) {
		const char *problem = text_problem(im->field[i]);

		if (problem != NULL) {
			const char *column = "?";

			for (int c = 0; c < NCOLS; c++) {
				if (im->col[c] == i)
					column = col_names[c];
			}
			report_bad(im, line, "%s %s", column, problem);
			return;
		}
	}
	memset(&p, 0, sizeof p);
	barcode = get(im, COL_BARCODE);
	name = get(im, COL_NAME);
	if (*barcode == '\0') {
		report_bad(im, line, "missing barcode");
		return;
	}
	if (barcode_kind(barcode) == BARCODE_NONE) {
		report_bad(im, line, "barcode '%s' is not an EAN-13, EAN-8 or UPC-A", barcode);
		return;
	}
	if (!barcode_valid(barcode)) {
		report_bad(im, line, "bad check digit in barcode %s (expected %d)", barcode,
		    barcode_check_digit(barcode, (int)strlen(barcode) - 1));
		return;
	}
	if (*name == '\0' || strlen(name) >= sizeof p.name) {
		report_bad(im, line, *name == '\0' ? "missing name" : "name too long");
		return;
	}
	if (money_parse(get(im, COL_PRICE), false, &p.price, &err) == -1) {
		report_bad(im, line, "bad price: %s", err.msg);
		return;
	}
	s = get(im, COL_VAT);
	p.vat_bp = 1200;
	if (*s != '\0') {
		if (money_parse(s, false, &vat, &err) == -1 || vat > 10000) {
			report_bad(im, line, "bad vat '%s': a percent from 0 to 100", s);
			return;
		}
		p.vat_bp = (int)vat;	/* percent with 2 decimals = basis points */
	}
	s = get(im, COL_UNIT);
	if (*s == '\0' || strcmp(s, "pcs") == 0)
		p.by_weight = false;
	else if (strcmp(s, "kg") == 0)
		p.by_weight = true;
	else {
		report_bad(im, line, "bad unit '%s': pcs or kg", s);
		return;
	}
	s = get(im, COL_PLU);
	if (*s != '\0') {
		char *end;
		long long plu = strtoll(s, &end, 10);

		if (*end != '\0' || plu <= 0 || plu > 99999999) {
			report_bad(im, line, "bad plu '%s': a weight code of up to 8 digits", s);
			return;
		}
		p.plu = plu;
	}
	has_stock = *get(im, COL_STOCK) != '\0';
	if (has_stock && parse_stock(get(im, COL_STOCK), &stock, &err) == -1) {
		report_bad(im, line, "bad stock: %s", err.msg);
		return;
	}
	if (strlen(get(im, COL_SKU)) >= sizeof p.sku || strlen(get(im, COL_MXIK)) >= sizeof p.mxik ||
	    strlen(get(im, COL_CATEGORY)) >= sizeof p.category) {
		report_bad(im, line, "sku, mxik or category too long");
		return;
	}
	snprintf(p.barcode, sizeof p.barcode, "%s", barcode);
	snprintf(p.name, sizeof p.name, "%s", name);
	snprintf(p.sku, sizeof p.sku, "%s", get(im, COL_SKU));
	snprintf(p.mxik, sizeof p.mxik, "%s", get(im, COL_MXIK));
	snprintf(p.category, sizeof p.category, "%s", get(im, COL_CATEGORY));

	/* The same barcode twice in one file is a mistake in the file. */
	sqlite3_reset(im->seen);
	sqlite3_bind_text(im->seen, 1, barcode, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(im->seen, 2, line);
	if (sqlite3_step(im->seen) != SQLITE_DONE) {
		report_bad(im, line, "barcode %s appears earlier in the file", barcode);
		return;
	}
	/* Written even after a bad row (it all rolls back then), so a clash with another
	 * product's SKU or weight code is named for every row, not only before the first error. */
	id = existing_id(im->st, &p, stored, sizeof stored, &err);
	/* A column the file does not have keeps what the product had: a file of barcodes and
	 * new prices must not reset every VAT rate to 12% or clear the SKUs. */
	if (id > 0 && keep_absent(im, id, &p, &err) == -1)
		id = -1;
	/* What the name index holds for a product about to change, to take it out at the end;
	 * a product this import wrote already is not in the index yet. */
	if (id > 0 && im->fts_deferred && note_fts(im->st, "INSERT OR IGNORE INTO "
	    "temp.import_fts_old(id, name, sku) SELECT id, name, sku FROM products WHERE id = ?1 "
	    "AND id NOT IN (SELECT id FROM temp.import_touched)", id, &err) == -1)
		id = -1;
	if (id >= 0)
		id = write_product(im->st, id, &p, im->now, &err);
	if (id > 0 && im->fts_deferred && note_fts(im->st, "INSERT OR IGNORE INTO "
	    "temp.import_touched(id) VALUES (?1)", id, &err) == -1)
		id = -1;
	if (id < 0) {
		if (err.code == KERR_INPUT) {
			report_bad(im, line, "%s", err.msg);
			return;
		}
		im->fatal = err;
		im->failed = true;
		return;
	}
	if (has_stock && note_count(im->st, id, stock, &err) == -1) {
		im->fatal = err;
		im->failed = true;
		return;
	}
	im->imported++;
}

static void
on_field(void *data, size_t len, void *ctx)
{
	struct import *im = ctx;
	char *f;

	if (im->nfields >= MAX_FIELDS) {
		im->too_many = true;
		return;
	}
	/* A NUL byte would silently cut the field short: keep it visible as a control character,
	 * which the row check then refuses. */
	f = xmalloc(len + 1);
	if (len > 0)
		memcpy(f, data, len);
	f[len] = '\0';
	for (size_t i = 0; i < len; i++) {
		if (f[i] == '\0')
			f[i] = '\x01';
	}
	im->field[im->nfields++] = f;
}

static void
on_row(int term, void *ctx)
{
	struct import *im = ctx;

	(void)term;
	if (!im->failed) {
		if (!im->header_done)
			read_header(im);
		else
			read_row(im);
	}
	for (int i = 0; i < im->nfields; i++)
		free(im->field[i]);
	im->nfields = 0;
	im->too_many = false;
	im->at_row_start = true;
}

int
catalog_import_csv(store *st, FILE *in, const char *name, catalog_report_fn report,
    void *ctx, long *imported, struct kerr *err)
{
	struct csv_parser parser;
	struct import im;
	char buf[65536];
	size_t n;
	int rc = -1;

	memset(&im, 0, sizeof im);
	im.st = st;
	im.name = name;
	im.report = report;
	im.ctx = ctx;
	im.line = 1;
	im.at_row_start = true;
	store_now(im.now, sizeof im.now);
	if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
		return kerr_set(err, KERR_INTERNAL, "cannot start the CSV parser");
	if (store_begin(st, err) == -1) {
		csv_free(&parser);
		return -1;
	}
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
	while (!im.failed && (n = fread(buf, 1, sizeof buf, in)) > 0) {
		/* A physical line at a time, so each row knows the line it starts on. */
		for (size_t i = 0; i < n && !im.failed;) {
			size_t j = i, len;
			bool brk;

			/* A line ends at LF, CR LF or a lone CR (old spreadsheet exports). */
			while (j < n && buf[j] != '\n' && buf[j] != '\r')
				j++;
			brk = j < n;
			if (brk && buf[j] == '\r' && j + 1 < n && buf[j + 1] == '\n')
				j++;
			len = brk ? j - i + 1 : n - i;
			/* The LF of a CR LF split across two reads ends no second line. */
			if (im.cr_at_end && buf[i] == '\n') {
				im.cr_at_end = false;
				if (csv_parse(&parser, buf + i, 1, on_field, on_row, &im) != 1) {
					report_bad(&im, im.row_line, "%s (a quote out of place?)",
					    csv_strerror(csv_error(&parser)));
					im.failed = true;
					break;
				}
				i++;
				continue;
			}
			im.cr_at_end = brk && buf[j] == '\r' && j == n - 1;

			/* A row starts on the first physical line that is not blank. (buf is not
			 * NUL-terminated: look at this line's len bytes only.) */
			if (im.at_row_start) {
				size_t k = 0;

				while (k < len && (buf[i + k] == '\r' || buf[i + k] == '\n'))
					k++;
				if (k < len) {
					im.row_line = im.line;
					im.at_row_start = false;
				}
			}
			if (csv_parse(&parser, buf + i, len, on_field, on_row, &im) != len) {
				report_bad(&im, im.row_line, "%s (a quote out of place?)",
				    csv_strerror(csv_error(&parser)));
				im.failed = true;
				break;
			}
			if (brk)
				im.line++;
			i += len;
		}
	}
	if (ferror(in)) {
		kerr_set(err, KERR_IO, _("%s: read error"), name);
		goto out;
	}
	if (!im.failed && csv_fini(&parser, on_field, on_row, &im) != 0) {
		report_bad(&im, im.row_line, "%s (an unclosed quote?)",
		    csv_strerror(csv_error(&parser)));
	}
	if (im.fatal.code != KERR_OK) {
		*err = im.fatal;
		goto out;
	}
	if (!im.header_done) {
		kerr_set(err, KERR_INPUT, _("%s: empty file: a header row is required "
		    "(barcode,name,price,...)"), name);
		goto out;
	}
	if (im.bad > 0) {
		kerr_set(err, KERR_INPUT, P_("%s: %ld bad row, nothing imported",
		    "%s: %ld bad rows, nothing imported", (unsigned long)im.bad), name, im.bad);
		goto out;
	}
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
		*imported = im.imported;
	rc = 0;
out:
	for (int i = 0; i < im.nfields; i++)
		free(im.field[i]);
	if (im.seen != NULL)
		sqlite3_finalize(im.seen);
	if (rc != 0)
		store_rollback(st);	/* the triggers too, if they were dropped */
	free(im.trigger_sql[0]);
	free(im.trigger_sql[1]);
	csv_free(&parser);
	return rc;
}
