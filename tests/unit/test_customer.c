/*
 * Unit tests for customers on a real SQLite file: search by card, by phone digits however they
 * are typed and by name (the typed text is never a LIKE pattern), last-write-wins upserts,
 * phone normalisation, customers made at the till and their limits (a manager's right), and
 * the derivations: balance and points from the events alone (credit sales, split tenders,
 * repayments, returns of credit and points), on top of the hub's confirmed figures, the
 * offline cap, the repayment receipt; tampering with the tables never changes what is
 * reported.
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
#include <sqlite3.h>

#include "testlib.h"

#include "catalog.h"
#include "customer.h"
#include "journal.h"
#include "receipt.h"
#include "refund.h"
#include "sale.h"
#include "shift.h"
#include "store.h"
#include "user.h"

struct fx {
	char dir[64];
	store *st;
};

static void
put(store *st, const char *key, const char *name, const char *phone, const char *card,
    const char *at, int deleted)
{
	struct customer c;
	struct kerr err;

	memset(&c, 0, sizeof c);
	snprintf(c.key, sizeof c.key, "%s", key);
	snprintf(c.name, sizeof c.name, "%s", name);
	snprintf(c.phone, sizeof c.phone, "%s", phone);
	snprintf(c.card, sizeof c.card, "%s", card);
	assert_int_equal(store_begin(st, &err), 0);
	if (customer_upsert(st, &c, at, deleted, &err) != 0)
		fail_msg("upsert %s: %s", key, err.msg);
	assert_int_equal(store_commit(st, &err), 0);
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);

	f->st = testlib_store(f->dir, sizeof f->dir, "customer");
	put(f->st, "c1", "Aziza Karimova", "+998 90 123-45-67", "7700001", "2026-11-25T08:00:00Z",
	    0);
	put(f->st, "c2", "Bobur 100% Aliyev", "", "7700002", "2026-11-25T08:00:00Z", 0);
	put(f->st, "c3", "Bobur Toshev", "+998 91 000 11 22", "", "2026-11-25T08:00:00Z", 0);
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
test_search(void **state)
{
	struct fx *f = *state;
	struct customer out[4];
	struct kerr err;

	assert_int_equal(customer_search(f->st, "7700001", out, 4, &err), 1);
	assert_string_equal(out[0].key, "c1");
	/* Phone digits, typed any way, matching the end of the number. */
	assert_int_equal(customer_search(f->st, "90 123 45 67", out, 4, &err), 1);
	assert_string_equal(out[0].key, "c1");
	assert_int_equal(customer_search(f->st, "0001122", out, 4, &err), 1);
	assert_string_equal(out[0].key, "c3");
	/* Name prefix of any word, in name order. */
	assert_int_equal(customer_search(f->st, "bob", out, 4, &err), 2);
	assert_string_equal(out[0].key, "c2");
	assert_int_equal(customer_search(f->st, "Kari", out, 4, &err), 1);
	assert_int_equal(customer_search(f->st, "bob", out, 1, &err), 1);
	/* LIKE's wildcards are plain characters here. */
	assert_int_equal(customer_search(f->st, "%", out, 4, &err), 0);
	assert_int_equal(customer_search(f->st, "_", out, 4, &err), 0);
	assert_int_equal(customer_search(f->st, "100%", out, 4, &err), 1);
	assert_string_equal(out[0].key, "c2");
	assert_int_equal(customer_search(f->st, "", out, 4, &err), 0);
	assert_int_equal(customer_search(f->st, "zzz", out, 4, &err), 0);
}

static void
test_last_write_wins(void **state)
{
	struct fx *f = *state;
	struct customer out[4], c;
	struct kerr err;

	/* An older change is ignored, a newer one applies, a delete hides the customer. */
	put(f->st, "c1", "Old name", "", "7700001", "2026-11-24T00:00:00Z", 0);
	assert_int_equal(customer_search(f->st, "7700001", out, 4, &err), 1);
	assert_string_equal(out[0].name, "Aziza Karimova");
	put(f->st, "c1", "Aziza\tKarimova-Ali", "", "7700001", "2026-11-25T09:00:00Z", 0);
	assert_int_equal(customer_search(f->st, "7700001", out, 4, &err), 1);
	assert_string_equal(out[0].name, "Aziza Karimova-Ali");	/* control characters blanked */
	put(f->st, "c1", "Aziza", "", "7700001", "2026-11-25T10:00:00Z", 1);
	assert_int_equal(customer_search(f->st, "7700001", out, 4, &err), 0);
	/* A card that belongs to someone else is refused. */
	memset(&c, 0, sizeof c);
	snprintf(c.key, sizeof c.key, "c9");
	snprintf(c.name, sizeof c.name, "Copy");
	snprintf(c.card, sizeof c.card, "7700002");
	assert_int_equal(store_begin(f->st, &err), 0);
	assert_int_equal(customer_upsert(f->st, &c, "2026-11-25T10:00:00Z", 0, &err), -1);
	assert_int_equal(err.code, KERR_INPUT);
	store_rollback(f->st);
	/* Outside a transaction, and without a key. */
	assert_int_equal(customer_upsert(f->st, &c, "2026-11-25T10:00:00Z", 0, &err), -1);
	assert_int_equal(err.code, KERR_INTERNAL);
}

/* updated_at is compared as a time: fractions, offsets, bad values, older stored forms. */
static void
test_upsert_compares_times(void **state)
{
	struct fx *f = *state;
	struct customer out[4], c;
	struct kerr err;

	/* c1 is at 08:00:00Z. Half a second later wins, though ".500Z" < "Z" as strings. */
	put(f->st, "c1", "Half", "", "7700001", "2026-11-25T08:00:00.500Z", 0);
	assert_int_equal(customer_search(f->st, "7700001", out, 4, &err), 1);
	assert_string_equal(out[0].name, "Half");
	/* 13:00+05:00 is 08:00 UTC: older than 08:00:00.5, ignored. */
	put(f->st, "c1", "Offset", "", "7700001", "2026-11-25T13:00:00+05:00", 0);
	assert_int_equal(customer_search(f->st, "7700001", out, 4, &err), 1);
	assert_string_equal(out[0].name, "Half");
	put(f->st, "c1", "Offset", "", "7700001", "2026-11-25T13:00:01+05:00", 0);
	assert_int_equal(customer_search(f->st, "7700001", out, 4, &err), 1);
	assert_string_equal(out[0].name, "Offset");
	/* "9999" is refused (naming the key) and does not block later changes. */
	memset(&c, 0, sizeof c);
	snprintf(c.key, sizeof c.key, "c1");
	snprintf(c.name, sizeof c.name, "Never");
	assert_int_equal(store_begin(f->st, &err), 0);
	assert_int_equal(customer_upsert(f->st, &c, "9999", 0, &err), -1);
	assert_int_equal(err.code, KERR_INPUT);
	assert_non_null(strstr(err.msg, "c1"));
	store_rollback(f->st);
	put(f->st, "c1", "Nine", "", "7700001", "2026-11-25T09:00:00Z", 0);
	assert_int_equal(customer_search(f->st, "7700001", out, 4, &err), 1);
	assert_string_equal(out[0].name, "Nine");
	/* Stored by an older till as it came: compared by the time it names; one that names
	 * no time loses to any valid change. */
	assert_int_equal(sqlite3_exec(store_db(f->st), "UPDATE customers SET updated_at = "
	    "'2026-11-25T15:00:00+05:00' WHERE key = 'c1'", NULL, NULL, NULL), SQLITE_OK);
	put(f->st, "c1", "Old", "", "7700001", "2026-11-25T09:59:59Z", 0);
	assert_int_equal(customer_search(f->st, "7700001", out, 4, &err), 1);
	assert_string_equal(out[0].name, "Nine");
	assert_int_equal(sqlite3_exec(store_db(f->st), "UPDATE customers SET updated_at = "
	    "'9999' WHERE key = 'c1'", NULL, NULL, NULL), SQLITE_OK);
	put(f->st, "c1", "Unblocked", "", "7700001", "2026-11-25T09:59:59Z", 0);
	assert_int_equal(customer_search(f->st, "7700001", out, 4, &err), 1);
	assert_string_equal(out[0].name, "Unblocked");
}

static void
test_phone_norm(void **state)
{
	char out[32];
	struct kerr err;

	(void)state;
	assert_int_equal(customer_phone_norm("90 123-45-67", out, sizeof out, &err), 0);
	assert_string_equal(out, "+998901234567");
	assert_int_equal(customer_phone_norm("+998 (90) 123 45 67", out, sizeof out, &err), 0);
	assert_string_equal(out, "+998901234567");
	assert_int_equal(customer_phone_norm("+7 912 345 67 89", out, sizeof out, &err), 0);
	assert_string_equal(out, "+79123456789");
	assert_int_equal(customer_phone_norm("12345", out, sizeof out, &err), -1);
	assert_int_equal(err.code, KERR_INPUT);
	assert_int_equal(customer_phone_norm("90 123 45 6x", out, sizeof out, &err), -1);
	assert_int_equal(customer_phone_norm("1234567890123456", out, sizeof out, &err), -1);
}

/* ---- a till with goods, users and a shift, for the derivations ------------------------- */

struct till {
	char dir[64];
	store *st;
	struct user cashier, manager;
	int64_t aziza;
};

static int
till_setup(void **state)
{
	struct till *t = calloc(1, sizeof *t);
	struct customer_rules r = { .earn_bp = 200, .offline_cap = 0 };
	struct kerr err;
	bool denied;

	customer_rules_set(&r);
	t->st = testlib_store(t->dir, sizeof t->dir, "customer-till");
	testlib_product(t->st, "2000000000015", "BREAD", "Non", 400000, false, 0,
	    "2026-11-25T08:00:00Z");
	testlib_product(t->st, "2000000000022", "MILK", "Milk", 1450000, false, 0,
	    "2026-11-25T08:00:00Z");
	assert_int_equal(user_add(t->st, "Dilnoza", ROLE_CASHIER, "1111", &err), 0);
	assert_int_equal(user_add(t->st, "Rustam", ROLE_MANAGER, "9999", &err), 0);
	assert_int_equal(user_login(t->st, "1111", &t->cashier, &err), 0);
	assert_int_equal(user_login(t->st, "9999", &t->manager, &err), 0);
	assert_int_equal(shift_open(t->st, &t->cashier, 10000000, NULL, &err), 0);
	if (customer_add(t->st, &t->cashier, &t->manager, "Aziza", "901234567", "7700001",
	    5000000, &denied, &t->aziza, &err) != 0)
		fail_msg("customer_add: %s", err.msg);
	*state = t;
	return 0;
}

static int
till_teardown(void **state)
{
	struct till *t = *state;
	struct customer_rules r = { 0 };

	customer_rules_set(&r);
	store_close(t->st);
	testlib_rmdir(t->dir);
	free(t);
	return 0;
}

/* A sale of input to customer (0: none), tendered in order: methods[i] amounts[i] (0: what
 * is due). Returns 0 when it completed, -1 (err) when a tender was refused (the sale is then
 * voided). */
static int
sell(struct till *t, const char *input, int64_t customer, const enum pay_method *methods,
    const money_t *amounts, int n, struct kerr *err)
{
	sale *s = sale_current(t->st, &t->cashier, err);
	bool done = false;
	int rc = 0;

	assert_non_null(s);
	if (sale_add_input(s, NULL, input, NULL, err) != 0)
		fail_msg("scan %s: %s", input, err->msg);
	if (customer > 0)
		assert_int_equal(sale_set_customer(s, customer, err), 0);
	for (int i = 0; i < n && !done && rc == 0; i++)
		rc = sale_pay(s, methods[i], amounts[i], &done, err);
	if (rc == -1) {
		struct kerr e2;

		assert_int_equal(sale_void(s, &t->manager, &e2), 0);
	} else {
		assert_true(done);
	}
	sale_free(s);
	return rc;
}

static struct customer_figures
figures(struct till *t, int64_t id)
{
	struct customer_figures f;
	struct kerr err;

	if (customer_figures(t->st, id, &f, &err) != 0)
		fail_msg("figures: %s", err.msg);
	return f;
}

static void
test_add_and_limit_rights(void **state)
{
	struct till *t = *state;
	struct customer c;
	struct kerr err;
	bool denied = false;
	int64_t id;

	/* A cashier makes a customer, but a limit needs a manager. */
	assert_int_equal(customer_add(t->st, &t->cashier, NULL, "Karim", "93 555 00 11", NULL,
	    100, &denied, &id, &err), -1);
	assert_int_equal(err.code, KERR_DENIED);
	assert_true(denied);
	assert_int_equal(customer_add(t->st, &t->cashier, NULL, " Karim ", "93 555 00 11", NULL,
	    0, &denied, &id, &err), 0);
	assert_int_equal(customer_get(t->st, id, &c, &err), 0);
	assert_string_equal(c.name, "Karim");
	assert_string_equal(c.phone, "+998935550011");
	assert_int_equal(c.limit, 0);
	assert_int_equal(customer_set_limit(t->st, &t->cashier, NULL, id, 100, &denied, &err), -1);
	assert_int_equal(err.code, KERR_DENIED);
	assert_int_equal(customer_set_limit(t->st, &t->cashier, &t->manager, id, 100, &denied,
	    &err), 0);
	assert_int_equal(customer_get(t->st, id, &c, &err), 0);
	assert_int_equal(c.limit, 100);
	assert_int_equal(q1(t->st, "SELECT count(*) FROM events WHERE type = 'customer.limit'"),
	    1);
	assert_int_equal(q1(t->st, "SELECT count(*) FROM events WHERE type = 'approval.granted' "
	    "AND payload ->> '$.right' = 'credit_limit'"), 2);
	/* Bad input changes nothing. */
	assert_int_equal(customer_add(t->st, &t->cashier, NULL, "   ", NULL, NULL, 0, &denied,
	    &id, &err), -1);
	assert_int_equal(customer_add(t->st, &t->cashier, NULL, " \t ", NULL, NULL, 0, &denied,
	    &id, &err), -1);
	assert_int_equal(customer_add(t->st, &t->cashier, NULL, "Other", "+998 90 123 45 67",
	    NULL, 0, &denied, &id, &err), -1);
	assert_int_equal(customer_add(t->st, &t->cashier, NULL, "Other", NULL, "7700001", 0,
	    &denied, &id, &err), -1);
	assert_int_equal(q1(t->st, "SELECT count(*) FROM customers"), 2);
	/* The name rule: control characters are spaces, the ends trimmed. */
	assert_int_equal(customer_add(t->st, &t->cashier, NULL, "\tX\tY ", NULL, NULL, 0,
	    &denied, &id, &err), 0);
	assert_int_equal(customer_get(t->st, id, &c, &err), 0);
	assert_string_equal(c.name, "X Y");
	/* Found by either. */
	assert_int_equal(customer_find(t->st, "+998 90 123-45-67", &c, &err), 1);
	assert_int_equal(c.id, t->aziza);
	assert_int_equal(customer_find(t->st, "7700001", &c, &err), 1);
	assert_int_equal(customer_find(t->st, "7700002", &c, &err), 0);
}

static void
test_credit_points_derived(void **state)
{
	struct till *t = *state;
	const enum pay_method credit[] = { PAY_CREDIT }, cash_credit[] = { PAY_CASH, PAY_CREDIT },
	    points_cash[] = { PAY_POINTS, PAY_CASH }, cash[] = { PAY_CASH };
	const money_t zero[] = { 0 }, p100[] = { 10000, 0 };
	struct customer_figures f;
	struct kerr err;
	money_t before, after;

	/* 3 x milk = 43 500 on credit: within 50 000; 2% = 870 points. */
	assert_int_equal(sell(t, "3*MILK", t->aziza, credit, zero, 1, &err), 0);
	f = figures(t, t->aziza);
	assert_int_equal(f.balance, 4350000);
	assert_int_equal(f.points, 870);
	assert_int_equal(f.credit_left, 650000);
	assert_true(f.owed_since[0] != '\0');
	/* 14 500 more is past it: refused with what is left, nothing changes. */
	assert_int_equal(sell(t, "MILK", t->aziza, credit, zero, 1, &err), -1);
	assert_int_equal(err.code, KERR_STATE);
	assert_non_null(strstr(err.msg, "6 500"));
	assert_int_equal(figures(t, t->aziza).balance, 4350000);
	/* Split: 4 000 cash, the rest (10 500) on credit? Past too (43 500 + 10 500 > 50 000);
	 * with bread (4 000): cash 4 000 then nothing left for credit. Bread: 400 cash + credit. */
	assert_int_equal(sell(t, "BREAD", t->aziza, cash_credit, (const money_t[]){ 40000, 0 }, 2,
	    &err), 0);
	f = figures(t, t->aziza);
	assert_int_equal(f.balance, 4350000 + 360000);
	assert_int_equal(f.points, 870 + 80);
	/* Without a customer: no credit. */
	assert_int_equal(sell(t, "BREAD", 0, credit, zero, 1, &err), -1);
	assert_non_null(strstr(err.msg, "customer"));
	/* Points: 100 so'm of them, the rest in cash; earned on the 3 900 paid in cash. */
	assert_int_equal(sell(t, "BREAD", t->aziza, points_cash, p100, 2, &err), 0);
	f = figures(t, t->aziza);
	assert_int_equal(f.points, 950 - 100 + 78);
	/* More points than the customer has, or part of a so'm: refused. */
	assert_int_equal(sell(t, "MILK", t->aziza, points_cash, (const money_t[]){ 100000, 0 }, 2,
	    &err), -1);
	assert_non_null(strstr(err.msg, "928 points"));
	assert_int_equal(sell(t, "MILK", t->aziza, points_cash, (const money_t[]){ 150, 0 }, 2,
	    &err), -1);
	/* A repayment in cash: counted in the shift, its receipt says before and after. */
	assert_int_equal(customer_pay(t->st, &t->cashier, t->aziza, "cash", 1000000, &before,
	    &after, &err), 0);
	assert_int_equal(before, 4710000);
	assert_int_equal(after, 3710000);
	assert_int_equal(figures(t, t->aziza).balance, 3710000);
	assert_int_equal(q1(t->st, "SELECT repaid_cash FROM shifts"), 1000000);
	assert_int_equal(customer_pay(t->st, &t->cashier, t->aziza, "cheque", 1, NULL, NULL,
	    &err), -1);
	assert_int_equal(customer_pay(t->st, &t->cashier, t->aziza, "card", 0, NULL, NULL, &err),
	    -1);
	{
		struct receipt_opts o = { .store = "Shop" };
		struct receipt *r = receipt_from_repayment(t->st, q1(t->st, "SELECT max(seq) FROM "
		    "events WHERE type = 'customer.paid'"), &o, &err);
		bool saw_before = false, saw_after = false;

		assert_non_null(r);
		for (int i = 0; i < r->n; i++) {
			if (r->items[i].left == NULL || r->items[i].right == NULL)
				continue;
			if (strcmp(r->items[i].left, "Owed before") == 0)
				saw_before = strcmp(r->items[i].right, "47 100") == 0;
			if (strcmp(r->items[i].left, "Owed now") == 0)
				saw_after = strcmp(r->items[i].right, "37 100") == 0;
		}
		assert_true(saw_before);
		assert_true(saw_after);
		receipt_free(r);
	}
	(void)cash;

	/* The tables are a cache of nothing here: editing payments, sales and the shift changes
	 * no reported figure, and verify names what was edited. */
	assert_int_equal(sqlite3_exec(store_db(t->st), "UPDATE payments SET amount = 1 WHERE "
	    "method = 'credit'; UPDATE sales SET customer_id = NULL; UPDATE shifts SET "
	    "credit_sales = 0", NULL, NULL, NULL), SQLITE_OK);
	f = figures(t, t->aziza);
	assert_int_equal(f.balance, 3710000);
	assert_int_equal(f.points, 928);
	{
		int64_t bad = 0;

		assert_int_equal(journal_reconcile(t->st, &bad, &err), -1);
	}
}

static void
test_return_takes_back(void **state)
{
	struct till *t = *state;
	const enum pay_method points_credit[] = { PAY_POINTS, PAY_CREDIT };
	const enum pay_method credit[] = { PAY_CREDIT };
	const money_t zero[] = { 0 };
	struct customer_figures f;
	struct kerr err;
	refund *r;

	/* 2 milk = 29 000 on credit: 580 points. */
	assert_int_equal(sell(t, "2*MILK", t->aziza, credit, zero, 1, &err), 0);
	f = figures(t, t->aziza);
	assert_int_equal(f.balance, 2900000);
	assert_int_equal(f.points, 580);
	/* One milk back: 14 500 off the balance, half the points taken back. */
	r = refund_start(t->st, &t->manager, "1", &err);
	assert_non_null(r);
	assert_int_equal(refund_mark_input(r, NULL, "MILK", NULL, &err), 0);
	assert_int_equal(refund_totals(r)->other, 1450000);
	assert_int_equal(refund_complete(r, NULL, &err), 0);
	refund_free(r);
	f = figures(t, t->aziza);
	assert_int_equal(f.balance, 1450000);
	assert_int_equal(f.points, 290);
	/* A sale paid 200 so'm with points and the rest on credit, returned whole: the points
	 * come back, the credit goes, the points it earned are taken back. */
	assert_int_equal(sell(t, "BREAD", t->aziza, points_credit, (const money_t[]){ 20000, 0 },
	    2, &err), 0);
	f = figures(t, t->aziza);
	assert_int_equal(f.balance, 1450000 + 380000);
	assert_int_equal(f.points, 290 - 200 + 76);
	r = refund_start(t->st, &t->manager, "2", &err);
	assert_non_null(r);
	assert_int_equal(refund_mark_input(r, NULL, "BREAD", NULL, &err), 0);
	assert_int_equal(refund_totals(r)->points, 20000);
	assert_int_equal(refund_totals(r)->cash, 0);
	assert_int_equal(refund_complete(r, NULL, &err), 0);
	refund_free(r);
	f = figures(t, t->aziza);
	assert_int_equal(f.balance, 1450000);
	assert_int_equal(f.points, 290);
	{
		int64_t bad = 0;

		if (journal_reconcile(t->st, &bad, &err) != 0)
			fail_msg("reconcile: %s", err.msg);
	}
}

/* What the hub confirmed, then this till's events after it; the offline cap. */
static void
test_hub_balance_and_cap(void **state)
{
	struct till *t = *state;
	const enum pay_method credit[] = { PAY_CREDIT };
	const money_t zero[] = { 0 };
	struct customer_rules cap = { .earn_bp = 0, .offline_cap = 2000000 };
	struct customer_figures f;
	struct customer c;
	struct kerr err;
	int64_t seq;

	assert_int_equal(customer_get(t->st, t->aziza, &c, &err), 0);
	customer_rules_set(&cap);
	/* 14 500 on credit, unconfirmed. */
	assert_int_equal(sell(t, "MILK", t->aziza, credit, zero, 1, &err), 0);
	f = figures(t, t->aziza);
	assert_int_equal(f.unconfirmed, 1450000);
	/* Another 14 500 would pass the 20 000 cap (the limit would allow it). */
	assert_int_equal(sell(t, "MILK", t->aziza, credit, zero, 1, &err), -1);
	assert_non_null(strstr(err.msg, "5 500"));
	/* The hub confirms: 30 000 owed (another till's 15 500 and this sale), counting this
	 * till's events up to the sale. */
	seq = q1(t->st, "SELECT max(seq) FROM events WHERE type = 'sale.completed'");
	assert_int_equal(store_begin(t->st, &err), 0);
	assert_int_equal(customer_apply_hub(t->st, c.key, 3000000, 12, seq,
	    "2026-12-01T10:00:00Z", &err), 0);
	/* An older confirmation never replaces it. */
	assert_int_equal(customer_apply_hub(t->st, c.key, 1, 1, 1, "2026-12-01T09:00:00Z", &err),
	    0);
	assert_int_equal(store_commit(t->st, &err), 0);
	f = figures(t, t->aziza);
	assert_int_equal(f.balance, 3000000);
	assert_int_equal(f.points, 12);
	assert_int_equal(f.unconfirmed, 0);
	assert_string_equal(f.hub_at, "2026-12-01T10:00:00.000Z");
	/* Now 14 500 fits the cap again (and 44 500 the 50 000 limit). */
	assert_int_equal(sell(t, "MILK", t->aziza, credit, zero, 1, &err), 0);
	f = figures(t, t->aziza);
	assert_int_equal(f.balance, 4450000);
	assert_int_equal(f.unconfirmed, 1450000);
	/* A tampered hub column is what it is (it came from the hub), but the till's own
	 * events always count on top of it. */
	{
		char *doc = customer_history_json(t->st, t->aziza, &err);

		assert_non_null(doc);
		assert_non_null(strstr(doc, "\"hub\":{\"balance\":3000000,\"points\":12"));
		assert_non_null(strstr(doc, "\"balance\":4450000"));
		free(doc);
	}
}

static int
collect(void *ctx, const struct customer_move *m)
{
	struct customer_move *out = ctx;

	for (int i = 0; i < 8; i++) {
		if (out[i].seq == 0) {
			out[i] = *m;
			return 0;
		}
	}
	return 1;
}

static void
test_history(void **state)
{
	struct till *t = *state;
	const enum pay_method credit[] = { PAY_CREDIT };
	const money_t zero[] = { 0 };
	struct customer_move h[8];
	struct kerr err;

	memset(h, 0, sizeof h);
	assert_int_equal(sell(t, "MILK", t->aziza, credit, zero, 1, &err), 0);
	assert_int_equal(customer_pay(t->st, &t->cashier, t->aziza, "card", 450000, NULL, NULL,
	    &err), 0);
	assert_int_equal(customer_history(t->st, t->aziza, collect, h, &err), 0);
	assert_string_equal(h[0].kind, "sale");
	assert_int_equal(h[0].number, 1);
	assert_int_equal(h[0].credit, 1450000);
	assert_int_equal(h[0].balance, 1450000);
	assert_int_equal(h[0].points, 290);
	assert_string_equal(h[1].kind, "repayment");
	assert_int_equal(h[1].paid, 450000);
	assert_int_equal(h[1].balance, 1000000);
	assert_int_equal(h[1].points_after, 290);
	assert_int_equal(h[2].seq, 0);
}

static void
test_list_and_debtors(void **state)
{
	struct till *t = *state;
	const enum pay_method credit[] = { PAY_CREDIT };
	const money_t zero[] = { 0 };
	struct kerr err;
	bool denied;
	int64_t id;
	char *doc;

	assert_int_equal(customer_add(t->st, NULL, NULL, "Bobur", "911234567", NULL, 0, &denied,
	    &id, &err), 0);
	assert_int_equal(sell(t, "BREAD", t->aziza, credit, zero, 1, &err), 0);
	doc = customer_list_json(t->st, true, &err);
	assert_non_null(doc);
	assert_non_null(strstr(doc, "\"name\":\"Aziza\""));
	assert_null(strstr(doc, "Bobur"));
	free(doc);
	doc = customer_list_json(t->st, false, &err);
	assert_non_null(strstr(doc, "Bobur"));
	free(doc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_search, setup, teardown),
		cmocka_unit_test_setup_teardown(test_last_write_wins, setup, teardown),
		cmocka_unit_test_setup_teardown(test_upsert_compares_times, setup, teardown),
		cmocka_unit_test(test_phone_norm),
		cmocka_unit_test_setup_teardown(test_add_and_limit_rights, till_setup,
		    till_teardown),
		cmocka_unit_test_setup_teardown(test_credit_points_derived, till_setup,
		    till_teardown),
		cmocka_unit_test_setup_teardown(test_return_takes_back, till_setup, till_teardown),
		cmocka_unit_test_setup_teardown(test_hub_balance_and_cap, till_setup,
		    till_teardown),
		cmocka_unit_test_setup_teardown(test_list_and_debtors, till_setup, till_teardown),
		cmocka_unit_test_setup_teardown(test_history, till_setup, till_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
