/* Unit tests for store and journal: file mode, schema, the hash chain, immutability, outbox. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "testlib.h"

#include <sqlite3.h>

#include "journal.h"
#include "store.h"

struct fixture {
	char dir[64];
	char path[128];
	store *st;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	struct kerr err;

	snprintf(f->dir, sizeof f->dir, "/tmp/kassa-test-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof f->path, "%s/sub/kassa.db", f->dir);
	f->st = store_open(f->path, STORE_CREATE, &err);
	assert_non_null(f->st);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	store_close(f->st);
	testlib_rmdir(f->dir);
	free(f);
	return 0;
}

static void
append(store *st, const char *type, const char *payload)
{
	struct kerr err;

	assert_int_equal(store_begin(st, &err), 0);
	assert_int_equal(journal_append(st, type, payload, NULL, &err), 0);
	assert_int_equal(store_commit(st, &err), 0);
}

static void
test_file_is_private(void **state)
{
	struct fixture *f = *state;
	struct stat sb;
	char dir[160];

	assert_int_equal(stat(f->path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	snprintf(dir, sizeof dir, "%s/sub", f->dir);
	assert_int_equal(stat(dir, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);
	assert_int_equal(q1(f->st, "PRAGMA user_version"), store_schema_version());
}

static void
test_missing_db_is_not_created(void **state)
{
	struct fixture *f = *state;
	struct kerr err;
	char path[160];

	snprintf(path, sizeof path, "%s/none.db", f->dir);
	assert_null(store_open(path, 0, &err));
	assert_int_equal(err.code, KERR_NOTFOUND);
	assert_non_null(strstr(err.msg, "kassa init"));
	assert_int_equal(access(path, F_OK), -1);
}

static void
test_chain_verifies(void **state)
{
	struct fixture *f = *state;
	char head[JOURNAL_HASH_HEX];
	int64_t n = 0, bad = 0, seq = 0;
	struct kerr err;

	append(f->st, "shift.opened", "{\"float\":100000,\"number\":1,\"user\":\"Dilnoza\"}");
	append(f->st, "sale.completed", "{\"name\":\"Молоко 3,2%\",\"number\":1,\"total\":1450000}");
	append(f->st, "shift.closed", "{\"number\":1}");
	assert_int_equal(journal_verify(f->st, &n, &bad, &err), 0);
	assert_int_equal(n, 3);
	assert_int_equal(journal_head(f->st, &seq, head, &err), 0);
	assert_int_equal(seq, 3);
	assert_int_equal(strlen(head), 64);
	/* Every event waits in the outbox until upstream accepts it. */
	assert_int_equal(q1(f->st, "SELECT count(*) FROM outbox WHERE state = 'pending'"), 3);
	/* The first links to zeros, each next one to the one before. */
	assert_int_equal(q1(f->st, "SELECT count(*) FROM events e JOIN events p "
	    "ON p.seq = e.seq - 1 AND p.hash = e.prev_hash"), 2);
	assert_int_equal(q1(f->st, "SELECT prev_hash = printf('%064d', 0) FROM events "
	    "WHERE seq = 1"), 1);
}

static void
test_events_are_immutable(void **state)
{
	struct fixture *f = *state;

	append(f->st, "shift.opened", "{\"float\":1}");
	assert_int_not_equal(sqlite3_exec(store_db(f->st), "UPDATE events SET payload = '{}'",
	    NULL, NULL, NULL), SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(store_db(f->st), "DELETE FROM events", NULL, NULL,
	    NULL), SQLITE_OK);
	assert_int_equal(q1(f->st, "SELECT count(*) FROM events"), 1);
}

static void
test_tampering_is_named(void **state)
{
	struct fixture *f = *state;
	int64_t n = 0, bad = 0;
	struct kerr err;

	for (int i = 0; i < 5; i++)
		append(f->st, "cash.moved", "{\"amount\":500}");
	/* Someone with the sqlite3 shell drops the guard and edits event 3. */
	assert_int_equal(sqlite3_exec(store_db(f->st), "DROP TRIGGER events_no_update; "
	    "UPDATE events SET payload = '{\"amount\":50000}' WHERE seq = 3", NULL, NULL, NULL),
	    SQLITE_OK);
	assert_int_equal(journal_verify(f->st, &n, &bad, &err), -1);
	assert_int_equal(bad, 3);
	assert_non_null(strstr(err.msg, "event 3"));
}

static void
test_append_needs_transaction_and_object(void **state)
{
	struct fixture *f = *state;
	struct kerr err;

	assert_int_equal(journal_append(f->st, "x", "{}", NULL, &err), -1);
	assert_int_equal(store_begin(f->st, &err), 0);
	assert_int_equal(journal_append(f->st, "x", "[1,2]", NULL, &err), -1);
	assert_int_equal(journal_append(f->st, "x", "not json", NULL, &err), -1);
	store_rollback(f->st);
	assert_int_equal(q1(f->st, "SELECT count(*) FROM events"), 0);
}

static void
test_rollback_leaves_no_event(void **state)
{
	struct fixture *f = *state;
	int64_t seq = 0;
	struct kerr err;

	assert_int_equal(store_begin(f->st, &err), 0);
	assert_int_equal(journal_append_sql(f->st, "t", "SELECT json_object('a', ?1, 'b', ?2)",
	    7, 8, &seq, &err), 0);
	assert_int_equal(seq, 1);
	store_rollback(f->st);
	assert_int_equal(q1(f->st, "SELECT count(*) FROM events"), 0);
	assert_int_equal(q1(f->st, "SELECT count(*) FROM outbox"), 0);
	/* The next event after a rollback still gets seq 1: no gaps. */
	append(f->st, "t", "{\"a\":1}");
	assert_int_equal(q1(f->st, "SELECT max(seq) FROM events"), 1);
}

static void
test_hash_is_stable(void **state)
{
	char a[JOURNAL_HASH_HEX], b[JOURNAL_HASH_HEX];

	(void)state;
	journal_hash("00", "id", 1, "t", "2026-11-25T00:00:00.000Z", "{}", a);
	journal_hash("00", "id", 1, "t", "2026-11-25T00:00:00.000Z", "{}", b);
	assert_string_equal(a, b);
	journal_hash("00", "id", 2, "t", "2026-11-25T00:00:00.000Z", "{}", b);
	assert_string_not_equal(a, b);
	/* printf '0\nid\n1\nt\nT\n{}' | sha256sum */
	journal_hash("0", "id", 1, "t", "T", "{}", a);
	assert_string_equal(a, "a34a1b1f7a6ea21e0cf3bbe119dcd3c9bd2437b093f56604daaafe322910d9a7");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_file_is_private, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_db_is_not_created, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chain_verifies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_events_are_immutable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tampering_is_named, setup, teardown),
		cmocka_unit_test_setup_teardown(test_append_needs_transaction_and_object, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_rollback_leaves_no_event, setup, teardown),
		cmocka_unit_test(test_hash_is_stable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
