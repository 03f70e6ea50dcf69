/*
 * Unit tests for the product CSV import (CONTRACT.md section 3) on a real SQLite file: a good
 * file in any column order, every kind of bad row named as FILE:LINE with nothing imported,
 * re-imports updating products, and the stock column becoming stock.counted events.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "testlib.h"

#include <sqlite3.h>

#include "barcode.h"
#include "catalog.h"
#include "customer.h"
#include "journal.h"
#include "store.h"
#include "user.h"

struct fx {
	char dir[64];
	store *st;
	char reports[8192];      /* every "FILE:LINE: reason", one a line */
	int nreports;
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);

	f->st = testlib_store(f->dir, sizeof f->dir, "import");
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	store_close(f->st);
	testlib_rmdir(f->dir);
	free(f);
	return 0;
}

static void
on_bad(void *ctx, const char *file, long line, const char *reason)
{
	struct fx *f = ctx;
	size_t len = strlen(f->reports);

	snprintf(f->reports + len, sizeof f->reports - len, "%s:%ld: %s\n", file, line, reason);
	f->nreports++;
}

/* Imports text as file name; returns what catalog_import_csv returned. */
static int
import(struct fx *f, const char *text, const char *name, long *n, struct kerr *err)
{
	FILE *in = fmemopen((void *)text, strlen(text), "r");
	int rc;

	assert_non_null(in);
	f->reports[0] = '\0';
	f->nreports = 0;
	*n = -1;
	rc = catalog_import_csv(f->st, in, name, on_bad, f, n, err);
	fclose(in);
	return rc;
}

/* 1 when the name index agrees with the products table and its three triggers exist. */
static int
fts_ok(struct fx *f)
{
	if (sqlite3_exec(store_db(f->st), "INSERT INTO products_fts(products_fts, rank) "
	    "VALUES ('integrity-check', 1)", NULL, NULL, NULL) != SQLITE_OK)
		return 0;
	/* The three that keep the name index in step (products_price_change is the audit's). */
	return q1(f->st, "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND "
	    "tbl_name = 'products' AND name IN ('products_ai', 'products_ad', 'products_au')") == 3;
}

/* The reports must hold this exact line. */
static void
reported(struct fx *f, const char *line)
{
	char want[300];

	snprintf(want, sizeof want, "%s\n", line);
	if (strstr(f->reports, want) == NULL)
		fail_msg("expected report '%s'; got:\n%s", line, f->reports);
}

/* Some report starts with prefix ("bad.csv:7: ") and mentions word. */
static void
reported_like(struct fx *f, const char *prefix, const char *word)
{
	for (const char *p = f->reports; p != NULL && *p != '\0';) {
		const char *nl = strchr(p, '\n');
		size_t len = nl != NULL ? (size_t)(nl - p) : strlen(p);
		char line[400];

		snprintf(line, sizeof line, "%.*s", (int)len, p);
		if (strncmp(line, prefix, strlen(prefix)) == 0 && strstr(line, word) != NULL)
			return;
		p = nl != NULL ? nl + 1 : NULL;
	}
	fail_msg("expected a report '%s...%s'; got:\n%s", prefix, word, f->reports);
}

static void
test_good_file_any_order(void **state)
{
	struct fx *f = *state;
	struct product p;
	struct kerr err;
	qty_t qty;
	long n;
	/* Columns in another order, a BOM, CRLF, quotes and commas in a name, an empty line. */
	static const char csv[] =
	    "\xef\xbb\xbfPrice,Name,Barcode,VAT,unit,sku,mxik,category,plu\r\n"
	    "12500,Non,4780000000014,0,pcs,BREAD,10901001001000000,Bakery,\r\n"
	    "14500.50,\"Молоко \"\"Musaffo\"\", 1 л\",4780000000021,12,,MILK,,Dairy,\r\n"
	    "\"18990\",\"Olma qizil\",4780000000045,12.5,kg,APPLE,,Fruit,123\r\n"
	    "900,Saqich,036000291452,,pcs,,,,\r\n"
	    "\r\n"
	    "100,Chupa,96385074,0,pcs,,,,\r\n";

	assert_int_equal(import(f, csv, "good.csv", &n, &err), 0);
	assert_int_equal(f->nreports, 0);
	assert_int_equal(n, 5);
	assert_int_equal(catalog_count(f->st), 5);

	assert_int_equal(catalog_lookup(f->st, NULL, "4780000000014", &p, &qty, &err), 0);
	assert_string_equal(p.name, "Non");
	assert_int_equal(p.price, 1250000);
	assert_int_equal(p.vat_bp, 0);
	assert_string_equal(p.sku, "BREAD");
	assert_string_equal(p.mxik, "10901001001000000");
	assert_string_equal(p.category, "Bakery");
	assert_false(p.by_weight);

	assert_int_equal(catalog_lookup(f->st, NULL, "MILK", &p, &qty, &err), 0);
	assert_string_equal(p.name, "Молоко \"Musaffo\", 1 л");
	assert_int_equal(p.price, 1450050);
	assert_int_equal(p.vat_bp, 1200);

	assert_int_equal(catalog_lookup(f->st, NULL, "APPLE", &p, &qty, &err), 0);
	assert_string_equal(p.name, "Olma qizil");
	assert_true(p.by_weight);
	assert_int_equal(p.vat_bp, 1250);
	assert_int_equal(p.plu, 123);

	/* vat left empty means 12% */
	assert_int_equal(catalog_lookup(f->st, NULL, "036000291452", &p, &qty, &err), 0);
	assert_int_equal(p.vat_bp, 1200);
	assert_int_equal(catalog_lookup(f->st, NULL, "96385074", &p, &qty, &err), 0);
	assert_int_equal(fts_ok(f), 1);
	/* No stock column: no events at all. */
	assert_int_equal(q1(f->st, "SELECT count(*) FROM events"), 0);
}

static void
test_every_bad_row_named(void **state)
{
	struct fx *f = *state;
	struct kerr err;
	long n;
	/* Line numbers are physical lines: line 4's row runs over two lines. */
	static const char csv[] =
	    "barcode,name,price,vat,unit,stock\n"                     /* 1 */
	    "4780000000014,Good,100,12,pcs,5\n"                        /* 2 */
	    "4780000000021,Bad price,12.345,12,pcs,\n"                 /* 3 */
	    "4780000000038,\"Two\nlines\",abc,12,pcs,\n"               /* 4-5 */
	    "4780000000030,Bad digit,100,12,pcs,\n"                    /* 6 */
	    ",No barcode,100,12,pcs,\n"                                /* 7 */
	    "4780000000045,,100,12,pcs,\n"                             /* 8 */
	    "4780000000052,No price,,12,pcs,\n"                        /* 9 */
	    "4780000000014,Dup,100,12,pcs,\n"                          /* 10 */
	    "4780000000069,Bad \xff utf,100,12,pcs,\n"                 /* 11 */
	    "4780000000076,Too many,100,12,pcs,1,extra\n"              /* 12 */
	    "4780000000083,Too few,100\n"                              /* 13 */
	    "4780000000090,Bad vat,100,101,pcs,\n"                     /* 14 */
	    "4780000000106,Bad unit,100,12,litre,\n"                   /* 15 */
	    "4780000000113,Bad stock,100,12,pcs,-3\n"                  /* 16 */
	    "SKU-1,Not a GTIN,100,12,pcs,\n"                           /* 17 */
	    "4780000000120,Negative,-100,12,pcs,\n"                    /* 18 */
	    "4780000000137,Fine too,1,0,kg,0.5\n";                     /* 19 */

	assert_int_equal(import(f, csv, "bad.csv", &n, &err), -1);
	assert_int_equal(err.code, KERR_INPUT);
	assert_non_null(strstr(err.msg, "15 bad rows, nothing imported"));
	assert_int_equal(f->nreports, 15);
	reported_like(f, "bad.csv:3: ", "price");
	reported(f, "bad.csv:4: name has a line break");
	reported(f, "bad.csv:6: bad check digit in barcode 4780000000030 (expected 8)");
	reported(f, "bad.csv:7: missing barcode");
	reported(f, "bad.csv:8: missing name");
	reported_like(f, "bad.csv:9: ", "price");
	reported(f, "bad.csv:10: barcode 4780000000014 appears earlier in the file");
	reported(f, "bad.csv:11: not UTF-8: save it as CSV UTF-8");
	reported(f, "bad.csv:12: expected 6 fields, found 7");
	reported(f, "bad.csv:13: expected 6 fields, found 3");
	reported_like(f, "bad.csv:14: ", "vat");
	reported_like(f, "bad.csv:15: ", "unit");
	reported_like(f, "bad.csv:16: ", "stock");
	reported_like(f, "bad.csv:17: ", "EAN-13");
	reported_like(f, "bad.csv:18: ", "price");
	/* Nothing changed: no product, no barcode, no event, no stock move. */
	assert_int_equal(catalog_count(f->st), 0);
	assert_int_equal(q1(f->st, "SELECT count(*) FROM barcodes"), 0);
	assert_int_equal(q1(f->st, "SELECT count(*) FROM events"), 0);
	assert_int_equal(q1(f->st, "SELECT count(*) FROM stock_moves"), 0);
	/* The store is usable afterwards: no transaction left open, the triggers back. */
	assert_false(store_in_tx(f->st));
	assert_int_equal(fts_ok(f), 1);
}

/* Clashes only the database can see are named for every row, also after an earlier bad row:
 * a product's barcode with another product's SKU, a weight code that is taken. A new barcode
 * with a known SKU is no clash: the product gets a second barcode (one row per barcode). */
static void
test_sku_clashes_named(void **state)
{
	struct fx *f = *state;
	struct product p, q;
	struct kerr err;
	qty_t qty;
	long n;

	assert_int_equal(import(f, "barcode,name,price,sku,plu\n"
	    "4780000000014,Non,4000,BREAD,\n"
	    "4780000000021,Olma,18990,APPLE,123\n", "a.csv", &n, &err), 0);
	assert_int_equal(import(f, "barcode,name,price,sku,plu\n"
	    "4780000000038,Bad price,x,,\n"
	    "4780000000021,Olma,18990,BREAD,\n"
	    "4780000000052,Another apple,100,,123\n"
	    "4780000000069,Twice,100,NEW,\n"
	    "4780000000076,Twice,100,NEW,\n", "b.csv", &n, &err), -1);
	assert_int_equal(f->nreports, 3);
	reported_like(f, "b.csv:2: ", "price");
	reported_like(f, "b.csv:3: ", "SKU");
	reported_like(f, "b.csv:4: ", "weight code");
	assert_int_equal(catalog_count(f->st), 2);
	assert_int_equal(fts_ok(f), 1);

	/* The same rows without the bad ones: NEW has two barcodes, BREAD gets a second one. */
	assert_int_equal(import(f, "barcode,name,price,sku,plu\n"
	    "4780000000045,Non,4000,BREAD,\n"
	    "4780000000069,Twice,100,NEW,\n"
	    "4780000000076,Twice,100,NEW,\n", "c.csv", &n, &err), 0);
	assert_int_equal(catalog_count(f->st), 3);
	assert_int_equal(catalog_lookup(f->st, NULL, "4780000000045", &p, &qty, &err), 0);
	assert_int_equal(catalog_lookup(f->st, NULL, "4780000000014", &q, &qty, &err), 0);
	assert_int_equal(p.id, q.id);
	assert_int_equal(catalog_lookup(f->st, NULL, "4780000000069", &p, &qty, &err), 0);
	assert_int_equal(catalog_lookup(f->st, NULL, "4780000000076", &q, &qty, &err), 0);
	assert_int_equal(p.id, q.id);
	assert_int_equal(fts_ok(f), 1);
}

static void
test_bad_header(void **state)
{
	struct fx *f = *state;
	struct kerr err;
	long n;

	assert_int_equal(import(f, "barcode,name,price,colour\n4780000000014,Non,100,red\n",
	    "h.csv", &n, &err), -1);
	assert_int_equal(err.code, KERR_INPUT);
	reported_like(f, "h.csv:1: ", "unknown column 'colour'");

	assert_int_equal(import(f, "barcode,name\n4780000000014,Non\n", "h.csv", &n, &err), -1);
	reported_like(f, "h.csv:1: ", "missing required column 'price'");

	assert_int_equal(import(f, "barcode,name,price,name\n", "h.csv", &n, &err), -1);
	reported_like(f, "h.csv:1: ", "'name' appears twice");

	assert_int_equal(import(f, "", "empty.csv", &n, &err), -1);
	assert_int_equal(err.code, KERR_INPUT);
	assert_non_null(strstr(err.msg, "header"));

	/* An unclosed quote is named at the line its row starts on. */
	assert_int_equal(import(f, "barcode,name,price\n4780000000014,\"Non,100\n", "q.csv", &n,
	    &err), -1);
	assert_int_equal(err.code, KERR_INPUT);
	reported_like(f, "q.csv:2: ", "quote");
	assert_int_equal(catalog_count(f->st), 0);

	/* A header alone imports nothing, successfully. */
	assert_int_equal(import(f, "barcode,name,price\n", "h.csv", &n, &err), 0);
	assert_int_equal(n, 0);
}

static void
test_reimport_updates_and_counts_stock(void **state)
{
	struct fx *f = *state;
	struct product p, found[2];
	struct kerr err;
	qty_t qty;
	long n;
	int64_t id;

	assert_int_equal(import(f, "barcode,name,price,sku,stock,vat,category\n"
	    "4780000000014,Non,4000,BREAD,100,0,Bakery\n"
	    "4780000000021,Sut,14500,MILK,,12,Dairy\n", "a.csv", &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(catalog_lookup(f->st, NULL, "BREAD", &p, &qty, &err), 0);
	id = p.id;
	assert_int_equal(p.stock, 100000);
	/* One stock.counted event for the count, its move and its outbox row. */
	assert_int_equal(q1(f->st, "SELECT count(*) FROM events WHERE type = 'stock.counted'"), 1);
	assert_int_equal(q1(f->st, "SELECT count(*) FROM outbox"), 1);
	assert_int_equal(q1(f->st, "SELECT json_extract(payload, '$.counts[0].counted') FROM "
	    "events WHERE type = 'stock.counted'"), 100000);
	assert_int_equal(q1(f->st, "SELECT qty FROM stock_moves WHERE reason = 'count'"), 100000);

	/* Re-import: same barcode, new name, price and count (the delta is new - old). */
	assert_int_equal(import(f, "name,barcode,price,stock\n"
	    "Non issiq,4780000000014,4500,60\n", "b.csv", &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(catalog_count(f->st), 2);
	assert_int_equal(catalog_lookup(f->st, NULL, "4780000000014", &p, &qty, &err), 0);
	assert_int_equal(p.id, id);
	assert_string_equal(p.name, "Non issiq");
	assert_int_equal(p.price, 450000);
	assert_int_equal(p.stock, 60000);
	/* Columns the second file did not have kept their values. */
	assert_string_equal(p.sku, "BREAD");
	assert_int_equal(p.vat_bp, 0);
	assert_string_equal(p.category, "Bakery");
	assert_int_equal(q1(f->st, "SELECT qty FROM stock_moves WHERE reason = 'count' ORDER BY "
	    "id DESC LIMIT 1"), -40000);
	assert_int_equal(q1(f->st, "SELECT json_extract(payload, '$.counts[0].delta') FROM events "
	    "WHERE type = 'stock.counted' ORDER BY seq DESC LIMIT 1"), -40000);
	assert_int_equal(catalog_search(f->st, "issiq", found, 2, &err), 1);

	/* Renamed: the old name is gone from the search, the new one found; the index agrees
	 * with the table, and the triggers that keep it are all still there. */
	assert_int_equal(import(f, "barcode,name,price\n4780000000021,Qatiq,9000\n", "r.csv", &n,
	    &err), 0);
	assert_int_equal(catalog_search(f->st, "sut", found, 2, &err), 0);
	assert_int_equal(catalog_search(f->st, "qat", found, 2, &err), 1);
	assert_string_equal(found[0].sku, "MILK");
	/* An empty cell in a column the file has is the default: VAT 12%, no category. */
	assert_int_equal(import(f, "barcode,name,price,vat,category\n"
	    "4780000000014,Non issiq,4500,,\n", "d.csv", &n, &err), 0);
	assert_int_equal(catalog_lookup(f->st, NULL, "BREAD", &p, &qty, &err), 0);
	assert_int_equal(p.vat_bp, 1200);
	assert_string_equal(p.category, "");
	assert_int_equal(fts_ok(f), 1);

	/* The same count again is no news: no event. */
	assert_int_equal(import(f, "name,barcode,price,stock\n"
	    "Non issiq,4780000000014,4500,60\n", "c.csv", &n, &err), 0);
	assert_int_equal(q1(f->st, "SELECT count(*) FROM events WHERE type = 'stock.counted'"), 2);
	/* products.stock is the sum of its moves, and the chain holds. */
	assert_int_equal(q1(f->st, "SELECT count(*) FROM products p WHERE p.stock != (SELECT "
	    "coalesce(sum(qty), 0) FROM stock_moves m WHERE m.product_id = p.id)"), 0);
	{
		int64_t count = 0, bad = 0;

		assert_int_equal(journal_verify(f->st, &count, &bad, &err), 0);
		assert_int_equal(count, 2);
	}
}

static void
test_many_counts_split_into_events(void **state)
{
	struct fx *f = *state;
	struct kerr err;
	size_t cap = 1300 * 64, len = 0;
	char *csv = malloc(cap);
	long n;

	len += (size_t)snprintf(csv + len, cap - len, "barcode,name,price,stock\n");
	for (int i = 1; i <= 1200; i++) {
		char code[20];

		snprintf(code, sizeof code, "478100%06d", i);
		code[12] = (char)('0' + barcode_check_digit(code, 12));
		code[13] = '\0';
		len += (size_t)snprintf(csv + len, cap - len, "%s,Mahsulot %d,%d,%d\n", code, i,
		    100 + i, i % 7);
	}
	assert_int_equal(import(f, csv, "big.csv", &n, &err), 0);
	free(csv);
	assert_int_equal(n, 1200);
	/* Every count that changes a stock is in exactly one event and one move. */
	assert_int_equal(q1(f->st, "SELECT count(*) FROM stock_moves"), 1200 - 1200 / 7);
	assert_int_equal(q1(f->st, "SELECT sum(json_array_length(payload, '$.counts')) FROM "
	    "events WHERE type = 'stock.counted'"), 1200 - 1200 / 7);
	assert_int_equal(q1(f->st, "SELECT sum(stock) FROM products"), q1(f->st,
	    "SELECT sum(json_extract(c.value, '$.delta')) FROM events e, json_each(e.payload, "
	    "'$.counts') c WHERE e.type = 'stock.counted'"));
}

/* Bytes a text editor hides: a NUL inside a name, a file of blank lines longer than one read. */
static void
test_hidden_bytes(void **state)
{
	struct fx *f = *state;
	static const char nul[] = "barcode,name,price\n4780000000014,Non\0xyz,100\n";
	struct kerr err;
	size_t blank = 200000;
	char *csv = malloc(blank + 64);
	FILE *in;
	long n = -1;

	in = fmemopen((void *)nul, sizeof nul - 1, "r");
	f->reports[0] = '\0';
	f->nreports = 0;
	assert_int_equal(catalog_import_csv(f->st, in, "nul.csv", on_bad, f, &n, &err), -1);
	fclose(in);
	reported(f, "nul.csv:2: name has a control character");
	assert_int_equal(catalog_count(f->st), 0);

	/* Blank lines, then the header and a row: lines are still counted right. */
	memset(csv, '\n', blank);
	snprintf(csv + blank, 64, "barcode,name,price\n4780000000014,Non,x\n");
	assert_int_equal(import(f, csv, "blank.csv", &n, &err), -1);
	free(csv);
	reported_like(f, "blank.csv:200002: ", "price");
}

/*
 * The import drops and restores the name-index triggers inside its transaction: another
 * connection (the till, running while the office imports) must see them afterwards and keep
 * the index right with its own statements, prepared before the import.
 */
static void
test_other_connection_after_import(void **state)
{
	struct fx *f = *state;
	struct product p, found[2];
	struct kerr err;
	char path[128];
	qty_t qty;
	store *till;
	long n;

	snprintf(path, sizeof path, "%s/k.db", f->dir);
	till = store_open(path, 0, &err);
	assert_non_null(till);
	assert_int_equal(catalog_search(till, "non", found, 2, &err), 0);
	assert_int_equal(import(f, "barcode,name,price\n4780000000014,Non,4000\n", "a.csv", &n,
	    &err), 0);
	assert_int_equal(catalog_search(till, "non", found, 2, &err), 1);
	/* A change from the till's connection goes through the restored triggers. */
	memset(&p, 0, sizeof p);
	snprintf(p.barcode, sizeof p.barcode, "4780000000021");
	snprintf(p.name, sizeof p.name, "Sut Musaffo");
	p.price = 1450000;
	p.vat_bp = 1200;
	assert_int_equal(store_begin(till, &err), 0);
	assert_int_equal(catalog_upsert(till, &p, "2030-01-01T00:00:00.000Z", &err), 0);
	assert_int_equal(store_commit(till, &err), 0);
	assert_int_equal(catalog_search(till, "musaf", found, 2, &err), 1);
	assert_int_equal(catalog_search(f->st, "musaf", found, 2, &err), 1);
	assert_int_equal(catalog_lookup(till, NULL, "4780000000014", &p, &qty, &err), 0);
	store_close(till);
	assert_int_equal(fts_ok(f), 1);
}

/* Old spreadsheet exports end lines with a lone CR: bad rows still get their own line. */
static void
test_cr_line_endings(void **state)
{
	struct fx *f = *state;
	struct kerr err;
	long n;

	assert_int_equal(import(f, "barcode,name,price\r4006381333931,A,1\r"
	    "4006381333932,B,1\r96385075,C,1\r", "cr.csv", &n, &err), -1);
	assert_int_equal(f->nreports, 2);
	reported_like(f, "cr.csv:3: ", "check digit");
	reported_like(f, "cr.csv:4: ", "check digit");
	assert_int_equal(import(f, "barcode,name,price\r\n4006381333931,A,1\r\n\r\n"
	    "4006381333931,A,2\r\n", "crlf.csv", &n, &err), -1);
	reported_like(f, "crlf.csv:4: ", "earlier");
}

/*
 * What suppliers' spreadsheets write (issue 17), end to end into the database: Excel's "CSV
 * UTF-8" with a BOM and ';' as the separator, an inch mark in an unquoted name, spaces around
 * names quoted or not. A CP1251 file is refused, saying so, and nothing changes.
 */
static void
test_supplier_dialects(void **state)
{
	struct fx *f = *state;
	struct product p;
	struct kerr err;
	qty_t qty;
	long n;

	assert_int_equal(import(f, "\xef\xbb\xbf" "barcode;name;price;vat\r\n"
	    "4780000000014;Monitor 24\" LG;2500000;12\r\n"
	    "4780000000021;\"  Olma, qizil  \";18990.50;\r\n"
	    "4780000000038;  Non  ;4000;0\r\n", "excel.csv", &n, &err), 0);
	assert_int_equal(n, 3);
	assert_int_equal(catalog_lookup(f->st, NULL, "4780000000014", &p, &qty, &err), 0);
	assert_string_equal(p.name, "Monitor 24\" LG");
	assert_int_equal(p.price, 250000000);
	assert_int_equal(catalog_lookup(f->st, NULL, "4780000000021", &p, &qty, &err), 0);
	assert_string_equal(p.name, "Olma, qizil");
	assert_int_equal(p.price, 1899050);
	assert_int_equal(p.vat_bp, 1200);
	assert_int_equal(catalog_lookup(f->st, NULL, "4780000000038", &p, &qty, &err), 0);
	assert_string_equal(p.name, "Non");
	assert_int_equal(fts_ok(f), 1);

	assert_int_equal(import(f, "barcode,name,price\n4780000000045,\xcc\xee\xed\xe8\xf2\xee"
	    "\xf0,100\n", "cp1251.csv", &n, &err), -1);
	assert_int_equal(err.code, KERR_INPUT);
	reported(f, "cp1251.csv:2: not UTF-8: save it as CSV UTF-8");
	assert_int_equal(catalog_count(f->st), 3);

	assert_int_equal(import(f, "barcode,name,price\n4780000000045,\"Monitor\" 24,1\n",
	    "q.csv", &n, &err), -1);
	reported_like(f, "q.csv:2: ", "closing quote");
	assert_int_equal(catalog_count(f->st), 3);
}

/* One rule for names wherever they enter: the hub's products and customers, users added at
 * the till and renamed from the hub. */
static void
test_name_rule_everywhere(void **state)
{
	struct fx *f = *state;
	struct product p, got;
	struct customer c;
	struct user u;
	struct kerr err;
	qty_t qty;

	memset(&p, 0, sizeof p);
	snprintf(p.barcode, sizeof p.barcode, "4780000000014");
	snprintf(p.name, sizeof p.name, "  Non\t ");
	p.price = 400000;
	p.vat_bp = 1200;
	memset(&c, 0, sizeof c);
	snprintf(c.key, sizeof c.key, "c1");
	snprintf(c.name, sizeof c.name, " Aziza  Karimova ");
	assert_int_equal(store_begin(f->st, &err), 0);
	assert_int_equal(catalog_upsert(f->st, &p, "2026-01-01T00:00:00Z", &err), 0);
	assert_int_equal(customer_upsert(f->st, &c, "2026-01-01T00:00:00Z", 0, &err), 0);
	assert_int_equal(store_commit(f->st, &err), 0);
	assert_int_equal(catalog_lookup(f->st, NULL, "4780000000014", &got, &qty, &err), 0);
	assert_string_equal(got.name, "Non");
	assert_int_equal(q1(f->st, "SELECT name = 'Aziza  Karimova' FROM customers WHERE "
	    "key = 'c1'"), 1);

	assert_int_equal(user_add(f->st, "  Dilnoza ", ROLE_CASHIER, "4821", &err), 0);
	assert_int_equal(user_login(f->st, "4821", &u, &err), 0);
	assert_string_equal(u.name, "Dilnoza");
	assert_int_equal(user_add(f->st, "   ", ROLE_CASHIER, "4822", &err), -1);
	assert_int_equal(err.code, KERR_INPUT);

	/* A rename from the hub: the same rule. */
	assert_int_equal(store_begin(f->st, &err), 0);
	assert_int_equal(user_apply_change(f->st, "Dilnoza", "  Dilnoza Karimova ", NULL, -1,
	    "2099-01-01T00:00:00.000Z", &err), 0);
	assert_int_equal(user_apply_change(f->st, "Dilnoza Karimova", " ", NULL, -1,
	    "2099-01-01T00:00:01.000Z", &err), -1);
	store_rollback(f->st);
	assert_int_equal(store_begin(f->st, &err), 0);
	assert_int_equal(user_apply_change(f->st, "Dilnoza", "  Dilnoza Karimova ", NULL, -1,
	    "2099-01-01T00:00:00.000Z", &err), 0);
	assert_int_equal(store_commit(f->st, &err), 0);
	assert_int_equal(user_login(f->st, "4821", &u, &err), 0);
	assert_string_equal(u.name, "Dilnoza Karimova");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_good_file_any_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_bad_row_named, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_header, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sku_clashes_named, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cr_line_endings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reimport_updates_and_counts_stock, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_many_counts_split_into_events, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_hidden_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_connection_after_import, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_supplier_dialects, setup, teardown),
		cmocka_unit_test_setup_teardown(test_name_rule_everywhere, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
