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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash),
		cmocka_unit_test_setup_teardown(test_login_and_events, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unique_pin_and_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lockout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rights_and_approval, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
