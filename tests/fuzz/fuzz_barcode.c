/*
 * fuzz_barcode: libFuzzer target for the code and amount parsers, the things a cashier or a
 * scanner types: barcode_kind/valid/check_digit, barcode_layout_parse and
 * barcode_weight_parse, money_parse and qty_parse.
 *
 *   make fuzz && build-fuzz/fuzz_barcode -max_total_time=60 tests/fuzz/corpus-barcode
 *
 * The input is split at the first newline: the first part is tried as a weight layout spec
 * ("PPCCCCCWWWWWK"), the second (or the whole input) as a code and as an amount. Beyond not
 * crashing it checks properties that must hold for any input: a valid code's check digit is
 * its last digit, a parsed weight barcode is a valid EAN-13, and formatting then parsing an
 * amount or a quantity gives it back.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "barcode.h"
#include "kerr.h"
#include "money.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
try_code(const struct weight_layout *layout, const char *s)
{
	int64_t plu, value;
	size_t len = strlen(s);

	(void)barcode_kind(s);
	if (barcode_valid(s)) {
		/* A valid code is all digits and its last digit is the check digit. */
		if (barcode_check_digit(s, (int)len - 1) != s[len - 1] - '0')
			abort();
	}
	if (len < 64)
		(void)barcode_check_digit(s, (int)len);
	if (barcode_weight_parse(layout, s, &plu, &value)) {
		if (!barcode_valid(s) || barcode_kind(s) != BARCODE_EAN13 || plu < 0 || value < 0)
			abort();
	}
}

static void
try_amount(const char *s)
{
	struct kerr err;
	money_t m, back;
	qty_t q, qback;
	char buf[64];
	int neg;

	for (neg = 0; neg < 2; neg++) {
		if (money_parse(s, neg, &m, &err) == -1)
			continue;
		if (!neg && m < 0)
			abort();
		money_format(m, buf, sizeof buf);
		if (money_parse(buf, true, &back, &err) == -1 || back != m)
			abort();
	}
	if (qty_parse(s, &q, &err) == 0) {
		if (q <= 0)
			abort();
		qty_format(q, true, buf, sizeof buf);
		if (qty_parse(buf, &qback, &err) == -1 || qback != q)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct weight_layout layout;
	char *s, *nl, *code;

	s = malloc(size + 1);
	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';

	code = s;
	barcode_layout_default(&layout);
	if ((nl = strchr(s, '\n')) != NULL) {
		*nl = '\0';
		code = nl + 1;
		if (barcode_layout_parse(s, &layout) == -1)
			barcode_layout_default(&layout);
	} else {
		struct weight_layout other;

		(void)barcode_layout_parse(s, &other);
	}
	try_code(&layout, code);
	try_amount(code);
	free(s);
	return 0;
}
