/*
 * Unit tests for the CSV reader alone (csvread.h), with no database: csv-spectrum's RFC 4180
 * cases (quoted commas, escaped quotes, CRLF, line breaks inside quotes, empty fields) and the
 * supplier dialects (a BOM, CP1251 bytes, ';' as the separator, a quote inside an unquoted
 * field, spaces around a name), through the product table and the two stock tables.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "catalog.h"
#include "csvread.h"
#include "stock-csv.h"

#define MAX_ROWS 8

struct got {
	const struct csv_kind *kind;
	char reports[4096];          /* every "FILE:LINE: reason", one a line */
	int nreports;
	long lines[MAX_ROWS];        /* the line each good row started on */
	struct catalog_csv_row products[MAX_ROWS];
	struct stock_csv_row stock[MAX_ROWS];
	bool has_vat;                /* csv_has(VAT) as the row function saw it */
	int nrows;
	long rows;
	struct kerr err;
};

static void
on_bad(void *ctx, const char *file, long line, const char *reason)
{
	struct got *g = ctx;
	size_t len = strlen(g->reports);

	snprintf(g->reports + len, sizeof g->reports - len, "%s:%ld: %s\n", file, line, reason);
	g->nreports++;
}

static int
on_row(void *ctx, const struct csv_file *f, long line, void *row, struct kerr *err)
{
	struct got *g = ctx;

	(void)err;
	assert_true(g->nrows < MAX_ROWS);
	g->lines[g->nrows] = line;
	if (g->kind == &catalog_csv_kind) {
		g->products[g->nrows] = *(struct catalog_csv_row *)row;
		g->has_vat = csv_has(f, CATALOG_CSV_VAT);
	} else {
		g->stock[g->nrows] = *(struct stock_csv_row *)row;
	}
	g->nrows++;
	return 0;
}

/* Reads text (len bytes, or strlen when 0) as kind; returns csv_read's result. */
static int
read_as(struct got *g, const struct csv_kind *kind, const char *text, size_t len)
{
	FILE *in;
	int rc;

	memset(g, 0, sizeof *g);
	g->kind = kind;
	in = fmemopen((void *)text, len > 0 ? len : strlen(text), "r");
	assert_non_null(in);
	rc = csv_read(in, "t.csv", kind, on_row, g, on_bad, g, &g->rows, &g->err);
	fclose(in);
	return rc;
}

static void
reported(struct got *g, const char *line)
{
	char want[300];

	snprintf(want, sizeof want, "%s\n", line);
	if (strstr(g->reports, want) == NULL)
		fail_msg("expected report '%s'; got:\n%s", line, g->reports);
}

static void
test_rfc4180(void **state)
{
	struct got g;

	(void)state;
	/* Quoted commas, escaped quotes, CRLF, an empty optional field, a quoted empty one. */
	assert_int_equal(read_as(&g, &catalog_csv_kind, "barcode,name,price,vat,sku\r\n"
	    "4780000000014,\"Olma, red\",18990,,\"\"\r\n"
	    "4780000000021,\"Say \"\"hi\"\"\",1.50,0,S-1\r\n", 0), 0);
	assert_int_equal(g.rows, 2);
	assert_string_equal(g.products[0].p.name, "Olma, red");
	assert_int_equal(g.products[0].p.price, 1899000);
	assert_int_equal(g.products[0].p.vat_bp, 1200);   /* empty: the default */
	assert_string_equal(g.products[0].p.sku, "");
	assert_string_equal(g.products[1].p.name, "Say \"hi\"");
	assert_int_equal(g.products[1].p.price, 150);
	assert_int_equal(g.products[1].p.vat_bp, 0);
	assert_int_equal(g.lines[0], 2);
	assert_int_equal(g.lines[1], 3);
	assert_true(g.has_vat);

	/* A line break inside quotes: the reader keeps it, the name refuses it, and the rows
	 * after it keep their own line numbers. A required field left empty is named. */
	assert_int_equal(read_as(&g, &catalog_csv_kind, "barcode,name,price\n"
	    "4780000000014,\"Two\r\nlines\",1\n"
	    "4780000000021,Fine,1\n"
	    "4780000000038,Empty price,\n"
	    "\n"
	    "4780000000045,Last,2", 0), -1);
	assert_int_equal(g.err.code, KERR_INPUT);
	assert_non_null(strstr(g.err.msg, "t.csv: 2 bad rows, nothing imported"));
	assert_int_equal(g.nreports, 2);
	reported(&g, "t.csv:2: name has a line break");
	reported(&g, "t.csv:5: missing price");
	assert_int_equal(g.nrows, 2);
	assert_int_equal(g.lines[0], 4);
	assert_int_equal(g.lines[1], 7);   /* no line break at the end of the file */
	assert_false(g.has_vat);
}

static void
test_quotes_from_suppliers(void **state)
{
	struct got g;

	(void)state;
	/* An inch mark in an unquoted field is a literal character. */
	assert_int_equal(read_as(&g, &catalog_csv_kind, "barcode,name,price\n"
	    "4780000000014,Monitor 24\" LG,100\n"
	    "4780000000021,12\" pizza \"Margherita\",5\n", 0), 0);
	assert_string_equal(g.products[0].p.name, "Monitor 24\" LG");
	assert_string_equal(g.products[1].p.name, "12\" pizza \"Margherita\"");

	/* A quoted field with text after its closing quote is still refused, at its line. */
	assert_int_equal(read_as(&g, &catalog_csv_kind, "barcode,name,price\n"
	    "4780000000014,Fine,1\n"
	    "4780000000021,\"Monitor\" 24,1\n", 0), -1);
	assert_int_equal(g.nreports, 1);
	assert_non_null(strstr(g.reports, "t.csv:3: text after the closing quote"));

	/* So is a quote never closed, named at the line its row starts on. */
	assert_int_equal(read_as(&g, &catalog_csv_kind, "barcode,name,price\n"
	    "4780000000014,\"Non,100\n4780000000021,Olma,1\n", 0), -1);
	assert_int_equal(g.nreports, 1);
	assert_non_null(strstr(g.reports, "t.csv:2: a quoted field is never closed"));
}

static void
test_name_rule(void **state)
{
	struct got g;

	(void)state;
	/* Spaces around a name go, quoted or not; inside they stay; spaces alone are no name. */
	assert_int_equal(read_as(&g, &catalog_csv_kind, "barcode,name,price\n"
	    "4780000000014,  Non  ,1\n"
	    "4780000000021,\"  Olma  qizil \",1\n"
	    "4780000000038,\"\t Tab\t\",1\n", 0), 0);
	assert_string_equal(g.products[0].p.name, "Non");
	assert_string_equal(g.products[1].p.name, "Olma  qizil");
	assert_string_equal(g.products[2].p.name, "Tab");
	assert_int_equal(read_as(&g, &catalog_csv_kind, "barcode,name,price\n"
	    "4780000000014,\"   \",1\n", 0), -1);
	reported(&g, "t.csv:2: missing name");
}

static void
test_encodings(void **state)
{
	static const char nul[] = "barcode,name,price\n4780000000014,A\0B,1\n";
	struct got g;

	(void)state;
	/* Excel's "CSV UTF-8": a byte-order mark, even before a quoted header name. */
	assert_int_equal(read_as(&g, &catalog_csv_kind, "\xef\xbb\xbf\"barcode\",name,price\n"
	    "4780000000014,\xd0\x9d\xd0\xbe\xd0\xbd,1\n", 0), 0);
	assert_string_equal(g.products[0].p.name, "\xd0\x9d\xd0\xbe\xd0\xbd");

	/* Plain "CSV" from a Russian Windows: CP1251, named for what it is. */
	assert_int_equal(read_as(&g, &catalog_csv_kind, "barcode,name,price\n"
	    "4780000000014,\xcd\xee\xed,1\n"
	    "4780000000021,Olma,1\n", 0), -1);
	assert_int_equal(g.nreports, 1);
	reported(&g, "t.csv:2: not UTF-8: save it as CSV UTF-8");
	/* ... also when the header itself is (a Cyrillic column name). */
	assert_int_equal(read_as(&g, &catalog_csv_kind, "barcode,name,price,\xf6\xe5\xed\xe0\n",
	    0), -1);
	reported(&g, "t.csv:1: not UTF-8: save it as CSV UTF-8");

	/* A NUL byte is a control character, not the end of the field. */
	assert_int_equal(read_as(&g, &catalog_csv_kind, nul, sizeof nul - 1), -1);
	reported(&g, "t.csv:2: name has a control character");
}

static void
test_separator(void **state)
{
	struct got g;

	(void)state;
	/* ';' in the header, none of ',': the file is read with ';' (decimal points stay '.'). */
	assert_int_equal(read_as(&g, &catalog_csv_kind, "\xef\xbb\xbf" "barcode;name;price\r\n"
	    "4780000000014;\"Olma; red, big\";12.50\r\n", 0), 0);
	assert_string_equal(g.products[0].p.name, "Olma; red, big");
	assert_int_equal(g.products[0].p.price, 1250);

	/* Blank lines before the header: the header still decides, and lines still count. */
	assert_int_equal(read_as(&g, &catalog_csv_kind, "\r\n\n\nbarcode;name;price\n"
	    "4780000000014;Non;1\n", 0), 0);
	assert_string_equal(g.products[0].p.name, "Non");
	assert_int_equal(g.lines[0], 5);

	/* Both in the header: refused with advice, nothing read. */
	assert_int_equal(read_as(&g, &catalog_csv_kind, "barcode;name,price\n"
	    "4780000000014;Non,1\n", 0), -1);
	assert_int_equal(g.nrows, 0);
	assert_int_equal(g.nreports, 1);
	assert_non_null(strstr(g.reports, "t.csv:1: the header row has both ',' and ';'"));
	assert_non_null(strstr(g.reports, "one separator"));

	/* A ',' file whose names hold ';' is still a ',' file. */
	assert_int_equal(read_as(&g, &catalog_csv_kind, "barcode,name,price\n"
	    "4780000000014,A;B,1\n", 0), 0);
	assert_string_equal(g.products[0].p.name, "A;B");
}

static void
test_stock_tables(void **state)
{
	struct got g;

	(void)state;
	/* Receiving: barcode,qty[,cost]; qty more than 0. */
	assert_int_equal(read_as(&g, &stock_csv_receive, "barcode,qty,cost\n"
	    "4780000000014,10,3500\n4780000000021,1.5,\n", 0), 0);
	assert_int_equal(g.rows, 2);
	assert_string_equal(g.stock[0].barcode, "4780000000014");
	assert_int_equal(g.stock[0].qty, 10000);
	assert_int_equal(g.stock[0].cost, 350000);
	assert_int_equal(g.stock[1].qty, 1500);
	assert_int_equal(g.stock[1].cost, 0);
	assert_int_equal(read_as(&g, &stock_csv_receive, "qty,barcode\n3,4780000000014\n", 0), 0);
	assert_int_equal(g.stock[0].qty, 3000);
	assert_int_equal(read_as(&g, &stock_csv_receive, "barcode,qty\n"
	    "4780000000014,0\n4780000000030,1\n4780000000021,\n", 0), -1);
	assert_int_equal(g.nreports, 3);
	assert_non_null(strstr(g.reports, "t.csv:2: bad qty"));
	reported(&g, "t.csv:3: bad check digit in barcode 4780000000030 (expected 8)");
	reported(&g, "t.csv:4: missing qty");

	/* Stock-take: barcode,qty; 0 is a count; no cost column. */
	assert_int_equal(read_as(&g, &stock_csv_count, "barcode,qty\n4780000000014,0\n"
	    "4780000000021,2.250\n", 0), 0);
	assert_int_equal(g.stock[0].qty, 0);
	assert_int_equal(g.stock[1].qty, 2250);
	assert_int_equal(read_as(&g, &stock_csv_count, "barcode,qty,cost\n", 0), -1);
	reported(&g, "t.csv:1: unknown column 'cost' (known: barcode, qty)");
	assert_int_equal(read_as(&g, &stock_csv_count, "barcode\n", 0), -1);
	reported(&g, "t.csv:1: missing required column 'qty'");

	/* An empty file names the header each kind wants. */
	assert_int_equal(read_as(&g, &stock_csv_receive, "", 0), -1);
	assert_non_null(strstr(g.err.msg, "(barcode,qty,...)"));
	assert_int_equal(read_as(&g, &stock_csv_count, "\n\n", 0), -1);
	assert_non_null(strstr(g.err.msg, "(barcode,qty)"));
	assert_int_equal(read_as(&g, &catalog_csv_kind, "", 0), -1);
	assert_non_null(strstr(g.err.msg, "(barcode,name,price,...)"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc4180),
		cmocka_unit_test(test_quotes_from_suppliers),
		cmocka_unit_test(test_name_rule),
		cmocka_unit_test(test_encodings),
		cmocka_unit_test(test_separator),
		cmocka_unit_test(test_stock_tables),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
