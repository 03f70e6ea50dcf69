/*
 * test_stock: stock (include/stock.h). Receiving: a bad file refused whole with every bad row
 * reported, a good one applied with its cost prices, a big one split into events of 500
 * lines; adjustments with and without a manager; a stock-take with sales during the count
 * (before and after a product is counted) and a category's uncounted products as 0; the
 * low-stock event on a crossing, by a sale and by an adjustment, and not without one; other
 * branches kept apart; journal_reconcile agreeing with the events, and catching an edited
 * figure.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "testlib.h"

#include "barcode.h"
#include "journal.h"
#include "sale.h"
#include "shift.h"
#include "stock.h"
#include "user.h"

/* min: the low-stock threshold. NON is in category Non, SUT and QATIQ in Sut. */
static const char catalog_csv[] =
    "barcode,name,price,sku,category,stock,min\n"
    "4780001234562,Non,4000,NON,Non,10,2\n"
    "4780001234579,Sut,12000,SUT,Sut,5,\n"
    "4780001234586,Qatiq,9000,QATIQ,Sut,7,\n"
    "4780001234593,Olma,15000,OLMA,Meva,6,5\n";

#define NON "4780001234562"
#define SUT "4780001234579"
#define QATIQ "4780001234586"
#define OLMA "4780001234593"

struct fx {
	char dir[64];
	store *st;
	struct user cashier, manager;
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	struct kerr err;
	long n = 0;
	FILE *in;

	f->st = testlib_store(f->dir, sizeof f->dir, "stock");
	in = fmemopen((void *)catalog_csv, strlen(catalog_csv), "r");
	if (catalog_import_csv(f->st, in, "cat.csv", NULL, NULL, &n, &err) != 0)
		fail_msg("import: %s", err.msg);
	fclose(in);
	assert_int_equal(n, 4);
	assert_int_equal(user_add(f->st, "Dilnoza", ROLE_CASHIER, "1111", &err), 0);
	assert_int_equal(user_add(f->st, "Rustam", ROLE_MANAGER, "9999", &err), 0);
	assert_int_equal(user_login(f->st, "1111", &f->cashier, &err), 0);
	assert_int_equal(user_login(f->st, "9999", &f->manager, &err), 0);
	assert_int_equal(shift_open(f->st, &f->cashier, 0, NULL, &err), 0);
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

static qty_t
on_hand(struct fx *f, const char *code)
{
	struct product p;
	struct kerr err;
	qty_t qty, q;

	assert_int_equal(catalog_lookup(f->st, NULL, code, &p, &q, &err), 0);
	assert_int_equal(stock_on_hand(f->st, p.id, &qty, &err), 0);
	return qty;
}

static int64_t
events(struct fx *f, const char *type)
{
	char sql[128];

	snprintf(sql, sizeof sql, "SELECT count(*) FROM events e JOIN outbox o ON o.seq = e.seq "
	    "WHERE e.type = '%s'", type);
	return q1(f->st, sql);
}

/* `kassa journal verify`: the figures agree with the events. */
static void
agrees(struct fx *f)
{
	struct kerr err;
	int64_t bad;

	if (journal_reconcile(f->st, &bad, &err) != 0)
		fail_msg("journal_reconcile: %s", err.msg);
}

/* Sells "N*CODE" inputs, paid in cash. */
static void
sell(struct fx *f, const char *input)
{
	struct kerr err;
	bool done = false;
	sale *s = sale_current(f->st, &f->cashier, &err);

	assert_non_null(s);
	if (sale_add_input(s, NULL, input, NULL, &err) != 0)
		fail_msg("add %s: %s", input, err.msg);
	if (sale_pay(s, PAY_CASH, sale_totals(s)->total, &done, &err) != 0)
		fail_msg("pay: %s", err.msg);
	assert_true(done);
	sale_free(s);
}

static void
count_report(void *ctx, const char *file, long line, const char *reason)
{
	int *n = ctx;

	(void)file;
	(void)reason;
	assert_true(line >= 2);
	(*n)++;
}

static void
test_receive_file(void **state)
{
	struct fx *f = *state;
	static const char bad[] = "barcode,qty,cost\n"
	    NON ",5,3000\n"              /* good, but not received: the file has bad rows */
	    SUT ",abc,1000\n"            /* not a quantity */
	    "4780001234609,1,\n"         /* not in the catalogue */
	    "4780001234563,1,\n"         /* bad check digit */
	    QATIQ ",1.5,\n";             /* a piece product in halves */
	static const char good[] = "barcode,qty,cost\n"
	    NON ",5,3000\n"
	    SUT ",12,10000.50\n"
	    NON ",1,\n";
	struct stock_delivery_done done;
	struct kerr err;
	int reported = 0;
	FILE *in;

	in = fmemopen((void *)bad, strlen(bad), "r");
	assert_int_equal(stock_receive_csv(f->st, &f->cashier, in, "bad.csv", NULL, count_report,
	    &reported, &done, &err), -1);
	fclose(in);
	assert_int_equal(err.code, KERR_INPUT);
	assert_int_equal(reported, 4);
	assert_int_equal(on_hand(f, NON), 10000);
	assert_int_equal(q1(f->st, "SELECT count(*) FROM deliveries"), 0);
	assert_int_equal(events(f, "stock.received"), 0);

	in = fmemopen((void *)good, strlen(good), "r");
	if (stock_receive_csv(f->st, &f->cashier, in, "good.csv", " Chorsu ulgurji ", count_report,
	    &reported, &done, &err) != 0)
		fail_msg("receive: %s", err.msg);
	fclose(in);
	assert_int_equal(done.number, 1);
	assert_int_equal(done.lines, 3);
	/* 5 x 3000 + 12 x 10000.50 so'm, in tiyin. */
	assert_int_equal(done.cost_total, 5 * 300000 + 12 * 1000050);
	assert_int_equal(on_hand(f, NON), 16000);
	assert_int_equal(on_hand(f, SUT), 17000);
	assert_int_equal(q1(f->st, "SELECT cost FROM delivery_lines WHERE code = '" SUT "'"),
	    1000050);
	assert_int_equal(q1(f->st, "SELECT supplier = 'Chorsu ulgurji' FROM deliveries"), 1);
	assert_int_equal(events(f, "stock.received"), 1);
	/* One move per product per event. */
	assert_int_equal(q1(f->st, "SELECT count(*) FROM stock_moves WHERE reason = 'receive'"), 2);
	agrees(f);
}

static void
test_receive_big_split(void **state)
{
	struct fx *f = *state;
	struct stock_line *lines = calloc(1200, sizeof *lines);
	struct stock_delivery_done done;
	struct product p;
	struct kerr err;
	qty_t q;

	assert_int_equal(catalog_lookup(f->st, NULL, OLMA, &p, &q, &err), 0);
	for (int i = 0; i < 1200; i++) {
		lines[i].product_id = p.id;
		snprintf(lines[i].barcode, sizeof lines[i].barcode, "%s", OLMA);
		lines[i].qty = 1000;
		lines[i].cost = 100;
	}
	assert_int_equal(stock_receive(f->st, &f->manager, NULL, lines, 1200, &done, &err), 0);
	free(lines);
	assert_int_equal(events(f, "stock.received"), 3);
	assert_int_equal(q1(f->st, "SELECT max(json_array_length(payload, '$.lines')) FROM events "
	    "WHERE type = 'stock.received'"), 500);
	assert_int_equal(q1(f->st, "SELECT sum(payload ->> '$.parts') FROM events WHERE type = "
	    "'stock.received'"), 9);
	assert_int_equal(on_hand(f, OLMA), 1206000);
	assert_int_equal(q1(f->st, "SELECT count(*) FROM delivery_lines WHERE event_seq IS NULL"),
	    0);
	agrees(f);
}

static void
test_adjust_needs_manager(void **state)
{
	struct fx *f = *state;
	struct product p;
	struct kerr err;
	bool denied = false;

	/* A cashier alone: refused, nothing written. */
	assert_int_equal(stock_adjust(f->st, &f->cashier, NULL, NON, -2000, STOCK_DAMAGE, &p,
	    &denied, &err), -1);
	assert_int_equal(err.code, KERR_DENIED);
	assert_true(denied);
	assert_int_equal(on_hand(f, NON), 10000);
	assert_int_equal(events(f, "stock.adjusted"), 0);
	/* A cashier with a manager's approval: both named. */
	assert_int_equal(stock_adjust(f->st, &f->cashier, &f->manager, NON, -2000, STOCK_DAMAGE,
	    &p, &denied, &err), 0);
	assert_false(denied);
	assert_int_equal(p.stock, 8000);
	assert_int_equal(events(f, "approval.granted"), 1);
	assert_int_equal(q1(f->st, "SELECT payload ->> '$.approver' = 'Rustam' AND payload ->> "
	    "'$.user' = 'Dilnoza' AND payload ->> '$.reason' = 'damage' AND payload ->> '$.delta' = "
	    "-2000 FROM events WHERE type = 'stock.adjusted'"), 1);
	/* A manager alone, by SKU, upwards. */
	assert_int_equal(stock_adjust(f->st, &f->manager, NULL, "NON", 500 * 2, STOCK_CORRECTION,
	    &p, &denied, &err), 0);
	assert_int_equal(on_hand(f, NON), 9000);
	/* Nothing and halves of a piece are refused. */
	assert_int_equal(stock_adjust(f->st, &f->manager, NULL, NON, 0, STOCK_THEFT, &p, NULL,
	    &err), -1);
	assert_int_equal(stock_adjust(f->st, &f->manager, NULL, NON, 500, STOCK_THEFT, &p, NULL,
	    &err), -1);
	assert_int_equal(err.code, KERR_INPUT);
	agrees(f);
}

static int
note_variance(void *ctx, const struct stock_variance *v)
{
	qty_t *sum = ctx;

	*sum += v->variance;
	return 0;
}

static void
test_take_with_sales_during_count(void **state)
{
	struct fx *f = *state;
	struct stock_take_done done;
	struct kerr err;
	int64_t take;
	qty_t counted, sum = 0;
	long nonzero = 0;
	bool denied = false;
	char cat[64];

	assert_int_equal(stock_take_start(f->st, &f->cashier, "Sut", &take, &err), 0);
	assert_int_equal(stock_take_current(f->st, &take, cat, sizeof cat, &err), 1);
	assert_string_equal(cat, "Sut");
	/* Only one at a time; only the category's products. */
	assert_int_equal(stock_take_start(f->st, &f->cashier, NULL, &take, &err), -1);
	assert_int_equal(err.code, KERR_STATE);
	assert_int_equal(stock_take_add(f->st, take, NON, 1000, NULL, NULL, &err), -1);
	assert_int_equal(err.code, KERR_INPUT);

	/* SUT (5 on hand): 2 sold before it is counted, then 3 counted: no variance. */
	sell(f, "2*" SUT);
	assert_int_equal(stock_take_add(f->st, take, SUT, 1000, NULL, &counted, &err), 0);
	assert_int_equal(stock_take_add(f->st, take, SUT, 2000, NULL, &counted, &err), 0);
	assert_int_equal(counted, 3000);
	/* QATIQ (7 on hand) not counted: 0 with the category. A sale after counting SUT... */
	sell(f, SUT);
	/* ...was on the shelf when counted: still no variance for SUT. */
	assert_int_equal(stock_take_variances(f->st, take, note_variance, &sum, &nonzero, &err), 0);
	assert_int_equal(nonzero, 1);
	assert_int_equal(sum, -7000);

	/* A cashier posts only with a manager. */
	assert_int_equal(stock_take_post(f->st, take, &f->cashier, NULL, &done, &denied, &err), -1);
	assert_true(denied);
	assert_int_equal(on_hand(f, QATIQ), 7000);
	assert_int_equal(stock_take_post(f->st, take, &f->cashier, &f->manager, &done, &denied,
	    &err), 0);
	assert_int_equal(done.counted, 2);
	assert_int_equal(done.changed, 1);
	assert_int_equal(done.loss, 7000);
	assert_int_equal(on_hand(f, SUT), 2000);
	assert_int_equal(on_hand(f, QATIQ), 0);
	assert_int_equal(stock_take_current(f->st, &take, NULL, 0, &err), 0);
	assert_int_equal(q1(f->st, "SELECT payload ->> '$.counts[0].expected' = 7000 AND payload "
	    "->> '$.approver' = 'Rustam' FROM events WHERE type = 'stock.counted' AND payload ->> "
	    "'$.source' = 'count'"), 1);
	agrees(f);
}

static void
test_take_counted_before_sale(void **state)
{
	struct fx *f = *state;
	struct stock_take_done done;
	struct kerr err;
	int64_t take;

	/* NON: 10 on hand, 9 on the shelf when counted (one lost), then 4 sold. */
	assert_int_equal(stock_take_start(f->st, &f->manager, NULL, &take, &err), 0);
	assert_int_equal(stock_take_add(f->st, take, NON, 9000, NULL, NULL, &err), 0);
	sell(f, "4*" NON);
	assert_int_equal(stock_take_post(f->st, take, &f->manager, NULL, &done, NULL, &err), 0);
	assert_int_equal(done.changed, 1);
	assert_int_equal(done.loss, 1000);
	assert_int_equal(on_hand(f, NON), 5000);
	/* Without a category the uncounted keep their stock. */
	assert_int_equal(on_hand(f, SUT), 5000);
	agrees(f);
}

static void
test_count_file(void **state)
{
	struct fx *f = *state;
	static const char bad[] = "barcode,qty\n" SUT ",4\n" NON ",1\n" SUT ",1\n";
	static const char good[] = "barcode,qty\n" SUT ",4\n";
	struct stock_take_done done;
	struct kerr err;
	int reported = 0;
	FILE *in;

	in = fmemopen((void *)bad, strlen(bad), "r");
	assert_int_equal(stock_count_csv(f->st, &f->manager, in, "c.csv", "Sut", count_report,
	    &reported, &done, &err), -1);
	fclose(in);
	assert_int_equal(reported, 2);	/* outside the category; twice in the file */
	assert_int_equal(q1(f->st, "SELECT count(*) FROM stock_takes"), 0);
	in = fmemopen((void *)good, strlen(good), "r");
	assert_int_equal(stock_count_csv(f->st, &f->cashier, in, "c.csv", "Sut", count_report,
	    &reported, &done, &err), -1);
	fclose(in);
	assert_int_equal(err.code, KERR_DENIED);
	in = fmemopen((void *)good, strlen(good), "r");
	if (stock_count_csv(f->st, &f->manager, in, "c.csv", "Sut", count_report, &reported, &done,
	    &err) != 0)
		fail_msg("count: %s", err.msg);
	fclose(in);
	assert_int_equal(on_hand(f, SUT), 4000);
	assert_int_equal(on_hand(f, QATIQ), 0);
	assert_int_equal(on_hand(f, NON), 10000);
	agrees(f);
}

static void
test_low_stock_crossing(void **state)
{
	struct fx *f = *state;
	struct product p;
	struct kerr err;

	/* OLMA: 6 on hand, threshold 5. Selling 1 crosses it; the next sale does not again. */
	sell(f, OLMA);
	assert_int_equal(events(f, "stock.low"), 1);
	assert_int_equal(q1(f->st, "SELECT payload ->> '$.min' = 5000 AND payload ->> '$.stock' = "
	    "5000 AND payload ->> '$.sale' IS NOT NULL FROM events WHERE type = 'stock.low'"), 1);
	sell(f, OLMA);
	assert_int_equal(events(f, "stock.low"), 1);
	/* Back above it with an adjustment, then down through it again with another. */
	assert_int_equal(stock_adjust(f->st, &f->manager, NULL, OLMA, 3000, STOCK_CORRECTION, &p,
	    NULL, &err), 0);
	assert_int_equal(events(f, "stock.low"), 1);
	assert_int_equal(stock_adjust(f->st, &f->manager, NULL, OLMA, -2000, STOCK_EXPIRED, &p,
	    NULL, &err), 0);
	assert_int_equal(events(f, "stock.low"), 2);
	/* NON: 10 on hand, threshold 2: 3 sold, nothing. */
	sell(f, "3*" NON);
	assert_int_equal(events(f, "stock.low"), 2);
	/* The import's stock column is a move too: NON counted 1, below its threshold. */
	{
		static const char csv[] = "barcode,name,price,stock\n" NON ",Non,4000,1\n";
		FILE *in = fmemopen((void *)csv, strlen(csv), "r");
		long n;

		assert_int_equal(catalog_import_csv(f->st, in, "c.csv", NULL, NULL, &n, &err), 0);
		fclose(in);
	}
	assert_int_equal(events(f, "stock.low"), 3);
	assert_int_equal(on_hand(f, NON), 1000);
	agrees(f);
}

static int
note_item(void *ctx, const struct stock_item *it)
{
	char *out = ctx;

	strcat(out, it->barcode);
	strcat(out, " ");
	return 0;
}

static int
note_remote(void *ctx, const struct stock_remote *r)
{
	char *out = ctx;
	char buf[160];

	snprintf(buf, sizeof buf, "%s:%lld ", r->branch, (long long)r->qty);
	strcat(out, buf);
	return 0;
}

static void
test_low_list_and_branches(void **state)
{
	struct fx *f = *state;
	char low[256] = "", rem[256] = "";
	struct kerr err;

	/* Only QATIQ-free: nothing is low yet but after an adjustment SUT is (threshold 0). */
	assert_int_equal(stock_list(f->st, true, note_item, low, &err), 0);
	assert_string_equal(low, "");
	assert_int_equal(stock_adjust(f->st, &f->manager, NULL, SUT, -5000, STOCK_THEFT, NULL,
	    NULL, &err), 0);
	assert_int_equal(stock_list(f->st, true, note_item, low, &err), 0);
	assert_string_equal(low, SUT " ");

	/* Other branches: kept apart, last write wins, removed when deleted. */
	assert_int_equal(store_begin(f->st, &err), 0);
	assert_int_equal(stock_remote_set(f->st, "T2/" SUT, SUT, "Chilonzor", 12000,
	    "2026-11-25T10:00:00.000Z", false, &err), 0);
	assert_int_equal(stock_remote_set(f->st, "T2/" SUT, SUT, "Chilonzor", 99000,
	    "2026-11-25T09:00:00.000Z", false, &err), 0);
	assert_int_equal(stock_remote_set(f->st, "T3/" SUT, SUT, "Yunusobod", 3000,
	    "2026-11-25T10:00:00.000Z", false, &err), 0);
	assert_int_equal(store_commit(f->st, &err), 0);
	assert_int_equal(stock_remote_list(f->st, SUT, note_remote, rem, &err), 0);
	assert_string_equal(rem, "Chilonzor:12000 Yunusobod:3000 ");
	assert_int_equal(on_hand(f, SUT), 0);
	assert_int_equal(store_begin(f->st, &err), 0);
	assert_int_equal(stock_remote_set(f->st, "T3/" SUT, SUT, "Yunusobod", 0,
	    "2026-11-25T11:00:00.000Z", true, &err), 0);
	assert_int_equal(store_commit(f->st, &err), 0);
	rem[0] = '\0';
	assert_int_equal(stock_remote_list(f->st, SUT, note_remote, rem, &err), 0);
	assert_string_equal(rem, "Chilonzor:12000 ");
	agrees(f);
}

static void
test_verify_catches_an_edit(void **state)
{
	struct fx *f = *state;
	struct kerr err;
	int64_t n;

	agrees(f);
	assert_int_equal(sqlite3_exec(store_db(f->st), "UPDATE products SET stock = stock + 1000 "
	    "WHERE sku = 'QATIQ'", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(journal_reconcile(f->st, &n, &err), -1);
	assert_non_null(strstr(err.msg, "Qatiq"));
	assert_non_null(strstr(err.msg, "8000"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_receive_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_receive_big_split, setup, teardown),
		cmocka_unit_test_setup_teardown(test_adjust_needs_manager, setup, teardown),
		cmocka_unit_test_setup_teardown(test_take_with_sales_during_count, setup, teardown),
		cmocka_unit_test_setup_teardown(test_take_counted_before_sale, setup, teardown),
		cmocka_unit_test_setup_teardown(test_count_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_low_stock_crossing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_low_list_and_branches, setup, teardown),
		cmocka_unit_test_setup_teardown(test_verify_catches_an_edit, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
