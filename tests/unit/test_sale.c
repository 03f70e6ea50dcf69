/*
 * Unit tests for sales and shifts on a real SQLite file: what a cashier sees on the receipt and
 * what the Z report says, and that the state kept in tables agrees with the events.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "testlib.h"

#include <sqlite3.h>

#include "catalog.h"
#include "journal.h"
#include "sale.h"
#include "shift.h"
#include "stock.h"
#include "store.h"
#include "user.h"

/* Prices in so'm: bread 4 000 (VAT 0), milk 14 500, cola 13 000 (12%), apples 18 990 a kg. */
static const char catalog_csv[] =
    "barcode,name,price,vat,unit,sku,plu,stock\n"
    "4780000000015,Non,4000,0,pcs,BREAD,,100\n"
    "4780000000022,Молоко 3.2% 1 л,14500,12,pcs,MILK,,50\n"
    "4780000000039,Coca-Cola 1.5 l,13000,12,pcs,COLA,,10\n"
    "4780000000046,Olma (apples),18990,12,kg,APPLE,123,20\n";

struct fx {
	char dir[64];
	store *st;
	struct user cashier, manager;
	sale *s;
};

static const char *
barcode_of(const char *stem)
{
	/* The test catalogue's barcodes carry real check digits. */
	static char code[14];
	snprintf(code, sizeof code, "%s", stem);
	code[12] = (char)('0' + barcode_check_digit(code, 12));
	code[13] = '\0';
	return code;
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	char csv[1024];
	struct kerr err;
	long n = 0;
	FILE *in;

	f->st = testlib_store(f->dir, sizeof f->dir, "sale");
	/* Fix the check digits of the sample barcodes. */
	snprintf(csv, sizeof csv, "%s", catalog_csv);
	for (char *p = csv; (p = strstr(p, "478000000")) != NULL; p += 13)
		memcpy(p, barcode_of(p), 13);
	in = fmemopen(csv, strlen(csv), "r");
	assert_int_equal(catalog_import_csv(f->st, in, "cat.csv", NULL, NULL, &n, &err), 0);
	fclose(in);
	assert_int_equal(n, 4);
	assert_int_equal(user_add(f->st, "Dilnoza", ROLE_CASHIER, "1111", &err), 0);
	assert_int_equal(user_add(f->st, "Rustam", ROLE_MANAGER, "9999", &err), 0);
	assert_int_equal(user_login(f->st, "1111", &f->cashier, &err), 0);
	assert_int_equal(user_login(f->st, "9999", &f->manager, &err), 0);
	assert_int_equal(shift_open(f->st, &f->cashier, 10000000, NULL, &err), 0);
	f->s = sale_current(f->st, &f->cashier, &err);
	assert_non_null(f->s);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	sale_free(f->s);
	store_close(f->st);
	testlib_rmdir(f->dir);
	free(f);
	return 0;
}

static void
add(struct fx *f, const char *input)
{
	struct kerr err;

	if (sale_add_input(f->s, NULL, input, NULL, &err) != 0)
		fail_msg("add %s: %s", input, err.msg);
}

static void
test_scan_and_totals(void **state)
{
	struct fx *f = *state;
	const struct sale_totals *t;
	struct kerr err;
	char in[40];

	add(f, "BREAD");
	snprintf(in, sizeof in, "3*%s", barcode_of("478000000002"));
	add(f, in);
	add(f, "MILK");		/* the same product again adds to its line */
	t = sale_totals(f->s);
	assert_int_equal(t->lines, 2);
	assert_int_equal(sale_line(f->s, 1)->qty, 4000);
	assert_int_equal(t->total, 400000 + 4 * 1450000);
	/* VAT: only the milk carries 12% */
	assert_int_equal(t->vat, money_vat_included(4 * 1450000, 1200));

	/* An unknown code and a bad check digit change nothing. */
	assert_int_equal(sale_add_input(f->s, NULL, "4780000000000", NULL, &err), -1);
	assert_int_equal(err.code, KERR_INPUT);
	assert_int_equal(sale_add_input(f->s, NULL, "NOSUCH", NULL, &err), -1);
	assert_int_equal(err.code, KERR_NOTFOUND);
	assert_int_equal(sale_add_input(f->s, NULL, "0*BREAD", NULL, &err), -1);
	assert_int_equal(sale_add_input(f->s, NULL, "1.5*BREAD", NULL, &err), -1);
	assert_int_equal(sale_totals(f->s)->total, 400000 + 4 * 1450000);
	assert_int_equal(sale_line_count(f->s), 2);
}

static void
test_weight_label(void **state)
{
	struct fx *f = *state;
	char label[14] = "210012301250";	/* prefix 21, PLU 00123, 1 250 g */

	label[12] = (char)('0' + barcode_check_digit(label, 12));
	label[13] = '\0';
	add(f, label);
	assert_int_equal(sale_line(f->s, 0)->qty, 1250);
	assert_true(sale_line(f->s, 0)->by_weight);
	/* 1.250 kg x 18 990 = 23 737.50 */
	assert_int_equal(sale_totals(f->s)->total, 2373750);
	add(f, "0.5*APPLE");
	assert_int_equal(sale_line_count(f->s), 2);	/* weighed goods never merge */
}

static void
test_discounts_add_up_exactly(void **state)
{
	struct fx *f = *state;
	const struct sale_totals *t;
	money_t sum_total = 0, sum_vat = 0, sum_disc = 0;
	struct kerr err;

	add(f, "BREAD");
	add(f, "3*MILK");
	add(f, "COLA");
	/* 5% off the milk line, then 1 000.01 so'm off the cart: shares must add up. */
	assert_int_equal(sale_discount_line(f->s, 1, DISC_PERCENT, 500, NULL, &err), 0);
	assert_int_equal(sale_discount_cart(f->s, DISC_AMOUNT, 100001, NULL, &err), 0);
	t = sale_totals(f->s);
	for (int i = 0; i < sale_line_count(f->s); i++) {
		sum_total += sale_line(f->s, i)->total;
		sum_vat += sale_line(f->s, i)->vat;
		sum_disc += sale_line(f->s, i)->discount;
	}
	assert_int_equal(sum_total, t->total);
	assert_int_equal(sum_vat, t->vat);
	assert_int_equal(sum_disc, t->discount);
	assert_int_equal(t->subtotal - t->discount, t->total);
	assert_int_equal(t->discount, 217500 + 100001);	/* 5% of 43 500 + the cart amount */
	/* Bread has no VAT whatever its share of the discount. */
	assert_int_equal(sale_line(f->s, 0)->vat, 0);
}

static void
test_approval_for_big_discount_and_paid_void(void **state)
{
	struct fx *f = *state;
	struct kerr err;
	bool done;

	add(f, "MILK");
	add(f, "COLA");
	/* 30% is above a cashier's 10%: refused, flagged, nothing changed. */
	assert_int_equal(sale_discount_cart(f->s, DISC_PERCENT, 3000, NULL, &err), -1);
	assert_int_equal(err.code, KERR_DENIED);
	assert_true(sale_needs_approval(f->s));
	assert_int_equal(sale_totals(f->s)->discount, 0);
	/* A cashier's PIN is no approval. */
	assert_int_equal(sale_discount_cart(f->s, DISC_PERCENT, 3000, &f->cashier, &err), -1);
	assert_int_equal(sale_discount_cart(f->s, DISC_PERCENT, 3000, &f->manager, &err), 0);
	assert_false(sale_needs_approval(f->s));
	assert_int_equal(q1(f->st, "SELECT count(*) FROM events WHERE type = 'approval.granted' "
	    "AND json_extract(payload, '$.approver') = 'Rustam' AND json_extract(payload, "
	    "'$.user') = 'Dilnoza' AND json_extract(payload, '$.right') = 'discount_big'"), 1);
	/* After a tender, voiding a line needs a manager too. */
	assert_int_equal(sale_pay(f->s, PAY_CARD, 100000, &done, &err), 0);
	assert_false(done);
	assert_int_equal(sale_void_line(f->s, 1, NULL, &err), -1);
	assert_true(sale_needs_approval(f->s));
	assert_int_equal(sale_totals(f->s)->lines, 2);
}

/* The cashier's 10% limit is measured exactly, against the cart before any cart discount. */
static void
test_cashier_discount_limit_is_exact(void **state)
{
	struct fx *f = *state;
	struct kerr err;

	add(f, "MILK");
	add(f, "COLA");		/* 27 500 */
	assert_int_equal(sale_discount_cart(f->s, DISC_AMOUNT, 275000, NULL, &err), 0);
	/* Setting the same 10% again is still 10% of 27 500, not of what is left after it. */
	assert_int_equal(sale_discount_cart(f->s, DISC_AMOUNT, 275000, NULL, &err), 0);
	assert_int_equal(sale_totals(f->s)->total, 2475000);
	/* One tiyin more is above the limit, however little. */
	assert_int_equal(sale_discount_cart(f->s, DISC_AMOUNT, 275001, NULL, &err), -1);
	assert_int_equal(err.code, KERR_DENIED);
	assert_true(sale_needs_approval(f->s));
	assert_int_equal(sale_totals(f->s)->total, 2475000);
	/* A line discount counts against the line's own gross (with no cart discount on top:
	 * the two add up, test_discount_limit_is_on_the_result). */
	assert_int_equal(sale_discount_cart(f->s, DISC_NONE, 0, NULL, &err), 0);
	assert_int_equal(sale_discount_line(f->s, 0, DISC_AMOUNT, 145000, NULL, &err), 0);
	assert_int_equal(sale_discount_line(f->s, 0, DISC_AMOUNT, 145001, NULL, &err), -1);
	assert_int_equal(err.code, KERR_DENIED);
	assert_int_equal(sale_discount_line(f->s, 1, DISC_PERCENT, 1001, NULL, &err), -1);
	assert_int_equal(sale_discount_line(f->s, 1, DISC_PERCENT, 1000, NULL, &err), 0);
}

/* Amounts that do not fit are refused with a message, never wrapped around. */
static void
test_amount_too_large(void **state)
{
	struct fx *f = *state;
	struct kerr err;
	bool done;

	add(f, "MILK");
	assert_int_equal(sale_pay(f->s, PAY_CARD, 100000, &done, &err), 0);
	assert_int_equal(sale_pay(f->s, PAY_CASH, INT64_MAX, &done, &err), -1);
	assert_int_equal(err.code, KERR_INPUT);
	assert_non_null(strstr(err.msg, "amount too large"));
	assert_false(done);
	assert_int_equal(sale_totals(f->s)->paid, 100000);
	/* A quantity whose total does not fit leaves the cart as it was. */
	assert_int_equal(sale_add_input(f->s, NULL, "9999999999999*MILK", NULL, &err), -1);
	assert_int_equal(err.code, KERR_INPUT);
	assert_int_equal(sale_line(f->s, 0)->qty, 1000);
	assert_int_equal(sale_totals(f->s)->total, 1450000);
	/* A barcode typed into the cash question (4780001234586 so'm): the change would be
	 * absurd, so it is refused and the sale stays open; the largest change is allowed. */
	assert_int_equal(sale_pay(f->s, PAY_CASH, 478000123458600, &done, &err), -1);
	assert_int_equal(err.code, KERR_INPUT);
	assert_non_null(strstr(err.msg, "the change would be 4 780 001 221 086: check the amount tendered"));
	assert_false(done);
	assert_int_equal(sale_totals(f->s)->paid, 100000);
	assert_int_equal(sale_pay(f->s, PAY_CASH, sale_totals(f->s)->due + SALE_MAX_CHANGE + 1,
	    &done, &err), -1);
	assert_int_equal(sale_pay(f->s, PAY_CASH, sale_totals(f->s)->due + SALE_MAX_CHANGE,
	    &done, &err), 0);
	assert_true(done);
	assert_int_equal(sale_totals(f->s)->change, SALE_MAX_CHANGE);
}

/* Voiding a whole sale after a tender needs a manager; the event names both. */
static void
test_void_paid_sale_needs_a_manager(void **state)
{
	struct fx *f = *state;
	struct kerr err;
	bool done;
	int64_t id;

	add(f, "MILK");
	add(f, "COLA");
	id = sale_id(f->s);
	assert_int_equal(sale_pay(f->s, PAY_CARD, 1000000, &done, &err), 0);
	assert_int_equal(sale_void(f->s, NULL, &err), -1);
	assert_int_equal(err.code, KERR_DENIED);
	assert_true(sale_needs_approval(f->s));
	assert_int_equal(sale_id(f->s), id);
	assert_int_equal(sale_state(f->s), SALE_OPEN);
	assert_int_equal(sale_void(f->s, &f->cashier, &err), -1);
	assert_int_equal(sale_void(f->s, &f->manager, &err), 0);
	assert_int_equal(sale_id(f->s), 0);		/* a new empty cart */
	assert_int_equal(q1(f->st, "SELECT count(*) FROM events WHERE type = 'sale.voided' AND "
	    "json_extract(payload, '$.approver') = 'Rustam' AND json_extract(payload, '$.user') = "
	    "'Dilnoza' AND json_extract(payload, '$.paid') = 1000000 AND json_extract(payload, "
	    "'$.lines') = 2"), 1);
	assert_int_equal(q1(f->st, "SELECT count(*) FROM events WHERE type = 'approval.granted' "
	    "AND json_extract(payload, '$.right') = 'void_paid'"), 1);
	assert_int_equal(q1(f->st, "SELECT voids_count FROM shifts"), 1);
	/* A voided sale sells nothing: no stock moved, no takings. */
	assert_int_equal(q1(f->st, "SELECT card_sales + cash_sales + sales_count FROM shifts"), 0);
	assert_int_equal(q1(f->st, "SELECT count(*) FROM stock_moves WHERE reason = 'sale'"), 0);
	assert_int_equal(q1(f->st, "SELECT state = 'voided' FROM sales WHERE id = 1"), 1);
}

static void
test_split_payment_completes_once(void **state)
{
	struct fx *f = *state;
	const struct sale_totals *t;
	struct kerr err;
	bool done;
	int64_t id;

	add(f, "2*MILK");	/* 29 000 */
	id = sale_id(f->s);
	/* Card may not pay more than is due; cash may (change). */
	assert_int_equal(sale_pay(f->s, PAY_CARD, 3000000, &done, &err), -1);
	assert_int_equal(sale_pay(f->s, PAY_CARD, 1000000, &done, &err), 0);
	assert_false(done);
	assert_int_equal(sale_totals(f->s)->due, 1900000);
	assert_int_equal(sale_pay(f->s, PAY_CASH, 2000000, &done, &err), 0);
	assert_true(done);
	t = sale_totals(f->s);
	assert_int_equal(t->change, 100000);
	assert_int_equal(sale_state(f->s), SALE_COMPLETED);
	assert_int_equal(sale_number(f->s), 1);
	/* One event, its outbox row, the stock moved, the receipt queued. */
	assert_int_equal(q1(f->st, "SELECT count(*) FROM events WHERE type = 'sale.completed'"), 1);
	assert_int_equal(q1(f->st, "SELECT count(*) FROM outbox o JOIN events e ON e.seq = o.seq "
	    "WHERE e.type = 'sale.completed'"), 1);
	assert_int_equal(q1(f->st, "SELECT " ON_HAND_SQL " FROM products p WHERE sku = \'MILK\'"), 48000);
	/* What stock screens read (stock.h): the same figure; an unknown product is refused. */
	{
		qty_t on_hand = 0;

		assert_int_equal(stock_on_hand(f->st, q1(f->st, "SELECT id FROM products WHERE "
		    "sku = 'MILK'"), &on_hand, &err), 0);
		assert_int_equal(on_hand, 48000);
		assert_int_equal(stock_on_hand(f->st, 999999, &on_hand, &err), -1);
		assert_int_equal(err.code, KERR_NOTFOUND);
	}
	assert_int_equal(q1(f->st, "SELECT count(*) FROM print_jobs WHERE kind = 'receipt'"), 1);
	assert_int_equal(q1(f->st, "SELECT json_extract(payload, '$.total') FROM events WHERE "
	    "type = 'sale.completed'"), 2900000);
	assert_int_equal(q1(f->st, "SELECT json_array_length(payload, '$.payments') FROM events "
	    "WHERE type = 'sale.completed'"), 2);
	/* Reprint the last receipt: a copy job; only completed sales have one. */
	assert_int_equal(sale_last_completed(f->st), sale_id(f->s));
	assert_int_equal(sale_reprint(f->st, sale_last_completed(f->st), &err), 0);
	assert_int_equal(q1(f->st, "SELECT count(*) FROM print_jobs WHERE kind = 'copy' AND "
	    "sale_id = 1 AND body IS NULL AND state = 'queued'"), 1);
	assert_int_equal(sale_reprint(f->st, 999, &err), -1);
	assert_int_equal(err.code, KERR_NOTFOUND);
	/* Paying again is refused: no second completion. */
	assert_int_equal(sale_pay(f->s, PAY_CASH, 0, &done, &err), -1);
	assert_int_equal(q1(f->st, "SELECT count(*) FROM events WHERE type = 'sale.completed'"), 1);
	(void)id;
}

static void
test_resume_exactly(void **state)
{
	struct fx *f = *state;
	struct kerr err;
	int64_t id;
	money_t total;

	struct sale_line before[4];
	struct sale_totals tb;
	bool done;

	add(f, "BREAD");
	add(f, "2*COLA");
	add(f, "MILK");
	assert_int_equal(sale_discount_line(f->s, 1, DISC_AMOUNT, 50000, NULL, &err), 0);
	assert_int_equal(sale_discount_cart(f->s, DISC_PERCENT, 750, NULL, &err), 0);
	assert_int_equal(sale_void_line(f->s, 0, NULL, &err), 0);
	assert_int_equal(sale_pay(f->s, PAY_CARD, 100000, &done, &err), 0);
	id = sale_id(f->s);
	total = sale_totals(f->s)->total;
	tb = *sale_totals(f->s);
	assert_int_equal(sale_line_count(f->s), 3);
	for (int i = 0; i < 3; i++)
		before[i] = *sale_line(f->s, i);
	/* The till dies; the next log-in finds the same cart, to the last field. */
	sale_free(f->s);
	f->s = sale_current(f->st, &f->cashier, &err);
	assert_non_null(f->s);
	assert_int_equal(sale_id(f->s), id);
	assert_int_equal(sale_totals(f->s)->total, total);
	assert_int_equal(sale_line(f->s, 1)->disc_value, 50000);
	assert_int_equal(sale_line(f->s, 1)->qty, 2000);
	assert_int_equal(sale_line_count(f->s), 3);
	for (int i = 0; i < 3; i++) {
		const struct sale_line *l = sale_line(f->s, i);

		assert_int_equal(l->lineno, before[i].lineno);
		assert_int_equal(l->product_id, before[i].product_id);
		assert_string_equal(l->code, before[i].code);
		assert_string_equal(l->name, before[i].name);
		assert_int_equal(l->by_weight, before[i].by_weight);
		assert_int_equal(l->qty, before[i].qty);
		assert_int_equal(l->price, before[i].price);
		assert_int_equal(l->vat_bp, before[i].vat_bp);
		assert_int_equal(l->disc_kind, before[i].disc_kind);
		assert_int_equal(l->disc_value, before[i].disc_value);
		assert_int_equal(l->discount, before[i].discount);
		assert_int_equal(l->total, before[i].total);
		assert_int_equal(l->vat, before[i].vat);
		assert_int_equal(l->voided, before[i].voided);
	}
	assert_true(sale_line(f->s, 0)->voided);
	assert_int_equal(sale_totals(f->s)->lines, tb.lines);
	assert_int_equal(sale_totals(f->s)->subtotal, tb.subtotal);
	assert_int_equal(sale_totals(f->s)->discount, tb.discount);
	assert_int_equal(sale_totals(f->s)->vat, tb.vat);
	assert_int_equal(sale_totals(f->s)->paid, 100000);
	assert_int_equal(sale_totals(f->s)->due, tb.due);
	assert_int_equal(sale_payment_count(f->s), 1);
	assert_int_equal(sale_payment(f->s, 0)->method, PAY_CARD);
	/* Another cashier logging in finishes it under their own name. */
	sale_free(f->s);
	f->s = sale_current(f->st, &f->manager, &err);
	assert_non_null(f->s);
	assert_int_equal(sale_id(f->s), id);
	assert_string_equal(sale_cashier(f->s), "Rustam");
	assert_int_equal(sale_totals(f->s)->total, total);
	/* And it finishes from there: once. */
	assert_int_equal(sale_pay(f->s, PAY_CASH, 0, &done, &err), 0);
	assert_true(done);
	assert_int_equal(sale_number(f->s), 1);
	assert_int_equal(q1(f->st, "SELECT count(*) FROM events WHERE type = 'sale.completed' AND "
	    "json_extract(payload, '$.cashier') = 'Rustam'"), 1);
}

static void
test_park_recall_void(void **state)
{
	struct fx *f = *state;
	struct sale_summary list[4];
	struct kerr err;

	add(f, "BREAD");
	assert_int_equal(sale_park(f->s, &err), 0);
	assert_int_equal(sale_line_count(f->s), 0);
	add(f, "COLA");
	assert_int_equal(sale_recall(f->s, 1, &err), -1);	/* cart not empty */
	assert_int_equal(sale_void_line(f->s, 0, NULL, &err), 0);
	assert_int_equal(sale_parked_list(f->st, list, 4, &err), 1);
	assert_int_equal(list[0].total, 400000);
	assert_int_equal(sale_recall(f->s, list[0].id, &err), 0);
	assert_int_equal(sale_totals(f->s)->total, 400000);
	assert_int_equal(sale_parked_list(f->st, list, 4, &err), 0);
	/* The cart whose only line was voided was closed as voided, naming what was in it. */
	assert_int_equal(q1(f->st, "SELECT count(*) FROM events WHERE type = 'sale.voided' AND "
	    "json_extract(payload, '$.voids[0].code') = 'COLA' AND json_extract(payload, "
	    "'$.voids[0].by') = 'Dilnoza'"), 1);
	assert_int_equal(sale_void(f->s, NULL, &err), 0);
	assert_int_equal(q1(f->st, "SELECT count(*) FROM events WHERE type = 'sale.voided'"), 2);
	assert_int_equal(q1(f->st, "SELECT count(*) FROM events WHERE type = 'sale.voided' AND "
	    "json_extract(payload, '$.items[0].total') = 400000"), 1);
	assert_int_equal(q1(f->st, "SELECT voids_count FROM shifts"), 2);
}

static void
test_shift_close_and_events_agree(void **state)
{
	struct fx *f = *state;
	struct shift_report z;
	struct kerr err;
	bool done;

	add(f, "3*MILK");
	assert_int_equal(sale_pay(f->s, PAY_CASH, 5000000, &done, &err), 0);	/* change 650 000 */
	sale_free(f->s);
	f->s = sale_current(f->st, &f->cashier, &err);
	add(f, "BREAD");
	add(f, "COLA");
	assert_int_equal(sale_discount_cart(f->s, DISC_PERCENT, 1000, NULL, &err), 0);
	assert_int_equal(sale_pay(f->s, PAY_CARD, 0, &done, &err), 0);
	assert_true(done);
	assert_int_equal(shift_cash_move(f->st, &f->cashier, NULL, 500000, "change", &err), -1);
	assert_int_equal(shift_cash_move(f->st, &f->cashier, &f->manager, 500000, "change", &err),
	    0);
	assert_int_equal(shift_cash_move(f->st, &f->manager, NULL, -200000, "lunch", &err), 0);
	/* A parked sale blocks the close. */
	sale_free(f->s);
	f->s = sale_current(f->st, &f->cashier, &err);
	add(f, "BREAD");
	assert_int_equal(sale_park(f->s, &err), 0);
	assert_int_equal(shift_close(f->st, &f->cashier, 0, &z, &err), -1);
	assert_non_null(strstr(err.msg, "parked"));
	assert_int_equal(sale_recall(f->s, 3, &err), 0);
	assert_int_equal(sale_void(f->s, NULL, &err), 0);

	/* expected = float 100 000 + cash 43 500 + in 5 000 - out 2 000 */
	assert_int_equal(shift_close(f->st, &f->cashier, 14650000, &z, &err), 0);
	assert_true(z.closed);
	assert_int_equal(z.sales_count, 2);
	assert_int_equal(z.cash_sales, 4350000);
	assert_int_equal(z.card_sales, 1530000);	/* (4 000 + 13 000) less 10% */
	assert_int_equal(z.expected_cash, 14650000);
	assert_int_equal(z.variance, 0);
	assert_int_equal(z.voids_count, 1);

	/* Fold the journal and compare with what the tables keep. */
	assert_int_equal(q1(f->st, "SELECT sum(json_extract(payload, '$.total')) FROM events "
	    "WHERE type = 'sale.completed'"), z.sales_total);
	assert_int_equal(q1(f->st, "SELECT sum(json_extract(p.value, '$.amount')) - "
	    "sum(DISTINCT json_extract(e.payload, '$.change')) FROM events e, "
	    "json_each(e.payload, '$.payments') p WHERE e.type = 'sale.completed' AND "
	    "json_extract(p.value, '$.method') = 'cash'"), z.cash_sales);
	assert_int_equal(q1(f->st, "SELECT sum(json_extract(payload, '$.vat')) FROM events "
	    "WHERE type = 'sale.completed'"), z.vat_total);
	assert_int_equal(q1(f->st, "SELECT json_extract(payload, '$.expected') FROM events "
	    "WHERE type = 'shift.closed'"), z.expected_cash);
	assert_int_equal(q1(f->st, "SELECT sum(json_extract(payload, '$.amount')) FROM events "
	    "WHERE type = 'cash.moved'"), z.cash_in - z.cash_out);
	/* Stock: the products table equals the sum of its movements. */
	assert_int_equal(q1(f->st, "SELECT count(*) FROM products p WHERE " ON_HAND_SQL " != (SELECT "
	    "coalesce(sum(qty), 0) FROM stock_moves m WHERE m.product_id = p.id)"), 0);
	/* The sales left products.stock alone (the idle fold's work); folded, it is the sum. */
	assert_int_not_equal(q1(f->st, "SELECT count(*) FROM products p WHERE p.stock != (SELECT "
	    "coalesce(sum(qty), 0) FROM stock_moves m WHERE m.product_id = p.id)"), 0);
	assert_int_equal(store_begin(f->st, &err), 0);
	assert_int_equal(store_fold_stock(f->st, &err), 0);
	assert_int_equal(store_commit(f->st, &err), 0);
	assert_int_equal(q1(f->st, "SELECT count(*) FROM products p WHERE p.stock != (SELECT "
	    "coalesce(sum(qty), 0) FROM stock_moves m WHERE m.product_id = p.id)"), 0);
	assert_int_equal(q1(f->st, "SELECT value FROM meta WHERE key = 'stock_folded'"),
	    q1(f->st, "SELECT max(id) FROM stock_moves"));
	/* And stock sold equals the lines of the completed events. */
	assert_int_equal(q1(f->st, "SELECT -sum(qty) FROM stock_moves WHERE reason = 'sale'"),
	    q1(f->st, "SELECT sum(json_extract(l.value, '$.qty')) FROM events e, "
	    "json_each(e.payload, '$.lines') l WHERE e.type = 'sale.completed'"));
	{
		int64_t n = 0, bad = 0;

		assert_int_equal(journal_verify(f->st, &n, &bad, &err), 0);
	}
	/* No sale without an open shift. */
	sale_free(f->s);
	f->s = sale_current(f->st, &f->cashier, &err);
	assert_null(f->s);
	assert_int_equal(err.code, KERR_STATE);
}

static void
test_import_all_or_nothing(void **state)
{
	struct fx *f = *state;
	static const char bad[] =
	    "name,barcode,price\n"
	    "Good one,4006381333931,100\n"
	    "Bad price,96385074,12,5\n"
	    "\"Bad digit\",4006381333932,100\n"
	    ",4780000000015,100\n"
	    "Dup,4006381333931,100\n"
	    "Bad \xff utf,036000291452,1\n";
	struct kerr err;
	long n = -1;
	FILE *in = fmemopen((void *)bad, sizeof bad - 1, "r");
	int64_t before = catalog_count(f->st);

	assert_int_equal(catalog_import_csv(f->st, in, "bad.csv", NULL, NULL, &n, &err), -1);
	fclose(in);
	assert_int_equal(err.code, KERR_INPUT);
	assert_non_null(strstr(err.msg, "5 bad rows"));
	assert_int_equal(catalog_count(f->st), before);
	assert_int_equal(q1(f->st, "SELECT count(*) FROM barcodes WHERE code = '4006381333931'"),
	    0);
}

static void
test_out_of_stock_is_flagged_not_blocked(void **state)
{
	struct fx *f = *state;
	struct kerr err;
	bool done;

	/* 10 colas on the shelf: selling 12 takes it below zero, is flagged once, not refused. */
	add(f, "12*COLA");
	assert_int_equal(sale_pay(f->s, PAY_CASH, 0, &done, &err), 0);
	assert_true(done);
	assert_int_equal(q1(f->st, "SELECT " ON_HAND_SQL " FROM products p WHERE sku = \'COLA\'"), -2000);
	assert_int_equal(q1(f->st, "SELECT count(*) FROM events WHERE type = 'stock.low' AND "
	    "json_extract(payload, '$.sku') = 'COLA' AND json_extract(payload, '$.stock') = -2000"),
	    1);
	/* Already out: the next sale of it is not flagged again. */
	sale_free(f->s);
	f->s = sale_current(f->st, &f->cashier, &err);
	add(f, "COLA");
	assert_int_equal(sale_pay(f->s, PAY_CASH, 0, &done, &err), 0);
	assert_int_equal(q1(f->st, "SELECT count(*) FROM events WHERE type = 'stock.low'"), 1);
}

static void
test_full_disk_keeps_the_cart(void **state)
{
	struct fx *f = *state;
	struct kerr err;
	char pragma[64];
	int i, rc = 0;
	int64_t before_lines;
	money_t before_total;

	add(f, "BREAD");
	/* The disk fills up: no page may be added to the file from now on. */
	snprintf(pragma, sizeof pragma, "PRAGMA max_page_count = %lld",
	    (long long)q1(f->st, "PRAGMA page_count"));
	assert_int_equal(sqlite3_exec(store_db(f->st), pragma, NULL, NULL, NULL), SQLITE_OK);
	for (i = 0; i < 2000 && rc == 0; i++) {
		before_lines = sale_line_count(f->s);
		before_total = sale_totals(f->s)->total;
		rc = sale_add_input(f->s, NULL, i % 2 ? "MILK" : "COLA", NULL, &err);
		if (rc == 0)
			rc = sale_discount_line(f->s, sale_line_count(f->s) - 1, DISC_AMOUNT, i % 50,
			    NULL, &err);
	}
	assert_int_equal(rc, -1);
	assert_int_equal(err.code, KERR_IO);
	assert_non_null(strstr(err.msg, "disk is full"));
	/* What the screen shows is what is stored, and nothing was half-written. */
	assert_int_equal(q1(f->st, "SELECT count(*) FROM sale_lines"), sale_line_count(f->s));
	/* An open cart's total is stored as its lines' (issue 17: not rewritten per scan). */
	assert_int_equal(q1(f->st, "SELECT sum(l.total) FROM sale_lines l JOIN sales s ON "
	    "s.id = l.sale_id WHERE s.state = 'open'"), sale_totals(f->s)->total);
	assert_true(sale_line_count(f->s) >= before_lines);
	(void)before_total;
	/* Space comes back: the sale goes on and completes. */
	assert_int_equal(sqlite3_exec(store_db(f->st), "PRAGMA max_page_count = 1073741823", NULL,
	    NULL, NULL), SQLITE_OK);
	add(f, "BREAD");
	{
		bool done;

		assert_int_equal(sale_pay(f->s, PAY_CASH, 0, &done, &err), 0);
		assert_true(done);
	}
}

static void
test_locked_database_is_waited_for(void **state)
{
	struct fx *f = *state;
	char path[128];
	struct kerr err;
	int status;
	pid_t pid;

	snprintf(path, sizeof path, "%s/k.db", f->dir);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* Another process (a report, the sync process) holds the write lock a while. */
		sqlite3 *db;

		if (sqlite3_open(path, &db) != SQLITE_OK ||
		    sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
			_exit(1);
		usleep(800 * 1000);
		sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
		sqlite3_close(db);
		_exit(0);
	}
	usleep(200 * 1000);
	/* The scan waits for the lock instead of failing. */
	add(f, "BREAD");
	assert_int_equal(sale_line_count(f->s), 1);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	(void)err;
}

/*
 * Issue 9: a discount limit is a rule about the result, checked after every change to the cart
 * and again at payment. Bread 4 000 and 3 x 12 500, 4 000 off the sale (9.6 %: allowed), then
 * voiding the 37 500 line would leave 100 % off: refused until a manager approves.
 */
static void
test_discount_limit_is_on_the_result(void **state)
{
	struct fx *f = *state;
	struct kerr err;
	bool done;

	testlib_product(f->st, "", "TEA", "Choy", 1250000, false, 0, "2026-11-25T08:00:00.000Z");
	add(f, "BREAD");
	add(f, "3*TEA");
	assert_int_equal(sale_discount_cart(f->s, DISC_AMOUNT, 400000, NULL, &err), 0);
	assert_int_equal(sale_totals(f->s)->total, 3750000);
	assert_int_equal(sale_void_line(f->s, 1, NULL, &err), -1);
	assert_int_equal(err.code, KERR_DENIED);
	assert_true(sale_needs_approval(f->s));
	assert_non_null(strstr(err.msg, "the discount would be 100.00%"));
	assert_int_equal(sale_totals(f->s)->lines, 2);		/* nothing changed */
	assert_int_equal(sale_totals(f->s)->total, 3750000);
	/* A manager approves: the approval is recorded and names both. */
	assert_int_equal(sale_void_line(f->s, 1, &f->manager, &err), 0);
	assert_int_equal(sale_totals(f->s)->total, 0);
	assert_int_equal(q1(f->st, "SELECT count(*) FROM events WHERE type = 'approval.granted' "
	    "AND json_extract(payload, '$.approver') = 'Rustam' AND json_extract(payload, "
	    "'$.right') = 'discount_big'"), 1);
	assert_int_equal(sale_pay(f->s, PAY_CASH, 0, &done, &err), 0);
	assert_true(done);
}

/* An amount off a line whose quantity then drops: 4 000 off 3 x 14 500 is 9.2 %, off one is
 * 27.6 %. */
static void
test_discount_limit_after_quantity_drops(void **state)
{
	struct fx *f = *state;
	struct kerr err;

	add(f, "3*MILK");
	assert_int_equal(sale_discount_line(f->s, 0, DISC_AMOUNT, 400000, NULL, &err), 0);
	assert_int_equal(sale_set_qty(f->s, 0, 1000, NULL, &err), -1);
	assert_int_equal(err.code, KERR_DENIED);
	assert_true(sale_needs_approval(f->s));
	assert_int_equal(sale_line(f->s, 0)->qty, 3000);
	assert_int_equal(sale_set_qty(f->s, 0, 2000, NULL, &err), -1);	/* 13.8 % */
	/* Taking the discount off first is the cashier's own way out. */
	assert_int_equal(sale_discount_line(f->s, 0, DISC_NONE, 0, NULL, &err), 0);
	assert_int_equal(sale_set_qty(f->s, 0, 1000, NULL, &err), 0);
	assert_int_equal(sale_totals(f->s)->total, 1450000);
}

/* 10 % on a line plus 10 % on the sale is 19 % of that line: refused for a cashier. */
static void
test_discounts_add_up_against_the_limit(void **state)
{
	struct fx *f = *state;
	struct kerr err;

	add(f, "MILK");
	add(f, "BREAD");
	assert_int_equal(sale_discount_line(f->s, 0, DISC_PERCENT, 1000, NULL, &err), 0);
	assert_int_equal(sale_discount_cart(f->s, DISC_PERCENT, 1000, NULL, &err), -1);
	assert_int_equal(err.code, KERR_DENIED);
	assert_true(sale_needs_approval(f->s));
	assert_int_equal(sale_totals(f->s)->discount, 145000);
	/* 10 % on every line and none on the sale is 10 %, with rounding: allowed. */
	assert_int_equal(sale_discount_line(f->s, 1, DISC_PERCENT, 1000, NULL, &err), 0);
	assert_int_equal(sale_totals(f->s)->discount, 145000 + 40000);
}

/* The limits are configuration, and a sale past them is never completed: the payment is
 * refused until a manager approves. */
static void
test_discount_limit_is_configured_and_checked_at_payment(void **state)
{
	struct fx *f = *state;
	struct kerr err;
	bool done;

	sale_set_limits(f->s, 2000, 10000);	/* [rights] cashier_discount = 20 */
	add(f, "MILK");
	assert_int_equal(sale_discount_cart(f->s, DISC_PERCENT, 1500, NULL, &err), 0);
	assert_int_equal(sale_discount_cart(f->s, DISC_PERCENT, 2001, NULL, &err), -1);
	/* The limit drops (a new config) while the cart is open: payment refuses. */
	sale_set_limits(f->s, 1000, 10000);
	assert_int_equal(sale_pay(f->s, PAY_CASH, 0, &done, &err), -1);
	assert_false(done);
	assert_int_equal(err.code, KERR_DENIED);
	assert_true(sale_needs_approval(f->s));
	assert_int_equal(sale_state(f->s), SALE_OPEN);
	assert_int_equal(sale_approve(f->s, &f->cashier, &err), -1);
	assert_int_equal(sale_approve(f->s, &f->manager, &err), 0);
	assert_int_equal(sale_pay(f->s, PAY_CASH, 0, &done, &err), 0);
	assert_true(done);
	/* A manager approves only up to manager_discount. */
	sale_free(f->s);
	f->s = sale_current(f->st, &f->cashier, &err);
	sale_set_limits(f->s, 1000, 3000);
	add(f, "MILK");
	assert_int_equal(sale_discount_cart(f->s, DISC_PERCENT, 3000, &f->manager, &err), 0);
	assert_int_equal(sale_discount_cart(f->s, DISC_PERCENT, 3001, &f->manager, &err), -1);
	assert_non_null(strstr(err.msg, "Rustam may approve"));
}

/* Issue 9: scan 9, void them, sell 1: the sale's event lists the voided line, who and when. */
static void
test_voided_lines_are_in_the_journal(void **state)
{
	struct fx *f = *state;
	struct kerr err;
	bool done;

	add(f, "9*BREAD");
	assert_int_equal(sale_void_line(f->s, 0, NULL, &err), 0);
	add(f, "BREAD");
	assert_int_equal(sale_pay(f->s, PAY_CASH, 0, &done, &err), 0);
	assert_true(done);
	assert_int_equal(q1(f->st, "SELECT json_array_length(payload, '$.lines') FROM events "
	    "WHERE type = 'sale.completed'"), 1);
	assert_int_equal(q1(f->st, "SELECT json_array_length(payload, '$.voids') FROM events "
	    "WHERE type = 'sale.completed'"), 1);
	assert_int_equal(q1(f->st, "SELECT count(*) FROM events WHERE type = 'sale.completed' "
	    "AND json_extract(payload, '$.voids[0].qty') = 9000 AND json_extract(payload, "
	    "'$.voids[0].amount') = 3600000 AND json_extract(payload, '$.voids[0].code') = 'BREAD' "
	    "AND json_extract(payload, '$.voids[0].by') = 'Dilnoza' AND json_extract(payload, "
	    "'$.voids[0].at') LIKE '20%Z'"), 1);
}

/* Issue 9: amounts past a real shop's are refused where they enter, never summed into a
 * negative or a float. */
static void
test_bounds(void **state)
{
	struct fx *f = *state;
	struct product p;
	struct kerr err;

	memset(&p, 0, sizeof p);
	assert_int_equal(catalog_get(f->st, 1, &p, &err), 0);
	p.price = 5000000000000000000 / 100;	/* 5 x 10^16 */
	assert_int_equal(sale_add_product(f->s, &p, 1000, NULL, &err), -1);
	assert_int_equal(err.code, KERR_INPUT);
	/* The hub's catalogue upsert refuses it too, and a name that is not UTF-8. */
	assert_int_equal(store_begin(f->st, &err), 0);
	assert_int_equal(catalog_upsert(f->st, &p, "2099-01-01T00:00:00.000Z", &err), -1);
	assert_non_null(strstr(err.msg, "out of range"));
	p.price = 100;
	snprintf(p.name, sizeof p.name, "Jos\xe9");
	assert_int_equal(catalog_upsert(f->st, &p, "2099-01-01T00:00:00.000Z", &err), -1);
	assert_non_null(strstr(err.msg, "not valid UTF-8"));
	store_rollback(f->st);
	assert_int_equal(catalog_get(f->st, 1, &p, &err), 0);
	p.price = MONEY_PRICE_MAX;
	assert_int_equal(sale_add_product(f->s, &p, 1000, NULL, &err), 0);
	/* 10^12 x 1000 units is past the largest line. */
	assert_int_equal(sale_set_qty(f->s, 0, 1000000, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "amount too large"));
	assert_int_equal(sale_add_input(f->s, NULL, "1000001*BREAD", NULL, &err), -1);
	assert_int_equal(sale_line_count(f->s), 1);
	/* Cash moves: two cash-ins of 9 x 10^16 would make the expected cash negative. */
	assert_int_equal(shift_cash_move(f->st, &f->manager, NULL, 90000000000000000, "x", &err),
	    -1);
	assert_int_equal(err.code, KERR_INPUT);
	assert_int_equal(shift_cash_move(f->st, &f->manager, NULL, MONEY_AMOUNT_MAX, "x", &err),
	    0);
	assert_int_equal(q1(f->st, "SELECT count(*) FROM events WHERE type = 'cash.moved'"), 1);
}

/* Issue 9: a label that carries its price is charged that price: 1 000.00 at 123 456.78 a kg
 * came to 987.65 when the weight worked out from it (8 g) was multiplied back. */
static void
test_price_label_is_charged_its_price(void **state)
{
	struct fx *f = *state;
	struct weight_layout layout;
	char label[14] = "210077100000";	/* prefix 21, PLU 0077, 1 000.00 so'm */
	struct kerr err;
	bool done;

	testlib_product(f->st, "", "SAFFRON", "Za'faron", 12345678, true, 77,
	    "2026-11-25T08:00:00.000Z");
	assert_int_equal(barcode_layout_parse("PPCCCC$$$$$$K", &layout), 0);
	assert_true(layout.value_is_price);
	label[12] = (char)('0' + barcode_check_digit(label, 12));
	label[13] = '\0';
	assert_int_equal(sale_add_input(f->s, &layout, label, NULL, &err), 0);
	assert_int_equal(sale_line(f->s, 0)->total, 100000);
	assert_int_equal(sale_totals(f->s)->total, 100000);
	assert_int_equal(sale_line(f->s, 0)->price, 12345678);	/* the receipt's unit price */
	assert_int_equal(sale_set_qty(f->s, 0, 2000, NULL, &err), -1);
	assert_int_equal(sale_pay(f->s, PAY_CASH, 0, &done, &err), 0);
	assert_true(done);
	assert_int_equal(q1(f->st, "SELECT json_extract(payload, '$.lines[0].total') FROM events "
	    "WHERE type = 'sale.completed'"), 100000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_scan_and_totals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_weight_label, setup, teardown),
		cmocka_unit_test_setup_teardown(test_discounts_add_up_exactly, setup, teardown),
		cmocka_unit_test_setup_teardown(test_approval_for_big_discount_and_paid_void, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_cashier_discount_limit_is_exact, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_amount_too_large, setup, teardown),
		cmocka_unit_test_setup_teardown(test_void_paid_sale_needs_a_manager, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_split_payment_completes_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resume_exactly, setup, teardown),
		cmocka_unit_test_setup_teardown(test_park_recall_void, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shift_close_and_events_agree, setup, teardown),
		cmocka_unit_test_setup_teardown(test_import_all_or_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_out_of_stock_is_flagged_not_blocked, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_full_disk_keeps_the_cart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_locked_database_is_waited_for, setup, teardown),
		cmocka_unit_test_setup_teardown(test_discount_limit_is_on_the_result, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_discount_limit_after_quantity_drops, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_discounts_add_up_against_the_limit, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_discount_limit_is_configured_and_checked_at_payment, setup, teardown),
		cmocka_unit_test_setup_teardown(test_voided_lines_are_in_the_journal, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_bounds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_price_label_is_charged_its_price, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
