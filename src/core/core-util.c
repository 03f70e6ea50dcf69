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

int64_t
core_id_of(store *st, const char *sql, int64_t arg)
{
	sqlite3_stmt *q;
	int64_t id = 0;

	if (sqlite3_prepare_v2(store_db(st), sql, -1, &q, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_int64(q, 1, arg);
	if (sqlite3_step(q) == SQLITE_ROW)
		id = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return id;
}

int
core_parse_input(const char *input, char *buf, size_t size, char **code, qty_t *mult,
    struct kerr *err)
{
	char *star;

	*mult = 0;
	while (*input == ' ')
		input++;
	if (snprintf(buf, size, "%s", input) >= (int)size)
		return kerr_set(err, KERR_INPUT, _("input too long"));
	for (size_t n = strlen(buf); n > 0 && buf[n - 1] == ' '; n--)
		buf[n - 1] = '\0';
	if (buf[0] == '\0')
		return kerr_set(err, KERR_INPUT, _("type or scan a code"));
	*code = buf;
	if ((star = strchr(buf, '*')) != NULL) {
		*star = '\0';
		*code = star + 1;
		if (qty_parse(buf, mult, err) == -1)
			return -1;
		if (**code == '\0')
			return kerr_set(err, KERR_INPUT, _("N*CODE: the code is missing after "
			    "'*'"));
	}
	return 0;
}

/* One print job; 0 ids bind as NULL. */
static int
queue_job(store *st, const char *kind, int64_t sale_id, int64_t return_id, const char *now,
    struct kerr *err, const char *what)
{
	sqlite3_stmt *q;

	if (core_prepare(st, "INSERT INTO print_jobs(kind, sale_id, return_id, created_at) VALUES "
	    "(?1, ?2, ?3, ?4)", &q, err, what) == -1)
		return -1;
	sqlite3_bind_text(q, 1, kind, -1, SQLITE_STATIC);
	if (sale_id != 0)
		sqlite3_bind_int64(q, 2, sale_id);
	if (return_id != 0)
		sqlite3_bind_int64(q, 3, return_id);
	sqlite3_bind_text(q, 4, now, -1, SQLITE_TRANSIENT);
	return core_run(st, q, err, what);
}

int
core_queue_receipt(store *st, int64_t sale_id, int64_t return_id, bool drawer,
    const char *now, struct kerr *err, const char *what)
{
	if (drawer && queue_job(st, "drawer", sale_id, return_id, now, err, what) == -1)
		return -1;
	return queue_job(st, "receipt", sale_id, return_id, now, err, what);
}

int
core_append_event(store *st, const char *type, const char *payload_sql, int64_t id,
    int64_t b, const char *seq_sql, int64_t *seq, struct kerr *err, const char *what)
{
	sqlite3_stmt *q;

	if (journal_append_sql(st, type, payload_sql, id, b, seq, err) == -1)
		return -1;
	if (core_prepare(st, seq_sql, &q, err, what) == -1)
		return -1;
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_int64(q, 2, *seq);
	return core_run(st, q, err, what);
}
