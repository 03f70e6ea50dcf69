/*
 * hub-import.c: `kassa-hub import products FILE`: publishes a product CSV to every till.
 *
 * The file is checked by the tills' own import (all or nothing, every bad row named) into a
 * scratch SQLite store, then each barcode's change is written to hub_products, where
 * /v1/changes finds it, in one transaction; each gets the next change_seq, which orders the
 * feed. A change carries only what the file says: like the till's own import, a column the file
 * does not have keeps what the product had (the hub's last published value when it has one,
 * else the key is left out and every till keeps its own), so a file of barcodes and new prices
 * never resets the tills' VAT rates to 12 % or clears their SKUs. A blank MXIK or category on a
 * row that is another barcode of a product named earlier in the file does not erase that
 * product's value.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "catalog.h"
#include "csvread.h"
#include "hub-int.h"
#include "xalloc.h"

/* The optional columns a change carries when the file has them (barcode, name and price are
 * required, so always there), by their place in the product file's column table. */
enum opt { OPT_VAT, OPT_UNIT, OPT_SKU, OPT_MXIK, OPT_CATEGORY, OPT_PLU, OPT_MIN, NOPT };
static const enum catalog_csv_col opt_col[NOPT] = { CATALOG_CSV_VAT, CATALOG_CSV_UNIT,
	CATALOG_CSV_SKU, CATALOG_CSV_MXIK, CATALOG_CSV_CATEGORY, CATALOG_CSV_PLU, CATALOG_CSV_MIN };

/* The file read again by the tills' reader: the header's columns, and each row's barcode,
 * MXIK and category (into the scratch store's file_rows, for the second-barcode rule). */
struct file_read {
	store *scratch;
	bool has[NOPT];
};

static int
on_row(void *arg, const struct csv_file *f, long line, void *row, struct kerr *err)
{
	struct file_read *fr = arg;
	const struct catalog_csv_row *r = row;
	sqlite3_stmt *q;
	int rc;

	for (int o = 0; o < NOPT; o++)
		fr->has[o] = csv_has(f, opt_col[o]);
	if (sqlite3_prepare_v2(store_db(fr->scratch), "INSERT INTO temp.file_rows(line, barcode, "
	    "mxik, category) VALUES (?1, ?2, ?3, ?4)", -1, &q, NULL) != SQLITE_OK)
		return store_error(fr->scratch, err, "reading the file's rows");
	sqlite3_bind_int64(q, 1, line);
	sqlite3_bind_text(q, 2, r->p.barcode, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, csv_given(f, CATALOG_CSV_MXIK) ? r->p.mxik : "", -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(q, 4, csv_given(f, CATALOG_CSV_CATEGORY) ? r->p.category : "", -1,
	    SQLITE_STATIC);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? 0 : store_error(fr->scratch, err, "reading the file's rows");
}

/*
 * Reads the (already checked) file's header and rows again, then gives every product whose
 * MXIK or category the file left blank on one row the last one another of its rows gives (the
 * scratch import wrote each row over the product, the blank one too).
 */
static int
read_file(store *scratch, const char *text, size_t len, bool has[NOPT], struct kerr *err)
{
	struct file_read fr = { .scratch = scratch };
	FILE *in;
	int rc;

	if (sqlite3_exec(store_db(scratch), "CREATE TEMP TABLE file_rows(line INTEGER, barcode "
	    "TEXT, mxik TEXT, category TEXT)", NULL, NULL, NULL) != SQLITE_OK)
		return store_error(scratch, err, "reading the file's rows");
	in = fmemopen((void *)text, len, "r");
	if (in == NULL)
		return kerr_set(err, KERR_IO, "reading the file's rows again");
	rc = csv_read(in, "the file", &catalog_csv_kind, on_row, &fr, NULL, NULL, NULL, err);
	fclose(in);
	if (rc == -1)
		return -1;
	memcpy(has, fr.has, sizeof fr.has);
	if (sqlite3_exec(store_db(scratch), "UPDATE products SET mxik = (SELECT r.mxik FROM "
	    "temp.file_rows r JOIN barcodes b ON b.code = r.barcode WHERE b.product_id = "
	    "products.id AND r.mxik <> '' ORDER BY r.line DESC LIMIT 1) WHERE coalesce(mxik, '') "
	    "= ''; UPDATE products SET category = (SELECT r.category FROM temp.file_rows r JOIN "
	    "barcodes b ON b.code = r.barcode WHERE b.product_id = products.id AND r.category <> "
	    "'' ORDER BY r.line DESC LIMIT 1) WHERE coalesce(category, '') = ''", NULL, NULL,
	    NULL) != SQLITE_OK)
		return store_error(scratch, err, "merging the file's rows");
	return 0;
}

/* The hub's last published data of a barcode (a new object when none). */
static json_t *
published(struct hub *h, const char *barcode, struct kerr *err)
{
	const char *params[1] = { barcode };
	struct hub_rows r;
	json_t *data = NULL;

	if (hub_sql(h, "SELECT data FROM hub_products WHERE barcode = $1 AND deleted = 0", 1,
	    params, &r, err) == -1)
		return NULL;
	if (r.nrows == 1 && hub_cell(&r, 0, 0) != NULL)
		data = json_loads(hub_cell(&r, 0, 0), 0, NULL);
	hub_rows_free(&r);
	if (!json_is_object(data)) {
		json_decref(data);
		data = json_object();
	}
	return data;
}

/* One barcode's change: its last published data with what the file carries set over it. */
static char *
change_data(struct hub *h, sqlite3_stmt *q, const bool has[NOPT], struct kerr *err)
{
	const char *barcode = (const char *)sqlite3_column_text(q, 0);
	json_t *d = published(h, barcode, err);
	int vat_bp = sqlite3_column_int(q, 3);
	char *text;

	if (d == NULL)
		return NULL;
	json_object_set_new(d, "barcode", json_string(barcode));
	json_object_set_new(d, "name", json_string((const char *)sqlite3_column_text(q, 1)));
	json_object_set_new(d, "price", json_integer(sqlite3_column_int64(q, 2)));
	if (has[OPT_VAT])
		json_object_set_new(d, "vat", vat_bp % 100 == 0 ? json_integer(vat_bp / 100) :
		    json_real(vat_bp / 100.0));
	if (has[OPT_UNIT])
		json_object_set_new(d, "unit", json_string((const char *)sqlite3_column_text(q,
		    4)));
	if (has[OPT_SKU])
		json_object_set_new(d, "sku", json_string((const char *)sqlite3_column_text(q, 5)));
	if (has[OPT_MXIK])
		json_object_set_new(d, "mxik", json_string((const char *)sqlite3_column_text(q,
		    6)));
	if (has[OPT_CATEGORY])
		json_object_set_new(d, "category", json_string((const char *)sqlite3_column_text(q,
		    7)));
	if (has[OPT_PLU])
		json_object_set_new(d, "plu", sqlite3_column_int64(q, 8) > 0 ?
		    json_integer(sqlite3_column_int64(q, 8)) : json_null());
	if (has[OPT_MIN])	/* the low-stock threshold, thousandths */
		json_object_set_new(d, "min", json_integer(sqlite3_column_int64(q, 9)));
	text = json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(d);
	if (text == NULL)
		kerr_set(err, KERR_INTERNAL, "writing the change of %s", barcode);
	return text;
}

/* Writes every checked barcode's change in one transaction. */
static int
publish(struct hub *h, store *scratch, const bool has[NOPT], long *published_n,
    struct kerr *err)
{
	sqlite3_stmt *q;
	char now[32];
	int rc;

	if (sqlite3_prepare_v2(store_db(scratch), "SELECT b.code, p.name, p.price, p.vat_bp, "
	    "p.unit, coalesce(p.sku, ''), coalesce(p.mxik, ''), coalesce(p.category, ''), "
	    "coalesce(p.plu, 0), p.min_stock FROM products p JOIN barcodes b ON b.product_id = p.id "
	    "ORDER BY "
	    "p.id", -1, &q, NULL) != SQLITE_OK)
		return store_error(scratch, err, "reading the checked catalogue");
	if (hub_begin(h, err) == -1) {
		sqlite3_finalize(q);
		return -1;
	}
	/* Taken under the write lock; still only for last-write-wins, never for the order. */
	store_now(now, sizeof now);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		char seq[24], *data = change_data(h, q, has, err);
		const char *params[4] = { (const char *)sqlite3_column_text(q, 0), data, now, seq };

		if (data == NULL || hub_next_change_seq(h, seq, sizeof seq, err) == -1 ||
		    hub_sql(h, "INSERT INTO hub_products(barcode, data, updated_at, deleted, "
		    "change_seq) VALUES ($1, $2, $3, 0, $4) ON CONFLICT (barcode) DO UPDATE SET data "
		    "= excluded.data, updated_at = excluded.updated_at, deleted = 0, change_seq = "
		    "excluded.change_seq", 4, params, NULL, err) == -1) {
			free(data);
			sqlite3_finalize(q);
			hub_rollback(h);
			return -1;
		}
		free(data);
		(*published_n)++;
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		hub_rollback(h);
		return store_error(scratch, err, "reading the checked catalogue");
	}
	return hub_commit(h, err);
}

static void
on_bad_row(void *ctx, const char *file, long line, const char *reason)
{
	(void)ctx;
	fprintf(stderr, "%s:%ld: %s\n", file, line, reason);
}

/* The whole input (a file or stdin) in memory: checked once, then read for its columns. */
static char *
slurp(FILE *in, size_t *len)
{
	size_t cap = 65536, n;
	char *buf = xmalloc(cap);

	*len = 0;
	while ((n = fread(buf + *len, 1, cap - *len, in)) > 0) {
		*len += n;
		if (*len == cap)
			buf = xrealloc(buf, cap *= 2);
	}
	return buf;
}

int
hub_import_products(struct hub *h, const char *file, struct kerr *err)
{
	char dir[] = "/tmp/kassa-hub-import-XXXXXX", path[64];
	FILE *in = strcmp(file, "-") == 0 ? stdin : fopen(file, "r"), *mem = NULL;
	store *scratch = NULL;
	bool has[NOPT] = { false };
	long n = 0, published_n = 0;
	char *text = NULL;
	size_t len = 0;
	int rc = -1;

	if (in == NULL)
		return kerr_set(err, KERR_INPUT, "cannot read %s", file);
	text = slurp(in, &len);
	if (ferror(in)) {
		kerr_set(err, KERR_IO, "cannot read %s", file);
		goto out;
	}
	if (mkdtemp(dir) == NULL) {
		kerr_set(err, KERR_IO, "no scratch folder for the import");
		goto out;
	}
	snprintf(path, sizeof path, "%s/check.db", dir);
	scratch = store_open(path, STORE_CREATE, err);
	mem = len > 0 ? fmemopen(text, len, "r") : fopen("/dev/null", "r");
	if (scratch == NULL || mem == NULL ||
	    catalog_import_csv(scratch, mem, file, on_bad_row, NULL, &n, err) == -1 ||
	    read_file(scratch, text, len, has, err) == -1 ||
	    publish(h, scratch, has, &published_n, err) == -1)
		goto out;
	printf("published %ld products\n", published_n);
	rc = 0;
out:
	if (mem != NULL)
		fclose(mem);
	if (in != stdin)
		fclose(in);
	free(text);
	store_close(scratch);
	if (dir[strlen(dir) - 1] != 'X') {
		unlink(path);
		snprintf(path, sizeof path, "%s/check.db-wal", dir);
		unlink(path);
		snprintf(path, sizeof path, "%s/check.db-shm", dir);
		unlink(path);
		rmdir(dir);
	}
	return rc;
}
