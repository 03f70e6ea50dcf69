/*
 * journal-verify.c: what `kassa journal verify` checks beyond the hash chain.
 *
 * The chain proves the events were not edited; it says nothing about the tables the till reads
 * its figures from (sales, payments, shift totals, stock), which anyone with the file can
 * rewrite with the sqlite3 shell. So every figure the tables cache is rebuilt here from the
 * events alone and compared with the table, and the first difference is named: which sale,
 * shift or product, which column, the table's value and the events' value.
 *
 * It also holds the chain head the hub acknowledged last (meta hub_ack_seq, hub_ack_hash): a
 * journal that ends before it, or holds another event at that seq, lost events the hub has.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "core-int.h"
#include "i18n.h"
#include "journal.h"
#include "xalloc.h"

/*
 * One comparison. A query with fields returns: the event's seq (or NULL), the subject ("sale
 * 2"), then one (table value, events' value) pair per field; a pair that differs is reported.
 * A query without fields returns (seq, message) rows, each a difference by itself.
 */
struct check {
	const char *sql;
	const char *const *fields;
};

/* Events of one type, and sums over a sale's tenders of one method, as the events say. */
#define SALE_EVENTS "SELECT seq, payload AS p FROM events WHERE type = 'sale.completed'"
#define RETURN_EVENTS "SELECT seq, payload AS p FROM events WHERE type = 'sale.returned'"
#define TENDERED(method) "(SELECT coalesce(sum(j.value ->> '$.amount'), 0) FROM " \
	"json_each(p, '$.payments') j WHERE j.value ->> '$.method' = '" method "')"

/* A line the event marks voided (if it lists them) is not sold: neither here nor in stock. */
#define LIVE_LINE(j) "NOT coalesce(" j ".value ->> '$.voided', 0)"

static const char *const sale_fields[] = {
	"a row in sales", "sales.state", "sales.number", "sales.subtotal", "sales.discount",
	"sales.total", "sales.vat_total", "sales.change", "sales.paid", "sales.shift_id",
	"sales.event_seq", "the number of payments", "the number of lines", NULL
};

static const char sale_sql[] =
	"WITH e AS (" SALE_EVENTS ") "
	"SELECT e.seq, 'sale ' || coalesce(p ->> '$.number', '?'), "
	" s.id IS NOT NULL, 1, s.state, 'completed', s.number, p ->> '$.number', "
	" s.subtotal, p ->> '$.subtotal', s.discount, p ->> '$.discount', "
	" s.total, p ->> '$.total', s.vat_total, p ->> '$.vat', s.change, p ->> '$.change', "
	" s.paid, (SELECT coalesce(sum(j.value ->> '$.amount'), 0) FROM json_each(p, "
	"  '$.payments') j), "
	" s.shift_id, p ->> '$.shift', s.event_seq, e.seq, "
	" (SELECT count(*) FROM payments WHERE sale_id = s.id), json_array_length(p, "
	"  '$.payments'), "
	" (SELECT count(*) FROM sale_lines WHERE sale_id = s.id AND voided = 0), "
	"  (SELECT count(*) FROM json_each(p, '$.lines') j WHERE " LIVE_LINE("j") ") "
	"FROM e LEFT JOIN sales s ON s.uuid = p ->> '$.id' ORDER BY e.seq";

static const char *const payment_fields[] = { "payments.amount", "payments.method", NULL };

static const char payment_sql[] =
	"WITH e AS (" SALE_EVENTS "), "
	"pp AS (SELECT sale_id, amount, method, row_number() OVER (PARTITION BY sale_id ORDER BY "
	" id) - 1 AS k FROM payments) "
	"SELECT e.seq, 'sale ' || (p ->> '$.number') || ' payment ' || (j.key + 1), "
	" pp.amount, j.value ->> '$.amount', pp.method, j.value ->> '$.method' "
	"FROM e JOIN sales s ON s.uuid = p ->> '$.id' JOIN json_each(p, '$.payments') j "
	"LEFT JOIN pp ON pp.sale_id = s.id AND pp.k = j.key ORDER BY e.seq, j.key";

static const char *const line_fields[] = {
	"sale_lines.product_id", "sale_lines.qty", "sale_lines.price", "sale_lines.discount",
	"sale_lines.total", "sale_lines.vat", NULL
};

static const char line_sql[] =
	"WITH e AS (" SALE_EVENTS "), "
	"ll AS (SELECT sale_id, product_id, qty, price, discount, total, vat, row_number() OVER "
	" (PARTITION BY sale_id ORDER BY lineno) - 1 AS k FROM sale_lines WHERE voided = 0), "
	"el AS (SELECT e.seq, p, s.id AS sid, j.value AS v, row_number() OVER (PARTITION BY "
	" e.seq ORDER BY j.key) - 1 AS k FROM e JOIN sales s ON s.uuid = p ->> '$.id' JOIN "
	" json_each(p, '$.lines') j WHERE " LIVE_LINE("j") ") "
	"SELECT el.seq, 'sale ' || (p ->> '$.number') || ' line ' || (el.k + 1), "
	" ll.product_id, v ->> '$.product_id', ll.qty, v ->> '$.qty', "
	" ll.price, v ->> '$.price', ll.discount, v ->> '$.discount', "
	" ll.total, v ->> '$.total', ll.vat, v ->> '$.vat' "
	"FROM el LEFT JOIN ll ON ll.sale_id = el.sid AND ll.k = el.k ORDER BY el.seq, el.k";

/* A completed sale, a shift or a cash move in the tables that no event records. */
static const char orphan_sql[] =
	"SELECT NULL, 'sale ' || coalesce(number, '?') || ' (uuid ' || uuid || ') is completed "
	"in the sales table, but no sale.completed event records it' FROM sales "
	" WHERE state = 'completed' AND uuid NOT IN (SELECT payload ->> '$.id' FROM events "
	" WHERE type = 'sale.completed') "
	"UNION ALL "
	"SELECT NULL, 'shift ' || number || ' is in the shifts table, but no shift.opened event "
	"records it' FROM shifts WHERE id NOT IN (SELECT payload ->> '$.shift_id' FROM events "
	" WHERE type = 'shift.opened') "
	"UNION ALL "
	"SELECT m.event_seq, 'cash move ' || m.id || ': cash_moves.amount is ' || m.amount || "
	" ' in the table, but ' || coalesce(e.payload ->> '$.amount', 'nothing') || ' by its "
	"cash.moved event' FROM cash_moves m LEFT JOIN events e ON e.seq = m.event_seq AND "
	" e.type = 'cash.moved' WHERE e.seq IS NULL OR m.amount IS NOT e.payload ->> '$.amount' "
	"UNION ALL "
	"SELECT e.seq, 'a cash.moved event has no row in cash_moves' FROM events e WHERE "
	" e.type = 'cash.moved' AND NOT EXISTS (SELECT 1 FROM cash_moves m WHERE m.event_seq = "
	" e.seq)";

static const char *const shift_fields[] = {
	"a row in shifts", "shifts.number", "shifts.opening_float", "shifts.cash_sales",
	"shifts.card_sales", "shifts.cash_change", "shifts.sales_count", "shifts.sales_total",
	"shifts.vat_total", "shifts.discount_total", "shifts.voids_count", "shifts.cash_in",
	"shifts.cash_out", "whether it is closed", "shifts.counted_cash", "shifts.expected_cash",
	"shifts.refunds_count", "shifts.refunds_total", "shifts.refunds_vat",
	"shifts.refunds_cash", "shifts.refunds_card", "shifts.refunds_other",
	"shifts.refunds_no_receipt", "shifts.credit_sales", "shifts.points_sales",
	"shifts.repaid_cash", "shifts.repaid_card", NULL
};

/*
 * A shift's events are those between its shift.opened and its shift.closed (one shift is open
 * at a time); sale.completed events also name their shift.
 */
static const char shift_sql[] =
	"WITH op AS (SELECT seq AS lo, payload ->> '$.shift_id' AS sid, payload ->> '$.float' AS "
	" flt, payload ->> '$.number' AS num FROM events WHERE type = 'shift.opened'), "
	"cl AS (SELECT seq, payload AS cp, payload ->> '$.shift_id' AS sid FROM events WHERE "
	" type = 'shift.closed'), "
	"r AS (SELECT op.*, coalesce(cl.seq, 9223372036854775807) AS hi, cl.seq AS closed, cl.cp "
	" FROM op LEFT JOIN cl ON cl.sid = op.sid), "
	"se AS (SELECT p ->> '$.shift' AS sid, p ->> '$.total' AS total, p ->> '$.vat' AS vat, "
	" p ->> '$.discount' AS disc, p ->> '$.change' AS chg, " TENDERED("cash") " AS cash, "
	TENDERED("card") " AS card, " TENDERED("credit") " AS credit, " TENDERED("points")
	" AS points FROM (" SALE_EVENTS ")), "
	"sa AS (SELECT sid, count(*) AS n, sum(total) AS total, sum(vat) AS vat, sum(disc) AS disc, "
	" sum(chg) AS chg, sum(cash) AS cash, sum(card) AS card, sum(credit) AS credit, "
	" sum(points) AS points FROM se GROUP BY sid), "
	"re AS (SELECT p ->> '$.shift' AS sid, count(*) AS n, sum(p ->> '$.total') AS total, "
	" sum(p ->> '$.vat') AS vat, sum(" TENDERED("cash") ") AS cash, sum(" TENDERED("card")
	") AS card, sum(" TENDERED("credit") " + " TENDERED("points") ") AS other, "
	" sum(p ->> '$.no_receipt') AS nr "
	" FROM (" RETURN_EVENTS ") GROUP BY p ->> '$.shift') "
	"SELECT r.lo, 'shift ' || coalesce(r.num, '?'), "
	" sh.id IS NOT NULL, 1, sh.number, r.num, sh.opening_float, r.flt, "
	" sh.cash_sales, coalesce(sa.cash - sa.chg, 0), sh.card_sales, coalesce(sa.card, 0), "
	" sh.cash_change, coalesce(sa.chg, 0), sh.sales_count, coalesce(sa.n, 0), "
	" sh.sales_total, coalesce(sa.total, 0), sh.vat_total, coalesce(sa.vat, 0), "
	" sh.discount_total, coalesce(sa.disc, 0), "
	" sh.voids_count, (SELECT count(*) FROM events v WHERE v.seq > r.lo AND v.seq < r.hi AND "
	"  v.type = 'sale.voided'), "
	" sh.cash_in, (SELECT coalesce(sum(v.payload ->> '$.amount'), 0) FROM events v WHERE "
	"  v.seq > r.lo AND v.seq < r.hi AND v.type = 'cash.moved' AND v.payload ->> '$.amount' "
	"  > 0), "
	" sh.cash_out, (SELECT coalesce(-sum(v.payload ->> '$.amount'), 0) FROM events v WHERE "
	"  v.seq > r.lo AND v.seq < r.hi AND v.type = 'cash.moved' AND v.payload ->> '$.amount' "
	"  < 0), "
	" sh.closed_at IS NOT NULL, r.closed IS NOT NULL, "
	" sh.counted_cash, r.cp ->> '$.counted', sh.expected_cash, r.cp ->> '$.expected', "
	" sh.refunds_count, coalesce(re.n, 0), sh.refunds_total, coalesce(re.total, 0), "
	" sh.refunds_vat, coalesce(re.vat, 0), sh.refunds_cash, coalesce(re.cash, 0), "
	" sh.refunds_card, coalesce(re.card, 0), sh.refunds_other, coalesce(re.other, 0), "
	" sh.refunds_no_receipt, coalesce(re.nr, 0), "
	" sh.credit_sales, coalesce(sa.credit, 0), sh.points_sales, coalesce(sa.points, 0), "
	" sh.repaid_cash, (SELECT coalesce(sum(v.payload ->> '$.amount'), 0) FROM events v WHERE "
	"  v.seq > r.lo AND v.seq < r.hi AND v.type = 'customer.paid' AND v.payload ->> "
	"  '$.method' = 'cash'), "
	" sh.repaid_card, (SELECT coalesce(sum(v.payload ->> '$.amount'), 0) FROM events v WHERE "
	"  v.seq > r.lo AND v.seq < r.hi AND v.type = 'customer.paid' AND v.payload ->> "
	"  '$.method' = 'card') "
	"FROM r LEFT JOIN shifts sh ON sh.id = r.sid LEFT JOIN sa ON sa.sid = r.sid "
	"LEFT JOIN re ON re.sid = r.sid ORDER BY r.lo";

static const char *const stock_fields[] = { "stock on hand (products.stock and the moves not "
	"folded yet)", "the sum of its stock_moves",
	NULL };

/* Stock on hand: what sales took, returns and deliveries put back, adjustments and counts
 * moved, per product, from the events (the payloads in docs/protocol.md), beside the sum of its
 * moves and stock on hand, in one grouping (joining three per-product sums made SQLite compare
 * every pair: 11 s for 20 000 products after a delivery of 400 000 lines, 0.6 s so). On hand
 * is STOCK_ON_HAND_SQL (core-int.h) summed in the same grouping: products.stock plus each move
 * after the fold's mark (a correlated sum per product would scan the unfolded moves once per
 * product). */
static const char stock_sql[] =
	"WITH d(pid, ev, mv, tab) AS ("
	" SELECT j.value ->> '$.product_id', -(j.value ->> '$.qty'), 0, 0 FROM events e, "
	"  json_each(e.payload, '$.lines') j WHERE e.type = 'sale.completed' AND " LIVE_LINE("j")
	" UNION ALL SELECT j.value ->> '$.product_id', j.value ->> '$.qty', 0, 0 FROM events e, "
	"  json_each(e.payload, '$.lines') j WHERE e.type IN ('sale.returned', 'stock.received') "
	" UNION ALL SELECT e.payload ->> '$.product_id', e.payload ->> '$.delta', 0, 0 FROM "
	"  events e WHERE e.type = 'stock.adjusted' "
	" UNION ALL SELECT j.value ->> '$.product_id', j.value ->> '$.delta', 0, 0 FROM events e, "
	"  json_each(e.payload, '$.counts') j WHERE e.type = 'stock.counted' "
	" UNION ALL SELECT product_id, 0, qty, CASE WHEN id > (SELECT CAST(value AS INTEGER) "
	"  FROM meta WHERE key = 'stock_folded') THEN qty ELSE 0 END FROM stock_moves "
	" UNION ALL SELECT id, 0, 0, stock FROM products) "
	"SELECT NULL, 'product ' || pid || coalesce(' (' || (SELECT name FROM products WHERE id = "
	" pid) || ')', ''), sum(tab), sum(ev), sum(mv), sum(ev) FROM d GROUP BY pid "
	"HAVING sum(tab) <> sum(ev) OR sum(mv) <> sum(ev) ORDER BY pid";

static const char *const return_fields[] = {
	"a row in returns", "returns.number", "returns.total", "returns.vat_total",
	"returns.event_seq", "the sum of return_payments", "the number of return_lines", NULL
};

/* A completed return against its sale.returned event (open returns have no event yet). */
static const char return_sql[] =
	"WITH e AS (" RETURN_EVENTS ") "
	"SELECT e.seq, 'return R' || coalesce(p ->> '$.number', '?'), "
	" x.id IS NOT NULL, 1, x.number, p ->> '$.number', x.total, p ->> '$.total', "
	" x.vat_total, p ->> '$.vat', x.event_seq, e.seq, "
	" (SELECT coalesce(sum(amount), 0) FROM return_payments WHERE return_id = x.id), "
	" (SELECT coalesce(sum(j.value ->> '$.amount'), 0) FROM json_each(p, '$.payments') j), "
	" (SELECT count(*) FROM return_lines WHERE return_id = x.id), "
	"  json_array_length(p, '$.lines') "
	"FROM e LEFT JOIN returns x ON x.uuid = p ->> '$.id' "
	"UNION ALL "
	"SELECT NULL, 'return R' || x.number, 0, 1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
	" NULL, NULL, NULL, NULL, NULL FROM returns x WHERE x.state = 'completed' AND x.uuid NOT "
	" IN (SELECT p ->> '$.id' FROM (" RETURN_EVENTS ")) "
	"ORDER BY 1";

static const char *const fiscal_fields[] = {
	"a row in fiscal_documents", "fiscal_documents.state", "fiscal_documents.terminal_id",
	"fiscal_documents.receipt_seq", "fiscal_documents.fiscal_sign", "fiscal_documents.qr_url",
	"fiscal_documents.event_seq", NULL
};

/* A fiscal document's reply (fiscal.h) against its fiscal.signed event; a document the table
 * calls signed without one is a difference too. */
static const char fiscal_sql[] =
	"WITH e AS (SELECT seq, payload AS p FROM events WHERE type = 'fiscal.signed') "
	"SELECT e.seq, 'fiscal document ' || coalesce(p ->> '$.document', '?'), "
	" d.id IS NOT NULL, 1, d.state, 'sent', d.terminal_id, p ->> '$.terminal_id', "
	" d.receipt_seq, p ->> '$.receipt_seq', d.fiscal_sign, p ->> '$.fiscal_sign', d.qr_url, "
	" p ->> '$.qr_url', d.event_seq, e.seq "
	"FROM e LEFT JOIN fiscal_documents d ON d.uuid = p ->> '$.document' "
	"UNION ALL "
	"SELECT NULL, 'fiscal document ' || d.uuid, 1, 1, d.state, 'not signed (no fiscal.signed "
	" event)', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM "
	" fiscal_documents d WHERE d.state = 'sent' AND d.uuid NOT IN (SELECT p ->> '$.document' "
	" FROM e) "
	"ORDER BY 1";

/*
 * Customers' balances and points have no cache: they are summed from the events that name the
 * customer's key (customer.c). What could still hide a debt is the row those events are found
 * by: a customer named by an event must have a row, under that key; and the seq up to which
 * the hub's figures count this till's events (hub_seq), which cannot be past its last event.
 */
static const char customer_sql[] =
	"SELECT e.seq, 'customer ' || (e.payload ->> '$.key') || ' (' || (e.payload ->> "
	" '$.name') || ') was added by event ' || e.seq || ', but the customers table has no "
	"row for it' FROM events e WHERE e.type = 'customer.added' AND NOT EXISTS (SELECT 1 FROM "
	" customers c WHERE c.key = e.payload ->> '$.key') "
	"UNION ALL "
	"SELECT e.seq, 'event ' || e.seq || ' (' || e.type || ') names customer ' || "
	" json_extract(e.payload, '$.customer') || ', whom the customers table does not have' "
	"FROM events e WHERE e.type IN ('sale.completed', 'sale.returned', 'customer.paid') AND "
	" json_extract(e.payload, '$.customer') IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "
	" customers c WHERE c.key = json_extract(e.payload, '$.customer')) "
	"UNION ALL "
	"SELECT NULL, 'customer ' || c.key || ' (' || c.name || '): customers.hub_seq is ' || "
	" c.hub_seq || ', past the last event of this till (' || coalesce((SELECT max(seq) FROM "
	" events), 0) || '): its own events after the hub''s figures would be left out' "
	"FROM customers c WHERE c.hub_seq > coalesce((SELECT max(seq) FROM events), 0) "
	"ORDER BY 1";

static const struct check checks[] = {
	{ customer_sql, NULL },
	{ return_sql, return_fields },
	{ sale_sql, sale_fields },
	{ payment_sql, payment_fields },
	{ line_sql, line_fields },
	{ shift_sql, shift_fields },
	{ orphan_sql, NULL },
	{ stock_sql, stock_fields },
	{ fiscal_sql, fiscal_fields },
};

/* A column as text for a message: "nothing" for NULL. */
static const char *
shown(sqlite3_stmt *q, int col)
{
	const unsigned char *t = sqlite3_column_text(q, col);

	return t != NULL ? (const char *)t : "nothing";
}

/* Two columns hold the same value: both NULL, or equal as text (integers print alike). */
static bool
same(sqlite3_stmt *q, int a, int b)
{
	const unsigned char *x = sqlite3_column_text(q, a), *y = sqlite3_column_text(q, b);

	if (x == NULL || y == NULL)
		return x == NULL && y == NULL;
	return strcmp((const char *)x, (const char *)y) == 0;
}

/* Runs one check: 0 when it found nothing, 1 with err and *bad_seq at the first difference,
 * -1 on a database error. */
static int
run_check(store *st, const struct check *c, int64_t *bad_seq, struct kerr *err)
{
	sqlite3_stmt *q;
	int rc, found = 0;

	if (sqlite3_prepare_v2(store_db(st), c->sql, -1, &q, NULL) != SQLITE_OK)
		return store_error(st, err, N_("rebuilding the figures from the journal"));
	while (found == 0 && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		int64_t seq = sqlite3_column_int64(q, 0);

		if (c->fields == NULL) {
			kerr_set(err, KERR_IO, "%s", shown(q, 1));
			*bad_seq = seq;
			found = 1;
			break;
		}
		for (int i = 0; c->fields[i] != NULL; i++) {
			int col = 2 + 2 * i;
			char where[48] = "";

			if (same(q, col, col + 1))
				continue;
			if (seq > 0)
				snprintf(where, sizeof where, " (event %" PRId64 ")", seq);
			/* A missing row: its columns are all NULL, the first pair says it. */
			if (i == 0 && strncmp(c->fields[0], "a row", 5) == 0)
				kerr_set(err, KERR_IO, "%s%s has no %s", shown(q, 1), where,
				    c->fields[0] + 2);
			else
				kerr_set(err, KERR_IO, "%s%s: %s is %s in the table but %s by the "
				    "events", shown(q, 1), where, c->fields[i], shown(q, col),
				    shown(q, col + 1));
			*bad_seq = seq;
			found = 1;
			break;
		}
	}
	if (found == 0 && rc != SQLITE_DONE) {
		sqlite3_finalize(q);
		return store_error(st, err, N_("rebuilding the figures from the journal"));
	}
	sqlite3_finalize(q);
	return found;
}

int
journal_reconcile(store *st, int64_t *bad_seq, struct kerr *err)
{
	int rc = 0;

	*bad_seq = 0;
	/* One read transaction (deferred: the connection may be read-only), so a sale that
	 * completes meanwhile cannot look like a difference. */
	if (sqlite3_exec(store_db(st), "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return store_error(st, err, N_("rebuilding the figures from the journal"));
	for (size_t i = 0; rc == 0 && i < sizeof checks / sizeof checks[0]; i++)
		rc = run_check(st, &checks[i], bad_seq, err);
	sqlite3_exec(store_db(st), "ROLLBACK", NULL, NULL, NULL);
	return rc == 0 ? 0 : -1;
}

int
journal_acknowledged(store *st, const char *id, struct kerr *err)
{
	char seqbuf[24], hash[JOURNAL_HASH_HEX];
	sqlite3_stmt *q;
	int64_t seq;
	int rc;

	q = store_cached(st, "SELECT seq, hash FROM events WHERE id = ?1");
	if (q == NULL)
		return store_error(st, err, N_("reading the journal"));
	sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		seq = sqlite3_column_int64(q, 0);
		core_text(q, 1, hash, sizeof hash);
	}
	store_release(q);
	if (rc == SQLITE_DONE)
		return 0;	/* not ours: the caller checked the reply's ids already */
	if (rc != SQLITE_ROW)
		return store_error(st, err, N_("reading the journal"));
	if (seq <= store_meta_get_int(st, "hub_ack_seq", 0))
		return 0;
	snprintf(seqbuf, sizeof seqbuf, "%" PRId64, seq);
	if (store_meta_set(st, "hub_ack_seq", seqbuf, err) == -1 ||
	    store_meta_set(st, "hub_ack_hash", hash, err) == -1)
		return -1;
	return 0;
}

int
journal_check_acked(store *st, int64_t head_seq, int64_t *bad_seq, struct kerr *err)
{
	int64_t acked = store_meta_get_int(st, "hub_ack_seq", 0);
	char *want, hash[JOURNAL_HASH_HEX] = "";
	sqlite3_stmt *q;
	int rc, result = 0;

	*bad_seq = 0;
	if (acked <= 0)
		return 0;
	if (head_seq < acked) {
		*bad_seq = head_seq + 1;
		return kerr_set(err, KERR_IO, "the journal ends at event %" PRId64 ", but the hub "
		    "acknowledged event %" PRId64 ": events %" PRId64 " to %" PRId64 " were "
		    "deleted (the hub keeps a copy)", head_seq, acked, head_seq + 1, acked);
	}
	q = store_cached(st, "SELECT hash FROM events WHERE seq = ?1");
	if (q == NULL)
		return store_error(st, err, N_("reading the journal"));
	sqlite3_bind_int64(q, 1, acked);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		core_text(q, 0, hash, sizeof hash);
	store_release(q);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_error(st, err, N_("reading the journal"));
	want = store_meta_get(st, "hub_ack_hash");
	if (want != NULL && strcmp(want, hash) != 0) {
		*bad_seq = acked;
		result = kerr_set(err, KERR_IO, "event %" PRId64 " is not the one the hub "
		    "acknowledged (its hash was %.16s..., now %.16s...)", acked, want,
		    hash[0] != '\0' ? hash : "none");
	}
	free(want);
	return result;
}
