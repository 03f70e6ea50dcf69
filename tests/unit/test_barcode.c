/* Unit tests for barcodes: check digits a scanner would send, and in-store weight labels. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "barcode.h"

static void
test_check_digits(void **state)
{
	(void)state;
	assert_true(barcode_valid("4006381333931"));	/* EAN-13 from GS1's example */
	assert_false(barcode_valid("4006381333932"));
	assert_true(barcode_valid("96385074"));		/* EAN-8 */
	assert_false(barcode_valid("96385075"));
	assert_true(barcode_valid("036000291452"));	/* UPC-A */
	assert_false(barcode_valid("036000291453"));
	assert_false(barcode_valid("12345"));
	assert_false(barcode_valid("400638133393a"));
	assert_false(barcode_valid(""));
	assert_int_equal(barcode_check_digit("400638133393", 12), 1);
	assert_int_equal(barcode_check_digit("40063x", 6), -1);
	assert_int_equal(barcode_kind("4006381333931"), BARCODE_EAN13);
	assert_int_equal(barcode_kind("SKU-1"), BARCODE_NONE);
}

static void
test_weight_default(void **state)
{
	int64_t plu = 0, value = 0;
	char code[14] = "221234501250";	/* prefix 22, PLU 12345, 1250 g */

	(void)state;
	code[12] = (char)('0' + barcode_check_digit(code, 12));
	code[13] = '\0';
	assert_true(barcode_weight_parse(NULL, code, &plu, &value));
	assert_int_equal(plu, 12345);
	assert_int_equal(value, 1250);
	/* A wrong check digit or a GTIN outside 20-29 is not a weight label. */
	code[12] = (char)('0' + (code[12] - '0' + 1) % 10);
	assert_false(barcode_weight_parse(NULL, code, &plu, &value));
	assert_false(barcode_weight_parse(NULL, "4006381333931", &plu, &value));
}

static void
test_weight_layouts(void **state)
{
	struct weight_layout l;
	int64_t plu = 0, value = 0;
	char code[14] = "260042012345";	/* PP CCCC X $$$$$ : PLU 0042, price 12345 */

	(void)state;
	assert_int_equal(barcode_layout_parse("PPCCCCX$$$$$K", &l), 0);
	assert_true(l.value_is_price);
	assert_int_equal(l.code_len, 4);
	assert_int_equal(l.value_start, 7);
	code[12] = (char)('0' + barcode_check_digit(code, 12));
	code[13] = '\0';
	assert_true(barcode_weight_parse(&l, code, &plu, &value));
	assert_int_equal(plu, 42);
	assert_int_equal(value, 12345);
	assert_int_equal(barcode_layout_parse("PPCCCCCWWWWWK", &l), 0);
	assert_false(l.value_is_price);
	assert_int_equal(barcode_layout_parse("PPCCWCCWWWWWK", &l), -1);	/* split runs */
	assert_int_equal(barcode_layout_parse("PPCCCCCWWWWW", &l), -1);	/* too short */
	assert_int_equal(barcode_layout_parse("PPCCCCCWW$$$K", &l), -1);	/* mixed */
	assert_int_equal(barcode_layout_parse("PP0000000000K", &l), -1);	/* no code */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_digits),
		cmocka_unit_test(test_weight_default),
		cmocka_unit_test(test_weight_layouts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
