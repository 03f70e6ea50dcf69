/*
 * customer: the shop's customers (loyalty cards). Read at the till to attach to a sale; they
 * flow down from upstream, last-write-wins by updated_at.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "core-int.h"
#include "customer.h"
#include "i18n.h"
#include "text.h"
#include "timestamp.h"

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
	if (sqlite3_prepare_v2(store_db(st), "SELECT id, key, name, coalesce(phone, ''), "
	    "coalesce(card, '') FROM customers WHERE deleted = 0 AND (card = ?1 OR "
	    "(length(?2) >= 4 AND replace(replace(replace(replace(phone, ' ', ''), '-', ''), "
	    "'+', ''), '(', '') LIKE '%' || ?2) OR name LIKE ?3 || '%' ESCAPE '\\' OR name LIKE "
	    "'% ' || ?3 || '%' ESCAPE '\\') ORDER BY card = ?1 DESC, name LIMIT ?4", -1, &q,
	    NULL) != SQLITE_OK)
		return store_error(st, err, N_("searching customers"));
	sqlite3_bind_text(q, 1, query, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, digits, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, like, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 4, max);
	while (n < max && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		out[n].id = sqlite3_column_int64(q, 0);
		core_text(q, 1, out[n].key, sizeof out[n].key);
		core_text(q, 2, out[n].name, sizeof out[n].name);
		core_text(q, 3, out[n].phone, sizeof out[n].phone);
		core_text(q, 4, out[n].card, sizeof out[n].card);
		n++;
	}
	sqlite3_finalize(q);
	if (n < max && rc != SQLITE_DONE)
		return store_error(st, err, N_("searching customers"));
	return n;
}

/* What is stored for key: 1 and its updated_at into buf, 0 none, -1 error. */
static int
stored_at(store *st, const char *key, char *buf, size_t size, struct kerr *err)
{
	sqlite3_stmt *q;
	int rc;

	if (sqlite3_prepare_v2(store_db(st), "SELECT updated_at FROM customers WHERE key = ?1",
	    -1, &q, NULL) != SQLITE_OK)
		return store_error(st, err, N_("saving a customer"));
	sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		core_text(q, 0, buf, size);
	sqlite3_finalize(q);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_error(st, err, N_("saving a customer"));
	return rc == SQLITE_ROW;
}

int
customer_upsert(store *st, const struct customer *given, const char *given_at, int deleted,
    struct kerr *err)
{
	struct customer copy = *given, *c = &copy;
	char updated_at[TIMESTAMP_SIZE], stored[40] = "";
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
	/* Last write wins: the stored row changes only for a newer (or equal) updated_at. The
	 * comparison is made here, not in SQL, so a stored value in another form is compared
	 * by the time it names (see timestamp_cmp_stored). */
	rc = stored_at(st, c->key, stored, sizeof stored, err);
	if (rc == -1)
		return -1;
	if (rc == 1 && timestamp_cmp_stored(updated_at, stored) < 0)
		return 0;
	if (sqlite3_prepare_v2(store_db(st), "INSERT INTO customers(key, name, phone, card, "
	    "updated_at, deleted) VALUES (?1, ?2, nullif(?3, ''), nullif(?4, ''), ?5, ?6) "
	    "ON CONFLICT(key) DO UPDATE SET name = excluded.name, phone = excluded.phone, "
	    "card = excluded.card, updated_at = excluded.updated_at, deleted = excluded.deleted",
	    -1, &q, NULL) != SQLITE_OK)
		return store_error(st, err, N_("saving a customer"));
	sqlite3_bind_text(q, 1, c->key, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, c->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, c->phone, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, c->card, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, updated_at, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 6, deleted != 0);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		if ((sqlite3_extended_errcode(store_db(st)) & 0xff) == SQLITE_CONSTRAINT)
			return kerr_set(err, KERR_INPUT, _("customer %s: card %s belongs to "
			    "another customer"), c->key, c->card);
		return store_error(st, err, N_("saving a customer"));
	}
	return 0;
}
