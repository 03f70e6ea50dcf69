/*
 * Unit tests for the fiscal documents (fiscal.h, CONTRACT.md section 8) on a real SQLite file:
 * nothing written with fiscal mode off; with it on, a document in the same transaction as the
 * shift opening and a sale (its body: lines with MXIK, cash less change, card, other); a
 * product without a valid MXIK refused at the scan; the clock going back refused with nothing
 * written; the queue's order (a refund waits for its sale's sign and then cites it; a rejected
 * document is skipped); a reply stored once with one fiscal.signed event; the state and the
 * offline warning's threshold.
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
#include "fiscal.h"
#include "sale.h"
#include "shift.h"
#include "store.h"
#include "user.h"

struct fx {
	char dir[64];
	store *st;
	struct user cashier;
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	static const char csv[] = "barcode,name,price,vat,mxik\n"
	    "4780000000014,Non,4000,0,\n"
	    "4780000000021,Молоко Musaffo,14500,12,10511001001000000\n"
	    "4780000000038,Choy,20000,12,1051100100100000X\n";
	struct kerr err;
	long n;
	FILE *in;

	f->st = testlib_store(f->dir, sizeof f->dir, "fiscal");
	in = fmemopen((void *)csv, sizeof csv - 1, "r");
	assert_int_equal(catalog_import_csv(f->st, in, "c.csv", NULL, NULL, &n, &err), 0);
	fclose(in);
	assert_int_equal(user_add(f->st, "Dilnoza", ROLE_CASHIER, "1111", &err), 0);
	assert_int_equal(user_login(f->st, "1111", &f->cashier, &err), 0);
	fiscal_set_mode(true);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	fiscal_set_mode(false);
	store_fix_clock(NULL);
	store_close(f->st);
	testlib_rmdir(f->dir);
	free(f);
	return 0;
}

/* A text column of the first row of sql (caller frees). */
static char *
t1(store *st, const char *sql)
{
	sqlite3_stmt *q;
	char *s;

	assert_int_equal(sqlite3_prepare_v2(store_db(st), sql, -1, &q, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	s = strdup((const char *)sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	return s;
}

static void
test_mxik_valid(void **state)
{
	(void)state;
	assert_true(fiscal_mxik_valid("10511001001000000"));
	assert_false(fiscal_mxik_valid(""));
	assert_false(fiscal_mxik_valid("1051100100100000"));	/* 16 */
	assert_false(fiscal_mxik_valid("105110010010000000"));	/* 18 */
	assert_false(fiscal_mxik_valid("1051100100100000X"));
	assert_false(fiscal_mxik_valid(" 0511001001000000"));
}

static void
test_off_writes_nothing(void **state)
{
	struct fx *f = *state;
	struct kerr err;
	bool done;
	sale *s;

	fiscal_set_mode(false);
	assert_int_equal(shift_open(f->st, &f->cashier, 0, NULL, &err), 0);
	s = sale_current(f->st, &f->cashier, &err);
	assert_non_null(s);
	/* No MXIK: fine while fiscal mode is off. */
	assert_int_equal(sale_add_input(s, NULL, "4780000000014", NULL, &err), 0);
	assert_int_equal(sale_pay(s, PAY_CASH, 0, &done, &err), 0);
	assert_true(done);
	sale_free(s);
	assert_int_equal(q1(f->st, "SELECT count(*) FROM fiscal_documents"), 0);
}

static void
test_documents(void **state)
{
	struct fx *f = *state;
	struct kerr err;
	json_t *d, *l;
	bool done;
	char *body;
	sale *s;

	assert_int_equal(shift_open(f->st, &f->cashier, 5000000, NULL, &err), 0);
	assert_int_equal(q1(f->st, "SELECT count(*) FROM fiscal_documents WHERE kind = "
	    "'shift_open' AND json_extract(body, '$.cash') = 5000000"), 1);
	s = sale_current(f->st, &f->cashier, &err);
	assert_non_null(s);
	/* No MXIK, and one that is not 17 digits: refused at the scan, the cart unchanged. */
	assert_int_equal(sale_add_input(s, NULL, "4780000000014", NULL, &err), -1);
	assert_int_equal(err.code, KERR_INPUT);
	assert_non_null(strstr(err.msg, "no valid MXIK code"));
	assert_int_equal(sale_add_input(s, NULL, "4780000000038", NULL, &err), -1);
	assert_int_equal(sale_totals(s)->lines, 0);
	assert_int_equal(sale_add_input(s, NULL, "2*4780000000021", NULL, &err), 0);
	assert_int_equal(sale_pay(s, PAY_CARD, 1000000, &done, &err), 0);
	assert_int_equal(sale_pay(s, PAY_CASH, 5000000, &done, &err), 0);
	assert_true(done);
	sale_free(s);
	body = t1(f->st, "SELECT body FROM fiscal_documents WHERE kind = 'sale'");
	d = json_loads(body, 0, NULL);
	assert_non_null(d);
	assert_string_equal(json_string_value(json_object_get(d, "kind")), "sale");
	assert_int_equal(json_integer_value(json_object_get(d, "number")), 1);
	/* 2 x 14 500: 10 000 by card, the rest (19 000) in cash, the change not counted. */
	assert_int_equal(json_integer_value(json_object_get(d, "card")), 1000000);
	assert_int_equal(json_integer_value(json_object_get(d, "cash")), 1900000);
	assert_int_equal(json_integer_value(json_object_get(d, "other")), 0);
	l = json_array_get(json_object_get(d, "lines"), 0);
	assert_string_equal(json_string_value(json_object_get(l, "mxik")), "10511001001000000");
	assert_string_equal(json_string_value(json_object_get(l, "barcode")), "4780000000021");
	assert_int_equal(json_integer_value(json_object_get(l, "qty")), 2000);
	assert_int_equal(json_integer_value(json_object_get(l, "price")), 1450000);
	assert_int_equal(json_integer_value(json_object_get(l, "total")), 2900000);
	assert_int_equal(json_integer_value(json_object_get(l, "vat_rate")), 12);
	assert_int_equal(json_integer_value(json_object_get(l, "vat")), 310714);
	json_decref(d);
	free(body);
	/* The document and the sale's event came in one transaction: same count of each. */
	assert_int_equal(q1(f->st, "SELECT count(*) FROM fiscal_documents WHERE state = "
	    "'pending'"), 2);
}

static void
test_clock_back(void **state)
{
	struct fx *f = *state;
	struct kerr err;
	bool done;
	sale *s;

	store_fix_clock("2030-01-02T10:00:00.000Z");
	assert_int_equal(shift_open(f->st, &f->cashier, 0, NULL, &err), 0);
	store_fix_clock("2030-01-01T10:00:00.000Z");
	s = sale_current(f->st, &f->cashier, &err);
	assert_non_null(s);
	assert_int_equal(sale_add_input(s, NULL, "4780000000021", NULL, &err), 0);
	assert_int_equal(sale_pay(s, PAY_CASH, 0, &done, &err), -1);
	assert_false(done);
	assert_int_equal(err.code, KERR_STATE);
	assert_non_null(strstr(err.msg, "the clock went back: fix the date"));
	sale_free(s);
	assert_int_equal(q1(f->st, "SELECT count(*) FROM sales WHERE state = 'completed'"), 0);
	assert_int_equal(q1(f->st, "SELECT count(*) FROM events WHERE type = 'sale.completed'"),
	    0);
	assert_int_equal(q1(f->st, "SELECT count(*) FROM fiscal_documents"), 1);
	/* The date fixed: the same sale completes. */
	store_fix_clock("2030-01-02T10:05:00.000Z");
	s = sale_current(f->st, &f->cashier, &err);
	assert_non_null(s);
	assert_int_equal(sale_pay(s, PAY_CASH, 0, &done, &err), 0);
	assert_true(done);
	sale_free(s);
	assert_int_equal(q1(f->st, "SELECT count(*) FROM fiscal_documents"), 2);
}

static void
test_queue_order_and_once(void **state)
{
	struct fx *f = *state;
	struct fiscal_reply r = { .terminal_id = "SIM1", .receipt_seq = 7,
		.fiscal_sign = "abcd", .qr_url = "https://ofd.soliq.uz/check?t=SIM1&r=7" };
	struct fiscal_state fs;
	struct kerr err;
	char *uuid, *body, *sale_doc;
	int64_t id;
	json_t *d;

	assert_int_equal(shift_open(f->st, &f->cashier, 0, NULL, &err), 0);
	/* A sale's document and a refund citing it (as fiscal_refund writes them). */
	assert_int_equal(sqlite3_exec(store_db(f->st), "INSERT INTO fiscal_documents(uuid, kind, "
	    "ref_id, at, body) VALUES ('s-1', 'sale', 1, '2030-01-01T00:00:00.000Z', "
	    "'{\"id\":\"s-1\",\"kind\":\"sale\"}'); INSERT INTO fiscal_documents(uuid, kind, "
	    "ref_id, at, body, refund_of_doc) VALUES ('r-1', 'refund', 1, "
	    "'2030-01-01T00:01:00.000Z', '{\"id\":\"r-1\",\"kind\":\"refund\"}', 's-1')", NULL,
	    NULL, NULL), SQLITE_OK);
	/* In id order: the shift's opening, then the sale. */
	assert_int_equal(fiscal_next(f->st, 0, &id, &uuid, &body, &err), 1);
	assert_int_equal(fiscal_signed(f->st, uuid, &r, &err), 0);
	free(uuid);
	free(body);
	assert_int_equal(fiscal_next(f->st, 0, &id, &uuid, &body, &err), 1);
	assert_string_equal(uuid, "s-1");
	free(uuid);
	free(body);
	/* The sale refused: the refund waits (it cannot cite a sign), nothing else is ready. */
	assert_int_equal(fiscal_refused(f->st, "s-1", "HTTP 422: bad MXIK", &err), 0);
	assert_int_equal(fiscal_next(f->st, 0, &id, &uuid, &body, &err), 0);
	assert_int_equal(fiscal_state_get(f->st, &fs, &err), 0);
	assert_int_equal(fs.pending, 1);
	assert_int_equal(fs.rejected, 1);
	assert_string_equal(fs.oldest_at, "2030-01-01T00:01:00.000Z");
	/* Put back and signed: the refund goes next, citing it. */
	assert_int_equal(sqlite3_exec(store_db(f->st), "UPDATE fiscal_documents SET state = "
	    "'pending' WHERE uuid = 's-1'", NULL, NULL, NULL), SQLITE_OK);
	r.receipt_seq = 8;
	snprintf(r.fiscal_sign, sizeof r.fiscal_sign, "5a1e");
	assert_int_equal(fiscal_signed(f->st, "s-1", &r, &err), 0);
	/* The same reply again (a lost reply, resent): stored once, one event. */
	assert_int_equal(fiscal_signed(f->st, "s-1", &r, &err), 0);
	assert_int_equal(q1(f->st, "SELECT count(*) FROM events WHERE type = 'fiscal.signed' AND "
	    "json_extract(payload, '$.document') = 's-1'"), 1);
	assert_int_equal(fiscal_next(f->st, 0, &id, &uuid, &body, &err), 1);
	assert_string_equal(uuid, "r-1");
	d = json_loads(body, 0, NULL);
	assert_non_null(d);
	sale_doc = (char *)json_string_value(json_object_get(json_object_get(d, "refund_of"),
	    "fiscal_sign"));
	assert_string_equal(sale_doc, "5a1e");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(d, "refund_of"),
	    "receipt_seq")), 8);
	json_decref(d);
	free(uuid);
	free(body);
}

static void
test_warn_threshold(void **state)
{
	struct fiscal_state s = { .pending = 1 };

	(void)state;
	s.oldest_age_s = 2 * 86400 - 1;
	assert_false(fiscal_state_warn(&s, 3));
	s.oldest_age_s = 2 * 86400;
	assert_true(fiscal_state_warn(&s, 3));
	s.pending = 0;
	assert_false(fiscal_state_warn(&s, 3));
	s.pending = 1;
	s.oldest_age_s = 0;
	assert_true(fiscal_state_warn(&s, 1));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mxik_valid),
		cmocka_unit_test_setup_teardown(test_off_writes_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_documents, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clock_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_queue_order_and_once, setup, teardown),
		cmocka_unit_test(test_warn_threshold),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
