/*
 * user-list.c: the users of the till for `kassa user list` (support asks "who can log in
 * here?"). Read-only; names, roles and whether they are active, never the PIN hashes.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "core-int.h"
#include "kerr.h"
#include "store.h"
#include "user.h"
#include "xalloc.h"

int
user_list(store *st, user_list_fn fn, void *ctx, struct kerr *err)
{
	static const char sql[] =
		"SELECT id, name, role, active, updated_at FROM users ORDER BY name";
	sqlite3_stmt *q = NULL;
	struct user_info u;
	const unsigned char *t;
	bool ok;
	int rc = -1, step;

	if (sqlite3_prepare_v2(store_db(st), sql, -1, &q, NULL) != SQLITE_OK) {
		store_error(st, err, "listing the users");
		goto out;
	}
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		memset(&u, 0, sizeof u);
		u.id = sqlite3_column_int64(q, 0);
		core_text(q, 1, u.name, sizeof u.name);
		t = sqlite3_column_text(q, 2);
		u.role = user_role_parse(t != NULL ? (const char *)t : "", &ok);
		u.active = sqlite3_column_int(q, 3) != 0;
		core_text(q, 4, u.updated_at, sizeof u.updated_at);
		if (fn(ctx, &u) == -1) {
			if (err != NULL && err->code == KERR_OK)
				kerr_set(err, KERR_STATE, "stopped");
			goto out;
		}
	}
	if (step != SQLITE_DONE) {
		store_error(st, err, "listing the users");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(q);
	return rc;
}

char *
user_list_json(store *st, struct kerr *err)
{
	static const char sql[] =
		"SELECT coalesce(json_group_array(json(j)), '[]') FROM (SELECT json_object('id', "
		"id, 'name', name, 'role', role, 'active', json(CASE active WHEN 0 THEN 'false' "
		"ELSE 'true' END), 'updated_at', updated_at) AS j FROM users ORDER BY name)";
	sqlite3_stmt *q = NULL;
	char *out = NULL;

	if (sqlite3_prepare_v2(store_db(st), sql, -1, &q, NULL) != SQLITE_OK) {
		store_error(st, err, "listing the users");
		return NULL;
	}
	if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0) != NULL)
		out = xstrdup((const char *)sqlite3_column_text(q, 0));
	else
		store_error(st, err, "listing the users");
	sqlite3_finalize(q);
	return out;
}
