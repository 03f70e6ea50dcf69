/*
 * testlib.h: what the cmocka unit tests share: a one-number query and removing a test's temp
 * folder. Included by tests/unit/test_*.c after <cmocka.h>.
 */
#ifndef KASSA_TESTLIB_H
#define KASSA_TESTLIB_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <sqlite3.h>

#include "store.h"

/* The first column of the first row of sql, which must have one. */
static inline int64_t
q1(store *st, const char *sql)
{
	sqlite3_stmt *q;
	int64_t n;

	assert_int_equal(sqlite3_prepare_v2(store_db(st), sql, -1, &q, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	n = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return n;
}

/* A new database in a fresh folder /tmp/kassa-NAME-XXXXXX (its path into dir). */
static inline store *
testlib_store(char *dir, size_t size, const char *name)
{
	char path[128];
	struct kerr err;
	store *st;

	snprintf(dir, size, "/tmp/kassa-%s-XXXXXX", name);
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/k.db", dir);
	st = store_open(path, STORE_CREATE, &err);
	if (st == NULL)
		fail_msg("%s", err.msg);
	return st;
}

/* Removes a test's temp folder (made with mkdtemp under /tmp). */
static inline void
testlib_rmdir(const char *dir)
{
	char cmd[160];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

#endif
