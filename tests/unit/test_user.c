/* Unit tests for users: PIN hashes, log-in by PIN, lock-out, unique PINs, rights, approval. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <crypt.h>

#include "testlib.h"

#include <sqlite3.h>

#include "journal.h"
#include "store.h"
#include "user.h"

static char dir[64];

static int
setup(void **state)
{
	char path[128];
	struct kerr err;
	store *st;

	snprintf(dir, sizeof dir, "/tmp/kassa-user-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/k.db", dir);
	st = store_open(path, STORE_CREATE, &err);
	assert_non_null(st);
	assert_int_equal(user_add(st, "Dilnoza", ROLE_CASHIER, "1111", &err), 0);
	assert_int_equal(user_add(st, "Rustam", ROLE_MANAGER, "9999", &err), 0);
	*state = st;
	return 0;
}

static int
teardown(void **state)
{

	store_close(*state);
	testlib_rmdir(dir);
	return 0;
}

static void
test_hash(void **state)
{
	struct kerr err;
	char *h = user_pin_hash("1234", &err), *h2;

	(void)state;
	assert_non_null(h);
	assert_memory_equal(h, "$y$", 3);
	assert_null(strstr(h, "1234"));
	assert_true(user_pin_check("1234", h));
	assert_false(user_pin_check("1235", h));
	assert_false(user_pin_check("1234", "1234"));	/* a plain PIN is never accepted */
	h2 = user_pin_hash("1234", &err);
	assert_string_not_equal(h, h2);			/* salted */
	free(h);
	free(h2);
	/* A PIN set by an older kassa at libcrypt's default cost still logs in. */
	{
		char *setting = crypt_gensalt_ra("$y$", 5, NULL, 0);
		struct crypt_data cd;

		assert_non_null(setting);
		memset(&cd, 0, sizeof cd);
		h = strdup(crypt_r("4321", setting, &cd));
		assert_memory_equal(h, "$y$j9T$", 7);
		assert_true(user_pin_check("4321", h));
		assert_false(user_pin_check("4320", h));
		free(h);
		free(setting);
	}
	assert_true(user_pin_valid("0000"));
	assert_false(user_pin_valid("123"));
	assert_false(user_pin_valid("1234567890123"));
	assert_false(user_pin_valid("12a4"));
}

static void
test_login_and_events(void **state)
{
	store *st = *state;
	struct kerr err;
	struct user u;
	int64_t n = 0, bad = 0;

	assert_int_equal(user_login(st, "9999", &u, &err), 0);
	assert_string_equal(u.name, "Rustam");
	assert_int_equal(u.role, ROLE_MANAGER);
	assert_int_equal(user_login(st, "1111", &u, &err), 0);
	assert_string_equal(u.name, "Dilnoza");
	/* user.added events, chained */
	assert_int_equal(journal_verify(st, &n, &bad, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(user_count(st), 2);
}

static void
test_unique_pin_and_name(void **state)
{
	store *st = *state;
	struct kerr err;

	assert_int_equal(user_add(st, "Aziz", ROLE_CASHIER, "1111", &err), -1);
	assert_int_equal(err.code, KERR_INPUT);
	assert_non_null(strstr(err.msg, "PIN"));
	assert_int_equal(user_add(st, "Dilnoza", ROLE_CASHIER, "2222", &err), -1);
	assert_int_equal(user_add(st, "Aziz", ROLE_CASHIER, "12", &err), -1);
	assert_int_equal(user_count(st), 2);
	/* A name that is not UTF-8 would poison sync (the hub refuses the batch): the core
	 * refuses it whoever calls, and writes no event. */
	assert_int_equal(user_add(st, "Jos\xe9", ROLE_CASHIER, "4444", &err), -1);
	assert_int_equal(err.code, KERR_INPUT);
	assert_non_null(strstr(err.msg, "UTF-8"));
	assert_int_equal(user_add(st, "Bob\x1b[2J", ROLE_CASHIER, "4444", &err), -1);
	assert_int_equal(user_count(st), 2);
}

static void
test_lockout(void **state)
{
	store *st = *state;
	struct kerr err;
	struct user u;

	for (int i = 0; i < 4; i++) {
		assert_int_equal(user_login(st, "5555", &u, &err), -1);
		assert_int_equal(err.code, KERR_DENIED);
		assert_non_null(strstr(err.msg, "wrong PIN"));
	}
	assert_int_equal(user_login(st, "5555", &u, &err), -1);
	assert_non_null(strstr(err.msg, "locked"));
	assert_true(user_lockout_left(st) > 0);
	/* Even the right PIN waits out the lock. */
	assert_int_equal(user_login(st, "1111", &u, &err), -1);
	assert_non_null(strstr(err.msg, "locked"));
}

static void
test_rights_and_approval(void **state)
{
	store *st = *state;
	struct user cashier = { .role = ROLE_CASHIER }, approver;
	struct kerr err;

	assert_true(user_can(&cashier, RIGHT_SELL));
	assert_false(user_can(&cashier, RIGHT_VOID_PAID));
	assert_false(user_can(&cashier, RIGHT_DISCOUNT_BIG));
	assert_false(user_can(NULL, RIGHT_SELL));
	assert_int_equal(user_approve(st, "1111", RIGHT_VOID_PAID, &approver, &err), -1);
	assert_int_equal(err.code, KERR_DENIED);
	assert_non_null(strstr(err.msg, "Dilnoza may not approve"));
	assert_int_equal(user_approve(st, "9999", RIGHT_VOID_PAID, &approver, &err), 0);
	assert_string_equal(approver.name, "Rustam");
	/* Closing the till program is a manager's. */
	assert_false(user_can(&cashier, RIGHT_QUIT));
	assert_int_equal(user_approve(st, "1111", RIGHT_QUIT, &approver, &err), -1);
	assert_int_equal(err.code, KERR_DENIED);
	assert_int_equal(user_approve(st, "9999", RIGHT_QUIT, &approver, &err), 0);
	assert_string_equal(user_right_name(RIGHT_QUIT), "quit");
}

/* The text of one SELECT's first column, malloc'd; NULL for no row. */
static char *
one(store *st, const char *sql)
{
	sqlite3_stmt *q;
	char *out = NULL;

	assert_int_equal(sqlite3_prepare_v2(store_db(st), sql, -1, &q, NULL), SQLITE_OK);
	if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0) != NULL)
		out = strdup((const char *)sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	return out;
}

static void
test_disable_refuses_login_and_approval(void **state)
{
	store *st = *state;
	struct user u, approver;
	struct kerr err;
	char *p;

	assert_int_equal(user_set_active(st, "Rustam", false, &err), 0);
	/* Not a wrong PIN: no lock-out counted; still, neither a log-in nor an approval. */
	assert_int_equal(user_login(st, "9999", &u, &err), -1);
	assert_int_equal(err.code, KERR_DENIED);
	assert_non_null(strstr(err.msg, "disabled"));
	assert_int_equal(user_approve(st, "9999", RIGHT_VOID_PAID, &approver, &err), -1);
	assert_non_null(strstr(err.msg, "disabled"));
	assert_int_equal(store_meta_get_int(st, "login_failures", 0), 0);
	assert_int_equal(user_count(st), 1);
	/* Its event, in the same transaction: who, never a PIN or a hash. */
	p = one(st, "SELECT payload FROM events WHERE type = 'user.disabled'");
	assert_non_null(p);
	assert_string_equal(p, "{\"active\":false,\"name\":\"Rustam\",\"role\":\"manager\","
	    "\"user_id\":2}");
	free(p);
	p = one(st, "SELECT count(*) FROM outbox o JOIN events e USING (seq) WHERE e.type = "
	    "'user.disabled'");
	assert_string_equal(p, "1");
	free(p);
	/* Again: said so, nothing written. */
	assert_int_equal(user_set_active(st, "Rustam", false, &err), -1);
	assert_int_equal(err.code, KERR_STATE);
	assert_int_equal(user_set_active(st, "Nobody", false, &err), -1);
	assert_int_equal(err.code, KERR_NOTFOUND);
	/* Enabled again: logs in. */
	assert_int_equal(user_set_active(st, "Rustam", true, &err), 0);
	assert_int_equal(user_login(st, "9999", &u, &err), 0);
	assert_string_equal(u.name, "Rustam");
	p = one(st, "SELECT group_concat(type) FROM events WHERE type LIKE 'user.%abled'");
	assert_string_equal(p, "user.disabled,user.enabled");
	free(p);
}

static void
test_pin_change(void **state)
{
	store *st = *state;
	struct user u;
	struct kerr err;
	char *p;

	assert_int_equal(user_set_pin(st, "Dilnoza", "123", &err), -1);
	assert_int_equal(err.code, KERR_INPUT);
	assert_int_equal(user_set_pin(st, "Dilnoza", "9999", &err), -1);	/* Rustam's */
	assert_non_null(strstr(err.msg, "another user"));
	/* A disabled user's PIN is taken too: enabling them again must not make twins. */
	assert_int_equal(user_set_active(st, "Rustam", false, &err), 0);
	assert_int_equal(user_set_pin(st, "Dilnoza", "9999", &err), -1);
	assert_int_equal(user_set_pin(st, "Nobody", "4321", &err), -1);
	assert_int_equal(err.code, KERR_NOTFOUND);
	assert_int_equal(user_login(st, "1111", &u, &err), 0);
	/* Her own PIN again is fine; then a new one. */
	assert_int_equal(user_set_pin(st, "Dilnoza", "1111", &err), 0);
	assert_int_equal(user_set_pin(st, "Dilnoza", "246810", &err), 0);
	assert_int_equal(user_login(st, "1111", &u, &err), -1);
	assert_int_equal(user_login(st, "246810", &u, &err), 0);
	assert_string_equal(u.name, "Dilnoza");
	p = one(st, "SELECT count(*) FROM events WHERE type = 'user.pin_changed' AND "
	    "payload NOT LIKE '%$y$%' AND payload NOT LIKE '%246810%' AND payload NOT LIKE '%pin%'");
	assert_string_equal(p, "2");
	free(p);
}

/* Changes from the hub: name, role and disabled, last-write-wins; never a new user. */
static void
test_apply_change_from_hub(void **state)
{
	store *st = *state;
	struct user u;
	struct kerr err;
	char *p;

	assert_int_equal(store_begin(st, &err), 0);
	assert_int_equal(user_apply_change(st, "Rustam", NULL, "admin", 1,
	    "2099-01-01T00:00:00.000Z", &err), 0);
	/* Older than that: ignored. */
	assert_int_equal(user_apply_change(st, "Rustam", NULL, "cashier", 0,
	    "2098-01-01T00:00:00.000Z", &err), 0);
	/* Unknown: no user is made (the PIN is set at the till). */
	assert_int_equal(user_apply_change(st, "Ghost", "Ghost", "admin", 0,
	    "2099-01-01T00:00:00.000Z", &err), 0);
	assert_int_equal(user_apply_change(st, "Dilnoza", NULL, "boss", -1,
	    "2099-01-01T00:00:00.000Z", &err), -1);
	assert_int_equal(user_apply_change(st, "Dilnoza", "Rustam", NULL, -1,
	    "2099-01-01T00:00:00.000Z", &err), -1);
	assert_int_equal(user_apply_change(st, "Dilnoza", "Dilnoza Karimova", NULL, -1,
	    "2099-01-01T00:00:00.000Z", &err), 0);
	assert_int_equal(store_commit(st, &err), 0);
	p = one(st, "SELECT group_concat(name || ':' || role || ':' || active, ',') FROM (SELECT * "
	    "FROM users ORDER BY id)");
	assert_string_equal(p, "Dilnoza Karimova:cashier:1,Rustam:admin:0");
	free(p);
	assert_int_equal(user_login(st, "9999", &u, &err), -1);
	assert_int_equal(user_login(st, "1111", &u, &err), 0);
	assert_string_equal(u.name, "Dilnoza Karimova");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash),
		cmocka_unit_test_setup_teardown(test_login_and_events, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unique_pin_and_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lockout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rights_and_approval, setup, teardown),
		cmocka_unit_test_setup_teardown(test_disable_refuses_login_and_approval, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_pin_change, setup, teardown),
		cmocka_unit_test_setup_teardown(test_apply_change_from_hub, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
