/*
 * Unit tests for shifts on a real SQLite file: opening with a float, cash in and out with the
 * rights they need, the no-sale drawer opening, the X report, closing with a variance, the Z
 * report, and the shift's events folded back into the figures the shifts row keeps.
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

#include <jansson.h>
#include <sqlite3.h>

#include "catalog.h"
#include "journal.h"
#include "sale.h"
#include "shift.h"
#include "store.h"
#include "user.h"

struct fx {
	char dir[64];
	store *st;
	struct user cashier, manager;
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	static const char csv[] = "barcode,name,price,vat,sku,stock\n"
	    "4780000000014,\"Non \"\"issiq\"\" / \\ yangi\",4000,0,BREAD,100\n"
	    "4780000000021,Молоко Musaffo,14500,12,MILK,50\n";
	struct kerr err;
	long n;
	FILE *in;

	f->st = testlib_store(f->dir, sizeof f->dir, "shift");
	in = fmemopen((void *)csv, sizeof csv - 1, "r");
	assert_int_equal(catalog_import_csv(f->st, in, "c.csv", NULL, NULL, &n, &err), 0);
	fclose(in);
	assert_int_equal(user_add(f->st, "Dilnoza", ROLE_CASHIER, "1111", &err), 0);
	assert_int_equal(user_add(f->st, "Rustam", ROLE_MANAGER, "9999", &err), 0);
	assert_int_equal(user_login(f->st, "1111", &f->cashier, &err), 0);
	assert_int_equal(user_login(f->st, "9999", &f->manager, &err), 0);
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

/* Rings up input and pays it all with method (0 = exact); returns the sale's total. */
static money_t
sell(struct fx *f, const char *input, enum pay_method method, money_t tender)
{
	struct kerr err;
	money_t total;
	bool done = false;
	sale *s = sale_current(f->st, &f->cashier, &err);

	if (s == NULL)
		fail_msg("sale_current: %s", err.msg);
	if (sale_add_input(s, NULL, input, NULL, &err) != 0)
		fail_msg("add %s: %s", input, err.msg);
	total = sale_totals(s)->total;
	if (sale_pay(s, method, tender, &done, &err) != 0)
		fail_msg("pay: %s", err.msg);
	assert_true(done);
	sale_free(s);
	return total;
}

static void
test_open_once(void **state)
{
	struct fx *f = *state;
	struct shift_report x;
	struct kerr err;
	int64_t id = 0, cur = 0;

	assert_false(shift_current(f->st, NULL));
	assert_int_equal(shift_report_x(f->st, &x, &err), -1);
	assert_int_equal(err.code, KERR_STATE);
	assert_int_equal(shift_open(f->st, &f->cashier, -1, &id, &err), -1);
	assert_int_equal(err.code, KERR_INPUT);
	assert_int_equal(shift_open(f->st, &f->cashier, 50000000, &id, &err), 0);
	assert_true(shift_current(f->st, &cur));
	assert_int_equal(cur, id);
	/* One open shift per till. */
	assert_int_equal(shift_open(f->st, &f->manager, 0, NULL, &err), -1);
	assert_int_equal(err.code, KERR_STATE);
	assert_int_equal(q1(f->st, "SELECT count(*) FROM shifts"), 1);
	/* The event names the float, the number and who opened it. */
	assert_int_equal(q1(f->st, "SELECT count(*) FROM events WHERE type = 'shift.opened' AND "
	    "json_extract(payload, '$.float') = 50000000 AND json_extract(payload, '$.number') = 1 "
	    "AND json_extract(payload, '$.user') = 'Dilnoza'"), 1);

	assert_int_equal(shift_report_x(f->st, &x, &err), 0);
	assert_false(x.closed);
	assert_int_equal(x.number, 1);
	assert_int_equal(x.opening_float, 50000000);
	assert_int_equal(x.expected_cash, 50000000);
	assert_string_equal(x.opened_by, "Dilnoza");
	assert_string_equal(x.closed_at, "");
	/* No Z report before a close. */
	assert_int_equal(shift_report_z(f->st, &x, &err), -1);
	assert_int_equal(err.code, KERR_NOTFOUND);
}

static void
test_cash_moves_need_a_manager(void **state)
{
	struct fx *f = *state;
	struct shift_report x;
	struct kerr err;

	assert_int_equal(shift_cash_move(f->st, &f->cashier, NULL, 100000, "change", &err), -1);
	assert_int_equal(err.code, KERR_STATE);	/* no shift yet */
	assert_int_equal(shift_open(f->st, &f->cashier, 1000000, NULL, &err), 0);

	/* A cashier alone, or with another cashier's PIN, is refused; nothing is written. */
	assert_int_equal(shift_cash_move(f->st, &f->cashier, NULL, 100000, "change", &err), -1);
	assert_int_equal(err.code, KERR_DENIED);
	assert_int_equal(shift_cash_move(f->st, &f->cashier, &f->cashier, 100000, "change", &err),
	    -1);
	assert_int_equal(err.code, KERR_DENIED);
	assert_int_equal(q1(f->st, "SELECT count(*) FROM cash_moves"), 0);
	assert_int_equal(q1(f->st, "SELECT count(*) FROM events WHERE type = 'cash.moved'"), 0);

	/* With a manager's approval: the move, its event and the approval event. */
	assert_int_equal(shift_cash_move(f->st, &f->cashier, &f->manager, 300000, "change coins",
	    &err), 0);
	assert_int_equal(q1(f->st, "SELECT count(*) FROM events WHERE type = 'approval.granted' "
	    "AND json_extract(payload, '$.approver') = 'Rustam' AND json_extract(payload, "
	    "'$.right') = 'cash_move'"), 1);
	assert_int_equal(q1(f->st, "SELECT count(*) FROM events WHERE type = 'cash.moved' AND "
	    "json_extract(payload, '$.reason') = 'change coins'"), 1);
	/* A manager needs nobody. */
	assert_int_equal(shift_cash_move(f->st, &f->manager, NULL, -200000, "bank", &err), 0);

	/* Bad input. */
	assert_int_equal(shift_cash_move(f->st, &f->manager, NULL, 0, "x", &err), -1);
	assert_int_equal(err.code, KERR_INPUT);
	assert_int_equal(shift_cash_move(f->st, &f->manager, NULL, 100, "", &err), -1);
	assert_int_equal(err.code, KERR_INPUT);
	assert_int_equal(shift_cash_move(f->st, &f->manager, NULL, 100, "bank\x1b[2J", &err), -1);
	assert_int_equal(err.code, KERR_INPUT);
	/* More out than the drawer should hold: 10 000 + 3 000 - 2 000 = 11 000 so'm. */
	assert_int_equal(shift_cash_move(f->st, &f->manager, NULL, -1100001, "too much", &err),
	    -1);
	assert_int_equal(err.code, KERR_INPUT);

	assert_int_equal(shift_report_x(f->st, &x, &err), 0);
	assert_int_equal(x.cash_in, 300000);
	assert_int_equal(x.cash_out, 200000);
	assert_int_equal(x.expected_cash, 1100000);
	assert_int_equal(q1(f->st, "SELECT sum(amount) FROM cash_moves"), 100000);
}

static void
test_no_sale(void **state)
{
	struct fx *f = *state;
	struct kerr err;

	assert_int_equal(shift_no_sale(f->st, &f->manager, NULL, &err), -1);
	assert_int_equal(err.code, KERR_STATE);
	assert_int_equal(shift_open(f->st, &f->cashier, 0, NULL, &err), 0);
	assert_int_equal(shift_no_sale(f->st, &f->cashier, NULL, &err), -1);
	assert_int_equal(err.code, KERR_DENIED);
	assert_int_equal(q1(f->st, "SELECT count(*) FROM print_jobs"), 0);
	assert_int_equal(shift_no_sale(f->st, &f->cashier, &f->manager, &err), 0);
	assert_int_equal(shift_no_sale(f->st, &f->manager, NULL, &err), 0);
	assert_int_equal(q1(f->st, "SELECT count(*) FROM print_jobs WHERE kind = 'drawer' AND "
	    "state = 'queued'"), 2);
	assert_int_equal(q1(f->st, "SELECT count(*) FROM events WHERE type = 'drawer.opened'"), 2);
	assert_int_equal(q1(f->st, "SELECT count(*) FROM events WHERE type = 'drawer.opened' AND "
	    "json_extract(payload, '$.user') = 'Dilnoza' AND json_extract(payload, '$.approver') "
	    "= 'Rustam'"), 1);
}

static void
test_x_then_close_with_variance_then_z(void **state)
{
	struct fx *f = *state;
	struct shift_report x, z, z2;
	struct kerr err;
	sale *s;
	money_t cash_total, card_total;
	int64_t id;

	assert_int_equal(shift_open(f->st, &f->cashier, 2000000, &id, &err), 0);
	/* 2 x 14 500 in cash from 50 000 (change 21 000); bread by card. */
	cash_total = sell(f, "2*MILK", PAY_CASH, 5000000);
	card_total = sell(f, "BREAD", PAY_CARD, 0);
	assert_int_equal(shift_cash_move(f->st, &f->manager, NULL, -500000, "bank", &err), 0);

	assert_int_equal(shift_report_x(f->st, &x, &err), 0);
	assert_int_equal(x.sales_count, 2);
	assert_int_equal(x.cash_sales, cash_total);
	assert_int_equal(x.card_sales, card_total);
	assert_int_equal(x.sales_total, cash_total + card_total);
	assert_int_equal(x.expected_cash, 2000000 + cash_total - 500000);
	/* VAT per rate: 12% on the milk, 0% on the bread, adding up to the VAT total. */
	assert_int_equal(x.vat_rates, 2);
	assert_int_equal(x.vat_bp[0], 1200);
	assert_int_equal(x.vat_gross[0], cash_total);
	assert_int_equal(x.vat_amount[0], money_vat_included(2900000, 1200));
	assert_int_equal(x.vat_bp[1], 0);
	assert_int_equal(x.vat_amount[1], 0);
	assert_int_equal(x.vat_amount[0] + x.vat_amount[1], x.vat_total);

	/* An open cart with a live line blocks the close. */
	s = sale_current(f->st, &f->cashier, &err);
	assert_non_null(s);
	assert_int_equal(sale_add_input(s, NULL, "BREAD", NULL, &err), 0);
	assert_int_equal(shift_close(f->st, &f->cashier, 0, &z, &err), -1);
	assert_int_equal(err.code, KERR_STATE);
	assert_non_null(strstr(err.msg, "open"));
	/* Two parked sales: the message counts them. */
	assert_int_equal(sale_park(s, &err), 0);
	assert_int_equal(sale_add_input(s, NULL, "MILK", NULL, &err), 0);
	assert_int_equal(sale_park(s, &err), 0);
	assert_int_equal(shift_close(f->st, &f->cashier, 0, &z, &err), -1);
	assert_int_equal(err.code, KERR_STATE);
	assert_non_null(strstr(err.msg, "2 sales are still parked"));
	/* Void both; an empty cart (all lines voided) does not block. */
	{
		struct sale_summary list[4];
		int n = sale_parked_list(f->st, list, 4, &err);

		assert_int_equal(n, 2);
		for (int i = 0; i < n; i++) {
			assert_int_equal(sale_recall(s, list[i].id, &err), 0);
			assert_int_equal(sale_void(s, NULL, &err), 0);
		}
	}
	assert_int_equal(sale_add_input(s, NULL, "MILK", NULL, &err), 0);
	assert_int_equal(sale_void_line(s, 0, NULL, &err), 0);
	sale_free(s);

	/* 10 000 so'm short in the drawer. */
	assert_int_equal(shift_close(f->st, &f->cashier, x.expected_cash - 1000000, &z, &err), 0);
	assert_true(z.closed);
	assert_int_equal(z.id, id);
	assert_int_equal(z.expected_cash, x.expected_cash);
	assert_int_equal(z.counted_cash, x.expected_cash - 1000000);
	assert_int_equal(z.variance, -1000000);
	assert_int_equal(z.voids_count, 2);
	assert_string_equal(z.closed_by, "Dilnoza");
	assert_string_not_equal(z.closed_at, "");
	assert_false(shift_current(f->st, NULL));
	assert_int_equal(q1(f->st, "SELECT count(*) FROM sales WHERE state IN ('open', "
	    "'parked')"), 0);
	assert_int_equal(q1(f->st, "SELECT expected_cash FROM shifts"), x.expected_cash);

	/* The shift.closed event carries the same figures. */
	assert_int_equal(q1(f->st, "SELECT json_extract(payload, '$.variance') FROM events "
	    "WHERE type = 'shift.closed'"), -1000000);
	assert_int_equal(q1(f->st, "SELECT json_extract(payload, '$.counted') FROM events "
	    "WHERE type = 'shift.closed'"), z.counted_cash);
	assert_int_equal(q1(f->st, "SELECT json_extract(payload, '$.sales') FROM events "
	    "WHERE type = 'shift.closed'"), 2);

	/* Z is the last closed shift, also after a new one opens. */
	assert_int_equal(shift_open(f->st, &f->cashier, 0, NULL, &err), 0);
	assert_int_equal(shift_report_z(f->st, &z2, &err), 0);
	assert_int_equal(z2.id, id);
	assert_int_equal(z2.variance, -1000000);
	assert_int_equal(z2.vat_rates, 2);
	assert_int_equal(shift_report_x(f->st, &x, &err), 0);
	assert_int_equal(x.number, 2);
	assert_int_equal(x.sales_count, 0);
	/* Closing with nothing open. */
	assert_int_equal(shift_close(f->st, &f->cashier, 0, &z, &err), 0);
	assert_int_equal(shift_close(f->st, &f->cashier, 0, &z, &err), -1);
	assert_int_equal(err.code, KERR_STATE);
	{
		int64_t count = 0, bad = 0;

		assert_int_equal(journal_verify(f->st, &count, &bad, &err), 0);
	}
}

/*
 * Every payload is canonical JSON exactly as jansson writes it (JSON_COMPACT | JSON_SORT_KEYS):
 * what the hub recomputes to check the hash chain.
 */
static void
assert_events_canonical(store *st)
{
	sqlite3_stmt *q;
	int n = 0;

	assert_int_equal(sqlite3_prepare_v2(store_db(st), "SELECT seq, type, payload FROM events "
	    "ORDER BY seq", -1, &q, NULL), SQLITE_OK);
	while (sqlite3_step(q) == SQLITE_ROW) {
		const char *payload = (const char *)sqlite3_column_text(q, 2);
		json_error_t jerr;
		json_t *j = json_loads(payload, 0, &jerr);
		char *again;

		if (j == NULL)
			fail_msg("event %lld (%s) is not JSON: %s", sqlite3_column_int64(q, 0),
			    sqlite3_column_text(q, 1), jerr.text);
		again = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
		if (strcmp(again, payload) != 0)
			fail_msg("event %lld (%s) is not canonical:\n  %s\n  %s",
			    sqlite3_column_int64(q, 0), sqlite3_column_text(q, 1), payload, again);
		free(again);
		json_decref(j);
		n++;
	}
	sqlite3_finalize(q);
	assert_true(n > 0);
}

/*
 * Derived state agrees with the events: after a mixed session (sales with discounts and split
 * tenders, cash moves, a void, a close), fold the journal with SQL and compare it with what the
 * shifts row and products.stock say.
 */
static void
test_fold_events_equals_tables(void **state)
{
	struct fx *f = *state;
	struct shift_report z;
	struct kerr err;
	bool done;
	sale *s;

	assert_int_equal(shift_open(f->st, &f->cashier, 1000000, NULL, &err), 0);
	sell(f, "3*MILK", PAY_CASH, 0);
	s = sale_current(f->st, &f->cashier, &err);
	assert_int_equal(sale_add_input(s, NULL, "5*BREAD", NULL, &err), 0);
	assert_int_equal(sale_void_line(s, 0, NULL, &err), 0);	/* in the event's voids */
	assert_int_equal(sale_add_input(s, NULL, "BREAD", NULL, &err), 0);
	assert_int_equal(sale_add_input(s, NULL, "2*MILK", NULL, &err), 0);
	assert_int_equal(sale_discount_cart(s, DISC_AMOUNT, 123, NULL, &err), 0);
	assert_int_equal(sale_pay(s, PAY_CARD, 1000000, &done, &err), 0);
	assert_int_equal(sale_pay(s, PAY_CASH, 3000000, &done, &err), 0);
	assert_true(done);
	sale_free(s);
	s = sale_current(f->st, &f->cashier, &err);
	assert_int_equal(sale_add_input(s, NULL, "BREAD", NULL, &err), 0);
	assert_int_equal(sale_add_input(s, NULL, "MILK", NULL, &err), 0);
	assert_int_equal(sale_void_line(s, 1, NULL, &err), 0);
	assert_int_equal(sale_void(s, NULL, &err), 0);	/* items and voids, canonical too */
	sale_free(s);
	assert_int_equal(shift_cash_move(f->st, &f->manager, NULL, 250000, "coins", &err), 0);
	assert_int_equal(shift_cash_move(f->st, &f->manager, NULL, -100000, "bank", &err), 0);
	assert_int_equal(shift_close(f->st, &f->cashier, 9999900, &z, &err), 0);

	/* Sales: count, totals, VAT, discount. */
	assert_int_equal(q1(f->st, "SELECT count(*) FROM events WHERE type = 'sale.completed'"),
	    z.sales_count);
	assert_int_equal(q1(f->st, "SELECT sum(json_extract(payload, '$.total')) FROM events "
	    "WHERE type = 'sale.completed'"), z.sales_total);
	assert_int_equal(q1(f->st, "SELECT sum(json_extract(payload, '$.vat')) FROM events "
	    "WHERE type = 'sale.completed'"), z.vat_total);
	assert_int_equal(q1(f->st, "SELECT sum(json_extract(payload, '$.discount')) FROM events "
	    "WHERE type = 'sale.completed'"), z.discount_total);
	/* Tenders: cash less change, and card. */
	assert_int_equal(q1(f->st, "SELECT coalesce(sum((SELECT sum(json_extract(p.value, "
	    "'$.amount')) FROM json_each(e.payload, '$.payments') p WHERE json_extract(p.value, "
	    "'$.method') = 'cash') - json_extract(e.payload, '$.change')), 0) FROM events e WHERE "
	    "e.type = 'sale.completed'"), z.cash_sales);
	assert_int_equal(q1(f->st, "SELECT coalesce(sum(json_extract(p.value, '$.amount')), 0) "
	    "FROM events e, json_each(e.payload, '$.payments') p WHERE e.type = 'sale.completed' "
	    "AND json_extract(p.value, '$.method') = 'card'"), z.card_sales);
	/* Cash moves, voids, the float, and the close. */
	assert_int_equal(q1(f->st, "SELECT sum(json_extract(payload, '$.amount')) FROM events "
	    "WHERE type = 'cash.moved' AND json_extract(payload, '$.amount') > 0"), z.cash_in);
	assert_int_equal(q1(f->st, "SELECT -sum(json_extract(payload, '$.amount')) FROM events "
	    "WHERE type = 'cash.moved' AND json_extract(payload, '$.amount') < 0"), z.cash_out);
	assert_int_equal(q1(f->st, "SELECT count(*) FROM events WHERE type = 'sale.voided'"),
	    z.voids_count);
	assert_int_equal(q1(f->st, "SELECT json_extract(payload, '$.float') FROM events WHERE "
	    "type = 'shift.opened'"), z.opening_float);
	assert_int_equal(q1(f->st, "SELECT json_extract(payload, '$.float') + (SELECT coalesce("
	    "sum(json_extract(payload, '$.amount')), 0) FROM events WHERE type = 'cash.moved') + "
	    "json_extract(payload, '$.cash_sales') FROM events WHERE type = 'shift.closed'"),
	    z.expected_cash);
	assert_int_equal(z.variance, 9999900 - z.expected_cash);
	/* Every line total adds up to its sale's total, every line VAT to its sale's VAT. */
	assert_int_equal(q1(f->st, "SELECT count(*) FROM events e WHERE e.type = "
	    "'sale.completed' AND (json_extract(e.payload, '$.total') != (SELECT sum("
	    "json_extract(l.value, '$.total')) FROM json_each(e.payload, '$.lines') l) OR "
	    "json_extract(e.payload, '$.vat') != (SELECT sum(json_extract(l.value, '$.vat')) FROM "
	    "json_each(e.payload, '$.lines') l))"), 0);
	/* Stock: the import's counts plus the sold lines give products.stock. */
	assert_int_equal(q1(f->st, "SELECT count(*) FROM products p WHERE " ON_HAND_SQL " != (SELECT "
	    "coalesce(sum(json_extract(c.value, '$.delta')), 0) FROM events e, json_each("
	    "e.payload, '$.counts') c WHERE e.type = 'stock.counted' AND json_extract(c.value, "
	    "'$.product_id') = p.id) - (SELECT coalesce(sum(json_extract(l.value, '$.qty')), 0) "
	    "FROM events e, json_each(e.payload, '$.lines') l WHERE e.type = 'sale.completed' AND "
	    "json_extract(l.value, '$.product_id') = p.id)"), 0);
	assert_int_equal(q1(f->st, "SELECT " ON_HAND_SQL " FROM products p WHERE sku = \'MILK\'"), 45000);
	assert_int_equal(q1(f->st, "SELECT " ON_HAND_SQL " FROM products p WHERE sku = \'BREAD\'"), 99000);
	assert_events_canonical(f->st);
	assert_int_equal(q1(f->st, "SELECT count(*) FROM events WHERE type = 'sale.completed' "
	    "AND json_array_length(payload, '$.voids') = 1"), 1);
	assert_int_equal(q1(f->st, "SELECT count(*) FROM events WHERE type = 'sale.voided' AND "
	    "json_array_length(payload, '$.items') = 1 AND json_array_length(payload, '$.voids') "
	    "= 1"), 1);
	/* Receipt numbers have no gaps (the voided sale took none). */
	assert_int_equal(q1(f->st, "SELECT count(*) FROM sales WHERE state = 'completed'"), 2);
	assert_int_equal(q1(f->st, "SELECT max(number) FROM sales"), 2);
	assert_int_equal(q1(f->st, "SELECT count(*) FROM sales WHERE state != 'completed' AND "
	    "number IS NOT NULL"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cash_moves_need_a_manager, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_sale, setup, teardown),
		cmocka_unit_test_setup_teardown(test_x_then_close_with_variance_then_z, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_fold_events_equals_tables, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
