/*
 * customer: the shop's customers, their credit (nasiya) and points. Customers are made here
 * (customer.added) or come down from upstream (last-write-wins by updated_at); balances and
 * points are derived from the events every time they are asked for (customer.h says how), so
 * there is no figure that could drift from the journal.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "core-int.h"
#include "customer.h"
#include "i18n.h"
#include "journal.h"
#include "shift.h"
#include "text.h"
#include "timestamp.h"
#include "xalloc.h"

static struct customer_rules rules;

void
customer_rules_set(const struct customer_rules *r)
{
	rules = *r;
}

const struct customer_rules *
customer_rules_get(void)
{
	return &rules;
}

/*
 * The events after the hub's confirmation that move a customer: one row each, for the
 * customers c of the enclosing query. dbal: what it added to the balance; dpts: to the points;
 * given: the credit a sale gave. The join is the expression of the partial index
 * events_customer (schema.sql), word for word, so SQLite searches the index; +c.key takes
 * the column's TEXT affinity off the comparison, which would otherwise rule the index out
 * (a scan of every event).
 */
#define MOVES_SQL(cond) \
	"SELECT cid, seq, at, type, num, CASE type WHEN 'customer.paid' THEN -paid WHEN " \
	" 'sale.returned' THEN -cr ELSE cr END AS dbal, CASE type WHEN 'sale.completed' THEN " \
	" coalesce(pts, 0) - coalesce(used, 0) WHEN 'sale.returned' THEN coalesce(back, 0) - " \
	" coalesce(pts, 0) ELSE 0 END AS dpts, CASE type WHEN 'sale.completed' THEN cr ELSE 0 " \
	" END AS given, paid FROM (SELECT c.id AS cid, e.seq, e.at, e.type, e.payload ->> " \
	" '$.number' AS num, e.payload ->> '$.points' AS pts, e.payload ->> '$.points_used' AS " \
	" used, e.payload ->> '$.points_back' AS back, e.payload ->> '$.amount' AS paid, (SELECT " \
	" coalesce(sum(j.value ->> '$.amount'), 0) FROM json_each(e.payload, '$.payments') j " \
	" WHERE j.value ->> '$.method' = 'credit') AS cr " \
	"FROM customers c JOIN events e ON (CASE WHEN json_valid(e.payload) THEN " \
	" json_extract(e.payload, '$.customer') END) = +c.key AND " \
	" e.type IN ('sale.completed', 'sale.returned', 'customer.paid') AND e.seq > c.hub_seq " \
	" WHERE " cond ") "

/*
 * Per customer: the balance and points, and since when the balance has been above 0 (the
 * last time a move took it from 0 or less to more than 0; the hub's time when it was owed
 * before any of this till's moves).
 */
#define FIGURES_SQL(cond) \
	"WITH m AS (" MOVES_SQL("c.deleted = 0 AND " cond) "), " \
	"r AS (SELECT m.*, c.hub_balance + sum(dbal) OVER (PARTITION BY cid ORDER BY seq) AS " \
	" run FROM m JOIN customers c ON c.id = m.cid), " \
	"a AS (SELECT cid, sum(dbal) AS dbal, sum(dpts) AS dpts, max(CASE WHEN run > 0 AND " \
	" run - dbal <= 0 THEN at END) AS crossed FROM r GROUP BY cid), " \
	"f AS (SELECT c.id, c.key, c.name, coalesce(c.phone, '') AS phone, coalesce(c.card, '') " \
	" AS card, c.credit_limit AS lim, c.hub_balance + coalesce(a.dbal, 0) AS balance, " \
	" c.hub_points + coalesce(a.dpts, 0) AS points, CASE WHEN c.hub_balance + " \
	" coalesce(a.dbal, 0) > 0 THEN coalesce(a.crossed, c.hub_at, '') ELSE '' END AS since, " \
	" coalesce(c.hub_at, '') AS hub_at, c.hub_balance, c.hub_points " \
	" FROM customers c LEFT JOIN a ON a.cid = c.id WHERE c.deleted = 0 AND " cond ") "

static const char saving[] = N_("saving a customer");
static const char reading[] = N_("reading customers");

int
customer_phone_norm(const char *in, char *out, size_t size, struct kerr *err)
{
	char d[24];
	size_t n = 0;

	for (const char *p = in; *p != '\0'; p++) {
		if (isdigit((unsigned char)*p)) {
			if (n + 1 >= sizeof d)
				return kerr_set(err, KERR_INPUT, _("%s is not a phone number"), in);
			d[n++] = *p;
		} else if (strchr(" -()+.", *p) == NULL)
			return kerr_set(err, KERR_INPUT, _("%s is not a phone number"), in);
	}
	d[n] = '\0';
	if (n == 9)
		snprintf(out, size, "+998%s", d);
	else if (n >= 7 && n <= 15)
		snprintf(out, size, "+%s", d);
	else
		return kerr_set(err, KERR_INPUT, _("%s is not a phone number (7 to 15 digits)"),
		    in);
	return 0;
}

static void
read_customer(sqlite3_stmt *q, struct customer *c)
{
	c->id = sqlite3_column_int64(q, 0);
	core_text(q, 1, c->key, sizeof c->key);
	core_text(q, 2, c->name, sizeof c->name);
	core_text(q, 3, c->phone, sizeof c->phone);
	core_text(q, 4, c->card, sizeof c->card);
	c->limit = sqlite3_column_int64(q, 5);
}

#define CUSTOMER_COLS "id, key, name, coalesce(phone, ''), coalesce(card, ''), credit_limit"

int
customer_search(store *st, const char *query, struct customer *out, int max,
    struct kerr *err)
{
	char digits[64], like[600];
	size_t nd = 0, nl = 0;
	sqlite3_stmt *q;
	int n = 0, rc;

	while (*query == ' ')
		query++;
	if (*query == '\0' || max <= 0)
		return 0;
	/* Phone numbers are typed any way ("+998 90 123-45-67"): match on the digits. */
	for (const char *p = query; *p != '\0' && nd + 1 < sizeof digits; p++) {
		if (isdigit((unsigned char)*p))
			digits[nd++] = *p;
	}
	digits[nd] = '\0';
	/* What the cashier typed is text, not a pattern: escape LIKE's wildcards. */
	for (const char *p = query; *p != '\0' && nl + 2 < sizeof like; p++) {
		if (*p == '%' || *p == '_' || *p == '\\')
			like[nl++] = '\\';
		like[nl++] = *p;
	}
	like[nl] = '\0';
	/* Any part of the phone's digits, from 4 on (fewer match too many). */
	if (sqlite3_prepare_v2(store_db(st), "SELECT " CUSTOMER_COLS " FROM customers WHERE "
	    "deleted = 0 AND (card = ?1 OR (length(?2) >= 4 AND replace(replace(replace(replace("
	    "replace(phone, ' ', ''), '-', ''), '+', ''), '(', ''), ')', '') LIKE '%' || ?2 || "
	    "'%') OR name LIKE ?3 || '%' ESCAPE '\\' OR name LIKE '% ' || ?3 || '%' ESCAPE '\\') "
	    "ORDER BY card = ?1 DESC, name LIMIT ?4", -1, &q, NULL) != SQLITE_OK)
		return store_error(st, err, N_("searching customers"));
	sqlite3_bind_text(q, 1, query, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, digits, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, like, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 4, max);
	while (n < max && (rc = sqlite3_step(q)) == SQLITE_ROW)
		read_customer(q, &out[n++]);
	sqlite3_finalize(q);
	if (n < max && rc != SQLITE_DONE)
		return store_error(st, err, N_("searching customers"));
	return n;
}

int
customer_find(store *st, const char *code, struct customer *out, struct kerr *err)
{
	char phone[32] = "";
	struct kerr ignore;
	sqlite3_stmt *q;
	int rc;

	if (customer_phone_norm(code, phone, sizeof phone, &ignore) == -1)
		phone[0] = '\0';
	if (core_prepare(st, "SELECT " CUSTOMER_COLS " FROM customers WHERE deleted = 0 AND "
	    "(card = ?1 OR phone = ?2) ORDER BY card = ?1 DESC LIMIT 1", &q, err, reading) == -1)
		return -1;
	sqlite3_bind_text(q, 1, code, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, phone, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		read_customer(q, out);
	core_release(q);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_error(st, err, reading);
	return rc == SQLITE_ROW;
}

int
customer_get(store *st, int64_t id, struct customer *out, struct kerr *err)
{
	sqlite3_stmt *q;
	int rc;

	if (core_prepare(st, "SELECT " CUSTOMER_COLS " FROM customers WHERE id = ?1", &q, err,
	    reading) == -1)
		return -1;
	sqlite3_bind_int64(q, 1, id);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		read_customer(q, out);
	core_release(q);
	if (rc == SQLITE_DONE)
		return kerr_set(err, KERR_NOTFOUND, _("no such customer"));
	if (rc != SQLITE_ROW)
		return store_error(st, err, reading);
	return 0;
}

/* The right to give credit: the command line (u NULL) runs as the shop's admin. */
static int
check_limit_right(store *st, const struct user *u, const struct user *approver, bool *denied,
    struct kerr *err)
{
	if (u == NULL)
		return 0;
	return core_check_right(st, u, approver, RIGHT_CREDIT_LIMIT, N_("A credit limit"), 0,
	    denied, err);
}

/* 1 when another live customer has that phone (phone) or card, 0 not, -1 error. */
static int
taken(store *st, const char *sql, const char *value, struct kerr *err)
{
	sqlite3_stmt *q;
	int rc;

	if (value[0] == '\0')
		return 0;
	if (core_prepare(st, sql, &q, err, saving) == -1)
		return -1;
	sqlite3_bind_text(q, 1, value, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	core_release(q);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_error(st, err, saving);
	return rc == SQLITE_ROW;
}

int
customer_add(store *st, const struct user *u, const struct user *approver,
    const char *name_in, const char *phone_in, const char *card_in, money_t limit,
    bool *denied, int64_t *id, struct kerr *err)
{
	char name[256], phone[32] = "", card[48], key[40], now[32];
	sqlite3_stmt *q;
	int64_t new_id;
	if (denied != NULL)
		*denied = false;
	if (strlen(name_in) >= sizeof name)
		return kerr_set(err, KERR_INPUT, _("the name is too long"));
	/* The name rule (core-int.h): it is printed on receipts and goes into the event. */
	snprintf(name, sizeof name, "%s", name_in);
	core_name_clean(name);
	if (name[0] == '\0')
		return kerr_set(err, KERR_INPUT, _("a customer needs a name"));
	/* Text that is not UTF-8 would reach the event and stop sync (text.h). */
	if (text_check_line(name, N_("the customer's name"), err) == -1)
		return -1;
	if (phone_in != NULL && phone_in[0] != '\0' &&
	    customer_phone_norm(phone_in, phone, sizeof phone, err) == -1)
		return -1;
	snprintf(card, sizeof card, "%s", card_in != NULL ? card_in : "");
	if (card_in != NULL && strlen(card_in) >= sizeof card)
		return kerr_set(err, KERR_INPUT, _("the card number is too long"));
	for (const char *p = card; *p != '\0'; p++) {
		if (!isalnum((unsigned char)*p))
			return kerr_set(err, KERR_INPUT, _("a card number is letters and digits"));
	}
	if (limit < 0)
		return kerr_set(err, KERR_INPUT, _("a credit limit cannot be negative"));
	if (store_begin(st, err) == -1)
		return -1;
	switch (taken(st, "SELECT 1 FROM customers WHERE phone = ?1 AND deleted = 0", phone,
	    err)) {
	case -1:
		goto fail;
	case 1:
		kerr_set(err, KERR_INPUT, _("phone %s belongs to another customer"), phone);
		goto fail;
	}
	switch (taken(st, "SELECT 1 FROM customers WHERE card = ?1", card, err)) {
	case -1:
		goto fail;
	case 1:
		kerr_set(err, KERR_INPUT, _("card %s belongs to another customer"), card);
		goto fail;
	}
	if (limit > 0 && check_limit_right(st, u, approver, denied, err) == -1)
		goto fail;
	store_uuid(key);
	store_now(now, sizeof now);
	if (core_prepare(st, "INSERT INTO customers(key, name, phone, card, updated_at, "
	    "credit_limit) VALUES (?1, ?2, nullif(?3, ''), nullif(?4, ''), ?5, ?6)", &q, err,
	    saving) == -1)
		goto fail;
	sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, phone, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, card, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, now, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 6, limit);
	if (core_run(st, q, err, saving) == -1)
		goto fail;
	new_id = sqlite3_last_insert_rowid(store_db(st));
	/* Keys in sorted order: canonical JSON (journal.h). user null: the command line. */
	if (journal_append_bind(st, "customer.added", "SELECT json_object('card', card, 'key', key, "
	    "'limit', credit_limit, 'name', name, 'phone', phone, 'updated_at', updated_at, "
	    "'user', (SELECT name FROM users WHERE id = ?2)) FROM customers WHERE id = ?1",
	    new_id, u != NULL ? u->id : 0, 0, NULL, NULL, err) == -1)
		goto fail;
	if (store_commit(st, err) == -1)
		return -1;
	if (id != NULL)
		*id = new_id;
	return 0;
fail:
	store_rollback(st);
	return -1;
}

int
customer_set_limit(store *st, const struct user *u, const struct user *approver, int64_t id,
    money_t limit, bool *denied, struct kerr *err)
{
	sqlite3_stmt *q;
	char now[32];

	if (denied != NULL)
		*denied = false;
	if (limit < 0)
		return kerr_set(err, KERR_INPUT, _("a credit limit cannot be negative"));
	if (store_begin(st, err) == -1)
		return -1;
	if (check_limit_right(st, u, approver, denied, err) == -1)
		goto fail;
	if (core_prepare(st, "UPDATE customers SET credit_limit = ?2, updated_at = ?3 WHERE id = ?1 "
	    "AND deleted = 0", &q, err, saving) == -1)
		goto fail;
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_int64(q, 2, limit);
	sqlite3_bind_text(q, 3, store_now(now, sizeof now), -1, SQLITE_TRANSIENT);
	if (core_run(st, q, err, saving) == -1)
		goto fail;
	if (sqlite3_changes(store_db(st)) != 1) {
		kerr_set(err, KERR_NOTFOUND, _("no such customer"));
		goto fail;
	}
	if (journal_append_bind(st, "customer.limit", "SELECT json_object('approver', (SELECT name "
	    "FROM users WHERE id = ?3), 'customer', key, 'limit', credit_limit, 'updated_at', "
	    "updated_at, 'user', (SELECT name FROM users WHERE id = ?2)) FROM customers WHERE "
	    "id = ?1", id, u != NULL ? u->id : 0, approver != NULL ? approver->id : 0, NULL,
	    NULL, err) == -1)
		goto fail;
	return store_commit(st, err);
fail:
	store_rollback(st);
	return -1;
}

int
customer_figures(store *st, int64_t id, struct customer_figures *out, struct kerr *err)
{
	sqlite3_stmt *q;
	int rc;

	memset(out, 0, sizeof *out);
	if (core_prepare(st, FIGURES_SQL("c.id = ?1") "SELECT f.balance, f.points, f.lim, f.since, f.hub_at, "
	    "(SELECT coalesce(sum(given), 0) FROM m) FROM f "
	    "WHERE f.id = ?1", &q, err, reading) == -1)
		return -1;
	sqlite3_bind_int64(q, 1, id);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		out->balance = sqlite3_column_int64(q, 0);
		out->points = sqlite3_column_int64(q, 1);
		out->limit = sqlite3_column_int64(q, 2);
		core_text(q, 3, out->owed_since, sizeof out->owed_since);
		core_text(q, 4, out->hub_at, sizeof out->hub_at);
		out->unconfirmed = sqlite3_column_int64(q, 5);
		out->credit_left = out->limit > out->balance ? out->limit - out->balance : 0;
	}
	core_release(q);
	if (rc == SQLITE_DONE)
		return kerr_set(err, KERR_NOTFOUND, _("no such customer"));
	if (rc != SQLITE_ROW)
		return store_error(st, err, reading);
	return 0;
}

int64_t
customer_points_earned(money_t paid_other)
{
	money_t worth;

	if (rules.earn_bp <= 0 || paid_other <= 0 ||
	    !money_muldiv(paid_other, rules.earn_bp, 10000, &worth))
		return 0;
	/* Whole so'm only: a point is worth 100 minor units, and what is short of one is lost. */
	return worth / 100;
}

int
customer_check_tender(store *st, int64_t id, const char *method, money_t amount,
    struct kerr *err)
{
	struct customer_figures f;
	char a[32], b[32], c[32];

	if (id <= 0)
		return kerr_set(err, KERR_STATE, _("attach a customer first (F7): %s needs one"),
		    strcmp(method, "credit") == 0 ? _("credit") : _("points"));
	if (customer_figures(st, id, &f, err) == -1)
		return -1;
	if (strcmp(method, "points") == 0) {
		if (amount % 100 != 0)
			return kerr_set(err, KERR_INPUT, _("points pay whole so'm only"));
		if (amount / 100 > f.points)
			return kerr_set(err, KERR_STATE, _("the customer has only %lld points"),
			    (long long)(f.points > 0 ? f.points : 0));
		return 0;
	}
	if (f.balance + amount > f.limit)
		return kerr_set(err, KERR_STATE, _("over the credit limit: %s of credit is left "
		    "(limit %s, owed %s); take the rest in cash or by card"),
		    money_format(f.credit_left, a, sizeof a), money_format(f.limit, b, sizeof b),
		    money_format(f.balance, c, sizeof c));
	if (rules.offline_cap > 0 && f.unconfirmed + amount > rules.offline_cap) {
		money_t left = rules.offline_cap - f.unconfirmed;

		return kerr_set(err, KERR_STATE, _("this till may give only %s more credit to "
		    "this customer before the hub confirms the balance ([credit] offline_cap "
		    "%s); take the rest in cash or by card"),
		    money_format(left > 0 ? left : 0, a, sizeof a),
		    money_format(rules.offline_cap, b, sizeof b));
	}
	return 0;
}

int
customer_pay(store *st, const struct user *u, int64_t id, const char *method, money_t amount,
    money_t *before, money_t *after, struct kerr *err)
{
	struct customer_figures f;
	int64_t shift_id, seq;
	sqlite3_stmt *q;
	char now[32], *payload;
	bool cash;
	int rc;

	if (strcmp(method, "cash") != 0 && strcmp(method, "card") != 0)
		return kerr_set(err, KERR_INPUT, _("a repayment is in cash or by card"));
	cash = strcmp(method, "cash") == 0;
	if (amount <= 0)
		return kerr_set(err, KERR_INPUT, _("a repayment must be more than 0"));
	if (!shift_current(st, &shift_id))
		return kerr_set(err, KERR_STATE, _("no shift is open: a repayment is counted in "
		    "the shift's cash; open one at the till first"));
	if (store_begin(st, err) == -1)
		return -1;
	if (customer_figures(st, id, &f, err) == -1)
		goto fail;
	/* Keys in sorted order: canonical JSON (journal.h). */
	if (core_prepare(st, "SELECT json_object('amount', ?2, 'balance_after', ?3 - ?2, "
	    "'balance_before', ?3, 'customer', c.key, 'method', ?4, 'name', c.name, 'shift', "
	    "(SELECT number FROM shifts WHERE closed_at IS NULL), 'user', (SELECT name FROM users "
	    "WHERE id = ?5)) FROM customers c WHERE c.id = ?1 AND c.deleted = 0", &q, err,
	    saving) == -1)
		goto fail;
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_int64(q, 2, amount);
	sqlite3_bind_int64(q, 3, f.balance);
	sqlite3_bind_text(q, 4, method, -1, SQLITE_STATIC);
	if (u != NULL)
		sqlite3_bind_int64(q, 5, u->id);
	if (sqlite3_step(q) != SQLITE_ROW) {
		core_release(q);
		kerr_set(err, KERR_NOTFOUND, _("no such customer"));
		goto fail;
	}
	payload = xstrdup((const char *)sqlite3_column_text(q, 0));
	core_release(q);
	rc = journal_append(st, "customer.paid", payload, &seq, err);
	free(payload);
	if (rc == -1)
		goto fail;
	if (core_prepare(st, cash ? "UPDATE shifts SET repaid_cash = repaid_cash + ?2 WHERE id = ?1" :
	    "UPDATE shifts SET repaid_card = repaid_card + ?2 WHERE id = ?1", &q, err, saving) == -1)
		goto fail;
	sqlite3_bind_int64(q, 1, shift_id);
	sqlite3_bind_int64(q, 2, amount);
	if (core_run(st, q, err, saving) == -1)
		goto fail;
	store_now(now, sizeof now);
	for (int i = cash ? 0 : 1; i < 2; i++) {
		if (core_prepare(st, "INSERT INTO print_jobs(kind, repayment_seq, created_at) VALUES "
		    "(?1, ?2, ?3)", &q, err, saving) == -1)
			goto fail;
		sqlite3_bind_text(q, 1, i == 0 ? "drawer" : "receipt", -1, SQLITE_STATIC);
		sqlite3_bind_int64(q, 2, seq);
		sqlite3_bind_text(q, 3, now, -1, SQLITE_STATIC);
		if (core_run(st, q, err, saving) == -1)
			goto fail;
	}
	if (store_commit(st, err) == -1)
		return -1;
	if (before != NULL)
		*before = f.balance;
	if (after != NULL)
		*after = f.balance - amount;
	return 0;
fail:
	store_rollback(st);
	return -1;
}

/* The list's order and filter: debtors, largest first; or everyone by name. */
#define LIST_SQL(sel) FIGURES_SQL("1") "SELECT " sel " FROM f WHERE ?1 = 0 OR f.balance > 0 " \
	"ORDER BY CASE WHEN ?1 THEN -f.balance ELSE 0 END, f.name, f.id"

int
customer_list(store *st, bool debtors_only, int (*fn)(void *ctx,
    const struct customer_row *r), void *ctx, int *count, struct kerr *err)
{
	struct customer_row row;
	sqlite3_stmt *q;
	int n = 0, rc;

	if (sqlite3_prepare_v2(store_db(st), LIST_SQL("f.id, f.key, f.name, f.phone, f.card, "
	    "f.lim, f.balance, f.points, f.since"), -1, &q, NULL) != SQLITE_OK)
		return store_error(st, err, reading);
	sqlite3_bind_int(q, 1, debtors_only);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		memset(&row, 0, sizeof row);
		read_customer(q, &row.c);
		row.balance = sqlite3_column_int64(q, 6);
		row.points = sqlite3_column_int64(q, 7);
		core_text(q, 8, row.owed_since, sizeof row.owed_since);
		n++;
		if (fn(ctx, &row) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return store_error(st, err, reading);
	if (count != NULL)
		*count = n;
	return 0;
}

/* The first column of a one-row query with ?1 = arg, malloc'd, or NULL with err. */
static char *
one_text(store *st, const char *sql, int64_t arg, struct kerr *err)
{
	sqlite3_stmt *q;
	char *out = NULL;
	int rc;

	if (sqlite3_prepare_v2(store_db(st), sql, -1, &q, NULL) != SQLITE_OK) {
		store_error(st, err, reading);
		return NULL;
	}
	sqlite3_bind_int64(q, 1, arg);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW && sqlite3_column_text(q, 0) != NULL)
		out = xstrdup((const char *)sqlite3_column_text(q, 0));
	else if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		kerr_set(err, KERR_NOTFOUND, _("no such customer"));
	else
		store_error(st, err, reading);
	sqlite3_finalize(q);
	return out;
}

#define ROW_JSON "json_object('id', f.id, 'key', f.key, 'name', f.name, 'phone', " \
	"nullif(f.phone, ''), 'card', nullif(f.card, ''), 'balance', f.balance, 'limit', f.lim, " \
	"'points', f.points, 'owed_since', nullif(f.since, ''))"

char *
customer_list_json(store *st, bool debtors_only, struct kerr *err)
{
	return one_text(st, "SELECT coalesce(json_group_array(json(j)), '[]') FROM (" LIST_SQL(
	    ROW_JSON " AS j") ")", debtors_only, err);
}

char *
customer_history_json(store *st, int64_t id, struct kerr *err)
{
	/* The hub's confirmed figures are the start; each of this till's moves after them
	 * carries the balance and points it left. */
	return one_text(st, FIGURES_SQL("c.id = ?1") ", h AS (SELECT m.*, c.hub_balance + sum(dbal) OVER w AS "
	    " bal, c.hub_points + sum(dpts) OVER w AS pts FROM (" MOVES_SQL("c.id = ?1") ") m "
	    " JOIN customers c ON c.id = m.cid WINDOW w AS (ORDER BY seq)) "
	    "SELECT json_insert(" ROW_JSON ", '$.hub', CASE WHEN f.hub_at <> '' THEN "
	    " json_object('balance', f.hub_balance, 'points', f.hub_points, 'at', f.hub_at) END, "
	    " '$.history', (SELECT coalesce(json_group_array(json(j)), '[]') FROM (SELECT "
	    " json_object('seq', seq, 'at', at, 'kind', CASE type WHEN 'sale.completed' THEN "
	    " 'sale' WHEN 'sale.returned' THEN 'return' ELSE 'repayment' END, 'number', num, "
	    " 'credit', CASE WHEN type = 'customer.paid' THEN 0 ELSE abs(dbal) END, 'paid', "
	    " coalesce(paid, 0), 'points', dpts, 'balance', bal, 'points_after', pts) AS j FROM h "
	    " ORDER BY seq))) FROM f WHERE f.id = ?1", id, err);
}

int
customer_history(store *st, int64_t id, int (*fn)(void *ctx, const struct customer_move *m),
    void *ctx, struct kerr *err)
{
	struct customer_move m;
	sqlite3_stmt *q;
	int rc;

	if (sqlite3_prepare_v2(store_db(st), "SELECT seq, at, CASE type WHEN 'sale.completed' "
	    "THEN 'sale' WHEN 'sale.returned' THEN 'return' ELSE 'repayment' END, coalesce(num, 0), "
	    "CASE WHEN type = 'customer.paid' THEN 0 ELSE abs(dbal) END, coalesce(paid, 0), dpts, "
	    "c.hub_balance + sum(dbal) OVER w, c.hub_points + sum(dpts) OVER w FROM ("
	    MOVES_SQL("c.id = ?1") ") m JOIN customers c ON c.id = m.cid WINDOW w AS (ORDER BY "
	    "seq) "
	    "ORDER BY seq", -1, &q, NULL) != SQLITE_OK)
		return store_error(st, err, reading);
	sqlite3_bind_int64(q, 1, id);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		memset(&m, 0, sizeof m);
		m.seq = sqlite3_column_int64(q, 0);
		core_text(q, 1, m.at, sizeof m.at);
		core_text(q, 2, m.kind, sizeof m.kind);
		m.number = sqlite3_column_int64(q, 3);
		m.credit = sqlite3_column_int64(q, 4);
		m.paid = sqlite3_column_int64(q, 5);
		m.points = sqlite3_column_int64(q, 6);
		m.balance = sqlite3_column_int64(q, 7);
		m.points_after = sqlite3_column_int64(q, 8);
		if (fn(ctx, &m) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return store_error(st, err, reading);
	return 0;
}

/* What is stored for key: 1 and its updated_at into buf, 0 none, -1 error. */
static int
stored_at(store *st, const char *sql, const char *key, char *buf, size_t size,
    struct kerr *err)
{
	sqlite3_stmt *q;
	int rc;

	if (core_prepare(st, sql, &q, err, saving) == -1)
		return -1;
	sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		core_text(q, 0, buf, size);
	core_release(q);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_error(st, err, saving);
	return rc == SQLITE_ROW;
}

int
customer_upsert(store *st, const struct customer *given, const char *given_at, int deleted,
    struct kerr *err)
{
	struct customer copy = *given, *c = &copy;
	char updated_at[TIMESTAMP_SIZE], stored[40] = "", phone[32] = "";
	struct kerr why;
	sqlite3_stmt *q;
	int rc;

	core_blank_controls(copy.key);
	core_name_clean(copy.name);	/* the name rule (core-int.h) */
	core_blank_controls(copy.phone);
	core_blank_controls(copy.card);

	if (!store_in_tx(st))
		return kerr_set(err, KERR_INTERNAL, "customer_upsert outside a transaction");
	if (c->key[0] == '\0')
		return kerr_set(err, KERR_INPUT, _("a customer needs a key"));
	/* Text that is not UTF-8 would reach events and stop sync (issue 9). */
	if (text_check_line(c->key, N_("the customer's key"), err) == -1 ||
	    text_check_line(c->name, N_("the customer's name"), err) == -1 ||
	    text_check_line(c->phone, N_("the customer's phone"), err) == -1 ||
	    text_check_line(c->card, N_("the customer's card"), err) == -1)
		return -1;
	/* Stored canonical, so updated_at compares as a string of UTC times. */
	if (timestamp_canon(given_at, updated_at, &why) == -1)
		return kerr_set(err, KERR_INPUT, _("customer %s: bad updated_at: %s"), c->key,
		    why.msg);
	/* The same form as the till's own, so a phone finds the customer whoever wrote it; a
	 * number the rule cannot read is kept as it came. */
	if (c->phone[0] != '\0' && customer_phone_norm(c->phone, phone, sizeof phone, &why) == 0)
		snprintf(c->phone, sizeof c->phone, "%s", phone);
	/* Last write wins: the stored row changes only for a newer (or equal) updated_at. The
	 * comparison is made here, not in SQL, so a stored value in another form is compared
	 * by the time it names (see timestamp_cmp_stored). */
	rc = stored_at(st, "SELECT updated_at FROM customers WHERE key = ?1", c->key, stored,
	    sizeof stored, err);
	if (rc == -1)
		return -1;
	if (rc == 1 && timestamp_cmp_stored(updated_at, stored) < 0)
		return 0;
	if (core_prepare(st, "INSERT INTO customers(key, name, phone, card, updated_at, deleted, "
	    "credit_limit) VALUES (?1, ?2, nullif(?3, ''), nullif(?4, ''), ?5, ?6, max(?7, 0)) "
	    "ON CONFLICT(key) DO UPDATE SET name = excluded.name, phone = excluded.phone, "
	    "card = excluded.card, updated_at = excluded.updated_at, deleted = excluded.deleted, "
	    "credit_limit = CASE WHEN ?7 < 0 THEN credit_limit ELSE ?7 END", &q, err, saving) == -1)
		return -1;
	sqlite3_bind_text(q, 1, c->key, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, c->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, c->phone, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, c->card, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, updated_at, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 6, deleted != 0);
	sqlite3_bind_int64(q, 7, c->limit);
	rc = sqlite3_step(q);
	core_release(q);
	if (rc != SQLITE_DONE) {
		if ((sqlite3_extended_errcode(store_db(st)) & 0xff) == SQLITE_CONSTRAINT)
			return kerr_set(err, KERR_INPUT, _("customer %s: card %s belongs to "
			    "another customer"), c->key, c->card);
		return store_error(st, err, saving);
	}
	return 0;
}

int
customer_apply_hub(store *st, const char *key, money_t balance, int64_t points, int64_t seq,
    const char *at_in, struct kerr *err)
{
	char at[TIMESTAMP_SIZE], stored[40] = "";
	struct kerr why;
	sqlite3_stmt *q;
	int rc;

	if (!store_in_tx(st))
		return kerr_set(err, KERR_INTERNAL, "customer_apply_hub outside a transaction");
	if (timestamp_canon(at_in, at, &why) == -1)
		return kerr_set(err, KERR_INPUT, _("customer %s: bad balance_at: %s"), key,
		    why.msg);
	if (seq < 0)
		return kerr_set(err, KERR_INPUT, _("customer %s: bad balance_seq"), key);
	rc = stored_at(st, "SELECT coalesce(hub_at, '') FROM customers WHERE key = ?1", key,
	    stored, sizeof stored, err);
	if (rc <= 0)
		return rc;
	/* An older confirmation (a page served again) never replaces a newer one. */
	if (stored[0] != '\0' && timestamp_cmp_stored(at, stored) < 0)
		return 0;
	if (core_prepare(st, "UPDATE customers SET hub_balance = ?2, hub_points = ?3, hub_seq = "
	    "?4, hub_at = ?5 WHERE key = ?1", &q, err, saving) == -1)
		return -1;
	sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, balance);
	sqlite3_bind_int64(q, 3, points);
	sqlite3_bind_int64(q, 4, seq);
	sqlite3_bind_text(q, 5, at, -1, SQLITE_STATIC);
	return core_run(st, q, err, saving);
}
