/*
 * report: read-only views for the command line and the status bar. The JSON documents are
 * built by SQLite's JSON functions from the rows, so strings are always escaped correctly.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "catalog.h"
#include "report.h"
#include "xalloc.h"

/*
 * A --since value as the stored times are written (RFC 3339 UTC with milliseconds), so it
 * compares as text: "2026-11-25" is midnight UTC; "2026-11-25T09:30:00Z" and
 * "2026-11-25T14:30:00+05:00" are the same instant. SQLite's date functions do the parsing and
 * the zone arithmetic; a date that does not exist ("2026-02-30") or anything else is refused.
 */
static int
normalize_since(store *st, const char *since, char *out, size_t size, struct kerr *err)
{
	size_t len = strlen(since);
	sqlite3_stmt *q;
	const unsigned char *t;
	bool ok = false;

	/* The shapes RFC 3339 allows (SQLite would also take "now" or a Julian day number).
	 * date(..., '+0 days') rolls 2026-02-30 over to March, so a day that does not exist
	 * fails the comparison. */
	if (len >= 10 && len < 40 && isdigit((unsigned char)since[0]) && since[4] == '-' && since[7] == '-' &&
	    (len == 10 || since[10] == 'T' || since[10] == 't' || since[10] == ' ') &&
	    sqlite3_prepare_v2(store_db(st), "SELECT strftime('%Y-%m-%dT%H:%M:%fZ', ?1), "
	    "date(substr(?1, 1, 10), '+0 days') = substr(?1, 1, 10)", -1, &q, NULL) == SQLITE_OK) {
		char buf[64];

		/* SQLite wants 'Z' or an offset right after the time, no lower-case t or z. */
		snprintf(buf, sizeof buf, "%s", since);
		for (char *p = buf; *p != '\0'; p++) {
			if (*p == 't' || *p == 'z')
				*p = (char)(*p - 'a' + 'A');
		}
		sqlite3_bind_text(q, 1, buf, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(q) == SQLITE_ROW && (t = sqlite3_column_text(q, 0)) != NULL &&
		    sqlite3_column_int(q, 1) == 1) {
			snprintf(out, size, "%s", (const char *)t);
			ok = true;
		}
		sqlite3_finalize(q);
	}
	if (!ok)
		return kerr_set(err, KERR_INPUT, "bad date '%s': use YYYY-MM-DD (midnight UTC) or "
		    "RFC 3339 such as 2026-11-25T09:30:00Z", since);
	return 0;
}

/* Runs a query that yields one text column and returns a malloc'd copy. */
static char *
one_text(store *st, sqlite3_stmt *q, struct kerr *err, const char *what)
{
	char *doc = NULL;

	if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0) != NULL)
		doc = xstrdup((const char *)sqlite3_column_text(q, 0));
	else
		store_error(st, err, what);
	sqlite3_finalize(q);
	return doc;
}

/* The gateway's reply of a fiscal document d (fiscal.h), NULL while it waits. */
#define FISCAL_REPLY "CASE WHEN d.state = 'sent' THEN json_object('terminal_id', " \
	"d.terminal_id, 'receipt_seq', d.receipt_seq, 'fiscal_sign', d.fiscal_sign, 'qr_url', " \
	"d.qr_url) END"

char *
report_sales_json(store *st, const char *since, struct kerr *err)
{
	char from[40];
	sqlite3_stmt *q;

	if (since != NULL && normalize_since(st, since, from, sizeof from, err) == -1)
		return NULL;
	/* Sales in number order, then returns in theirs (a series of their own, refund.h). */
	if (sqlite3_prepare_v2(store_db(st), "SELECT coalesce(json_group_array(json(j)), '[]') "
	    "FROM (SELECT j FROM (SELECT 0 AS k, s.number AS n, json_object('kind', 'sale', "
	    "'id', s.id, 'uuid', s.uuid, 'number', s.number, "
	    "'total', s.total, 'subtotal', s.subtotal, 'discount', s.discount, 'vat', "
	    "s.vat_total, 'paid', s.paid, 'change', s.change, 'cashier', u.name, 'shift', "
	    "sh.number, 'customer', (SELECT c.name FROM customers c WHERE c.id = s.customer_id), "
	    "'created_at', s.created_at, 'completed_at', s.completed_at, "
	    "'fiscal', json((SELECT " FISCAL_REPLY " FROM fiscal_documents d WHERE d.kind = "
	    "'sale' AND d.ref_id = s.id)), 'fiscal_state', (SELECT d.state FROM "
	    "fiscal_documents d WHERE d.kind = 'sale' AND d.ref_id = s.id), "
	    "'lines', (SELECT json_group_array(json(lj)) FROM (SELECT json_object('line', "
	    "l.lineno, 'code', l.code, 'name', l.name, 'unit', l.unit, 'qty', l.qty, 'price', "
	    "l.price, 'discount', l.discount, 'total', l.total, 'vat_bp', l.vat_bp, 'vat', "
	    "l.vat) AS lj FROM sale_lines l WHERE l.sale_id = s.id AND l.voided = 0 "
	    "ORDER BY l.lineno)), "
	    "'payments', (SELECT json_group_array(json(pj)) FROM (SELECT json_object('method', "
	    "p.method, 'amount', p.amount) AS pj FROM payments p WHERE p.sale_id = s.id "
	    "ORDER BY p.id))) AS j "
	    "FROM sales s JOIN users u ON u.id = s.user_id JOIN shifts sh ON sh.id = s.shift_id "
	    "WHERE s.state = 'completed' AND (?1 IS NULL OR s.completed_at >= ?1) "
	    "UNION ALL SELECT 1, x.number, json_object('kind', 'return', 'id', x.id, 'uuid', "
	    "x.uuid, 'number', x.number, 'original', s.number, 'original_uuid', s.uuid, "
	    "'no_receipt', json(CASE WHEN x.sale_id IS NULL THEN 'true' ELSE 'false' END), "
	    "'total', x.total, 'discount', x.discount, 'vat', x.vat_total, 'cashier', u.name, "
	    "'approver', a.name, 'shift', sh.number, 'created_at', x.created_at, 'completed_at', "
	    "x.completed_at, "
	    "'fiscal', json((SELECT " FISCAL_REPLY " FROM fiscal_documents d WHERE d.kind = "
	    "'refund' AND d.ref_id = x.id)), 'fiscal_state', (SELECT d.state FROM "
	    "fiscal_documents d WHERE d.kind = 'refund' AND d.ref_id = x.id), "
	    "'lines', (SELECT json_group_array(json(lj)) FROM (SELECT json_object('line', "
	    "l.sale_lineno, 'code', l.code, 'name', l.name, 'unit', l.unit, 'qty', l.qty, 'price', "
	    "l.price, 'discount', l.discount, 'total', l.total, 'vat_bp', l.vat_bp, 'vat', "
	    "l.vat) AS lj FROM return_lines l "
	    "WHERE l.return_id = x.id ORDER BY coalesce(l.sale_lineno, 0), l.id)), "
	    "'payments', (SELECT json_group_array(json(pj)) FROM (SELECT json_object('method', "
	    "p.method, 'amount', p.amount) AS pj FROM return_payments p WHERE p.return_id = x.id "
	    "ORDER BY p.id))) "
	    "FROM returns x JOIN users u ON u.id = x.user_id LEFT JOIN users a ON a.id = "
	    "x.approver_id JOIN shifts sh ON sh.id = x.shift_id LEFT JOIN sales s ON s.id = "
	    "x.sale_id WHERE x.state = 'completed' AND (?1 IS NULL OR x.completed_at >= ?1)) "
	    "ORDER BY k, n)", -1, &q, NULL) != SQLITE_OK) {
		store_error(st, err, "listing sales");
		return NULL;
	}
	if (since != NULL)
		sqlite3_bind_text(q, 1, from, -1, SQLITE_TRANSIENT);
	return one_text(st, q, err, "listing sales");
}

static int64_t
count_of(store *st, const char *sql)
{
	sqlite3_stmt *q;
	int64_t n = 0;

	if (sqlite3_prepare_v2(store_db(st), sql, -1, &q, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(q) == SQLITE_ROW)
		n = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return n;
}

static void
meta_into(store *st, const char *key, char *buf, size_t size, const char *dflt)
{
	char *v = store_meta_get(st, key);

	snprintf(buf, size, "%s", v != NULL ? v : dflt);
	free(v);
}

int
report_status(store *st, struct till_status *out, struct kerr *err)
{
	sqlite3_stmt *q;

	memset(out, 0, sizeof *out);
	out->outbox_pending = count_of(st, "SELECT count(*) FROM outbox WHERE state = 'pending'");
	out->outbox_rejected = count_of(st, "SELECT count(*) FROM outbox WHERE state = "
	    "'rejected'");
	out->events = count_of(st, "SELECT coalesce(max(seq), 0) FROM events");
	out->print_queued = count_of(st, "SELECT count(*) FROM print_jobs WHERE state = "
	    "'queued'");
	out->parked_sales = count_of(st, "SELECT count(*) FROM sales WHERE state = 'parked'");
	out->products = catalog_count(st);
	out->shift_id = count_of(st, "SELECT coalesce(max(id), 0) FROM shifts WHERE closed_at IS "
	    "NULL");
	if (out->outbox_pending < 0 || out->events < 0 || out->products < 0)
		return store_error(st, err, "reading the status");
	if (sqlite3_prepare_v2(store_db(st), "SELECT e.at FROM outbox o JOIN events e ON e.seq = "
	    "o.seq WHERE o.state = 'pending' ORDER BY o.seq LIMIT 1", -1, &q, NULL) != SQLITE_OK)
		return store_error(st, err, "reading the status");
	if (sqlite3_step(q) == SQLITE_ROW)
		snprintf(out->oldest_pending_at, sizeof out->oldest_pending_at, "%s",
		    (const char *)sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	meta_into(st, "sync_last_at", out->last_sync_at, sizeof out->last_sync_at, "");
	meta_into(st, "sync_last_error", out->last_error, sizeof out->last_error, "");
	meta_into(st, "printer_state", out->printer_state, sizeof out->printer_state,
	    "not configured");
	return 0;
}

char *
report_status_json(store *st, struct kerr *err)
{
	struct till_status s;
	sqlite3_stmt *q;
	char *device, *store_name;
	char *doc;

	if (report_status(st, &s, err) == -1)
		return NULL;
	device = store_meta_get(st, "device_id");
	store_name = store_meta_get(st, "store");
	if (sqlite3_prepare_v2(store_db(st), "SELECT json_object('device_id', ?1, 'store', ?2, "
	    "'outbox_pending', ?3, 'outbox_rejected', ?4, 'oldest_pending_at', nullif(?5, ''), "
	    "'last_sync_at', nullif(?6, ''), 'last_error', nullif(?7, ''), 'events', ?8, "
	    "'print_queued', ?9, 'printer', ?10, 'parked_sales', ?11, 'products', ?12, "
	    "'shift_open', json(CASE WHEN ?13 > 0 THEN 'true' ELSE 'false' END))", -1, &q,
	    NULL) != SQLITE_OK) {
		free(device);
		free(store_name);
		store_error(st, err, "reading the status");
		return NULL;
	}
	sqlite3_bind_text(q, 1, device, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 2, store_name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(q, 3, s.outbox_pending);
	sqlite3_bind_int64(q, 4, s.outbox_rejected);
	sqlite3_bind_text(q, 5, s.oldest_pending_at, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 6, s.last_sync_at, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 7, s.last_error, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(q, 8, s.events);
	sqlite3_bind_int64(q, 9, s.print_queued);
	sqlite3_bind_text(q, 10, s.printer_state, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(q, 11, s.parked_sales);
	sqlite3_bind_int64(q, 12, s.products);
	sqlite3_bind_int64(q, 13, s.shift_id);
	doc = one_text(st, q, err, "reading the status");
	free(device);
	free(store_name);
	return doc;
}

char *
report_shift_json(store *st, const struct shift_report *r, struct kerr *err)
{
	sqlite3_stmt *q;
	char *rates, *doc;

	/* VAT per rate as an array first, then the whole report around it. */
	rates = xstrdup("[]");
	for (int i = 0; i < r->vat_rates; i++) {
		char *next;

		if (sqlite3_prepare_v2(store_db(st), "SELECT json_insert(?1, '$[#]', json_object("
		    "'vat_bp', ?2, 'gross', ?3, 'vat', ?4))", -1, &q, NULL) != SQLITE_OK)
			break;
		sqlite3_bind_text(q, 1, rates, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(q, 2, r->vat_bp[i]);
		sqlite3_bind_int64(q, 3, r->vat_gross[i]);
		sqlite3_bind_int64(q, 4, r->vat_amount[i]);
		next = one_text(st, q, err, "building the report");
		if (next == NULL) {
			free(rates);
			return NULL;
		}
		free(rates);
		rates = next;
	}
	if (sqlite3_prepare_v2(store_db(st), "SELECT json_object('number', ?1, 'closed', "
	    "json(CASE WHEN ?2 THEN 'true' ELSE 'false' END), 'opened_at', ?3, 'closed_at', "
	    "nullif(?4, ''), 'opened_by', ?5, 'closed_by', nullif(?6, ''), 'opening_float', ?7, "
	    "'cash_sales', ?8, 'card_sales', ?9, 'sales_count', ?10, 'sales_total', ?11, "
	    "'vat_total', ?12, 'discount_total', ?13, 'voids_count', ?14, 'cash_in', ?15, 'cash_out', ?16, 'expected_cash', ?17, "
	    "'counted_cash', CASE WHEN ?2 THEN ?18 END, 'variance', CASE WHEN ?2 THEN ?19 END, "
	    "'vat_rates', json(?20), 'refunds_count', ?21, 'refunds_no_receipt', ?22, "
	    "'refunds_total', ?23, 'refunds_vat', ?24, 'refunds_cash', ?25, 'refunds_card', ?26, "
	    "'refunds_other', ?27, 'credit_sales', ?28, 'points_sales', ?29, 'repaid_cash', ?30, "
	    "'repaid_card', ?31)", -1, &q, NULL) != SQLITE_OK) {
		free(rates);
		store_error(st, err, "building the report");
		return NULL;
	}
	sqlite3_bind_int64(q, 1, r->number);
	sqlite3_bind_int(q, 2, r->closed);
	sqlite3_bind_text(q, 3, r->opened_at, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 4, r->closed_at, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 5, r->opened_by, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 6, r->closed_by, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(q, 7, r->opening_float);
	sqlite3_bind_int64(q, 8, r->cash_sales);
	sqlite3_bind_int64(q, 9, r->card_sales);
	sqlite3_bind_int64(q, 10, r->sales_count);
	sqlite3_bind_int64(q, 11, r->sales_total);
	sqlite3_bind_int64(q, 12, r->vat_total);
	sqlite3_bind_int64(q, 13, r->discount_total);
	sqlite3_bind_int64(q, 14, r->voids_count);
	sqlite3_bind_int64(q, 15, r->cash_in);
	sqlite3_bind_int64(q, 16, r->cash_out);
	sqlite3_bind_int64(q, 17, r->expected_cash);
	sqlite3_bind_int64(q, 18, r->counted_cash);
	sqlite3_bind_int64(q, 19, r->variance);
	sqlite3_bind_text(q, 20, rates, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(q, 21, r->refunds_count);
	sqlite3_bind_int64(q, 22, r->refunds_no_receipt);
	sqlite3_bind_int64(q, 23, r->refunds_total);
	sqlite3_bind_int64(q, 24, r->refunds_vat);
	sqlite3_bind_int64(q, 25, r->refunds_cash);
	sqlite3_bind_int64(q, 26, r->refunds_card);
	sqlite3_bind_int64(q, 27, r->refunds_other);
	sqlite3_bind_int64(q, 28, r->credit_sales);
	sqlite3_bind_int64(q, 29, r->points_sales);
	sqlite3_bind_int64(q, 30, r->repaid_cash);
	sqlite3_bind_int64(q, 31, r->repaid_card);
	doc = one_text(st, q, err, "building the report");
	free(rates);
	return doc;
}
