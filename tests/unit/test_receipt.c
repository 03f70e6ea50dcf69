/*
 * test_receipt: the receipt layout (receipt.c) of a completed sale: header, lines, discount,
 * total, VAT per rate adding up, tenders, change, the sale number barcode, cut, COPY on a
 * reprint, the fiscal QR; the drawer as a job of its own on cash only (dropped when late); and
 * the print queue in id order
 * (a job stays queued on a failure and is done once).
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

#include "catalog.h"
#include "receipt.h"
#include "sale.h"
#include "shift.h"
#include "store.h"
#include "user.h"

static const char catalog_csv[] =
    "barcode,name,price,vat,sku\n"
    "4780000000015,Non,4000,0,BREAD\n"
    "4780000000022,Молоко 3.2% 1 л,14500,12,MILK\n";

struct fx {
	char dir[64];
	store *st;
	struct user cashier;
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	struct kerr err;
	long n = 0;
	FILE *in;
	char csv[256];

	f->st = testlib_store(f->dir, sizeof f->dir, "receipt");
	snprintf(csv, sizeof csv, "%s", catalog_csv);
	/* Real check digits. */
	for (char *p = csv; (p = strstr(p, "478000000")) != NULL; p += 13)
		p[12] = (char)('0' + barcode_check_digit(p, 12));
	in = fmemopen(csv, strlen(csv), "r");
	assert_int_equal(catalog_import_csv(f->st, in, "cat.csv", NULL, NULL, &n, &err), 0);
	fclose(in);
	assert_int_equal(user_add(f->st, "Dilnoza", ROLE_CASHIER, "1111", &err), 0);
	assert_int_equal(user_login(f->st, "1111", &f->cashier, &err), 0);
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

/* A completed sale: 2 bread + 1 milk, paid with method for amount (0 = exact). */
static int64_t
make_sale(struct fx *f, enum pay_method method, money_t amount)
{
	struct kerr err;
	bool done = false;
	sale *s = sale_current(f->st, &f->cashier, &err);
	int64_t id;

	assert_non_null(s);
	assert_int_equal(sale_add_input(s, NULL, "2*BREAD", NULL, &err), 0);
	assert_int_equal(sale_add_input(s, NULL, "MILK", NULL, &err), 0);
	assert_int_equal(sale_pay(s, method, amount ? amount : sale_totals(s)->due, &done, &err), 0);
	assert_true(done);
	id = sale_id(s);
	sale_free(s);
	return id;
}

/* The index of the first item of kind whose left (or right) contains text, or -1. */
static int
find(const struct receipt *r, enum receipt_kind kind, const char *text)
{
	for (int i = 0; i < r->n; i++) {
		const struct receipt_item *it = &r->items[i];

		if (it->kind != kind)
			continue;
		if (text == NULL || (it->left && strstr(it->left, text)) ||
		    (it->right && strstr(it->right, text)))
			return i;
	}
	return -1;
}

/* The first item whose left is exactly text, or -1. */
static int
find_left(const struct receipt *r, const char *text)
{
	for (int i = 0; i < r->n; i++)
		if (r->items[i].left != NULL && strcmp(r->items[i].left, text) == 0)
			return i;
	return -1;
}

static void
test_cash_receipt(void **state)
{
	struct fx *f = *state;
	struct kerr err;
	int64_t id = make_sale(f, PAY_CASH, 5000000);
	sale *s = sale_load(f->st, id, &err);
	struct receipt_opts o = { .store = "Do'kon" };
	struct receipt *r;
	int vat12, vat0;

	assert_non_null(s);
	r = receipt_from_sale(s, &o, &err);
	assert_non_null(r);
	assert_int_equal(find(r, RECEIPT_TEXT, "Do'kon"), 0);
	assert_true(find(r, RECEIPT_TEXT, "Молоко 3.2% 1 л") > 0);
	assert_true(find(r, RECEIPT_PAIR, "2 x 4 000") > 0);
	assert_true(find(r, RECEIPT_PAIR, "TOTAL") > 0);
	assert_string_equal(r->items[find(r, RECEIPT_PAIR, "TOTAL")].right, "22 500");
	/* VAT per rate: 12% of 14 500 is 1 553.57 (included), 0% of 8 000 is 0. */
	vat12 = find(r, RECEIPT_PAIR, "VAT 12% of 14 500");
	vat0 = find(r, RECEIPT_PAIR, "VAT 0% of 8 000");
	assert_true(vat12 > 0 && vat0 > 0);
	assert_string_equal(r->items[vat12].right, "1 553.57");
	assert_string_equal(r->items[vat0].right, "0");
	assert_string_equal(r->items[find_left(r, "Cash")].right, "50 000");
	assert_string_equal(r->items[find_left(r, "Change")].right, "27 500");
	assert_string_equal(r->items[find(r, RECEIPT_BARCODE, NULL)].left, "1");
	assert_true(find(r, RECEIPT_CUT, NULL) > 0);
	/* The drawer is a job of its own (test_queue), never part of the receipt. */
	assert_int_equal(find(r, RECEIPT_DRAWER, NULL), -1);
	assert_int_equal(find(r, RECEIPT_QR, NULL), -1);
	assert_int_equal(find(r, RECEIPT_TEXT, "COPY"), -1);
	receipt_free(r);

	/* A reprint: COPY, never the drawer; with a fiscal URL: the QR. */
	o.copy = true;
	o.fiscal_url = "https://ofd.soliq.uz/check?t=1";
	r = receipt_from_sale(s, &o, &err);
	assert_non_null(r);
	assert_true(find(r, RECEIPT_TEXT, "*** COPY ***") > 0);
	assert_int_equal(find(r, RECEIPT_DRAWER, NULL), -1);
	assert_string_equal(r->items[find(r, RECEIPT_QR, NULL)].left, o.fiscal_url);
	receipt_free(r);
	sale_free(s);
}

static void
test_card_no_drawer_and_open_sale_refused(void **state)
{
	struct fx *f = *state;
	struct kerr err;
	struct receipt_opts o = { .store = "" };
	int64_t id = make_sale(f, PAY_CARD, 0);
	sale *s = sale_load(f->st, id, &err);
	struct receipt *r = receipt_from_sale(s, &o, &err);

	assert_non_null(r);
	assert_int_equal(find(r, RECEIPT_DRAWER, NULL), -1);
	assert_true(find_left(r, "Card") > 0);
	receipt_free(r);
	sale_free(s);

	s = sale_current(f->st, &f->cashier, &err);
	assert_int_equal(sale_add_input(s, NULL, "BREAD", NULL, &err), 0);
	assert_null(receipt_from_sale(s, &o, &err));
	assert_int_equal(err.code, KERR_STATE);
	sale_free(s);
}

static void
test_queue(void **state)
{
	struct fx *f = *state;
	struct receipt_job j1, j2;
	struct receipt *r;
	struct kerr err;
	int64_t a = make_sale(f, PAY_CASH, 0), b = make_sale(f, PAY_CARD, 0);

	/* Cash queued the drawer ahead of its receipt; card no drawer. Drawers are apart from
	 * the documents, so a receipt waiting for paper never holds the next drawer back. */
	assert_int_equal(receipt_jobs_queued(f->st, &err), 3);
	assert_int_equal(receipt_drawer_next(f->st, &j1, &err), 1);
	assert_int_equal(j1.sale_id, a);
	assert_string_equal(j1.kind, "drawer");
	r = receipt_for_job(f->st, &j1, "Do'kon", &err);
	assert_non_null(r);
	assert_true(find(r, RECEIPT_DRAWER, NULL) >= 0);
	assert_int_equal(find(r, RECEIPT_CUT, NULL), -1);
	receipt_free(r);
	assert_int_equal(receipt_job_done(f->st, j1.id, &err), 0);
	assert_int_equal(receipt_drawer_next(f->st, &j1, &err), 0);
	assert_int_equal(receipt_job_next(f->st, &j1, &err), 1);
	assert_int_equal(j1.sale_id, a);
	assert_string_equal(j1.kind, "receipt");
	/* A failure keeps it first in line. */
	assert_int_equal(receipt_job_retry(f->st, j1.id, "paper out", &err), 0);
	assert_int_equal(receipt_job_next(f->st, &j2, &err), 1);
	assert_int_equal(j2.id, j1.id);
	assert_int_equal(j2.attempts, 1);
	assert_int_equal(receipt_job_done(f->st, j1.id, &err), 0);
	assert_int_equal(receipt_job_next(f->st, &j2, &err), 1);
	assert_int_equal(j2.sale_id, b);
	assert_int_equal(receipt_job_done(f->st, j2.id, &err), 0);
	assert_int_equal(receipt_job_next(f->st, &j2, &err), 0);
	assert_int_equal(receipt_jobs_queued(f->st, &err), 0);
	assert_int_equal(q1(f->st, "SELECT count(*) FROM print_jobs WHERE state = 'done' AND "
	    "printed_at IS NOT NULL"), 3);

	/* A reprint is queued as a copy: COPY, no drawer. */
	assert_int_equal(sale_reprint(f->st, a, &err), 0);
	assert_int_equal(receipt_job_next(f->st, &j2, &err), 1);
	assert_string_equal(j2.kind, "copy");
	r = receipt_for_job(f->st, &j2, "Do'kon", &err);
	assert_non_null(r);
	assert_true(find(r, RECEIPT_TEXT, "COPY") > 0);
	assert_int_equal(find(r, RECEIPT_DRAWER, NULL), -1);
	receipt_free(r);
	assert_int_equal(receipt_drawer_next(f->st, &j2, &err), 0);
	/* A job that can never print is failed for good, with why; the queue moves on. */
	assert_int_equal(receipt_job_fail(f->st, j2.id, "no such sale", &err), 0);
	assert_int_equal(receipt_job_next(f->st, &j2, &err), 0);
	assert_int_equal(q1(f->st, "SELECT count(*) FROM print_jobs WHERE state = 'failed' AND "
	    "error = 'no such sale' AND attempts = 1"), 1);
}

/* A drawer that could not be opened within a minute (the printer unplugged) is dropped, never
 * opened later in front of the next customer; a fresh one stays. */
static void
test_late_drawer_dropped(void **state)
{
	struct fx *f = *state;
	struct receipt_job j;
	struct kerr err;

	assert_int_equal(sqlite3_exec(store_db(f->st), "INSERT INTO print_jobs(kind, created_at) "
	    "VALUES ('drawer', strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-2 minutes'))", NULL, NULL,
	    NULL), SQLITE_OK);
	make_sale(f, PAY_CASH, 0);
	assert_int_equal(receipt_drawer_expire(f->st, 60, &err), 1);
	assert_int_equal(receipt_drawer_next(f->st, &j, &err), 1);
	assert_true(j.sale_id > 0);		/* the fresh one, of the sale */
	assert_int_equal(receipt_drawer_expire(f->st, 60, &err), 0);
	assert_int_equal(q1(f->st, "SELECT count(*) FROM print_jobs WHERE kind = 'drawer' AND "
	    "state = 'failed' AND error LIKE '%key%'"), 1);
}

/* A receipt that waited past [printer] max_wait is not printed any more (kept for a reprint);
 * one that has not waited so long still is; drawers are left to their own limit. */
static void
test_old_receipt_not_printed(void **state)
{
	struct fx *f = *state;
	struct receipt_job j;
	struct kerr err;
	int64_t old = make_sale(f, PAY_CARD, 0), fresh;

	assert_int_equal(sqlite3_exec(store_db(f->st), "UPDATE print_jobs SET created_at = "
	    "strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-20 minutes')", NULL, NULL, NULL), SQLITE_OK);
	fresh = make_sale(f, PAY_CASH, 0);
	assert_int_equal(receipt_jobs_expire(f->st, 900, &err), 1);
	assert_int_equal(receipt_job_next(f->st, &j, &err), 1);
	assert_int_equal(j.sale_id, fresh);
	assert_int_equal(receipt_drawer_next(f->st, &j, &err), 1);	/* the fresh sale's drawer */
	assert_int_equal(q1(f->st, "SELECT count(*) FROM print_jobs WHERE state = 'failed' AND "
	    "error LIKE '%reprint%'"), 1);
	/* And a reprint of the old one is a new job, printed as usual. */
	assert_int_equal(sale_reprint(f->st, old, &err), 0);
	assert_int_equal(receipt_jobs_expire(f->st, 900, &err), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cash_receipt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_card_no_drawer_and_open_sale_refused, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_queue, setup, teardown),
		cmocka_unit_test_setup_teardown(test_late_drawer_dropped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_old_receipt_not_printed, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
