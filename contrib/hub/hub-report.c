/*
 * hub-report.c: `kassa-hub report`: what the tills sold, per till and per local day (the hub's
 * TZ), with the breakdowns a till's day report has: tenders (cash net of change, card, credit,
 * points as they appear), VAT rates, cashiers, hours, top products, returns with and without a
 * receipt, and each closed shift's cash variance; the same rows again for all tills together
 * (till "*"). Text, --json (integer minor units) or --csv (RFC 4180, UTF-8 with a BOM, amounts
 * in major units with '.', as `kassa report day --csv`).
 *
 * The accepted events are read from either engine with one plain SELECT, then summed in an
 * in-memory SQLite database with its JSON functions, so the breakdowns are written once for
 * SQLite and PostgreSQL hubs alike.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "hub-int.h"
#include "money.h"

/* One row per (till, day, section, key): count, amount, vat, refunds (NULL when a section does
 * not have that figure). ?1 and ?2: the first and last local day, or NULL. */
static const char breakdown_sql[] =
    "WITH e AS (SELECT device, type, at, payload, date(at, 'localtime') AS day FROM ev WHERE "
    "  (?1 IS NULL OR date(at, 'localtime') >= ?1) AND (?2 IS NULL OR date(at, 'localtime') <= ?2)), "
    "a AS (SELECT device, type, at, payload, day FROM e UNION ALL "
    "  SELECT '*', type, at, payload, day FROM e), "
    "s AS (SELECT * FROM a WHERE type = 'sale.completed'), "
    "r AS (SELECT * FROM a WHERE type = 'sale.returned'), "
    "pl AS (SELECT s.device, s.day, json_extract(l.value, '$.code') AS code, "
    "  json_extract(l.value, '$.name') AS name, json_extract(l.value, '$.qty') AS qty, "
    "  json_extract(l.value, '$.total') AS total FROM s, json_each(s.payload, '$.lines') l), "
    "rows AS ("
    "SELECT device, day, 0 AS o, 'sales' AS section, 'total' AS key, count(*) AS n, "
    "  sum(json_extract(payload, '$.total')) AS amount, sum(json_extract(payload, '$.vat')) AS vat, "
    "  NULL AS refunds FROM s GROUP BY 1, 2 "
    "UNION ALL SELECT device, day, 1, 'returns', CASE WHEN json_extract(payload, "
    "  '$.no_receipt') THEN 'without receipt' ELSE 'with receipt' END, count(*), "
    "  sum(json_extract(payload, '$.total')), sum(json_extract(payload, '$.vat')), NULL "
    "  FROM r GROUP BY 1, 2, 5 "
    "UNION ALL SELECT device, day, 2, 'tender', m, NULL, sum(x), NULL, sum(y) FROM ("
    "  SELECT s.device, s.day, json_extract(p.value, '$.method') AS m, "
    "  json_extract(p.value, '$.amount') AS x, 0 AS y FROM s, json_each(s.payload, '$.payments') p "
    "  UNION ALL SELECT device, day, 'cash', -json_extract(payload, '$.change'), 0 FROM s "
    "  WHERE json_extract(payload, '$.change') <> 0 "
    "  UNION ALL SELECT r.device, r.day, json_extract(p.value, '$.method'), 0, "
    "  json_extract(p.value, '$.amount') FROM r, json_each(r.payload, '$.payments') p) "
    "  GROUP BY 1, 2, 5 "
    "UNION ALL SELECT device, day, 3, 'vat', CASE WHEN bp % 100 = 0 THEN printf('%d%%', bp / 100) "
    "  ELSE printf('%d.%02d%%', bp / 100, bp % 100) END, NULL, sum(g), sum(v), sum(rg) FROM ("
    "  SELECT s.device, s.day, json_extract(l.value, '$.vat_bp') AS bp, json_extract(l.value, "
    "  '$.total') AS g, json_extract(l.value, '$.vat') AS v, 0 AS rg FROM s, "
    "  json_each(s.payload, '$.lines') l UNION ALL SELECT r.device, r.day, "
    "  json_extract(l.value, '$.vat_bp'), 0, 0, json_extract(l.value, '$.total') FROM r, "
    "  json_each(r.payload, '$.lines') l) GROUP BY 1, 2, bp "
    "UNION ALL SELECT device, day, 4, 'cashier', c, sum(n), sum(t), NULL, sum(rt) FROM ("
    "  SELECT device, day, json_extract(payload, '$.cashier') AS c, 1 AS n, "
    "  json_extract(payload, '$.total') AS t, 0 AS rt FROM s UNION ALL SELECT device, day, "
    "  json_extract(payload, '$.cashier'), 0, 0, json_extract(payload, '$.total') FROM r) "
    "  GROUP BY 1, 2, 5 "
    "UNION ALL SELECT device, day, 5, 'hour', strftime('%H:00', at, 'localtime'), count(*), "
    "  sum(json_extract(payload, '$.total')), NULL, NULL FROM s GROUP BY 1, 2, 5 "
    "UNION ALL SELECT device, day, 6, 'top by amount', name, NULL, t, NULL, NULL FROM ("
    "  SELECT device, day, min(name) AS name, sum(total) AS t, row_number() OVER (PARTITION BY "
    "  device, day ORDER BY sum(total) DESC, min(name)) AS k FROM pl GROUP BY device, day, code) "
    "  WHERE k <= 10 "
    "UNION ALL SELECT device, day, 7, 'shift', 'shift ' || json_extract(payload, '$.number') || "
    "  ' variance', json_extract(payload, '$.sales'), json_extract(payload, '$.variance'), NULL, "
    "  NULL FROM a WHERE type = 'shift.closed') "
    "SELECT device, day, section, key, n, amount, vat, refunds FROM rows "
    "ORDER BY day, device = '*', device, o, amount IS NULL, amount DESC, key";

static void
csv_field(const char *s, bool last)
{
	if (strpbrk(s, ",\"\r\n") != NULL) {
		putchar('"');
		for (; *s != '\0'; s++) {
			if (*s == '"')
				putchar('"');
			putchar(*s);
		}
		putchar('"');
	} else {
		fputs(s, stdout);
	}
	fputs(last ? "\r\n" : ",", stdout);
}

/* Major units with '.', or "" for NULL. */
static const char *
major(sqlite3_stmt *q, int col, char *buf, size_t size)
{
	int64_t v = sqlite3_column_int64(q, col);
	uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

	if (sqlite3_column_type(q, col) == SQLITE_NULL)
		return "";
	snprintf(buf, size, "%s%" PRIu64 ".%02" PRIu64, v < 0 ? "-" : "", a / MONEY_MINOR,
	    a % MONEY_MINOR);
	return buf;
}

static const char *
text_or(sqlite3_stmt *q, int col, const char *dflt)
{
	const unsigned char *t = sqlite3_column_text(q, col);

	return t != NULL ? (const char *)t : dflt;
}

/* The accepted events that reports read, into the in-memory table ev. */
static int
load(struct hub *h, sqlite3 *mem, struct kerr *err)
{
	struct hub_rows r;
	sqlite3_stmt *ins;
	int rc = 0;

	if (hub_sql(h, "SELECT device_id, type, at, payload FROM hub_events WHERE status = "
	    "'accepted' AND type IN ('sale.completed', 'sale.returned', 'shift.closed') ORDER BY "
	    "device_id, seq", 0, NULL, &r, err) == -1)
		return -1;
	if (sqlite3_exec(mem, "CREATE TABLE ev (device TEXT, type TEXT, at TEXT, payload TEXT); "
	    "BEGIN", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(mem, "INSERT INTO ev VALUES (?1, ?2, ?3, ?4)", -1, &ins, NULL) !=
	    SQLITE_OK) {
		hub_rows_free(&r);
		return kerr_set(err, KERR_INTERNAL, "report: %s", sqlite3_errmsg(mem));
	}
	for (int i = 0; i < r.nrows && rc == 0; i++) {
		for (int c = 0; c < 4; c++)
			sqlite3_bind_text(ins, c + 1, hub_cell(&r, i, c), -1, SQLITE_STATIC);
		if (sqlite3_step(ins) != SQLITE_DONE)
			rc = kerr_set(err, KERR_INTERNAL, "report: %s", sqlite3_errmsg(mem));
		sqlite3_reset(ins);
	}
	sqlite3_finalize(ins);
	hub_rows_free(&r);
	if (rc == 0 && sqlite3_exec(mem, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		rc = kerr_set(err, KERR_INTERNAL, "report: %s", sqlite3_errmsg(mem));
	return rc;
}

/* The text's first table, as the hub has always printed it: per till and day, the sales and
 * their total, the returns and the amount refunded. The breakdowns follow it. */
static int
summary(sqlite3 *mem, const char *from, const char *to)
{
	sqlite3_stmt *q;
	char total[40], refunded[40];
	int rc;

	if (sqlite3_prepare_v2(mem, "SELECT device, date(at, 'localtime') AS day, "
	    "sum(type = 'sale.completed'), coalesce(sum(CASE WHEN type = 'sale.completed' THEN "
	    "json_extract(payload, '$.total') END), 0), sum(type = 'sale.returned'), "
	    "coalesce(sum(CASE WHEN type = 'sale.returned' THEN json_extract(payload, '$.total') "
	    "END), 0) FROM ev WHERE type IN ('sale.completed', 'sale.returned') AND (?1 IS NULL OR "
	    "date(at, 'localtime') >= ?1) AND (?2 IS NULL OR date(at, 'localtime') <= ?2) "
	    "GROUP BY 1, 2 ORDER BY 2, 1", -1, &q, NULL) != SQLITE_OK) {
		fprintf(stderr, "kassa-hub: report: %s\n", sqlite3_errmsg(mem));
		return -1;
	}
	if (from != NULL)
		sqlite3_bind_text(q, 1, from, -1, SQLITE_STATIC);
	if (to != NULL)
		sqlite3_bind_text(q, 2, to, -1, SQLITE_STATIC);
	printf("%-38s %-10s %6s %16s %7s %16s\n", "till", "day", "sales", "total", "returns",
	    "refunded");
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		money_format(sqlite3_column_int64(q, 3), total, sizeof total);
		money_format(sqlite3_column_int64(q, 5), refunded, sizeof refunded);
		printf("%-38s %-10s %6s %16s %7s %16s\n", text_or(q, 0, ""), text_or(q, 1, ""),
		    text_or(q, 2, ""), total, text_or(q, 4, ""), refunded);
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		fprintf(stderr, "kassa-hub: report: %s\n", sqlite3_errmsg(mem));
		return -1;
	}
	printf("\n");
	return 0;
}

/* --json: an array of {till, day, section, key, count, amount, vat, refunds}. */
int
hub_report(struct hub *h, const char *format, const char *from, const char *to)
{
	sqlite3 *mem = NULL;
	sqlite3_stmt *q = NULL;
	struct kerr err;
	char a[40], b[40], c[40];
	int rc = 1, step;

	kerr_clear(&err);
	if (sqlite3_open(":memory:", &mem) != SQLITE_OK) {
		fprintf(stderr, "kassa-hub: report: cannot open a memory database\n");
		goto out;
	}
	if (load(h, mem, &err) == -1) {
		fprintf(stderr, "kassa-hub: %s\n", err.msg);
		goto out;
	}
	if (strcmp(format, "json") == 0) {
		char *sql = NULL;
		size_t len = sizeof breakdown_sql + 256;

		sql = malloc(len);
		if (sql == NULL)
			goto out;
		snprintf(sql, len, "SELECT coalesce(json_group_array(json_object('till', device, "
		    "'day', day, 'section', section, 'key', key, 'count', n, 'amount', amount, "
		    "'vat', vat, 'refunds', refunds)), '[]') FROM (%s)", breakdown_sql);
		step = sqlite3_prepare_v2(mem, sql, -1, &q, NULL);
		free(sql);
	} else {
		step = sqlite3_prepare_v2(mem, breakdown_sql, -1, &q, NULL);
	}
	if (step != SQLITE_OK) {
		fprintf(stderr, "kassa-hub: report: %s\n", sqlite3_errmsg(mem));
		goto out;
	}
	if (from != NULL)
		sqlite3_bind_text(q, 1, from, -1, SQLITE_STATIC);
	if (to != NULL)
		sqlite3_bind_text(q, 2, to, -1, SQLITE_STATIC);
	if (strcmp(format, "json") == 0) {
		if (sqlite3_step(q) != SQLITE_ROW) {
			fprintf(stderr, "kassa-hub: report: %s\n", sqlite3_errmsg(mem));
			goto out;
		}
		printf("%s\n", text_or(q, 0, "[]"));
		rc = 0;
		goto out;
	}
	if (strcmp(format, "text") == 0 && summary(mem, from, to) == -1)
		goto out;
	if (strcmp(format, "csv") == 0) {
		fputs("\xef\xbb\xbf", stdout);
		fputs("till,day,section,key,count,amount,vat,refunds\r\n", stdout);
	} else {
		printf("%-24s %-10s %-14s %-24s %6s %16s %14s %14s\n", "till", "day", "section",
		    "key", "count", "amount", "vat", "refunds");
	}
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		if (strcmp(format, "csv") == 0) {
			csv_field(text_or(q, 0, ""), false);
			csv_field(text_or(q, 1, ""), false);
			csv_field(text_or(q, 2, ""), false);
			csv_field(text_or(q, 3, ""), false);
			csv_field(text_or(q, 4, ""), false);
			csv_field(major(q, 5, a, sizeof a), false);
			csv_field(major(q, 6, b, sizeof b), false);
			csv_field(major(q, 7, c, sizeof c), true);
		} else {
			printf("%-24s %-10s %-14s %-24s %6s %16s %14s %14s\n", text_or(q, 0, ""),
			    text_or(q, 1, ""), text_or(q, 2, ""), text_or(q, 3, "-"),
			    text_or(q, 4, ""), sqlite3_column_type(q, 5) == SQLITE_NULL ? "" :
			    money_format(sqlite3_column_int64(q, 5), a, sizeof a),
			    sqlite3_column_type(q, 6) == SQLITE_NULL ? "" :
			    money_format(sqlite3_column_int64(q, 6), b, sizeof b),
			    sqlite3_column_type(q, 7) == SQLITE_NULL ? "" :
			    money_format(sqlite3_column_int64(q, 7), c, sizeof c));
		}
	}
	if (step != SQLITE_DONE) {
		fprintf(stderr, "kassa-hub: report: %s\n", sqlite3_errmsg(mem));
		goto out;
	}
	rc = fflush(stdout) == 0 ? 0 : 1;
out:
	sqlite3_finalize(q);
	sqlite3_close(mem);
	return rc;
}
