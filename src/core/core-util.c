/*
 * core-util.c: the core's shared private helpers (core-int.h), so that each exists once and
 * every statement they hand out follows the same lifetime rule.
 */
#include <stdio.h>
#include <string.h>

#include "core-int.h"
#include "i18n.h"
#include "journal.h"

int
core_prepare(store *st, const char *sql, sqlite3_stmt **q, struct kerr *err, const char *what)
{
	*q = store_cached(st, sql);
	if (*q == NULL)
		return store_error(st, err, what);
	return 0;
}

void
core_release(sqlite3_stmt *q)
{
	store_release(q);
}

int
core_run(store *st, sqlite3_stmt *q, struct kerr *err, const char *what)
{
	int rc = sqlite3_step(q);

	/* The error must be read before the reset, which would report it again as its own. */
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		store_error(st, err, what);
		store_release(q);
		return -1;
	}
	store_release(q);
	return 0;
}

void
core_text(sqlite3_stmt *q, int col, char *buf, size_t size)
{
	const unsigned char *t = sqlite3_column_text(q, col);

	snprintf(buf, size, "%s", t != NULL ? (const char *)t : "");
}

void
core_blank_controls(char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < ' ' || *s == 0x7f)
			*s = ' ';
	}
}

void
core_name_clean(char *s)
{
	size_t len, lead;

	core_blank_controls(s);
	len = strlen(s);
	while (len > 0 && s[len - 1] == ' ')
		len--;
	s[len] = '\0';
	lead = strspn(s, " ");
	memmove(s, s + lead, len - lead + 1);
}

int
core_check_right(store *st, const struct user *u, const struct user *approver,
    enum user_right right, const char *what, int64_t sale_id, bool *denied, struct kerr *err)
{
	if (user_can(u, right))
		return 0;
	if (approver == NULL || !user_can(approver, right)) {
		if (denied != NULL)
			*denied = true;
		return kerr_set(err, KERR_DENIED, _("%s needs a manager's approval"), _(what));
	}
	/* Keys in sorted order: canonical JSON (journal.h). No row has id 0, so sale_id 0 gives
	 * a null sale. */
	return journal_append_bind(st, "approval.granted", "SELECT json_object('approver', "
	    "(SELECT name FROM users WHERE id = ?2), 'right', ?4, 'sale', (SELECT uuid FROM sales "
	    "WHERE id = ?3), 'user', (SELECT name FROM users WHERE id = ?1))", u->id, approver->id,
	    sale_id, user_right_name(right), NULL, err);
}
