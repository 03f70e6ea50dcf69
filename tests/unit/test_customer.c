/*
 * Unit tests for customers on a real SQLite file: search by card, by phone digits however they
 * are typed and by name (the typed text is never a LIKE pattern), and last-write-wins upserts.
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
#include <sqlite3.h>

#include "testlib.h"

#include "customer.h"
#include "store.h"

struct fx {
	char dir[64];
	store *st;
};

static void
put(store *st, const char *key, const char *name, const char *phone, const char *card,
    const char *at, int deleted)
{
	struct customer c;
	struct kerr err;

	memset(&c, 0, sizeof c);
	snprintf(c.key, sizeof c.key, "%s", key);
	snprintf(c.name, sizeof c.name, "%s", name);
	snprintf(c.phone, sizeof c.phone, "%s", phone);
	snprintf(c.card, sizeof c.card, "%s", card);
	assert_int_equal(store_begin(st, &err), 0);
	if (customer_upsert(st, &c, at, deleted, &err) != 0)
		fail_msg("upsert %s: %s", key, err.msg);
	assert_int_equal(store_commit(st, &err), 0);
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);

	f->st = testlib_store(f->dir, sizeof f->dir, "customer");
	put(f->st, "c1", "Aziza Karimova", "+998 90 123-45-67", "7700001", "2026-11-25T08:00:00Z",
	    0);
	put(f->st, "c2", "Bobur 100% Aliyev", "", "7700002", "2026-11-25T08:00:00Z", 0);
	put(f->st, "c3", "Bobur Toshev", "+998 91 000 11 22", "", "2026-11-25T08:00:00Z", 0);
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

static void
test_search(void **state)
{
	struct fx *f = *state;
	struct customer out[4];
	struct kerr err;

	assert_int_equal(customer_search(f->st, "7700001", out, 4, &err), 1);
	assert_string_equal(out[0].key, "c1");
	/* Phone digits, typed any way, matching the end of the number. */
	assert_int_equal(customer_search(f->st, "90 123 45 67", out, 4, &err), 1);
	assert_string_equal(out[0].key, "c1");
	assert_int_equal(customer_search(f->st, "0001122", out, 4, &err), 1);
	assert_string_equal(out[0].key, "c3");
	/* Name prefix of any word, in name order. */
	assert_int_equal(customer_search(f->st, "bob", out, 4, &err), 2);
	assert_string_equal(out[0].key, "c2");
	assert_int_equal(customer_search(f->st, "Kari", out, 4, &err), 1);
	assert_int_equal(customer_search(f->st, "bob", out, 1, &err), 1);
	/* LIKE's wildcards are plain characters here. */
	assert_int_equal(customer_search(f->st, "%", out, 4, &err), 0);
	assert_int_equal(customer_search(f->st, "_", out, 4, &err), 0);
	assert_int_equal(customer_search(f->st, "100%", out, 4, &err), 1);
	assert_string_equal(out[0].key, "c2");
	assert_int_equal(customer_search(f->st, "", out, 4, &err), 0);
	assert_int_equal(customer_search(f->st, "zzz", out, 4, &err), 0);
}

static void
test_last_write_wins(void **state)
{
	struct fx *f = *state;
	struct customer out[4], c;
	struct kerr err;

	/* An older change is ignored, a newer one applies, a delete hides the customer. */
	put(f->st, "c1", "Old name", "", "7700001", "2026-11-24T00:00:00Z", 0);
	assert_int_equal(customer_search(f->st, "7700001", out, 4, &err), 1);
	assert_string_equal(out[0].name, "Aziza Karimova");
	put(f->st, "c1", "Aziza\tKarimova-Ali", "", "7700001", "2026-11-25T09:00:00Z", 0);
	assert_int_equal(customer_search(f->st, "7700001", out, 4, &err), 1);
	assert_string_equal(out[0].name, "Aziza Karimova-Ali");	/* control characters blanked */
	put(f->st, "c1", "Aziza", "", "7700001", "2026-11-25T10:00:00Z", 1);
	assert_int_equal(customer_search(f->st, "7700001", out, 4, &err), 0);
	/* A card that belongs to someone else is refused. */
	memset(&c, 0, sizeof c);
	snprintf(c.key, sizeof c.key, "c9");
	snprintf(c.name, sizeof c.name, "Copy");
	snprintf(c.card, sizeof c.card, "7700002");
	assert_int_equal(store_begin(f->st, &err), 0);
	assert_int_equal(customer_upsert(f->st, &c, "2026-11-25T10:00:00Z", 0, &err), -1);
	assert_int_equal(err.code, KERR_INPUT);
	store_rollback(f->st);
	/* Outside a transaction, and without a key. */
	assert_int_equal(customer_upsert(f->st, &c, "2026-11-25T10:00:00Z", 0, &err), -1);
	assert_int_equal(err.code, KERR_INTERNAL);
}

/* updated_at is compared as a time: fractions, offsets, bad values, older stored forms. */
static void
test_upsert_compares_times(void **state)
{
	struct fx *f = *state;
	struct customer out[4], c;
	struct kerr err;

	/* c1 is at 08:00:00Z. Half a second later wins, though ".500Z" < "Z" as strings. */
	put(f->st, "c1", "Half", "", "7700001", "2026-11-25T08:00:00.500Z", 0);
	assert_int_equal(customer_search(f->st, "7700001", out, 4, &err), 1);
	assert_string_equal(out[0].name, "Half");
	/* 13:00+05:00 is 08:00 UTC: older than 08:00:00.5, ignored. */
	put(f->st, "c1", "Offset", "", "7700001", "2026-11-25T13:00:00+05:00", 0);
	assert_int_equal(customer_search(f->st, "7700001", out, 4, &err), 1);
	assert_string_equal(out[0].name, "Half");
	put(f->st, "c1", "Offset", "", "7700001", "2026-11-25T13:00:01+05:00", 0);
	assert_int_equal(customer_search(f->st, "7700001", out, 4, &err), 1);
	assert_string_equal(out[0].name, "Offset");
	/* "9999" is refused (naming the key) and does not block later changes. */
	memset(&c, 0, sizeof c);
	snprintf(c.key, sizeof c.key, "c1");
	snprintf(c.name, sizeof c.name, "Never");
	assert_int_equal(store_begin(f->st, &err), 0);
	assert_int_equal(customer_upsert(f->st, &c, "9999", 0, &err), -1);
	assert_int_equal(err.code, KERR_INPUT);
	assert_non_null(strstr(err.msg, "c1"));
	store_rollback(f->st);
	put(f->st, "c1", "Nine", "", "7700001", "2026-11-25T09:00:00Z", 0);
	assert_int_equal(customer_search(f->st, "7700001", out, 4, &err), 1);
	assert_string_equal(out[0].name, "Nine");
	/* Stored by an older till as it came: compared by the time it names; one that names
	 * no time loses to any valid change. */
	assert_int_equal(sqlite3_exec(store_db(f->st), "UPDATE customers SET updated_at = "
	    "'2026-11-25T15:00:00+05:00' WHERE key = 'c1'", NULL, NULL, NULL), SQLITE_OK);
	put(f->st, "c1", "Old", "", "7700001", "2026-11-25T09:59:59Z", 0);
	assert_int_equal(customer_search(f->st, "7700001", out, 4, &err), 1);
	assert_string_equal(out[0].name, "Nine");
	assert_int_equal(sqlite3_exec(store_db(f->st), "UPDATE customers SET updated_at = "
	    "'9999' WHERE key = 'c1'", NULL, NULL, NULL), SQLITE_OK);
	put(f->st, "c1", "Unblocked", "", "7700001", "2026-11-25T09:59:59Z", 0);
	assert_int_equal(customer_search(f->st, "7700001", out, 4, &err), 1);
	assert_string_equal(out[0].name, "Unblocked");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_search, setup, teardown),
		cmocka_unit_test_setup_teardown(test_last_write_wins, setup, teardown),
		cmocka_unit_test_setup_teardown(test_upsert_compares_times, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
