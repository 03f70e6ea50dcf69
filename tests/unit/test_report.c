/*
 * Unit tests for the read-only reports on a real SQLite file: `kassa sales --json` (the
 * contract's keys, --since by date and by RFC 3339, bad dates refused), `kassa status` (queues,
 * sync and printer state from meta, parked sales) and the shift report as JSON. The documents
 * are read back with SQLite's JSON functions, as a script would read them with jq.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "testlib.h"

#include <sqlite3.h>

#include "catalog.h"
#include "receipt.h"
#include "report.h"
#include "sale.h"
#include "shift.h"
#include "stock.h"
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
	static const char csv[] = "barcode,name,price,vat,sku\n"
	    "4780000000014,\"Non \"\"issiq\"\"\",4000,0,BREAD\n"
	    "4780000000021,Sut,14500,12,MILK\n";
	struct kerr err;
	long n;
	FILE *in;

	store_fix_clock(NULL);
	f->st = testlib_store(f->dir, sizeof f->dir, "report");
	in = fmemopen((void *)csv, sizeof csv - 1, "r");
	assert_int_equal(catalog_import_csv(f->st, in, "c.csv", NULL, NULL, &n, &err), 0);
	fclose(in);
	assert_int_equal(user_add(f->st, "Dilnoza", ROLE_CASHIER, "1111", &err), 0);
	assert_int_equal(user_login(f->st, "1111", &f->cashier, &err), 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	store_fix_clock(NULL);
	store_close(f->st);
	testlib_rmdir(f->dir);
	free(f);
	return 0;
}

/* The integer at path in the JSON document doc (as `jq PATH`); sql NULL -> INT64_MIN. */
static int64_t
jint(store *st, const char *doc, const char *path)
{
	sqlite3_stmt *q;
	int64_t v = INT64_MIN;

	assert_int_equal(sqlite3_prepare_v2(store_db(st), "SELECT json_extract(?1, ?2)", -1, &q,
	    NULL), SQLITE_OK);
	sqlite3_bind_text(q, 1, doc, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, path, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	if (sqlite3_column_type(q, 0) != SQLITE_NULL)
		v = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return v;
}

/* The JSON type at path ("integer", "text", "null", "true", "array", ...; "" if absent). */
static const char *
jtype(store *st, const char *doc, const char *path)
{
	static char type[32];
	sqlite3_stmt *q;
	const unsigned char *t;

	assert_int_equal(sqlite3_prepare_v2(store_db(st), "SELECT json_type(?1, ?2)", -1, &q,
	    NULL), SQLITE_OK);
	sqlite3_bind_text(q, 1, doc, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, path, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	t = sqlite3_column_text(q, 0);
	snprintf(type, sizeof type, "%s", t != NULL ? (const char *)t : "");
	sqlite3_finalize(q);
	return type;
}

static const char *
jtext(store *st, const char *doc, const char *path)
{
	static char text[256];
	sqlite3_stmt *q;
	const unsigned char *t;

	assert_int_equal(sqlite3_prepare_v2(store_db(st), "SELECT json_extract(?1, ?2)", -1, &q,
	    NULL), SQLITE_OK);
	sqlite3_bind_text(q, 1, doc, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, path, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	t = sqlite3_column_text(q, 0);
	snprintf(text, sizeof text, "%s", t != NULL ? (const char *)t : "");
	sqlite3_finalize(q);
	return text;
}

/* Receives qty (thousandths) of the product with sku at cost (tiyin a unit) at the time at. */
static void
receive_at(struct fx *f, const char *at, const char *sku, qty_t qty, money_t cost)
{
	struct stock_line line = { .qty = qty, .cost = cost };
	struct kerr err;
	sqlite3_stmt *q;

	assert_int_equal(sqlite3_prepare_v2(store_db(f->st), "SELECT id FROM products WHERE "
	    "sku = ?1", -1, &q, NULL), SQLITE_OK);
	sqlite3_bind_text(q, 1, sku, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	line.product_id = sqlite3_column_int64(q, 0);
	snprintf(line.barcode, sizeof line.barcode, "%s", sku);	/* what a file would have said */
	sqlite3_finalize(q);
	store_fix_clock(at);
	if (stock_receive(f->st, &f->cashier, NULL, &line, 1, NULL, &err) != 0)
		fail_msg("receive %s: %s", sku, err.msg);
	store_fix_clock(NULL);
}

/* A sale of input paid in cash at the fixed time at (store_fix_clock). */
static void
sell_at(struct fx *f, const char *at, const char *input)
{
	struct kerr err;
	bool done;
	sale *s;

	store_fix_clock(at);
	s = sale_current(f->st, &f->cashier, &err);
	assert_non_null(s);
	if (sale_add_input(s, NULL, input, NULL, &err) != 0)
		fail_msg("add %s: %s", input, err.msg);
	assert_int_equal(sale_pay(s, PAY_CASH, 0, &done, &err), 0);
	assert_true(done);
	sale_free(s);
	store_fix_clock(NULL);
}

static void
test_sales_json(void **state)
{
	struct fx *f = *state;
	struct kerr err;
	char *doc;

	assert_int_equal(shift_open(f->st, &f->cashier, 0, NULL, &err), 0);
	doc = report_sales_json(f->st, NULL, &err);
	assert_non_null(doc);
	assert_string_equal(doc, "[]");
	free(doc);

	sell_at(f, "2026-11-24T22:00:00.000Z", "2*MILK");
	sell_at(f, "2026-11-25T06:30:00.000Z", "BREAD");
	doc = report_sales_json(f->st, NULL, &err);
	assert_non_null(doc);
	assert_string_equal(jtype(f->st, doc, "$"), "array");
	assert_int_equal(jint(f->st, doc, "$[0].number"), 1);
	assert_int_equal(jint(f->st, doc, "$[0].total"), 2900000);
	assert_string_equal(jtype(f->st, doc, "$[0].id"), "integer");
	assert_string_equal(jtext(f->st, doc, "$[0].created_at"), "2026-11-24T22:00:00.000Z");
	assert_string_equal(jtext(f->st, doc, "$[0].cashier"), "Dilnoza");
	assert_int_equal(jint(f->st, doc, "$[0].lines[0].qty"), 2000);
	assert_string_equal(jtext(f->st, doc, "$[0].lines[0].name"), "Sut");
	assert_int_equal(jint(f->st, doc, "$[0].payments[0].amount"), 2900000);
	assert_string_equal(jtext(f->st, doc, "$[0].payments[0].method"), "cash");
	/* Quotes in a name come out escaped: the document stays valid JSON. */
	assert_string_equal(jtext(f->st, doc, "$[1].lines[0].name"), "Non \"issiq\"");
	assert_int_equal(jint(f->st, doc, "$[1].number"), 2);
	free(doc);

	/* --since a date is from midnight UTC of that day. */
	doc = report_sales_json(f->st, "2026-11-25", &err);
	assert_non_null(doc);
	assert_int_equal(jint(f->st, doc, "$[0].number"), 2);
	assert_string_equal(jtype(f->st, doc, "$[1]"), "");
	free(doc);
	doc = report_sales_json(f->st, "2026-11-24", &err);
	assert_non_null(doc);
	assert_string_equal(jtype(f->st, doc, "$[1]"), "object");
	free(doc);
	/* RFC 3339 in UTC, and with an offset: 03:00 in Tashkent on the 25th is 22:00Z the 24th. */
	doc = report_sales_json(f->st, "2026-11-24T22:00:00Z", &err);
	assert_non_null(doc);
	assert_int_equal(jint(f->st, doc, "$[0].number"), 1);
	free(doc);
	doc = report_sales_json(f->st, "2026-11-25T03:00:01+05:00", &err);
	assert_non_null(doc);
	assert_int_equal(jint(f->st, doc, "$[0].number"), 2);
	assert_string_equal(jtype(f->st, doc, "$[1]"), "");
	free(doc);
	doc = report_sales_json(f->st, "2030-01-01", &err);
	assert_non_null(doc);
	assert_string_equal(doc, "[]");
	free(doc);

	/* Not dates. */
	{
		static const char *const bad[] = { "yesterday", "2026-13-01", "2026-02-30",
			"25.11.2026", "2026-11-25T25:00:00Z", "now", "2460000.5", "",
			"2026-11-2", "2026-11-25X",
			"2026-11-25T10:00:00Z                                          garbage" };

		for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
			doc = report_sales_json(f->st, bad[i], &err);
			if (doc != NULL)
				fail_msg("'%s' accepted as a date: %s", bad[i], doc);
			assert_int_equal(err.code, KERR_INPUT);
			assert_non_null(strstr(err.msg, "bad date"));
		}
	}
}

static void
test_status(void **state)
{
	struct fx *f = *state;
	struct till_status s;
	struct kerr err;
	char *doc;
	sale *sl;

	assert_int_equal(report_status(f->st, &s, &err), 0);
	assert_int_equal(s.products, 2);
	assert_int_equal(s.shift_id, 0);
	assert_int_equal(s.events, 1);			/* user.added */
	assert_int_equal(s.outbox_pending, 1);
	assert_string_not_equal(s.oldest_pending_at, "");
	assert_string_equal(s.last_sync_at, "");
	assert_string_equal(s.last_error, "");
	assert_string_equal(s.printer_state, "not configured");

	doc = report_status_json(f->st, &err);
	assert_non_null(doc);
	assert_int_equal(jint(f->st, doc, "$.outbox_pending"), 1);
	assert_int_equal(jint(f->st, doc, "$.outbox_rejected"), 0);
	assert_string_equal(jtype(f->st, doc, "$.last_sync_at"), "null");
	assert_string_equal(jtype(f->st, doc, "$.last_error"), "null");
	assert_string_equal(jtext(f->st, doc, "$.printer"), "not configured");
	assert_string_equal(jtype(f->st, doc, "$.shift_open"), "false");
	assert_int_equal(jint(f->st, doc, "$.products"), 2);
	assert_int_equal(jint(f->st, doc, "$.print_queued"), 0);
	assert_int_equal(jint(f->st, doc, "$.parked_sales"), 0);
	free(doc);

	/* What the sync and printer processes leave in meta shows through. */
	assert_int_equal(store_meta_set(f->st, "sync_last_at", "2026-11-25T09:00:00.000Z", &err),
	    0);
	assert_int_equal(store_meta_set(f->st, "sync_last_error", "HTTP 401: check [sync] token",
	    &err), 0);
	assert_int_equal(store_meta_set(f->st, "printer_state", "paper out", &err), 0);
	assert_int_equal(shift_open(f->st, &f->cashier, 0, NULL, &err), 0);
	sell_at(f, "2026-11-25T10:00:00.000Z", "BREAD");
	sl = sale_current(f->st, &f->cashier, &err);
	assert_int_equal(sale_add_input(sl, NULL, "MILK", NULL, &err), 0);
	assert_int_equal(sale_park(sl, &err), 0);
	sale_free(sl);
	{
		sqlite3_stmt *q;

		/* One event accepted upstream, one rejected. */
		assert_int_equal(sqlite3_prepare_v2(store_db(f->st), "UPDATE outbox SET state = "
		    "'rejected', error = 'bad' WHERE seq = 2", -1, &q, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_step(q), SQLITE_DONE);
		sqlite3_finalize(q);
		assert_int_equal(sqlite3_prepare_v2(store_db(f->st), "DELETE FROM outbox WHERE "
		    "seq = 1", -1, &q, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_step(q), SQLITE_DONE);
		sqlite3_finalize(q);
	}
	assert_int_equal(report_status(f->st, &s, &err), 0);
	assert_int_equal(s.events, 3);			/* + shift.opened, sale.completed */
	assert_int_equal(s.outbox_rejected, 1);
	assert_int_equal(s.outbox_pending, 1);
	assert_string_equal(s.oldest_pending_at, "2026-11-25T10:00:00.000Z");
	assert_int_equal(s.print_queued, 2);		/* the drawer and the receipt */
	assert_int_equal(s.parked_sales, 1);
	assert_true(s.shift_id > 0);
	doc = report_status_json(f->st, &err);
	assert_non_null(doc);
	assert_string_equal(jtext(f->st, doc, "$.last_sync_at"), "2026-11-25T09:00:00.000Z");
	assert_string_equal(jtext(f->st, doc, "$.last_error"), "HTTP 401: check [sync] token");
	assert_string_equal(jtext(f->st, doc, "$.printer"), "paper out");
	assert_string_equal(jtype(f->st, doc, "$.shift_open"), "true");
	assert_int_equal(jint(f->st, doc, "$.outbox_rejected"), 1);
	assert_int_equal(jint(f->st, doc, "$.events"), 3);
	free(doc);
}

static void
test_shift_json(void **state)
{
	struct fx *f = *state;
	struct shift_report x, z;
	struct kerr err;
	char *doc;

	assert_int_equal(shift_open(f->st, &f->cashier, 1000000, NULL, &err), 0);
	sell_at(f, "2026-11-25T10:00:00.000Z", "BREAD");
	sell_at(f, "2026-11-25T10:01:00.000Z", "MILK");
	assert_int_equal(shift_report_x(f->st, &x, &err), 0);
	doc = report_shift_json(f->st, &x, &err);
	assert_non_null(doc);
	assert_string_equal(jtype(f->st, doc, "$.closed"), "false");
	assert_string_equal(jtype(f->st, doc, "$.counted_cash"), "null");
	assert_string_equal(jtype(f->st, doc, "$.closed_at"), "null");
	assert_int_equal(jint(f->st, doc, "$.sales_count"), 2);
	assert_int_equal(jint(f->st, doc, "$.expected_cash"), 1000000 + 400000 + 1450000);
	assert_int_equal(jint(f->st, doc, "$.vat_rates[0].vat_bp"), 1200);
	assert_int_equal(jint(f->st, doc, "$.vat_rates[0].vat"), money_vat_included(1450000,
	    1200));
	assert_int_equal(jint(f->st, doc, "$.vat_rates[1].gross"), 400000);
	free(doc);

	assert_int_equal(shift_close(f->st, &f->cashier, 2850000, &z, &err), 0);
	doc = report_shift_json(f->st, &z, &err);
	assert_non_null(doc);
	assert_string_equal(jtype(f->st, doc, "$.closed"), "true");
	assert_int_equal(jint(f->st, doc, "$.counted_cash"), 2850000);
	assert_int_equal(jint(f->st, doc, "$.variance"), 0);
	assert_string_equal(jtext(f->st, doc, "$.closed_by"), "Dilnoza");
	free(doc);
}


/* A local day's bounds follow TZ, DST days included; impossible dates are refused. */
static void
test_day_bounds(void **state)
{
	char day[REPORT_DATE_SIZE], from[REPORT_TIME_SIZE], to[REPORT_TIME_SIZE];
	char *old = getenv("TZ") != NULL ? strdup(getenv("TZ")) : NULL;
	struct kerr err;

	(void)state;
	setenv("TZ", "Asia/Tashkent", 1);
	tzset();
	assert_int_equal(report_day_bounds("2026-11-25", day, from, to, &err), 0);
	assert_string_equal(day, "2026-11-25");
	assert_string_equal(from, "2026-11-24T19:00:00.000Z");
	assert_string_equal(to, "2026-11-25T19:00:00.000Z");
	/* The last day of a month and of a leap February roll into the next. */
	assert_int_equal(report_day_bounds("2028-02-29", day, from, to, &err), 0);
	assert_string_equal(to, "2028-02-29T19:00:00.000Z");
	/* A 23-hour day where the clocks go forward. */
	setenv("TZ", "Europe/Berlin", 1);
	tzset();
	assert_int_equal(report_day_bounds("2026-03-29", day, from, to, &err), 0);
	assert_string_equal(from, "2026-03-28T23:00:00.000Z");
	assert_string_equal(to, "2026-03-29T22:00:00.000Z");
	assert_int_equal(report_day_bounds("2026-02-30", day, from, to, &err), -1);
	assert_int_equal(err.code, KERR_INPUT);
	assert_int_equal(report_day_bounds("2026-2-3", day, from, to, &err), -1);
	assert_int_equal(report_day_bounds("2026-11-25x", day, from, to, &err), -1);
	assert_int_equal(report_day_bounds("yesterday", day, from, to, &err), -1);
	/* No date: today, local. */
	assert_int_equal(report_day_bounds(NULL, day, from, to, &err), 0);
	assert_int_equal((int)strlen(day), 10);
	if (old != NULL) {
		setenv("TZ", old, 1);
		free(old);
	} else
		unsetenv("TZ");
	tzset();
}

struct rows {
	int n;
	money_t cash, sales_total;
	int64_t bread_qty;
};

static int
collect(void *ctx, const struct report_row *row)
{
	struct rows *r = ctx;

	r->n++;
	if (strcmp(row->section, "tender") == 0 && strcmp(row->key, "cash") == 0)
		r->cash = row->amount;
	if (strcmp(row->section, "sales") == 0 && strcmp(row->key, "total") == 0)
		r->sales_total = row->amount;
	if (strcmp(row->section, "top by quantity") == 0 && strstr(row->key, "issiq") != NULL)
		r->bread_qty = row->qty;
	return 0;
}

/* The day's report counts the sales of that UTC-bounded local day only, and its rows agree. */
static void
test_day_json(void **state)
{
	struct fx *f = *state;
	struct rows rows = { 0 };
	struct kerr err;
	char *old = getenv("TZ") != NULL ? strdup(getenv("TZ")) : NULL;
	char *doc;

	setenv("TZ", "Asia/Tashkent", 1);
	tzset();
	assert_int_equal(shift_open(f->st, &f->cashier, 0, NULL, &err), 0);
	sell_at(f, "2026-11-24T18:59:59.000Z", "MILK");      /* 23:59 on the 24th, local */
	sell_at(f, "2026-11-24T19:00:00.000Z", "2*MILK");    /* 00:00 on the 25th */
	/* BREAD's cost: 2500.01 from before its sale; the dearer delivery after it does not
	 * count. MILK has none: its revenue is the part the margin does not cover. */
	receive_at(f, "2026-11-25T06:00:00.000Z", "BREAD", 10000, 250001);
	sell_at(f, "2026-11-25T06:30:00.000Z", "3*BREAD");   /* 11:30 */
	receive_at(f, "2026-11-25T07:00:00.000Z", "BREAD", 10000, 300000);
	doc = report_day_json(f->st, "2026-11-25", 0, &err);
	assert_non_null(doc);
	assert_int_equal(jint(f->st, doc, "$.sales.count"), 2);
	assert_int_equal(jint(f->st, doc, "$.sales.total"), 2900000 + 1200000);
	assert_string_equal(jtext(f->st, doc, "$.tenders[0].method"), "cash");
	assert_int_equal(jint(f->st, doc, "$.tenders[0].net"), 4100000);
	assert_int_equal(jint(f->st, doc, "$.hours[0].hour"), 0);
	assert_int_equal(jint(f->st, doc, "$.hours[1].hour"), 11);
	assert_int_equal(jint(f->st, doc, "$.vat_rates[0].vat_bp"), 1200);
	assert_int_equal(jint(f->st, doc, "$.vat_rates[0].gross"), 2900000);
	assert_int_equal(jint(f->st, doc, "$.top_by_amount[0].total"), 2900000);
	assert_int_equal(jint(f->st, doc, "$.top_by_qty[0].qty"), 3000);
	assert_string_equal(jtext(f->st, doc, "$.cashiers[0].cashier"), "Dilnoza");
	assert_int_equal(jint(f->st, doc, "$.margin.revenue"), 1200000);
	assert_int_equal(jint(f->st, doc, "$.margin.cost"), 750003);
	assert_int_equal(jint(f->st, doc, "$.margin.margin"), 1200000 - 750003);
	assert_int_equal(jint(f->st, doc, "$.margin.unknown_revenue"), 2900000);
	assert_int_equal(jint(f->st, doc, "$.margin.lines"), 1);
	assert_int_equal(jint(f->st, doc, "$.margin.lines_unknown"), 1);
	assert_int_equal(report_doc_rows(f->st, doc, collect, &rows, &err), 0);
	assert_true(rows.n > 10);
	assert_int_equal(rows.cash, 4100000);
	assert_int_equal(rows.sales_total, 4100000);
	assert_int_equal(rows.bread_qty, 3000);
	free(doc);
	doc = report_day_json(f->st, "2026-11-24", 0, &err);
	assert_non_null(doc);
	assert_int_equal(jint(f->st, doc, "$.sales.count"), 1);
	assert_int_equal(jint(f->st, doc, "$.sales.total"), 1450000);
	free(doc);
	assert_null(report_day_json(f->st, "2026-13-01", 0, &err));
	assert_int_equal(err.code, KERR_INPUT);
	if (old != NULL) {
		setenv("TZ", old, 1);
		free(old);
	} else
		unsetenv("TZ");
	tzset();
}

/* The text of a receipt document, rows joined by newlines. */
static void
receipt_text(const struct receipt *r, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int i = 0; i < r->n && n < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "%s|%s\n", r->items[i].left != NULL ?
		    r->items[i].left : "", r->items[i].right != NULL ? r->items[i].right : "");
}

/* A Z closed on a till with a printer queues itself; the job prints the Z; without a printer
 * nothing is queued and the report can be queued later by number. */
static void
test_z_print(void **state)
{
	struct fx *f = *state;
	struct shift_report z;
	struct receipt_job job;
	struct receipt *r;
	struct kerr err;
	char text[4096];
	int64_t id;

	/* No printer: the close queues nothing. */
	assert_int_equal(shift_open(f->st, &f->cashier, 0, NULL, &err), 0);
	sell_at(f, "2026-11-25T06:30:00.000Z", "MILK");
	assert_int_equal(shift_close(f->st, &f->cashier, 1450000, &z, &err), 0);
	while (receipt_job_next(f->st, &job, &err) == 1 && strcmp(job.kind, "report") != 0)
		assert_int_equal(receipt_job_done(f->st, job.id, &err), 0);
	assert_int_equal(receipt_job_next(f->st, &job, &err), 0);
	/* With a printer (its process wrote its state): the close queues the Z. */
	assert_int_equal(store_meta_set(f->st, "printer_state", "ok", &err), 0);
	assert_int_equal(shift_open(f->st, &f->cashier, 0, NULL, &err), 0);
	sell_at(f, "2026-11-25T07:30:00.000Z", "2*BREAD");
	assert_int_equal(shift_close(f->st, &f->cashier, 700000, &z, &err), 0);
	while (receipt_job_next(f->st, &job, &err) == 1 && strcmp(job.kind, "report") != 0)
		assert_int_equal(receipt_job_done(f->st, job.id, &err), 0);
	assert_string_equal(job.kind, "report");
	assert_string_equal(job.what, "z:2");
	r = receipt_for_job(f->st, &job, "Chorsu", &err);
	assert_non_null(r);
	receipt_text(r, text, sizeof text);
	receipt_free(r);
	assert_non_null(strstr(text, "Z REPORT 2|"));
	assert_non_null(strstr(text, "Sales total|8 000\n"));
	assert_non_null(strstr(text, "Counted cash|7 000\n"));
	assert_non_null(strstr(text, "Variance|-1 000\n"));
	assert_int_equal(receipt_job_done(f->st, job.id, &err), 0);
	/* Shift 1 again, by number, and the day on paper. */
	assert_int_equal(report_shift_by_number(f->st, 1, &z, &err), 0);
	assert_int_equal(z.sales_total, 1450000);
	assert_int_equal(report_shift_by_number(f->st, 3, &z, &err), -1);
	assert_int_equal(err.code, KERR_NOTFOUND);
	assert_int_equal(report_queue_print(f->st, "day:2026-11-25", &id, &err), 0);
	assert_int_equal(receipt_job_next(f->st, &job, &err), 1);
	assert_int_equal(job.id, id);
	r = receipt_for_job(f->st, &job, "", &err);
	assert_non_null(r);
	receipt_text(r, text, sizeof text);
	receipt_free(r);
	assert_non_null(strstr(text, "DAY REPORT 2026-11-25"));
	/* A job naming nothing sensible fails with a message rather than printing garbage. */
	assert_null(report_receipt_for(f->st, "z:abc", "", &err));
	assert_null(report_receipt_for(f->st, "week:1", "", &err));
}

/* Every PIN typed is in the audit trail; a wrong one without a name. */
static void
test_audit(void **state)
{
	struct fx *f = *state;
	struct user u;
	struct kerr err;
	char *doc, day[REPORT_DATE_SIZE], from[REPORT_TIME_SIZE], to[REPORT_TIME_SIZE];

	assert_int_equal(user_login(f->st, "9998", &u, &err), -1);
	assert_int_equal(user_login(f->st, "1111", &u, &err), 0);
	assert_int_equal(report_day_bounds(NULL, day, from, to, &err), 0);
	doc = report_audit_json(f->st, NULL, &err);
	assert_non_null(doc);
	/* setup logged in once: login, login_failed, login. */
	assert_string_equal(jtext(f->st, doc, "$.entries[0].kind"), "login");
	assert_string_equal(jtext(f->st, doc, "$.entries[1].kind"), "login_failed");
	assert_string_equal(jtype(f->st, doc, "$.entries[1].user"), "null");
	assert_string_equal(jtext(f->st, doc, "$.entries[2].user"), "Dilnoza");
	assert_string_equal(jtext(f->st, doc, "$.date"), day);
	free(doc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sales_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_status, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shift_json, setup, teardown),
		cmocka_unit_test(test_day_bounds),
		cmocka_unit_test_setup_teardown(test_day_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_z_print, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audit, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
