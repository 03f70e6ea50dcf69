/*
 * report-day.c: the day's report and the audit trail of one local day (report.h). Both are one
 * JSON document built by SQLite's JSON functions from the rows `kassa journal verify` rebuilds
 * from the events (sales, sale_lines, payments, returns, return_lines, return_payments,
 * cash_moves, and deliveries / delivery_lines for the margin's cost prices) and from the
 * events themselves (approvals, voided sales, no-sale drawer openings), so every figure
 * agrees with `kassa sales --json` to the tiyin. The CSV and the text and paper forms are
 * flattened from that one document (report_doc_rows), so the forms can never disagree with
 * each other.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "i18n.h"
#include "report.h"
#include "store.h"
#include "xalloc.h"

/* Midnight of y-m-d in the process's local zone (TZ), as a UTC time in the store's form. */
static int
local_midnight_utc(int y, int m, int d, char *out, size_t size)
{
	struct tm tm;
	time_t t;

	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;         /* mktime normalises day 32 to the next month */
	tm.tm_isdst = -1;
	if ((t = mktime(&tm)) == (time_t)-1 || gmtime_r(&t, &tm) == NULL)
		return -1;
	return strftime(out, size, "%Y-%m-%dT%H:%M:%S.000Z", &tm) > 0 ? 0 : -1;
}

int
report_day_bounds(const char *date, char *day, char *from, char *to, struct kerr *err)
{
	int y, m, d, n = 0;
	struct tm tm;
	time_t now;

	if (date == NULL || date[0] == '\0') {
		now = time(NULL);
		if (localtime_r(&now, &tm) == NULL)
			return kerr_set(err, KERR_INTERNAL, "the local time is unknown");
		y = tm.tm_year + 1900;
		m = tm.tm_mon + 1;
		d = tm.tm_mday;
	} else if (strlen(date) != 10 || sscanf(date, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 ||
	    n != 10 || date[4] != '-' || date[7] != '-') {
		return kerr_set(err, KERR_INPUT, _("bad date '%s': use YYYY-MM-DD"), date);
	}
	/* A day that does not exist (2026-02-30) is refused rather than rolled over. */
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	tm.tm_hour = 12;
	tm.tm_isdst = -1;
	if (y < 1970 || y > 9999 || mktime(&tm) == (time_t)-1 || tm.tm_mday != d ||
	    tm.tm_mon != m - 1)
		return kerr_set(err, KERR_INPUT, _("bad date '%s': use YYYY-MM-DD"), date);
	{
		char tmp[48];

		snprintf(tmp, sizeof tmp, "%04d-%02d-%02d", y, m, d);
		memcpy(day, tmp, REPORT_DATE_SIZE - 1);
		day[REPORT_DATE_SIZE - 1] = '\0';
	}
	if (local_midnight_utc(y, m, d, from, REPORT_TIME_SIZE) == -1 ||
	    local_midnight_utc(y, m, d + 1, to, REPORT_TIME_SIZE) == -1)
		return kerr_set(err, KERR_INTERNAL, "cannot place %s in the local time zone", day);
	return 0;
}

/* The unit cost of product pid at time t: the latest delivery's at or before t that gave one. */
#define UNIT_COST(pid, t) "SELECT dl.cost FROM delivery_lines dl JOIN deliveries d ON " \
    "d.id = dl.delivery_id WHERE dl.product_id = " pid " AND dl.cost > 0 AND d.at <= " t \
    " ORDER BY d.at DESC, d.id DESC, dl.lineno DESC LIMIT 1"

/* ?1 from, ?2 to (UTC, the store's form), ?3 the local date, ?4 how many top products. */
static const char day_sql[] =
    "WITH s AS (SELECT * FROM sales WHERE state = 'completed' AND completed_at >= ?1 AND "
    "  completed_at < ?2), "
    "l AS (SELECT l.* FROM sale_lines l JOIN s ON s.id = l.sale_id), "
    "r AS (SELECT * FROM returns WHERE state = 'completed' AND completed_at >= ?1 AND "
    "  completed_at < ?2), "
    "rl AS (SELECT rl.* FROM return_lines rl JOIN r ON r.id = rl.return_id), "
    "ev AS (SELECT * FROM events WHERE at >= ?1 AND at < ?2), "
    "tl AS (SELECT l.product_id, min(l.code) AS code, min(l.name) AS name, min(l.unit) AS unit, "
    "  sum(l.qty) AS qty, sum(l.total) AS total FROM l WHERE l.voided = 0 "
    "  GROUP BY l.product_id) "
    "SELECT json_object('date', ?3, 'from', ?1, 'to', ?2, "
    "'sales', (SELECT json_object('count', count(*), 'total', coalesce(sum(total), 0), "
    "  'subtotal', coalesce(sum(subtotal), 0), 'vat', coalesce(sum(vat_total), 0), "
    "  'discount', coalesce(sum(discount), 0)) FROM s), "
    "'returns', (SELECT json_object('count', count(*), 'total', coalesce(sum(total), 0), "
    "  'vat', coalesce(sum(vat_total), 0), 'with_receipt', count(sale_id), "
    "  'with_receipt_total', coalesce(sum(CASE WHEN sale_id IS NOT NULL THEN total END), 0), "
    "  'without_receipt', count(*) - count(sale_id), "
    "  'without_receipt_total', coalesce(sum(CASE WHEN sale_id IS NULL THEN total END), 0)) "
    "  FROM r), "
    "'net', (SELECT coalesce(sum(total), 0) FROM s) - (SELECT coalesce(sum(total), 0) FROM r), "
    /* Cash is what stayed in the drawer: tendered minus the change given. */
    "'tenders', (SELECT coalesce(json_group_array(json_object('method', m, 'sales', a, "
    "  'refunds', b, 'net', a - b)), '[]') FROM (SELECT m, sum(a) AS a, sum(b) AS b FROM ("
    "  SELECT p.method AS m, p.amount AS a, 0 AS b FROM payments p JOIN s ON s.id = p.sale_id "
    "  UNION ALL SELECT 'cash', -s.change, 0 FROM s WHERE s.change <> 0 "
    "  UNION ALL SELECT p.method, 0, p.amount FROM return_payments p JOIN r ON "
    "  r.id = p.return_id) GROUP BY m ORDER BY CASE m WHEN 'cash' THEN 0 WHEN 'card' THEN 1 "
    "  WHEN 'credit' THEN 2 WHEN 'points' THEN 3 ELSE 4 END, m)), "
    "'vat_rates', (SELECT coalesce(json_group_array(json_object('vat_bp', bp, 'gross', g, "
    "  'vat', v, 'refunds_gross', rg, 'refunds_vat', rv)), '[]') FROM (SELECT bp, sum(g) AS g, "
    "  sum(v) AS v, sum(rg) AS rg, sum(rv) AS rv FROM (SELECT vat_bp AS bp, total AS g, vat AS v, "
    "  0 AS rg, 0 AS rv FROM l WHERE voided = 0 UNION ALL SELECT vat_bp, 0, 0, total, vat "
    "  FROM rl) GROUP BY bp ORDER BY bp DESC)), "
    "'categories', (SELECT coalesce(json_group_array(json_object('category', c, 'lines', n, "
    "  'total', t, 'refunds', rt)), '[]') FROM (SELECT c, sum(n) AS n, sum(t) AS t, sum(rt) AS rt "
    "  FROM (SELECT coalesce(p.category, '') AS c, 1 AS n, l.total AS t, 0 AS rt FROM l "
    "  JOIN products p ON p.id = l.product_id WHERE l.voided = 0 UNION ALL SELECT "
    "  coalesce(p.category, ''), 0, 0, rl.total FROM rl JOIN products p ON p.id = rl.product_id) "
    "  GROUP BY c ORDER BY t DESC, c)), "
    "'cashiers', (SELECT coalesce(json_group_array(json_object('cashier', u.name, 'sales', n, "
    "  'total', t, 'returns', rn, 'refunds', rt)), '[]') FROM (SELECT uid, sum(n) AS n, "
    "  sum(t) AS t, sum(rn) AS rn, sum(rt) AS rt FROM (SELECT user_id AS uid, 1 AS n, "
    "  total AS t, 0 AS rn, 0 AS rt FROM s UNION ALL SELECT user_id, 0, 0, 1, total FROM r) "
    "  GROUP BY uid) JOIN users u ON u.id = uid ORDER BY t DESC, u.name), "
    "'hours', (SELECT coalesce(json_group_array(json_object('hour', h, 'sales', n, 'total', t)), "
    "  '[]') FROM (SELECT CAST(strftime('%H', completed_at, 'localtime') AS INTEGER) AS h, "
    "  count(*) AS n, sum(total) AS t FROM s GROUP BY h ORDER BY h)), "
    "'top_by_amount', (SELECT coalesce(json_group_array(json_object('code', code, 'name', name, "
    "  'unit', unit, 'qty', qty, 'total', total)), '[]') FROM (SELECT * FROM tl "
    "  ORDER BY total DESC, name LIMIT ?4)), "
    "'top_by_qty', (SELECT coalesce(json_group_array(json_object('code', code, 'name', name, "
    "  'unit', unit, 'qty', qty, 'total', total)), '[]') FROM (SELECT * FROM tl "
    "  ORDER BY qty DESC, name LIMIT ?4)), "
    /* Voided lines, from the events (docs/protocol.md: each sale.completed and sale.voided
     * lists its lines voided before payment, with what they came to), and whole sales voided. */
    "'voids', (SELECT json_object('lines', count(v.value), 'lines_total', "
    "  coalesce(sum(json_extract(v.value, '$.amount')), 0), "
    "  'sales', (SELECT count(*) FROM ev WHERE type = 'sale.voided'), "
    "  'sales_total', (SELECT coalesce(sum(json_extract(payload, '$.total')), 0) FROM ev "
    "  WHERE type = 'sale.voided')) FROM ev, json_each(ev.payload, '$.voids') v "
    "  WHERE ev.type IN ('sale.completed', 'sale.voided')), "
    "'discounts', json_object('total', (SELECT coalesce(sum(discount), 0) FROM s), "
    "  'sales', (SELECT count(*) FROM s WHERE discount > 0), "
    "  'lines', (SELECT count(*) FROM l WHERE voided = 0 AND discount > 0)), "
    "'approvals', (SELECT coalesce(json_group_array(json_object('at', at, 'user', "
    "  json_extract(payload, '$.user'), 'approver', json_extract(payload, '$.approver'), "
    "  'right', json_extract(payload, '$.right'), 'sale', (SELECT number FROM sales WHERE "
    "  uuid = json_extract(payload, '$.sale')))), '[]') FROM (SELECT * FROM ev WHERE "
    "  type = 'approval.granted' ORDER BY seq)), "
    "'cash', json_object('in', (SELECT coalesce(sum(amount), 0) FROM cash_moves WHERE "
    "  amount > 0 AND at >= ?1 AND at < ?2), 'out', (SELECT coalesce(-sum(amount), 0) FROM "
    "  cash_moves WHERE amount < 0 AND at >= ?1 AND at < ?2), 'no_sale', (SELECT count(*) "
    "  FROM ev WHERE type = 'drawer.opened')), "
    /* Margin where the cost is known (docs/reports.md): a line's unit cost is the one of the
     * latest delivery at or before the sale (a cost of 0 is "not given"); a returned line is
     * costed at its sale's time (without a receipt: the return's) and counts negative.
     * cost = round(unit cost x qty / 1000) half away from zero per line, as money_times_qty;
     * split at the whole units so that no product of the bounds (include/money.h) overflows. */
    "'margin', (SELECT json_object('revenue', kr, 'cost', kc, 'margin', kr - kc, "
    "  'unknown_revenue', ur, 'lines', n, 'lines_unknown', un) FROM (SELECT "
    "  coalesce(sum(CASE WHEN uc IS NOT NULL THEN sg * rev END), 0) AS kr, "
    "  coalesce(sum(sg * (uc * (qty / 1000) + (uc * (qty % 1000) + 500) / 1000)), 0) AS kc, "
    "  coalesce(sum(CASE WHEN uc IS NULL THEN sg * rev END), 0) AS ur, "
    "  count(uc) AS n, count(*) - count(uc) AS un FROM ("
    "  SELECT 1 AS sg, l.total AS rev, l.qty AS qty, ("
    UNIT_COST("l.product_id", "s.completed_at") ") AS uc FROM l JOIN s ON s.id = l.sale_id "
    "  WHERE l.voided = 0 "
    "  UNION ALL SELECT -1, rl.total, rl.qty, ("
    UNIT_COST("rl.product_id", "coalesce(os.completed_at, r.completed_at)") ") FROM rl "
    "  JOIN r ON r.id = rl.return_id "
    "  LEFT JOIN sale_lines ol ON ol.sale_id = r.sale_id AND ol.lineno = rl.sale_lineno "
    "  LEFT JOIN sales os ON "
    "  os.id = ol.sale_id))))";

char *
report_day_json(store *st, const char *date, int top, struct kerr *err)
{
	char day[REPORT_DATE_SIZE], from[REPORT_TIME_SIZE], to[REPORT_TIME_SIZE];
	sqlite3_stmt *q;
	char *doc = NULL;

	if (report_day_bounds(date, day, from, to, err) == -1)
		return NULL;
	if (sqlite3_prepare_v2(store_db(st), day_sql, -1, &q, NULL) != SQLITE_OK) {
		store_error(st, err, N_("building the day's report"));
		return NULL;
	}
	sqlite3_bind_text(q, 1, from, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 2, to, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 3, day, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(q, 4, top > 0 ? top : 10);
	if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0) != NULL)
		doc = xstrdup((const char *)sqlite3_column_text(q, 0));
	else
		store_error(st, err, N_("building the day's report"));
	sqlite3_finalize(q);
	return doc;
}

/* ?1 from, ?2 to, ?3 the local date. One array of entries in time order. */
static const char audit_sql[] =
    "WITH ev AS (SELECT * FROM events WHERE at >= ?1 AND at < ?2) "
    "SELECT json_object('date', ?3, 'from', ?1, 'to', ?2, 'entries', "
    "(SELECT coalesce(json_group_array(json(j)), '[]') FROM (SELECT at, k, j FROM ("
    "  SELECT at, seq AS k, json_object('at', at, 'kind', 'approval', 'user', "
    "  json_extract(payload, '$.user'), 'approver', json_extract(payload, '$.approver'), "
    "  'right', json_extract(payload, '$.right'), 'sale', (SELECT number FROM sales WHERE "
    "  uuid = json_extract(payload, '$.sale'))) AS j FROM ev WHERE type = 'approval.granted' "
    "  UNION ALL SELECT at, seq, json_object('at', at, 'kind', 'sale_voided', 'user', "
    "  json_extract(payload, '$.user'), 'approver', json_extract(payload, '$.approver'), "
    "  'total', json_extract(payload, '$.total')) FROM ev WHERE type = 'sale.voided' "
    "  UNION ALL SELECT at, seq, json_object('at', at, 'kind', 'no_sale', 'user', "
    "  json_extract(payload, '$.user'), 'approver', json_extract(payload, '$.approver')) "
    "  FROM ev WHERE type = 'drawer.opened' "
    "  UNION ALL SELECT at, seq, json_object('at', at, 'kind', 'cash_move', 'user', "
    "  json_extract(payload, '$.user'), 'approver', json_extract(payload, '$.approver'), "
    "  'amount', json_extract(payload, '$.amount'), 'reason', json_extract(payload, "
    "  '$.reason')) FROM ev WHERE type = 'cash.moved' "
    "  UNION ALL SELECT x.completed_at, x.event_seq, json_object('at', x.completed_at, "
    "  'kind', 'return_no_receipt', 'number', x.number, 'total', x.total, 'user', u.name, "
    "  'approver', a.name) FROM returns x JOIN users u ON u.id = x.user_id LEFT JOIN users a "
    "  ON a.id = x.approver_id WHERE x.state = 'completed' AND x.sale_id IS NULL AND "
    "  x.completed_at >= ?1 AND x.completed_at < ?2 "
    "  UNION ALL SELECT json_extract(v.value, '$.at'), ev.seq, json_object('at', "
    "  json_extract(v.value, '$.at'), 'kind', 'line_voided', 'sale', coalesce(json_extract("
    "  ev.payload, '$.number'), (SELECT number FROM sales WHERE uuid = json_extract(ev.payload, "
    "  '$.sale'))), 'user', json_extract(v.value, '$.by'), 'code', json_extract(v.value, "
    "  '$.code'), 'name', json_extract(v.value, '$.name'), 'qty', json_extract(v.value, '$.qty'), "
    "  'total', json_extract(v.value, '$.amount')) FROM ev, json_each(ev.payload, '$.voids') v "
    "  WHERE ev.type IN ('sale.completed', 'sale.voided') "
    "  UNION ALL SELECT at, id, json_object('at', at, 'kind', CASE WHEN ok THEN 'login' ELSE "
    "  'login_failed' END, 'user', name, 'purpose', purpose) FROM logins WHERE at >= ?1 AND "
    "  at < ?2 "
    "  UNION ALL SELECT at, id, json_object('at', at, 'kind', 'price_change', 'code', code, "
    "  'name', name, 'old_price', old_price, 'price', price) FROM "
    "  price_changes WHERE at >= ?1 AND at < ?2"
    ") ORDER BY at, k)))";

char *
report_audit_json(store *st, const char *date, struct kerr *err)
{
	char day[REPORT_DATE_SIZE], from[REPORT_TIME_SIZE], to[REPORT_TIME_SIZE];
	sqlite3_stmt *q;
	char *doc = NULL;

	if (report_day_bounds(date, day, from, to, err) == -1)
		return NULL;
	if (sqlite3_prepare_v2(store_db(st), audit_sql, -1, &q, NULL) != SQLITE_OK) {
		store_error(st, err, N_("building the audit report"));
		return NULL;
	}
	sqlite3_bind_text(q, 1, from, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 2, to, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 3, day, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0) != NULL)
		doc = xstrdup((const char *)sqlite3_column_text(q, 0));
	else
		store_error(st, err, N_("building the audit report"));
	sqlite3_finalize(q);
	return doc;
}

/*
 * The day's document flattened into rows: ?1 the document. Each section's entries become
 * (section, key, count, qty, amount, vat, refunds); a figure a section does not have is NULL.
 */
static const char rows_sql[] =
    "SELECT 'sales', 'total', json_extract(?1, '$.sales.count'), NULL, "
    "  json_extract(?1, '$.sales.total'), json_extract(?1, '$.sales.vat'), NULL "
    "UNION ALL SELECT 'sales', 'discount', json_extract(?1, '$.discounts.sales'), NULL, "
    "  json_extract(?1, '$.sales.discount'), NULL, NULL "
    "UNION ALL SELECT 'returns', 'total', json_extract(?1, '$.returns.count'), NULL, "
    "  json_extract(?1, '$.returns.total'), json_extract(?1, '$.returns.vat'), NULL "
    "UNION ALL SELECT 'returns', 'with receipt', json_extract(?1, '$.returns.with_receipt'), "
    "  NULL, json_extract(?1, '$.returns.with_receipt_total'), NULL, NULL "
    "UNION ALL SELECT 'returns', 'without receipt', json_extract(?1, "
    "  '$.returns.without_receipt'), NULL, json_extract(?1, '$.returns.without_receipt_total'), "
    "  NULL, NULL "
    "UNION ALL SELECT 'net', 'total', NULL, NULL, json_extract(?1, '$.net'), NULL, NULL "
    "UNION ALL SELECT 'tender', json_extract(value, '$.method'), NULL, NULL, "
    "  json_extract(value, '$.sales'), NULL, json_extract(value, '$.refunds') "
    "  FROM json_each(?1, '$.tenders') "
    "UNION ALL SELECT 'vat', CASE WHEN json_extract(value, '$.vat_bp') % 100 = 0 THEN "
    "  printf('%d%%', json_extract(value, '$.vat_bp') / 100) ELSE printf('%d.%02d%%', "
    "  json_extract(value, '$.vat_bp') / 100, json_extract(value, '$.vat_bp') % 100) END, "
    "  NULL, NULL, json_extract(value, '$.gross'), "
    "  json_extract(value, '$.vat'), json_extract(value, '$.refunds_gross') "
    "  FROM json_each(?1, '$.vat_rates') "
    "UNION ALL SELECT 'category', json_extract(value, '$.category'), json_extract(value, "
    "  '$.lines'), NULL, json_extract(value, '$.total'), NULL, json_extract(value, '$.refunds') "
    "  FROM json_each(?1, '$.categories') "
    "UNION ALL SELECT 'cashier', json_extract(value, '$.cashier'), json_extract(value, "
    "  '$.sales'), NULL, json_extract(value, '$.total'), NULL, json_extract(value, '$.refunds') "
    "  FROM json_each(?1, '$.cashiers') "
    "UNION ALL SELECT 'hour', printf('%02d:00', json_extract(value, '$.hour')), "
    "  json_extract(value, '$.sales'), NULL, json_extract(value, '$.total'), NULL, NULL "
    "  FROM json_each(?1, '$.hours') "
    "UNION ALL SELECT 'top by amount', json_extract(value, '$.name'), NULL, "
    "  json_extract(value, '$.qty'), json_extract(value, '$.total'), NULL, NULL "
    "  FROM json_each(?1, '$.top_by_amount') "
    "UNION ALL SELECT 'top by quantity', json_extract(value, '$.name'), NULL, "
    "  json_extract(value, '$.qty'), json_extract(value, '$.total'), NULL, NULL "
    "  FROM json_each(?1, '$.top_by_qty') "
    "UNION ALL SELECT 'voids', 'lines', json_extract(?1, '$.voids.lines'), NULL, "
    "  json_extract(?1, '$.voids.lines_total'), NULL, NULL "
    "UNION ALL SELECT 'voids', 'sales', json_extract(?1, '$.voids.sales'), NULL, "
    "  json_extract(?1, '$.voids.sales_total'), NULL, NULL "
    "UNION ALL SELECT 'approval', json_extract(value, '$.right') || ': ' || "
    "  json_extract(value, '$.approver') || ' for ' || json_extract(value, '$.user'), 1, NULL, "
    "  NULL, NULL, NULL FROM json_each(?1, '$.approvals') "
    "UNION ALL SELECT 'cash', 'in', NULL, NULL, json_extract(?1, '$.cash.in'), NULL, NULL "
    "UNION ALL SELECT 'cash', 'out', NULL, NULL, json_extract(?1, '$.cash.out'), NULL, NULL "
    "UNION ALL SELECT 'cash', 'no sale', json_extract(?1, '$.cash.no_sale'), NULL, NULL, NULL, "
    "  NULL "
    "UNION ALL SELECT 'margin', 'revenue with cost', json_extract(?1, '$.margin.lines'), NULL, "
    "  json_extract(?1, '$.margin.revenue'), NULL, NULL "
    "UNION ALL SELECT 'margin', 'cost', NULL, NULL, json_extract(?1, '$.margin.cost'), NULL, "
    "  NULL "
    "UNION ALL SELECT 'margin', 'margin', NULL, NULL, json_extract(?1, '$.margin.margin'), NULL, "
    "  NULL "
    "UNION ALL SELECT 'margin', 'revenue without cost', json_extract(?1, "
    "  '$.margin.lines_unknown'), NULL, json_extract(?1, '$.margin.unknown_revenue'), NULL, NULL";

int
report_doc_rows(store *st, const char *doc, report_row_fn fn, void *ctx, struct kerr *err)
{
	struct report_row row;
	sqlite3_stmt *q;
	int rc;

	if (sqlite3_prepare_v2(store_db(st), rows_sql, -1, &q, NULL) != SQLITE_OK)
		return store_error(st, err, N_("reading the report"));
	sqlite3_bind_text(q, 1, doc, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		memset(&row, 0, sizeof row);
		row.section = (const char *)sqlite3_column_text(q, 0);
		row.key = (const char *)sqlite3_column_text(q, 1);
		if (row.key == NULL)
			row.key = "";
		row.has_count = sqlite3_column_type(q, 2) != SQLITE_NULL;
		row.count = sqlite3_column_int64(q, 2);
		row.has_qty = sqlite3_column_type(q, 3) != SQLITE_NULL;
		row.qty = sqlite3_column_int64(q, 3);
		row.has_amount = sqlite3_column_type(q, 4) != SQLITE_NULL;
		row.amount = sqlite3_column_int64(q, 4);
		row.has_vat = sqlite3_column_type(q, 5) != SQLITE_NULL;
		row.vat = sqlite3_column_int64(q, 5);
		row.has_refunds = sqlite3_column_type(q, 6) != SQLITE_NULL;
		row.refunds = sqlite3_column_int64(q, 6);
		if (fn(ctx, &row) == -1) {
			sqlite3_finalize(q);
			return kerr_set(err, KERR_INTERNAL, "stopped");
		}
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return store_error(st, err, N_("reading the report"));
	return 0;
}

/* A money figure of an entry as major units, for the line of text. */
#define AUDIT_MONEY(path) "printf('%s%d.%02d', CASE WHEN json_extract(value, '" path "') < 0 " \
    "THEN '-' ELSE '' END, abs(json_extract(value, '" path "')) / 100, " \
    "abs(json_extract(value, '" path "')) % 100)"

static const char audit_rows_sql[] =
    "SELECT json_extract(value, '$.at'), json_extract(value, '$.kind'), "
    "trim(coalesce(json_extract(value, '$.user'), '') || "
    "CASE WHEN json_extract(value, '$.approver') IS NOT NULL THEN ', approved by ' || "
    "  json_extract(value, '$.approver') ELSE '' END || "
    "CASE WHEN json_extract(value, '$.right') IS NOT NULL THEN ': ' || "
    "  json_extract(value, '$.right') ELSE '' END || "
    "CASE WHEN json_extract(value, '$.sale') IS NOT NULL THEN ', sale ' || "
    "  json_extract(value, '$.sale') ELSE '' END || "
    "CASE WHEN json_extract(value, '$.number') IS NOT NULL THEN ', return ' || "
    "  json_extract(value, '$.number') ELSE '' END || "
    "CASE WHEN json_extract(value, '$.name') IS NOT NULL THEN ' ' || "
    "  json_extract(value, '$.name') ELSE '' END || "
    "CASE WHEN json_extract(value, '$.old_price') IS NOT NULL THEN ' ' || "
    "  " AUDIT_MONEY("$.old_price") " || ' -> ' || " AUDIT_MONEY("$.price") " ELSE '' END || "
    "CASE WHEN json_extract(value, '$.total') IS NOT NULL THEN ' ' || "
    "  " AUDIT_MONEY("$.total") " ELSE '' END || "
    "CASE WHEN json_extract(value, '$.amount') IS NOT NULL THEN ' ' || "
    "  " AUDIT_MONEY("$.amount") " ELSE '' END || "
    "CASE WHEN json_extract(value, '$.reason') IS NOT NULL THEN ' (' || "
    "  json_extract(value, '$.reason') || ')' ELSE '' END || "
    "CASE WHEN json_extract(value, '$.kind') = 'login_failed' AND "
    "  json_extract(value, '$.user') IS NULL THEN 'wrong PIN' ELSE '' END) "
    "FROM json_each(?1, '$.entries')";

int
report_audit_rows(store *st, const char *doc, report_audit_fn fn, void *ctx, struct kerr *err)
{
	struct report_audit_row row;
	sqlite3_stmt *q;
	int rc;

	if (sqlite3_prepare_v2(store_db(st), audit_rows_sql, -1, &q, NULL) != SQLITE_OK)
		return store_error(st, err, N_("reading the audit report"));
	sqlite3_bind_text(q, 1, doc, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		row.at = (const char *)sqlite3_column_text(q, 0);
		row.kind = (const char *)sqlite3_column_text(q, 1);
		row.text = (const char *)sqlite3_column_text(q, 2);
		if (row.at == NULL)
			row.at = "";
		if (row.kind == NULL)
			row.kind = "";
		if (row.text == NULL)
			row.text = "";
		if (fn(ctx, &row) == -1) {
			sqlite3_finalize(q);
			return kerr_set(err, KERR_INTERNAL, "stopped");
		}
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return store_error(st, err, N_("reading the audit report"));
	return 0;
}
