/*
 * catalog: products and their barcodes. Look-up of what the cashier scanned (barcode, SKU or an
 * in-store weight label), name search for F2 (FTS5), last-write-wins upserts for the import and
 * for sync. The CSV import of CONTRACT.md section 3 is in catalog-import.c.
 */
#include <ctype.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "core-int.h"
#include "catalog.h"
#include "i18n.h"
#include "journal.h"
#include "text.h"
#include "timestamp.h"
#include "xalloc.h"

#define PRODUCT_COLS "p.id, coalesce(p.sku, ''), p.name, p.price, p.vat_bp, p.unit, " \
	"coalesce(p.mxik, ''), coalesce(p.category, ''), coalesce(p.plu, 0), " \
	STOCK_ON_HAND_SQL("p") ", p.min_stock"

/* Fills p from a row of PRODUCT_COLS (and the barcode, when col 11 exists). */
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
	p->min = sqlite3_column_int64(q, 10);
	if (sqlite3_column_count(q) > 11)
		core_text(q, 11, p->barcode, sizeof p->barcode);
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

int64_t
catalog_existing_id(store *st, const struct product *p, char *updated_at, size_t size,
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

int64_t
catalog_write_product(store *st, int64_t id, const struct product *p, const char *updated_at,
    struct kerr *err)
{
	sqlite3_stmt *q;
	int rc;

	/* Whatever the source (CSV, the hub), a product's text and price are sane before they
	 * can reach a sale and its event (issue 9). */
	if (p->price < 0 || p->price > MONEY_PRICE_MAX) {
		char m[48];

		return kerr_set(err, KERR_INPUT, _("product '%s': the price is out of range (0 to "
		    "%s)"), text_valid_line(p->name) ? p->name : "?",
		    money_format(MONEY_PRICE_MAX, m, sizeof m));
	}
	if (text_check_line(p->name, N_("the product's name"), err) == -1 ||
	    text_check_line(p->sku, N_("the product's SKU"), err) == -1 ||
	    text_check_line(p->barcode, N_("the product's barcode"), err) == -1 ||
	    text_check_line(p->mxik, N_("the product's MXIK"), err) == -1 ||
	    text_check_line(p->category, N_("the product's category"), err) == -1)
		return -1;
	if (id == 0)
		q = store_cached(st, "INSERT INTO products(sku, name, price, vat_bp, unit, mxik, "
		    "category, plu, updated_at, deleted, min_stock) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
		    "?8, ?9, 0, ?11)");
	else
		q = store_cached(st, "UPDATE products SET sku = ?1, name = ?2, price = ?3, vat_bp = "
		    "?4, unit = ?5, mxik = ?6, category = ?7, plu = ?8, updated_at = ?9, deleted = 0, "
		    "min_stock = ?11 WHERE id = ?10");
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
	sqlite3_bind_int64(q, 11, p->min > 0 ? p->min : 0);
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
	core_name_clean(copy.name);	/* the name rule, as for the CSV import */
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
	id = catalog_existing_id(st, p, stored_at, sizeof stored_at, err);
	if (id < 0)
		return -1;
	/* Last write wins: an older change than the one stored is ignored, not an error. */
	if (id > 0 && timestamp_cmp_stored(updated_at, stored_at) < 0)
		return 0;
	return catalog_write_product(st, id, p, updated_at, err) < 0 ? -1 : 0;
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
	id = catalog_existing_id(st, &p, stored_at, sizeof stored_at, err);
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
