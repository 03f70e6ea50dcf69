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
#include <unistd.h>
#include <cmocka.h>

#include "testlib.h"

#include <sqlite3.h>

#include "catalog.h"
#include "report.h"
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sales_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_status, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shift_json, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
