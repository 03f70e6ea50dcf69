/*
 * testlib.h: what the cmocka unit tests share: a one-number query, a fresh database, a product,
 * removing a test's temp folder. Included by tests/unit/test_*.c after <cmocka.h>.
 */
#ifndef KASSA_TESTLIB_H
#define KASSA_TESTLIB_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "catalog.h"
#include "store.h"

/* Stock on hand of the products row p, computed here on its own (not core-int.h's): the
 * folded products.stock plus the moves after the fold's mark. */
#define ON_HAND_SQL "(p.stock + coalesce((SELECT sum(m.qty) FROM stock_moves m WHERE m.id > " \
	"(SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'stock_folded') AND " \
	"m.product_id = p.id), 0))"

/* The first column of the first row of sql, which must have one. */
static inline int64_t
q1(store *st, const char *sql)
{
	sqlite3_stmt *q;
	int64_t n;

	assert_int_equal(sqlite3_prepare_v2(store_db(st), sql, -1, &q, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	n = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return n;
}

/* A new database in a fresh folder /tmp/kassa-NAME-XXXXXX (its path into dir). */
static inline store *
testlib_store(char *dir, size_t size, const char *name)
{
	char path[128];
	struct kerr err;
	store *st;

	snprintf(dir, size, "/tmp/kassa-%s-XXXXXX", name);
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/k.db", dir);
	st = store_open(path, STORE_CREATE, &err);
	if (st == NULL)
		fail_msg("%s", err.msg);
	return st;
}

/* Adds or updates a product (VAT 12%) in its own transaction, as an import would. */
static inline void
testlib_product(store *st, const char *barcode, const char *sku, const char *name,
    money_t price, bool kg, int64_t plu, const char *at)
{
	struct product p;
	struct kerr err;

	memset(&p, 0, sizeof p);
	snprintf(p.barcode, sizeof p.barcode, "%s", barcode);
	snprintf(p.sku, sizeof p.sku, "%s", sku);
	snprintf(p.name, sizeof p.name, "%s", name);
	p.price = price;
	p.vat_bp = 1200;
	p.by_weight = kg;
	p.plu = plu;
	assert_int_equal(store_begin(st, &err), 0);
	if (catalog_upsert(st, &p, at, &err) != 0)
		fail_msg("upsert %s: %s", name, err.msg);
	assert_int_equal(store_commit(st, &err), 0);
}

/* Removes a test's temp folder (made with mkdtemp under /tmp). */
static inline void
testlib_rmdir(const char *dir)
{
	char cmd[160];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

#endif
