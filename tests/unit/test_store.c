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
/* Version 9's sales, sale_lines, payments, return_lines, outbox and customer indexes (what
 * version 10 changed). */
static const char v9_shape[] =
	"PRAGMA foreign_keys = OFF; "
	"DROP TABLE return_lines; DROP TABLE sale_lines; DROP TABLE sales; DROP TABLE payments; "
	"CREATE TABLE payments (id INTEGER PRIMARY KEY, sale_id INTEGER NOT NULL REFERENCES "
	"sales(id) ON DELETE CASCADE, method TEXT NOT NULL CHECK (method IN ('cash', 'card', "
	"'credit', 'points')), "
	"amount INTEGER NOT NULL CHECK (amount > 0), at TEXT NOT NULL); "
	"CREATE INDEX payments_sale ON payments(sale_id); "
	"DROP INDEX outbox_rejected; CREATE INDEX outbox_state ON outbox(state, seq); "
	"DROP INDEX events_customer; CREATE INDEX events_customer ON events((CASE WHEN "
	"json_valid(payload) THEN json_extract(payload, '$.customer') END), seq) WHERE type IN "
	"('sale.completed', 'sale.returned', 'customer.paid'); "
	"CREATE TABLE sales (id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE, number INTEGER "
	"UNIQUE, state TEXT NOT NULL CHECK (state IN ('open', 'parked', 'completed', 'voided')), "
	"shift_id INTEGER NOT NULL REFERENCES shifts(id), user_id INTEGER NOT NULL REFERENCES "
	"users(id), customer_id INTEGER REFERENCES customers(id), cart_disc_kind TEXT CHECK "
	"(cart_disc_kind IN ('percent', 'amount')), cart_disc_value INTEGER NOT NULL DEFAULT 0, "
	"subtotal INTEGER NOT NULL DEFAULT 0, discount INTEGER NOT NULL DEFAULT 0, total INTEGER "
	"NOT NULL DEFAULT 0, vat_total INTEGER NOT NULL DEFAULT 0, paid INTEGER NOT NULL DEFAULT "
	"0, change INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL, updated_at TEXT NOT "
	"NULL, completed_at TEXT, event_seq INTEGER REFERENCES events(seq), disc_approver_id "
	"INTEGER REFERENCES users(id)); "
	"CREATE INDEX sales_state ON sales(state); "
	"CREATE INDEX sales_completed ON sales(completed_at) WHERE completed_at IS NOT NULL; "
	"CREATE TABLE sale_lines (id INTEGER PRIMARY KEY, sale_id INTEGER NOT NULL REFERENCES "
	"sales(id) ON DELETE CASCADE, lineno INTEGER NOT NULL, product_id INTEGER NOT NULL "
	"REFERENCES products(id), code TEXT NOT NULL, name TEXT NOT NULL, unit TEXT NOT NULL, "
	"qty INTEGER NOT NULL CHECK (qty > 0), price INTEGER NOT NULL, vat_bp INTEGER NOT NULL, "
	"disc_kind TEXT CHECK (disc_kind IN ('percent', 'amount')), disc_value INTEGER NOT NULL "
	"DEFAULT 0, discount INTEGER NOT NULL DEFAULT 0, total INTEGER NOT NULL DEFAULT 0, vat "
	"INTEGER NOT NULL DEFAULT 0, voided INTEGER NOT NULL DEFAULT 0, label_total INTEGER, "
	"voided_by INTEGER REFERENCES users(id), voided_at TEXT, UNIQUE (sale_id, lineno)); "
	"CREATE TABLE return_lines (id INTEGER PRIMARY KEY, return_id INTEGER NOT NULL "
	"REFERENCES returns(id) ON DELETE CASCADE, sale_line_id INTEGER REFERENCES "
	"sale_lines(id), product_id INTEGER NOT NULL REFERENCES products(id), code TEXT NOT "
	"NULL, name TEXT NOT NULL, unit TEXT NOT NULL, qty INTEGER NOT NULL CHECK (qty > 0), "
	"price INTEGER NOT NULL, vat_bp INTEGER NOT NULL, discount INTEGER NOT NULL DEFAULT 0, "
	"total INTEGER NOT NULL DEFAULT 0, vat INTEGER NOT NULL DEFAULT 0, UNIQUE (return_id, "
	"sale_line_id)); "
	"CREATE INDEX return_lines_sale_line ON return_lines(sale_line_id); ";

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
	/* Back to what version 1 had: version 9's shapes of the tables version 10 changed, no
	 * fiscal documents (version 8), no returns (version 4), the old stock_moves and print_jobs
	 * tables (rebuilt: their new columns reference returns), no refund figures. */
	assert_int_equal(sqlite3_exec(store_db(st), v9_shape, NULL, NULL, NULL), SQLITE_OK);
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
	    "name IN ('events_customer', 'return_payments_return')"), 2);
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

/*
 * Version 9 -> 10 with data: two sales (one completed, one open cart), their lines and a
 * return naming the completed sale's second line by its row id. After: the same rows, the
 * return names that line by its number, and a new sale's number follows the last.
 */
static void
test_version_9_is_migrated(void **state)
{
	struct fx *f = *state;
	struct kerr err;
	store *st;

	st = store_open(f->path, 0, &err);
	assert_non_null(st);
	assert_int_equal(sqlite3_exec(store_db(st), v9_shape, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(store_db(st),
	    "INSERT INTO users(id, name, role, pin_hash, updated_at) VALUES (7, 'ali', 'cashier', "
	    "'x', 'now'); INSERT INTO shifts(id, number, user_id, opened_at, opening_float) "
	    "VALUES (3, 1, 7, 'now', 0); "
	    "INSERT INTO sales(id, uuid, number, state, shift_id, user_id, total, created_at, "
	    "updated_at, completed_at) VALUES (10, 'u10', 41, 'completed', 3, 7, 2100000, 'now', "
	    "'now', 'now'), (11, 'u11', NULL, 'open', 3, 7, 0, 'now', 'now', NULL); "
	    "INSERT INTO sale_lines(id, sale_id, lineno, product_id, code, name, unit, qty, price, "
	    "vat_bp, total) VALUES (100, 10, 1, 1, '4780000000015', 'Non', 'pcs', 1000, 400000, "
	    "1200, 400000), (101, 10, 2, 3, '4780000000039', 'Qatiq', 'pcs', 2000, 900000, 1200, "
	    "1800000), (102, 11, 1, 1, '4780000000015', 'Non', 'pcs', 3000, 400000, 1200, "
	    "1200000); "
	    "INSERT INTO payments(id, sale_id, method, amount, at) VALUES (70, 10, 'card', "
	    "100000, 'now'), (71, 10, 'cash', 2000000, 'now'); "
	    "INSERT INTO returns(id, uuid, state, sale_id, shift_id, user_id, total, created_at, "
	    "updated_at) VALUES (5, 'r5', 'open', 10, 3, 7, 0, 'now', 'now'); "
	    "INSERT INTO return_lines(return_id, sale_line_id, product_id, code, name, unit, qty, "
	    "price, vat_bp) VALUES (5, 101, 3, '4780000000039', 'Qatiq', 'pcs', 1000, 900000, "
	    "1200); "
	    "PRAGMA user_version = 9", NULL, NULL, NULL), SQLITE_OK);
	store_close(st);

	st = store_open(f->path, 0, &err);
	if (st == NULL)
		fail_msg("%s", err.msg);
	assert_int_equal(q1(st, "PRAGMA user_version"), store_schema_version());
	assert_int_equal(q1(st, "PRAGMA foreign_keys"), 1);
	assert_int_equal(q1(st, "SELECT count(*) FROM sales"), 2);
	assert_int_equal(q1(st, "SELECT total FROM sales WHERE uuid = 'u10' AND number = 41"),
	    2100000);
	assert_int_equal(q1(st, "SELECT count(*) FROM sale_lines"), 3);
	assert_int_equal(q1(st, "SELECT qty FROM sale_lines WHERE sale_id = 10 AND lineno = 2"),
	    2000);
	assert_int_equal(q1(st, "SELECT qty FROM sale_lines WHERE sale_id = 11 AND lineno = 1"),
	    3000);
	assert_int_equal(q1(st, "SELECT sale_lineno FROM return_lines WHERE return_id = 5"), 2);
	/* The sale's tenders keep their order, numbered from 1. */
	assert_int_equal(q1(st, "SELECT amount FROM payments WHERE sale_id = 10 AND id = 1"),
	    100000);
	assert_int_equal(q1(st, "SELECT amount FROM payments WHERE sale_id = 10 AND id = 2"),
	    2000000);
	/* Version 6's shapes: one b-tree for the lines, partial indexes. */
	assert_int_equal(q1(st, "SELECT count(*) FROM sqlite_master WHERE name = 'sale_lines' "
	    "AND sql LIKE '%WITHOUT ROWID'"), 1);
	assert_int_equal(q1(st, "SELECT count(*) FROM sqlite_master WHERE name = 'payments' "
	    "AND sql LIKE '%WITHOUT ROWID'"), 1);
	assert_int_equal(q1(st, "SELECT count(*) FROM sqlite_master WHERE name IN "
	    "('sales_number', 'sales_state', 'sales_completed', 'outbox_rejected')"), 4);
	assert_int_equal(q1(st, "SELECT count(*) FROM sqlite_master WHERE name IN "
	    "('outbox_state', 'return_lines_sale_line')"), 0);
	assert_int_equal(q1(st, "SELECT count(*) FROM sqlite_master WHERE name = "
	    "'events_customer' AND sql LIKE '%IS NOT NULL'"), 1);
	/* The number stays unique; an open cart's NULL is not a number. */
	assert_int_not_equal(sqlite3_exec(store_db(st), "UPDATE sales SET number = 41 WHERE id = "
	    "11", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(q1(st, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
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
	int64_t stock0;

	st = store_open(f->path, STORE_TILL, &err);
	assert_non_null(st);
	/* A sale's stock move, appended; products.stock waits for the idle fold. */
	stock0 = q1(st, "SELECT stock FROM products WHERE id = 1");
	assert_int_equal(sqlite3_exec(store_db(st), "INSERT INTO stock_moves(product_id, qty, "
	    "reason, event_seq, at) VALUES (1, -2000, 'sale', 1, 'now')", NULL, NULL, NULL),
	    SQLITE_OK);
	assert_int_equal(q1(st, "SELECT stock FROM products WHERE id = 1"), stock0);
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
	/* The checkpointer folded the move first, and moved the mark past it. */
	assert_int_equal(q1(st, "SELECT stock FROM products WHERE id = 1"), stock0 - 2000);
	assert_int_equal(q1(st, "SELECT value FROM meta WHERE key = 'stock_folded'"),
	    q1(st, "SELECT max(id) FROM stock_moves"));
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
		cmocka_unit_test_setup_teardown(test_version_9_is_migrated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_only_refuses_old_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newer_file_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_till_checkpoints_only_when_idle, setup,
		    teardown),
	};

	return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
