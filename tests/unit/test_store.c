/*
 * test_store: opening a till's database across schema versions. A till upgraded to a new
 * kassa opens its old file and is migrated in place, keeping every row; a read-only command
 * refuses an old file with a message rather than reading it wrongly; a file from a newer
 * kassa is refused untouched. The till's connection (STORE_TILL) never checkpoints in a commit;
 * its idle tick has the checkpointer copy the WAL, which then starts over (issue 17).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "catalog.h"
#include "store.h"
#include "testlib.h"

#define AT "2026-11-25T08:00:00.000Z"

struct fx {
	char dir[64];
	char path[96];
};

/* A database with three products, one deleted, then put back to look like version 1 (no
 * products_deleted index, the stock_moves_product index that schema 3 dropped, none of
 * version 9's stock tables). */
static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	struct kerr err;
	store *st;

	st = testlib_store(f->dir, sizeof f->dir, "store");
	snprintf(f->path, sizeof f->path, "%s/k.db", f->dir);
	testlib_product(st, "4780000000015", "", "Non", 400000, false, 0, AT);
	testlib_product(st, "4780000000022", "", "Sut", 700000, false, 0, AT);
	testlib_product(st, "4780000000039", "", "Qatiq", 900000, false, 0, AT);
	assert_int_equal(store_begin(st, &err), 0);
	assert_int_equal(catalog_delete(st, "4780000000022", "2026-11-25T09:00:00.000Z", &err), 0);
	assert_int_equal(store_commit(st, &err), 0);
	/* Back to what version 1 had: no fiscal documents (version 8), no returns (version 4),
	 * the old stock_moves and print_jobs tables (rebuilt: their new columns reference
	 * returns), no refund figures. */
	assert_int_equal(sqlite3_exec(store_db(st), "PRAGMA foreign_keys = OFF; "
	    "DROP TABLE fiscal_documents; DROP TABLE return_payments; DROP TABLE return_lines; "
	    "DROP TABLE returns; "
	    "DROP TABLE stock_moves; CREATE TABLE stock_moves (id INTEGER PRIMARY KEY, product_id "
	    "INTEGER NOT NULL REFERENCES products(id), qty INTEGER NOT NULL, reason TEXT NOT NULL "
	    "CHECK (reason IN ('sale', 'receive', 'adjust', 'count', 'import')), sale_id INTEGER "
	    "REFERENCES sales(id), event_seq INTEGER NOT NULL REFERENCES events(seq), at TEXT NOT "
	    "NULL); INSERT INTO events VALUES (1, 'e1', 'x', 'now', '{}', 'p', 'h'); "
	    "INSERT INTO stock_moves(product_id, qty, reason, event_seq, at) VALUES (1, 5000, "
	    "'import', 1, 'now'); "
	    "DROP TABLE print_jobs; CREATE TABLE print_jobs (id INTEGER PRIMARY KEY, kind TEXT NOT "
	    "NULL, sale_id INTEGER REFERENCES sales(id), body BLOB, state TEXT NOT NULL DEFAULT "
	    "'queued', attempts INTEGER NOT NULL DEFAULT 0, error TEXT, created_at TEXT NOT NULL, "
	    "printed_at TEXT); CREATE INDEX print_jobs_state ON print_jobs(state, id); "
	    "ALTER TABLE shifts DROP COLUMN refunds_count; ALTER TABLE shifts DROP COLUMN "
	    "refunds_total; ALTER TABLE shifts DROP COLUMN refunds_vat; ALTER TABLE shifts DROP "
	    "COLUMN refunds_cash; ALTER TABLE shifts DROP COLUMN refunds_card; ALTER TABLE shifts "
	    "DROP COLUMN refunds_other; ALTER TABLE shifts DROP COLUMN refunds_no_receipt; "
	    "DROP INDEX events_customer; ALTER TABLE customers DROP COLUMN credit_limit; "
	    "ALTER TABLE customers DROP COLUMN hub_balance; ALTER TABLE customers DROP COLUMN "
	    "hub_points; ALTER TABLE customers DROP COLUMN hub_seq; ALTER TABLE customers DROP "
	    "COLUMN hub_at; ALTER TABLE shifts DROP COLUMN credit_sales; ALTER TABLE shifts DROP "
	    "COLUMN points_sales; ALTER TABLE shifts DROP COLUMN repaid_cash; ALTER TABLE shifts "
	    "DROP COLUMN repaid_card; "
	    "DROP INDEX products_deleted; "
	    "DROP TRIGGER products_price_change; DROP TABLE price_changes; DROP TABLE logins; "
	    "DROP TABLE remote_stock; DROP TABLE stock_take_items; DROP TABLE stock_takes; "
	    "DROP TABLE delivery_lines; DROP TABLE deliveries; "
	    "ALTER TABLE products DROP COLUMN min_stock; "
	    "CREATE INDEX stock_moves_product ON stock_moves(product_id); "
	    "ALTER TABLE sale_lines DROP COLUMN label_total; "
	    "ALTER TABLE sale_lines DROP COLUMN voided_by; "
	    "ALTER TABLE sale_lines DROP COLUMN voided_at; "
	    "ALTER TABLE sales DROP COLUMN disc_approver_id; "
	    "PRAGMA user_version = 1", NULL, NULL, NULL), SQLITE_OK);
	store_close(st);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	testlib_rmdir(f->dir);
	free(f);
	return 0;
}

static void
test_old_file_is_migrated(void **state)
{
	struct fx *f = *state;
	struct kerr err;
	store *st;

	st = store_open(f->path, 0, &err);
	if (st == NULL)
		fail_msg("%s", err.msg);
	assert_int_equal(q1(st, "PRAGMA user_version"), store_schema_version());
	assert_int_equal(q1(st, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND "
	    "name = 'products_deleted'"), 1);
	assert_int_equal(q1(st, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND "
	    "name = 'stock_moves_product'"), 0);
	assert_int_equal(q1(st, "SELECT count(*) FROM fiscal_documents"), 0);
	/* Nothing was lost and the count skips the deleted product. */
	assert_int_equal(q1(st, "SELECT count(*) FROM products"), 3);
	assert_int_equal(catalog_count(st), 2);
	/* Version 9: stock (stock.h): thresholds default to 0, the new tables are there. */
	assert_int_equal(q1(st, "SELECT count(*) FROM products WHERE min_stock = 0"), 3);
	assert_int_equal(q1(st, "SELECT count(*) FROM deliveries") + q1(st, "SELECT count(*) "
	    "FROM stock_takes") + q1(st, "SELECT count(*) FROM remote_stock"), 0);
	/* Version 4: returns, and stock moves that keep their rows and may say 'return'. */
	assert_int_equal(q1(st, "SELECT count(*) FROM returns"), 0);
	assert_int_equal(q1(st, "SELECT qty FROM stock_moves WHERE reason = 'import'"), 5000);
	assert_int_equal(q1(st, "SELECT count(*) FROM pragma_table_info('stock_moves') WHERE "
	    "name = 'return_id'"), 1);
	assert_int_equal(q1(st, "SELECT count(*) FROM pragma_table_info('print_jobs') WHERE "
	    "name = 'return_id'"), 1);
	assert_int_equal(q1(st, "SELECT count(*) FROM pragma_table_info('shifts') WHERE "
	    "name LIKE 'refunds_%'"), 7);
	assert_int_equal(sqlite3_exec(store_db(st), "INSERT INTO stock_moves(product_id, qty, "
	    "reason, event_seq, at) VALUES (1, 1000, 'return', 1, 'now')", NULL, NULL, NULL),
	    SQLITE_OK);
	/* Version 5: customers' limit and hub figures, the credit and points tenders, the
	 * shift's customer figures, repayment receipts, the index on customers' events. */
	assert_int_equal(q1(st, "SELECT count(*) FROM pragma_table_info('customers') WHERE "
	    "name IN ('credit_limit', 'hub_balance', 'hub_points', 'hub_seq', 'hub_at')"), 5);
	assert_int_equal(q1(st, "SELECT count(*) FROM pragma_table_info('shifts') WHERE "
	    "name IN ('credit_sales', 'points_sales', 'repaid_cash', 'repaid_card')"), 4);
	assert_int_equal(q1(st, "SELECT count(*) FROM pragma_table_info('print_jobs') WHERE "
	    "name = 'repayment_seq'"), 1);
	assert_int_equal(q1(st, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND "
	    "name IN ('events_customer', 'payments_sale', 'return_payments_return')"), 3);
	assert_int_equal(q1(st, "SELECT sql LIKE '%''points''%' FROM sqlite_master WHERE name = "
	    "'payments'"), 1);
	assert_int_equal(q1(st, "SELECT sql LIKE '%''points''%' FROM sqlite_master WHERE name = "
	    "'return_payments'"), 1);
	assert_int_equal(q1(st, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
	/* Version 5: the audit trail's PIN entries, and price changes written by a trigger. */
	assert_int_equal(q1(st, "SELECT count(*) FROM logins"), 0);
	assert_int_equal(sqlite3_exec(store_db(st), "UPDATE products SET price = price + 100 "
	    "WHERE id = 1", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(q1(st, "SELECT price - old_price FROM price_changes WHERE product_id = "
	    "1"), 100);
	store_close(st);
}

static void
test_read_only_refuses_old_file(void **state)
{
	struct fx *f = *state;
	struct kerr err;
	store *st;

	st = store_open(f->path, STORE_READONLY, &err);
	assert_null(st);
	assert_non_null(strstr(err.msg, "has schema 1"));
	assert_non_null(strstr(err.msg, "run the till once to upgrade it"));
}

static void
test_newer_file_is_refused(void **state)
{
	struct fx *f = *state;
	struct kerr err;
	sqlite3 *db;
	store *st;

	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
	st = store_open(f->path, 0, &err);
	assert_null(st);
	assert_non_null(strstr(err.msg, "made by a newer kassa"));
	/* Untouched: still the newer version, still without the index. */
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	{
		sqlite3_stmt *q;

		assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &q, NULL),
		    SQLITE_OK);
		assert_int_equal(sqlite3_step(q), SQLITE_ROW);
		assert_int_equal(sqlite3_column_int(q, 0), 99);
		sqlite3_finalize(q);
	}
	sqlite3_close(db);
}

/* One commit of one meta row: at least one WAL page. */
static void
commit_one(store *st, int i)
{
	struct kerr err;
	char key[32];

	snprintf(key, sizeof key, "test.%d", i);
	assert_int_equal(store_meta_set(st, key, "x", &err), 0);
}

static void
test_till_checkpoints_only_when_idle(void **state)
{
	struct fx *f = *state;
	struct kerr err;
	sqlite3_stmt *q;
	store *st;
	int i, copied = 0;

	st = store_open(f->path, STORE_TILL, &err);
	assert_non_null(st);
	/* SQLite alone would have checkpointed at 1000 pages and started the WAL over. */
	for (i = 0; i < 1100; i++)
		commit_one(st, i);
	assert_true(store_wal_pages(st) >= 1100);
	/* The idle tick asks; the checkpointer thread copies; a later tick hears of it. */
	for (i = 0; i < 500 && copied == 0; i++) {
		copied = store_checkpoint_idle(st, &err);
		if (copied < 0)
			fail_msg("store_checkpoint_idle: %s", err.msg);
		if (copied == 0)
			usleep(10000);
	}
	assert_true(copied >= 1100);
	/* Everything is in the database, so the next commit starts the WAL over: bounded. */
	commit_one(st, 5000);
	assert_true(store_wal_pages(st) < 10);
	/* Nothing was lost on the way. */
	q = store_cached(st, "SELECT count(*) FROM meta WHERE key LIKE 'test.%'");
	assert_non_null(q);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(q, 0), 1101);
	store_release(q);
	store_close(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_old_file_is_migrated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_only_refuses_old_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newer_file_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_till_checkpoints_only_when_idle, setup,
		    teardown),
	};

	return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
