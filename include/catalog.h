/*
 * catalog: products, their barcodes, look-up by code and search by name, and the CSV import
 * (CONTRACT.md section 3). Non-financial: last-write-wins by updated_at.
 */
#ifndef KASSA_CATALOG_H
#define KASSA_CATALOG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "barcode.h"
#include "csvread.h"
#include "kerr.h"
#include "money.h"
#include "store.h"

#define CATALOG_NAME_MAX 128
#define CATALOG_CODE_MAX 48

/* A product as a value: fixed-size fields, no pointers, copy freely. */
struct product {
	int64_t id;
	char sku[CATALOG_CODE_MAX];
	char barcode[CATALOG_CODE_MAX];    /* the first (or the matched) barcode */
	char name[CATALOG_NAME_MAX * 4];   /* UTF-8 */
	money_t price;
	int vat_bp;                        /* 1200 = 12% */
	bool by_weight;                    /* unit kg */
	char mxik[32];
	char category[64];
	int64_t plu;                       /* 0 when none */
	qty_t stock;                       /* thousandths, may be negative (flagged) */
	qty_t min;                         /* low-stock threshold: low when stock <= min */
};

/*
 * Resolves what the cashier scanned or typed: a barcode, an SKU, or an in-store weight barcode
 * (layout may be NULL for the default). Fills *p and *qty (1000 for a plain code; the weight for
 * a weight barcode; for a price-embedded barcode, the quantity that price buys).
 * KERR_INPUT for a malformed code (bad check digit), KERR_NOTFOUND for an unknown one.
 */
int catalog_lookup(store *st, const struct weight_layout *layout, const char *code,
    struct product *p, qty_t *qty, struct kerr *err);

/* By id (deleted products too, for receipts of old sales). */
int catalog_get(store *st, int64_t id, struct product *p, struct kerr *err);

/*
 * Name search (FTS5 prefix match on every word, diacritics ignored) for F2. Fills up to max
 * products into out, best first; returns how many (0..max) or -1 on error.
 */
int catalog_search(store *st, const char *query, struct product *out, int max, struct kerr *err);

/* Inserts or updates by barcode (or SKU when barcode is empty) with updated_at, unless the
 * stored updated_at is later (last-write-wins; an equal time applies); used by sync and tests.
 * updated_at is any RFC 3339 time, stored in the canonical UTC form (timestamp.h); another
 * string is KERR_INPUT. Must run inside a transaction. */
int catalog_upsert(store *st, const struct product *p, const char *updated_at, struct kerr *err);

/* Marks the product with this barcode deleted, last-write-wins (sync), updated_at as for
 * catalog_upsert. Kept in the table: old sales name it. Must run inside a transaction. */
int catalog_delete(store *st, const char *barcode, const char *updated_at, struct kerr *err);

/*
 * The product file, as the CSV reader (csvread.h) parses it without a database: the column
 * table in the order messages list it, and one row. The import (catalog_import_csv) and the
 * parser's fuzzer use the same table.
 */
enum catalog_csv_col { CATALOG_CSV_BARCODE, CATALOG_CSV_NAME, CATALOG_CSV_PRICE,
	CATALOG_CSV_VAT, CATALOG_CSV_UNIT, CATALOG_CSV_SKU, CATALOG_CSV_MXIK,
	CATALOG_CSV_CATEGORY, CATALOG_CSV_STOCK, CATALOG_CSV_PLU, CATALOG_CSV_MIN, CATALOG_CSV_NCOLS };
struct catalog_csv_row {
	struct product p;    /* id and stock unused */
	qty_t stock;         /* when the stock column is given: the count */
};
extern const struct csv_kind catalog_csv_kind;

/* Called once per bad row of an import: "FILE:LINE: reason". */
typedef void (*catalog_report_fn)(void *ctx, const char *file, long line, const char *reason);

/*
 * Imports a product CSV (CONTRACT.md section 3) from in; name is what messages call the file.
 * All-or-nothing: every bad row is reported through report and then nothing changes
 * (returns -1, KERR_INPUT, "N bad rows"). On success *imported = rows written.
 * Stock given in the file becomes a stock count event for that product.
 */
int catalog_import_csv(store *st, FILE *in, const char *name, catalog_report_fn report,
    void *ctx, long *imported, struct kerr *err);

/* Number of products (not deleted). */
int64_t catalog_count(store *st);

#endif
