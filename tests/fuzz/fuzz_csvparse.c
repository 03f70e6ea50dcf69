/*
 * fuzz_csvparse: libFuzzer target for the CSV reader alone (csv_read, csvread.h), with no
 * database: the input is read as each of the three kinds of file (products, stock received,
 * stock counted). Beyond not crashing it checks the reader's promises: every bad row is named
 * with a line inside the file and a reason; a good row's strings are terminated, valid for the
 * kind (a barcode with its check digit, a name with no spaces around it); the result agrees
 * with the count of bad rows.
 *
 *   make fuzz && build-fuzz/fuzz_csvparse -max_total_time=60 tests/fuzz/corpus-csvparse
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "barcode.h"
#include "catalog.h"
#include "csvread.h"
#include "kerr.h"
#include "stock-csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct seen {
	long bad, good, lines;
};

static void
report(void *ctx, const char *file, long line, const char *reason)
{
	struct seen *s = ctx;

	if (file == NULL || reason == NULL || reason[0] == '\0' || line < 1 ||
	    line > s->lines)
		abort();
	s->bad++;
}

static void
check_string(const char *s, size_t size)
{
	if (memchr(s, '\0', size) == NULL)
		abort();
}

static int
product_row(void *ctx, const struct csv_file *f, long line, void *data, struct kerr *err)
{
	struct seen *s = ctx;
	const struct catalog_csv_row *r = data;
	size_t n;

	(void)f;
	(void)err;
	if (line < 1 || line > s->lines)
		abort();
	check_string(r->p.barcode, sizeof r->p.barcode);
	check_string(r->p.name, sizeof r->p.name);
	check_string(r->p.sku, sizeof r->p.sku);
	if (!barcode_valid(r->p.barcode))
		abort();
	n = strlen(r->p.name);
	if (n == 0 || r->p.name[0] == ' ' || r->p.name[n - 1] == ' ')
		abort();
	if (r->p.price < 0 || r->p.vat_bp < 0 || r->p.vat_bp > 10000 || r->stock < 0)
		abort();
	s->good++;
	return 0;
}

static int
stock_row(void *ctx, const struct csv_file *f, long line, void *data, struct kerr *err)
{
	struct seen *s = ctx;
	const struct stock_csv_row *r = data;

	(void)f;
	(void)err;
	if (line < 1 || line > s->lines)
		abort();
	check_string(r->barcode, sizeof r->barcode);
	if (!barcode_valid(r->barcode) || r->qty < 0 || r->cost < 0)
		abort();
	s->good++;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct {
		const struct csv_kind *kind;
		csv_row_fn fn;
	} kinds[] = {
		{ &catalog_csv_kind, product_row },
		{ &stock_csv_receive, stock_row },
		{ &stock_csv_count, stock_row },
	};
	long lines = 1;

	for (size_t i = 0; i < size; i++) {
		if (data[i] == '\n' || (data[i] == '\r' && (i + 1 == size || data[i + 1] != '\n')))
			lines++;
	}
	for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
		struct seen s = { 0, 0, lines };
		struct kerr err;
		long rows = -1;
		FILE *in;
		int rc;

		if ((in = size > 0 ? fmemopen((void *)data, size, "r") : NULL) == NULL)
			return 0;
		rc = csv_read(in, "fuzz.csv", kinds[k].kind, kinds[k].fn, &s, report, &s, &rows,
		    &err);
		fclose(in);
		if (rc == 0 && (s.bad != 0 || rows != s.good))
			abort();   /* bad rows reported, yet the file was taken */
		if (rc == -1 && err.code != KERR_INPUT)
			abort();   /* nothing here fails but the input */
		if (rc == -1 && s.bad == 0 && strstr(err.msg, "empty file") == NULL)
			abort();   /* refused without a row named */
	}
	return 0;
}
