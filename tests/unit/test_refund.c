/*
 * Unit tests for returns (refund.h) on a real SQLite file: the proportional arithmetic and the
 * tiyin rounding leaves over, partial then full returns, split tenders, a second return racing
 * from another connection, rights, a return without a receipt, crash and resume, abandon, the
 * shift's figures, the stock, the refund receipt's text and `kassa sales --json`.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "testlib.h"

#include <jansson.h>

#include <sqlite3.h>

#include "catalog.h"
#include "journal.h"
#include "receipt.h"
#include "refund.h"
#include "report.h"
#include "sale.h"
#include "shift.h"
#include "store.h"
#include "user.h"

/* bread 4 000 (VAT 0), milk 14 500, cola 13 000 (12%), apples 18 990 a kg. */
static const char catalog_csv[] =
    "barcode,name,price,vat,unit,sku,plu,stock\n"
    "4780000000015,Non,4000,0,pcs,BREAD,,100\n"
    "4780000000022,Milk,14500,12,pcs,MILK,,50\n"
    "4780000000039,Cola,13000,12,pcs,COLA,,10\n"
    "4780000000046,Apples,18990,12,kg,APPLE,123,20\n";

struct fx {
	char dir[64];
	char path[96];
	store *st;
	struct user cashier, manager;
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	char csv[1024];
	struct kerr err;
	long n = 0;
	FILE *in;

	f->st = testlib_store(f->dir, sizeof f->dir, "refund");
	snprintf(f->path, sizeof f->path, "%s/k.db", f->dir);
	snprintf(csv, sizeof csv, "%s", catalog_csv);
	for (char *p = csv; (p = strstr(p, "478000000")) != NULL; p += 13)
		p[12] = (char)('0' + barcode_check_digit(p, 12));
	in = fmemopen(csv, strlen(csv), "r");
	assert_int_equal(catalog_import_csv(f->st, in, "cat.csv", NULL, NULL, &n, &err), 0);
	fclose(in);
	assert_int_equal(user_add(f->st, "Dilnoza", ROLE_CASHIER, "1111", &err), 0);
	assert_int_equal(user_add(f->st, "Rustam", ROLE_MANAGER, "9999", &err), 0);
	assert_int_equal(user_login(f->st, "1111", &f->cashier, &err), 0);
	assert_int_equal(user_login(f->st, "9999", &f->manager, &err), 0);
	assert_int_equal(shift_open(f->st, &f->cashier, 10000000, NULL, &err), 0);
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

/* A completed sale of the codes in inputs (NULL-ended), an optional cart discount in minor
 * units, paid first by card (card > 0) and then the rest in cash. Its receipt number. */
static int64_t
sell(struct fx *f, const char *const *inputs, money_t cart_discount, money_t card)
{
	struct kerr err;
	bool done = false;
	int64_t number;
	sale *s = sale_current(f->st, &f->cashier, &err);

	assert_non_null(s);
	for (int i = 0; inputs[i] != NULL; i++) {
		if (sale_add_input(s, NULL, inputs[i], NULL, &err) != 0)
			fail_msg("scan %s: %s", inputs[i], err.msg);
	}
	if (cart_discount > 0 &&
	    sale_discount_cart(s, DISC_AMOUNT, cart_discount, NULL, &err) != 0)
		fail_msg("discount: %s", err.msg);
	if (card > 0)
		assert_int_equal(sale_pay(s, PAY_CARD, card, &done, &err), 0);
	if (!done && sale_pay(s, PAY_CASH, 0, &done, &err) != 0)
		fail_msg("pay: %s", err.msg);
	assert_true(done);
	number = sale_number(s);
	sale_free(s);
	return number;
}

static refund *
start(struct fx *f, const struct user *u, int64_t number)
{
	struct kerr err;
	char buf[32];
	refund *r;

	snprintf(buf, sizeof buf, "%lld", (long long)number);
	r = refund_start(f->st, u, buf, &err);
	if (r == NULL)
		fail_msg("start %s: %s", buf, err.msg);
	return r;
}

static void
mark(refund *r, const char *input)
{
	struct kerr err;

	if (refund_mark_input(r, NULL, input, NULL, &err) != 0)
		fail_msg("mark %s: %s", input, err.msg);
}

/* Every payload is canonical JSON as jansson writes it: what the hub hashes again. */
static void
assert_events_canonical(store *st)
{
	sqlite3_stmt *q;

	assert_int_equal(sqlite3_prepare_v2(store_db(st), "SELECT seq, type, payload FROM events "
	    "ORDER BY seq", -1, &q, NULL), SQLITE_OK);
	while (sqlite3_step(q) == SQLITE_ROW) {
		const char *payload = (const char *)sqlite3_column_text(q, 2);
		json_t *j = json_loads(payload, 0, NULL);
		char *again;

		if (j == NULL)
			fail_msg("event %lld is not JSON", sqlite3_column_int64(q, 0));
		again = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
		if (strcmp(again, payload) != 0)
			fail_msg("event %lld (%s) is not canonical:\n  %s\n  %s",
			    sqlite3_column_int64(q, 0), sqlite3_column_text(q, 1), payload, again);
		free(again);
		json_decref(j);
	}
	sqlite3_finalize(q);
}

/* ---- the arithmetic --------------------------------------------------------------------- */

static void
test_share_rounding(void **state)
{
	/* 3 units for 43 499.00 after a discount of 1.00: no third divides it. */
	struct refund_part line = { 3000, 4349900, 466061, 100 };
	struct refund_part done = { 0, 0, 0, 0 }, out;
	money_t got[3];
	struct kerr err;

	(void)state;
	for (int i = 0; i < 3; i++) {
		assert_int_equal(refund_share(&line, &done, 1000, &out, &err), 0);
		got[i] = out.total;
		done.qty += out.qty;
		done.total += out.total;
		done.vat += out.vat;
		done.discount += out.discount;
	}
	/* round(1/3), round(2/3) - round(1/3), the rest: the tiyin left over lands in one. */
	assert_int_equal(got[0], 1449967);
	assert_int_equal(got[1], 1449966);
	assert_int_equal(got[2], 1449967);
	assert_int_equal(done.total, line.total);
	assert_int_equal(done.vat, line.vat);
	assert_int_equal(done.discount, line.discount);
	/* Nothing is left: one more unit is refused. */
	assert_int_equal(refund_share(&line, &done, 1000, &out, &err), -1);
	assert_int_equal(err.code, KERR_STATE);

	/* Weight: 0.333 kg then the rest of 1 kg for 189.91 so'm. */
	{
		struct refund_part kg = { 1000, 18991, 2035, 0 }, d = { 0, 0, 0, 0 }, a, b;

		assert_int_equal(refund_share(&kg, &d, 333, &a, &err), 0);
		assert_int_equal(a.total, 6324);	/* 18991 x 0.333 = 6324.003 */
		d.qty = 333;
		d.total = a.total;
		d.vat = a.vat;
		assert_int_equal(refund_share(&kg, &d, 667, &b, &err), 0);
		assert_int_equal(a.total + b.total, 18991);
		assert_int_equal(a.vat + b.vat, 2035);
	}
	assert_int_equal(refund_share(&line, &(struct refund_part){ 0 }, 0, &out, &err), -1);
	assert_int_equal(err.code, KERR_INPUT);
}

static void
test_split_rule(void **state)
{
	struct refund_tender t[2] = {
		{ REFUND_CASH, 400000, 0 },
		{ REFUND_CARD, 600000, 0 },
	};
	money_t out[2];
	struct kerr err;

	(void)state;
	/* Card first, up to what it paid; cash the rest. */
	assert_int_equal(refund_split(t, 2, 700000, out, &err), 0);
	assert_int_equal(out[1], 600000);
	assert_int_equal(out[0], 100000);
	/* After an earlier return gave the card 500 000 back: 100 000 card, the rest cash. */
	t[1].refunded = 500000;
	assert_int_equal(refund_split(t, 2, 300000, out, &err), 0);
	assert_int_equal(out[1], 100000);
	assert_int_equal(out[0], 200000);
	/* More than the tenders have left is refused. */
	assert_int_equal(refund_split(t, 2, 500001, out, &err), -1);
	assert_int_equal(err.code, KERR_STATE);
}

/* ---- against the database --------------------------------------------------------------- */

static void
test_partial_then_full(void **state)
{
	struct fx *f = *state;
	const char *const items[] = { "3*MILK", "BREAD", NULL };
	struct shift_report x0, x1;
	struct kerr err;
	int64_t number;
	money_t first;
	refund *r;

	number = sell(f, items, 100, 0);	/* 43 500 + 4 000 less 1.00 */
	assert_int_equal(shift_report_x(f->st, &x0, &err), 0);
	assert_int_equal(q1(f->st, "SELECT " ON_HAND_SQL " FROM products p WHERE sku = \'MILK\'"), 47000);

	r = start(f, &f->cashier, number);
	assert_int_equal(refund_line_count(r), 2);
	assert_int_equal(refund_line(r, 0)->returnable, 3000);
	mark(r, "2*MILK");
	assert_int_equal(refund_line(r, 0)->marked, 2000);
	/* More than is left: refused, saying what is left, nothing changes. */
	assert_int_equal(refund_mark_input(r, NULL, "2*MILK", NULL, &err), -1);
	assert_int_equal(err.code, KERR_STATE);
	assert_non_null(strstr(err.msg, "only 1 of Milk"));
	assert_int_equal(refund_line(r, 0)->marked, 2000);
	assert_int_equal(refund_mark_input(r, NULL, "COLA", NULL, &err), -1);
	assert_int_equal(err.code, KERR_NOTFOUND);

	/* A cashier needs a manager. */
	assert_int_equal(refund_complete(r, NULL, &err), -1);
	assert_int_equal(err.code, KERR_DENIED);
	assert_true(refund_needs_approval(r));
	assert_int_equal(q1(f->st, "SELECT count(*) FROM events WHERE type = 'sale.returned'"), 0);
	assert_int_equal(refund_complete(r, &f->manager, &err), 0);
	assert_int_equal(refund_state(r), REFUND_COMPLETED);
	assert_int_equal(refund_number(r), 1);
	assert_int_equal(refund_original(r), number);
	first = refund_totals(r)->total;
	/* The milk line paid 43 500 less its share of the 1.00 discount (43 500 / 47 500 of it). */
	{
		money_t line = q1(f->st, "SELECT total FROM sale_lines WHERE lineno = 1");
		money_t want;

		assert_true(money_muldiv(line, 2, 3, &want));
		assert_int_equal(first, want);
	}
	assert_int_equal(refund_totals(r)->cash, first);
	assert_int_equal(q1(f->st, "SELECT count(*) FROM events WHERE type = 'approval.granted' "
	    "AND json_extract(payload, '$.right') = 'refund' AND json_extract(payload, "
	    "'$.approver') = 'Rustam' AND json_extract(payload, '$.user') = 'Dilnoza'"), 1);
	assert_int_equal(q1(f->st, "SELECT json_extract(payload, '$.total') FROM events WHERE "
	    "type = 'sale.returned'"), first);
	assert_int_equal(q1(f->st, "SELECT json_extract(payload, '$.original') FROM events WHERE "
	    "type = 'sale.returned'"), number);
	assert_int_equal(q1(f->st, "SELECT count(*) FROM outbox o JOIN events e ON e.seq = o.seq "
	    "WHERE e.type = 'sale.returned'"), 1);
	assert_int_equal(q1(f->st, "SELECT " ON_HAND_SQL " FROM products p WHERE sku = \'MILK\'"), 49000);
	assert_int_equal(q1(f->st, "SELECT count(*) FROM print_jobs WHERE return_id = 1 AND "
	    "kind = 'receipt'"), 1);
	assert_int_equal(q1(f->st, "SELECT count(*) FROM print_jobs WHERE return_id = 1 AND "
	    "kind = 'drawer'"), 1);
	/* The original sale is untouched. */
	assert_int_equal(q1(f->st, "SELECT qty FROM sale_lines WHERE lineno = 1"), 3000);
	assert_int_equal(shift_report_x(f->st, &x1, &err), 0);
	assert_int_equal(x1.refunds_count, 1);
	assert_int_equal(x1.refunds_total, first);
	assert_int_equal(x1.refunds_cash, first);
	assert_int_equal(x1.expected_cash, x0.expected_cash - first);
	refund_free(r);

	/* The second return: 2 more refused, the last 1 takes exactly what is left. */
	r = start(f, &f->manager, number);
	assert_int_equal(refund_line(r, 0)->returned, 2000);
	assert_int_equal(refund_line(r, 0)->returnable, 1000);
	assert_int_equal(refund_mark_input(r, NULL, "2*MILK", NULL, &err), -1);
	assert_non_null(strstr(err.msg, "only 1 of Milk"));
	mark(r, "MILK");
	mark(r, "BREAD");
	assert_int_equal(refund_complete(r, NULL, &err), 0);
	assert_int_equal(refund_number(r), 2);
	assert_int_equal(q1(f->st, "SELECT sum(l.total) FROM return_lines l WHERE "
	    "l.sale_lineno = 1"), q1(f->st, "SELECT total FROM sale_lines "
	    "WHERE lineno = 1"));
	assert_int_equal(q1(f->st, "SELECT sum(total) FROM returns"),
	    q1(f->st, "SELECT total FROM sales WHERE state = 'completed'"));
	assert_int_equal(q1(f->st, "SELECT sum(vat_total) FROM returns"),
	    q1(f->st, "SELECT vat_total FROM sales WHERE state = 'completed'"));
	refund_free(r);

	/* Nothing is left on the receipt. */
	{
		char buf[16];

		snprintf(buf, sizeof buf, "%lld", (long long)number);
		assert_null(refund_start(f->st, &f->cashier, buf, &err));
		assert_int_equal(err.code, KERR_STATE);
		assert_null(refund_start(f->st, &f->cashier, "R1", &err));
		assert_int_equal(err.code, KERR_INPUT);
		assert_null(refund_start(f->st, &f->cashier, "999", &err));
		assert_int_equal(err.code, KERR_NOTFOUND);
	}
	{
		int64_t n, bad;

		assert_int_equal(journal_verify(f->st, &n, &bad, &err), 0);
	}
	assert_events_canonical(f->st);
}

static void
test_split_tenders(void **state)
{
	struct fx *f = *state;
	const char *const items[] = { "2*COLA", NULL };
	struct kerr err;
	int64_t number;
	refund *r;

	/* 26 000: 10 000 by card, 16 000 cash. */
	number = sell(f, items, 0, 1000000);
	r = start(f, &f->cashier, number);
	mark(r, "COLA");
	/* Card first, up to what it paid; cash the rest. */
	assert_int_equal(refund_totals(r)->total, 1300000);
	assert_int_equal(refund_totals(r)->card, 1000000);
	assert_int_equal(refund_totals(r)->cash, 300000);
	assert_int_equal(refund_complete(r, &f->manager, &err), 0);
	assert_int_equal(refund_payment_count(r), 2);
	assert_int_equal(refund_payment(r, 0)->method, REFUND_CARD);
	assert_int_equal(refund_payment(r, 0)->amount, 1000000);
	assert_int_equal(refund_payment(r, 1)->method, REFUND_CASH);
	assert_int_equal(refund_payment(r, 1)->amount, 300000);
	refund_free(r);
	/* The card has nothing left to take back: the second cola is all cash. */
	r = start(f, &f->cashier, number);
	mark(r, "COLA");
	assert_int_equal(refund_totals(r)->card, 0);
	assert_int_equal(refund_totals(r)->cash, 1300000);
	assert_int_equal(refund_complete(r, &f->manager, &err), 0);
	refund_free(r);
	assert_int_equal(q1(f->st, "SELECT refunds_card FROM shifts"), 1000000);
	assert_int_equal(q1(f->st, "SELECT refunds_cash FROM shifts"), 1600000);
	/* The Z report: the cash refunded left the drawer. */
	{
		struct shift_report z;

		assert_int_equal(shift_close(f->st, &f->cashier, 10000000, &z, &err), 0);
		assert_int_equal(z.expected_cash, 10000000 + 1600000 - 1600000);
		assert_int_equal(z.variance, 0);
		assert_int_equal(z.refunds_count, 2);
		assert_int_equal(q1(f->st, "SELECT json_extract(payload, '$.refunds_cash') FROM "
		    "events WHERE type = 'shift.closed'"), 1600000);
	}
	assert_events_canonical(f->st);
}

static void
test_race_second_return_refused(void **state)
{
	struct fx *f = *state;
	const char *const items[] = { "2*MILK", NULL };
	struct kerr err;
	int64_t number;
	store *other;
	refund *a, *b;

	number = sell(f, items, 0, 0);
	/* Two returns of the same sale, one through a second connection (another process). */
	other = store_open(f->path, 0, &err);
	assert_non_null(other);
	a = start(f, &f->manager, number);
	{
		char buf[16];

		snprintf(buf, sizeof buf, "%lld", (long long)number);
		b = refund_start(other, &f->manager, buf, &err);
		assert_non_null(b);
	}
	mark(a, "2*MILK");
	mark(b, "2*MILK");	/* still all there as far as b can see */
	assert_int_equal(refund_complete(a, NULL, &err), 0);
	assert_int_equal(refund_complete(b, NULL, &err), -1);
	assert_int_equal(err.code, KERR_STATE);
	assert_non_null(strstr(err.msg, "Milk"));
	assert_int_equal(refund_state(b), REFUND_OPEN);
	assert_int_equal(q1(f->st, "SELECT count(*) FROM events WHERE type = 'sale.returned'"), 1);
	assert_int_equal(q1(f->st, "SELECT sum(qty) FROM return_lines l JOIN returns x ON x.id = "
	    "l.return_id WHERE x.state = 'completed'"), 2000);
	assert_int_equal(q1(f->st, "SELECT " ON_HAND_SQL " FROM products p WHERE sku = \'MILK\'"), 50000);
	/* b sees what is left now and can be abandoned. */
	assert_int_equal(refund_line(b, 0)->returnable, 0);
	assert_int_equal(refund_abandon(b, &err), 0);
	refund_free(a);
	refund_free(b);
	store_close(other);
}

static void
test_resume_and_abandon(void **state)
{
	struct fx *f = *state;
	const char *const items[] = { "MILK", "1.250*APPLE", NULL };
	struct kerr err;
	int64_t number, events;
	refund *r;

	number = sell(f, items, 0, 0);
	events = q1(f->st, "SELECT count(*) FROM events");
	r = start(f, &f->cashier, number);
	mark(r, "0.500*APPLE");
	assert_int_equal(refund_line(r, 1)->marked, 500);
	/* A piece product wants a whole number. */
	assert_int_equal(refund_mark_input(r, NULL, "0.5*MILK", NULL, &err), -1);
	assert_int_equal(err.code, KERR_INPUT);
	refund_free(r);
	/* The till is killed: the next run resumes the return exactly. */
	store_close(f->st);
	f->st = store_open(f->path, 0, &err);
	assert_non_null(f->st);
	r = refund_current(f->st, &f->cashier, &err);
	assert_non_null(r);
	assert_int_equal(refund_line(r, 1)->marked, 500);
	/* The plain code of a product sold by weight marks all that is left of it. */
	mark(r, "APPLE");
	assert_int_equal(refund_line(r, 1)->marked, 1250);
	assert_int_equal(refund_set_line(r, 1, 250, &err), 0);
	assert_int_equal(refund_line(r, 1)->marked, 250);
	assert_int_equal(refund_abandon(r, &err), 0);
	refund_free(r);
	/* Nothing changed. */
	assert_int_equal(q1(f->st, "SELECT count(*) FROM returns"), 0);
	assert_int_equal(q1(f->st, "SELECT count(*) FROM return_lines"), 0);
	assert_int_equal(q1(f->st, "SELECT count(*) FROM events"), events);
	assert_null(refund_current(f->st, &f->cashier, &err));
	assert_int_equal(err.code, KERR_NOTFOUND);
}

static void
test_without_receipt(void **state)
{
	struct fx *f = *state;
	struct kerr err;
	bool needs = false;
	int64_t id = 0;
	refund *r;

	assert_int_equal(refund_without_receipt(f->st, &f->manager, NULL, "MILK", 1000, 0, &needs,
	    &id, &err), -1);
	assert_int_equal(err.code, KERR_DENIED);
	assert_int_equal(refund_without_receipt(f->st, &f->cashier, NULL, "MILK", 1000, 5000000,
	    &needs, &id, &err), -1);
	assert_int_equal(err.code, KERR_DENIED);
	assert_true(needs);
	/* Over the limit: 4 milk is 58 000. */
	assert_int_equal(refund_without_receipt(f->st, &f->manager, NULL, "MILK", 4000, 5000000,
	    &needs, &id, &err), -1);
	assert_int_equal(err.code, KERR_DENIED);
	assert_non_null(strstr(err.msg, "50 000"));
	assert_int_equal(q1(f->st, "SELECT count(*) FROM returns"), 0);
	/* A cashier with a manager's approval. */
	assert_int_equal(refund_without_receipt(f->st, &f->cashier, &f->manager, "MILK", 2000,
	    5000000, &needs, &id, &err), 0);
	assert_true(id > 0);
	assert_int_equal(q1(f->st, "SELECT json_extract(payload, '$.no_receipt') FROM events "
	    "WHERE type = 'sale.returned'"), 1);
	assert_int_equal(q1(f->st, "SELECT json_extract(payload, '$.total') FROM events "
	    "WHERE type = 'sale.returned'"), 2900000);
	assert_int_equal(q1(f->st, "SELECT json_type(payload, '$.original') = 'null' FROM events "
	    "WHERE type = 'sale.returned'"), 1);
	assert_int_equal(q1(f->st, "SELECT refunds_no_receipt FROM shifts"), 1);
	assert_int_equal(q1(f->st, "SELECT refunds_cash FROM shifts"), 2900000);
	assert_int_equal(q1(f->st, "SELECT " ON_HAND_SQL " FROM products p WHERE sku = \'MILK\'"), 52000);
	assert_events_canonical(f->st);
	r = refund_load(f->st, id, &err);
	assert_non_null(r);
	assert_true(refund_no_receipt(r));
	assert_int_equal(refund_totals(r)->cash, 2900000);
	refund_free(r);
}

/* The text of every item of a receipt, one per line. */
static void
receipt_text(const struct receipt *rc, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int i = 0; i < rc->n && n < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "%d|%s|%s\n", (int)rc->items[i].kind,
		    rc->items[i].left ? rc->items[i].left : "",
		    rc->items[i].right ? rc->items[i].right : "");
}

static void
test_refund_receipt(void **state)
{
	struct fx *f = *state;
	const char *const items[] = { "2*MILK", NULL };
	struct receipt_opts o = { .store = "Shop" };
	struct receipt_job job;
	struct receipt *rc;
	struct kerr err;
	char text[4096], want[128];
	int64_t number;
	refund *r;

	number = sell(f, items, 0, 0);
	r = start(f, &f->cashier, number);
	mark(r, "MILK");
	/* Not completed: no receipt. */
	assert_null(receipt_from_refund(r, &o, &err));
	assert_int_equal(refund_complete(r, &f->manager, &err), 0);
	rc = receipt_from_refund(r, &o, &err);
	assert_non_null(rc);
	receipt_text(rc, text, sizeof text);
	assert_non_null(strstr(text, "|REFUND|\n"));
	assert_non_null(strstr(text, "|Refund R1|"));
	snprintf(want, sizeof want, "|Original receipt|%lld\n", (long long)number);
	assert_non_null(strstr(text, want));
	assert_non_null(strstr(text, "|Approved by|Rustam\n"));
	assert_non_null(strstr(text, "|Milk|\n"));
	assert_non_null(strstr(text, "|  1 x 14 500|14 500\n"));
	assert_non_null(strstr(text, "|REFUND|14 500\n"));
	assert_non_null(strstr(text, "|Cash back|14 500\n"));
	snprintf(want, sizeof want, "%d|R1|\n", (int)RECEIPT_BARCODE);
	assert_non_null(strstr(text, want));
	receipt_free(rc);
	refund_free(r);
	/* The queue hands the printer the refund receipt (after the sale's; the drawer apart). */
	assert_int_equal(q1(f->st, "UPDATE print_jobs SET state = 'done' WHERE return_id IS NULL "
	    "RETURNING 1"), 1);
	assert_int_equal(receipt_job_next(f->st, &job, &err), 1);
	assert_int_equal(job.return_id, 1);
	rc = receipt_for_job(f->st, &job, "Shop", &err);
	assert_non_null(rc);
	receipt_text(rc, text, sizeof text);
	assert_non_null(strstr(text, "|Refund R1|"));
	receipt_free(rc);
	assert_int_equal(receipt_drawer_next(f->st, &job, &err), 1);
	assert_int_equal(job.return_id, 1);
	/* A copy, found by the number its barcode carries. */
	assert_int_equal(refund_by_number(f->st, 1), 1);
	assert_int_equal(refund_reprint(f->st, refund_by_number(f->st, 1), &err), 0);
	assert_int_equal(refund_reprint(f->st, 99, &err), -1);
	assert_int_equal(err.code, KERR_NOTFOUND);
	assert_int_equal(q1(f->st, "UPDATE print_jobs SET state = 'done' WHERE kind = 'receipt' "
	    "RETURNING 1"), 1);
	assert_int_equal(receipt_job_next(f->st, &job, &err), 1);
	assert_string_equal(job.kind, "copy");
	rc = receipt_for_job(f->st, &job, "Shop", &err);
	assert_non_null(rc);
	receipt_text(rc, text, sizeof text);
	assert_non_null(strstr(text, "|*** COPY ***|"));
	assert_non_null(strstr(text, "|Refund R1|"));
	receipt_free(rc);
}

static void
test_sales_json(void **state)
{
	struct fx *f = *state;
	const char *const items[] = { "2*MILK", NULL };
	struct kerr err;
	int64_t number;
	char *doc, want[64];
	refund *r;

	number = sell(f, items, 0, 0);
	r = start(f, &f->cashier, number);
	mark(r, "MILK");
	assert_int_equal(refund_complete(r, &f->manager, &err), 0);
	refund_free(r);
	doc = report_sales_json(f->st, NULL, &err);
	assert_non_null(doc);
	assert_non_null(strstr(doc, "\"kind\":\"sale\""));
	assert_non_null(strstr(doc, "\"kind\":\"return\""));
	snprintf(want, sizeof want, "\"original\":%lld", (long long)number);
	assert_non_null(strstr(doc, want));
	assert_non_null(strstr(doc, "\"total\":1450000"));
	free(doc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_share_rounding),
		cmocka_unit_test(test_split_rule),
		cmocka_unit_test_setup_teardown(test_partial_then_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_split_tenders, setup, teardown),
		cmocka_unit_test_setup_teardown(test_race_second_return_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resume_and_abandon, setup, teardown),
		cmocka_unit_test_setup_teardown(test_without_receipt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refund_receipt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sales_json, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
