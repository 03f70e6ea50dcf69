/* Unit tests for money: parsing what a cashier or a CSV writes, formatting, rounding, VAT. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "money.h"

static money_t
parse_ok(const char *s)
{
	struct kerr err;
	money_t m = -12345;

	assert_int_equal(money_parse(s, false, &m, &err), 0);
	return m;
}

static void
test_parse(void **state)
{
	struct kerr err;
	money_t m;
	const char *bad[] = { "", " ", "abc", "1.234", "1e5", "12,5", "1.", ".", "--1",
	    "99999999999999999999", "12 50", "1 2345" };

	(void)state;
	assert_int_equal(parse_ok("12500"), 1250000);
	assert_int_equal(parse_ok("12500.5"), 1250050);
	assert_int_equal(parse_ok("12500.50"), 1250050);
	assert_int_equal(parse_ok("12 500.50"), 1250050);
	assert_int_equal(parse_ok("1 000 000"), 100000000);
	assert_int_equal(parse_ok("0.01"), 1);
	assert_int_equal(parse_ok(".5"), 50);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		m = 777;
		assert_int_equal(money_parse(bad[i], false, &m, &err), -1);
		assert_int_equal(err.code, KERR_INPUT);
		assert_int_equal(m, 777);	/* untouched on error */
	}
	assert_int_equal(money_parse("-500", false, &m, &err), -1);
	assert_int_equal(money_parse("-500", true, &m, &err), 0);
	assert_int_equal(m, -50000);
}

static void
test_format(void **state)
{
	char buf[32];

	(void)state;
	assert_string_equal(money_format(1250000, buf, sizeof buf), "12 500");
	assert_string_equal(money_format(1250050, buf, sizeof buf), "12 500.50");
	assert_string_equal(money_format(5, buf, sizeof buf), "0.05");
	assert_string_equal(money_format(-100000, buf, sizeof buf), "-1 000");
	assert_string_equal(money_format(0, buf, sizeof buf), "0");
	assert_string_equal(money_format(INT64_MIN, buf, sizeof buf),
	    "-92 233 720 368 547 758.08");
}

static void
test_rounding_and_overflow(void **state)
{
	money_t m;

	(void)state;
	/* 0.250 kg at 12 345.67 a kg = 3 086.4175 -> 3 086.42 */
	assert_true(money_times_qty(1234567, 250, &m));
	assert_int_equal(m, 308642);
	/* half away from zero */
	assert_true(money_muldiv(5, 1, 10, &m));
	assert_int_equal(m, 1);
	assert_true(money_muldiv(-5, 1, 10, &m));
	assert_int_equal(m, -1);
	assert_true(money_muldiv(4, 1, 10, &m));
	assert_int_equal(m, 0);
	m = 42;
	assert_false(money_add(INT64_MAX, 1, &m));
	assert_false(money_mul(INT64_MAX / 2, 3, &m));
	assert_false(money_times_qty(INT64_MAX, 2000, &m));
	assert_int_equal(m, 42);
	assert_false(money_muldiv(1, 1, 0, &m));
}

static void
test_vat(void **state)
{
	(void)state;
	/* 11 200 so'm at 12% holds 1 200 so'm of VAT */
	assert_int_equal(money_vat_included(1120000, 1200), 120000);
	assert_int_equal(money_vat_included(1450000, 1200), 155357);	/* 155357.14 */
	assert_int_equal(money_vat_included(1450000, 0), 0);
	assert_int_equal(money_vat_included(1, 1200), 0);
}

static void
test_qty(void **state)
{
	struct kerr err;
	char buf[32];
	qty_t q;

	(void)state;
	assert_int_equal(qty_parse("3", &q, &err), 0);
	assert_int_equal(q, 3000);
	assert_int_equal(qty_parse("0.25", &q, &err), 0);
	assert_int_equal(q, 250);
	assert_int_equal(qty_parse("0", &q, &err), -1);
	assert_int_equal(qty_parse("1.2345", &q, &err), -1);
	assert_int_equal(qty_parse("-1", &q, &err), -1);
	assert_string_equal(qty_format(3000, false, buf, sizeof buf), "3");
	assert_string_equal(qty_format(250, true, buf, sizeof buf), "0.250");
	assert_string_equal(qty_format(1500, false, buf, sizeof buf), "1.5");
}

/* The bounds of include/money.h: a shift of the largest sales still sums inside int64. */
static void
test_bounds(void **state)
{
	money_t sum = 0;

	(void)state;
	assert_true(money_amount_ok(MONEY_AMOUNT_MAX));
	assert_true(money_amount_ok(-MONEY_AMOUNT_MAX));
	assert_false(money_amount_ok(MONEY_AMOUNT_MAX + 1));
	assert_false(money_amount_ok(90000000000000000));	/* 9 x 10^16: issue 9's cash-in */
	/* The largest price times the largest quantity does not overflow the 128-bit product
	 * but is far past a line's bound: refused, never wrapped. */
	assert_true(money_times_qty(MONEY_PRICE_MAX, QTY_MAX, &sum));
	assert_false(money_amount_ok(sum));
	/* 90 000 sales of the largest total. */
	assert_true(money_mul(MONEY_AMOUNT_MAX, 90000, &sum));
	assert_false(money_mul(MONEY_AMOUNT_MAX, 100000, &sum));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_rounding_and_overflow),
		cmocka_unit_test(test_vat),
		cmocka_unit_test(test_qty),
		cmocka_unit_test(test_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
