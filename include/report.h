/*
 * report: read-only views for the command line and the status bar: completed sales as JSON,
 * the till's status (queues, last sync, printer), both built with SQLite's JSON functions.
 */
#ifndef KASSA_REPORT_H
#define KASSA_REPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "kerr.h"
#include "shift.h"
#include "store.h"

/* Completed sales and returns since date ("2026-11-25" = midnight UTC, or RFC 3339 with Z or
 * an offset; NULL for all; anything else KERR_INPUT) as a JSON array: the sales in number
 * order, {kind: "sale", id, number, total, vat, discount, lines:[...], payments:[...],
 * created_at, completed_at, cashier, shift}, then the returns in theirs, {kind: "return", id,
 * number (the return's own), original (the sale's number; null without a receipt),
 * original_uuid, no_receipt, total (refunded, positive), vat, discount, lines, payments, approver,
 * ...}. Caller frees. */
char *report_sales_json(store *st, const char *since, struct kerr *err);

struct till_status {
	int64_t outbox_pending;      /* events not yet accepted upstream */
	int64_t outbox_rejected;
	char oldest_pending_at[32];  /* "" when none */
	char last_sync_at[32];       /* "" when never */
	char last_error[256];        /* "" when none */
	int64_t events;              /* journal length */
	int64_t print_queued;
	char printer_state[64];      /* "ok", "paper out", "offline", "not configured" */
	int64_t parked_sales;
	int64_t products;
	int64_t shift_id;            /* 0 when no shift is open */
};

int report_status(store *st, struct till_status *out, struct kerr *err);

/* The status as a JSON object (caller frees). */
char *report_status_json(store *st, struct kerr *err);

/* A shift report (X or Z) as JSON, built with st's SQLite JSON functions (caller frees). */
char *report_shift_json(store *st, const struct shift_report *r, struct kerr *err);

/* One completed sale or return, for the table of `kassa sales` (report-list.c). */
struct report_sale_row {
	int64_t id;
	bool is_return;              /* a return: number is the return's, total the refund */
	int64_t original;            /* a return's sale number (0 without a receipt) */
	int64_t number;
	char completed_at[32];
	char cashier[64];
	int64_t lines;               /* lines not voided */
	money_t total;
	money_t vat;
	money_t discount;
	money_t cash;                /* cash tendered minus change (a return: cash given back) */
	money_t card;
};

/* Called once per sale; returning -1 stops the walk. */
typedef int (*report_sale_fn)(void *ctx, const struct report_sale_row *row);

/* Calls fn for each completed sale, then each completed return, since date (as
 * report_sales_json; NULL for all), each in number order. Returns 0, or -1 with err on a database error or when fn stopped the walk. */
int report_sales_each(store *st, const char *since, report_sale_fn fn, void *ctx,
    struct kerr *err);

/*
 * The day's report and the audit trail (report-day.c). A day is a LOCAL date (TZ): it runs from
 * that date's local midnight to the next, both as UTC instants (a day of 23 or 25 hours where
 * the clocks change). Every figure comes from the rows `kassa journal verify` rebuilds from the
 * events, or from the events themselves, so it agrees with `kassa sales --json` to the tiyin.
 */
#define REPORT_DATE_SIZE 11   /* "YYYY-MM-DD" */
#define REPORT_TIME_SIZE 32   /* the store's UTC form */

/* date "YYYY-MM-DD" (NULL or "": today, local) into day, and its bounds [from, to) in UTC.
 * KERR_INPUT for anything else or a day that does not exist. */
int report_day_bounds(const char *date, char *day, char *from, char *to, struct kerr *err);

/*
 * The day's report as JSON (caller frees): {date, from, to, sales {count, total, subtotal,
 * vat, discount}, returns {count, total, vat, with_receipt, with_receipt_total,
 * without_receipt, without_receipt_total}, net (sales total - returns total), tenders
 * [{method, sales, refunds, net}] (cash net of change; every method that took money: card,
 * credit, points as they exist), vat_rates [{vat_bp, gross, vat, refunds_gross, refunds_vat}],
 * categories [{category, lines, total, refunds}], cashiers [{cashier, sales, total, returns,
 * refunds}], hours [{hour (local), sales, total}], top_by_amount and top_by_qty [{code, name,
 * unit, qty, total}] (top entries each, 10 when top <= 0), voids {lines, lines_total (what
 * they came to), sales, sales_total} (from the events' voids), discounts {total, sales, lines}, approvals [{at, user, approver, right, sale}],
 * cash {in, out, no_sale}, margin {revenue, cost, margin, unknown_revenue, lines,
 * lines_unknown} (the lines whose unit cost is known from the latest delivery at or before
 * their sale; returned lines negative; docs/reports.md)}.
 */
char *report_day_json(store *st, const char *date, int top, struct kerr *err);

/*
 * The audit trail of a local day as JSON (caller frees): {date, from, to, entries [...]} in
 * time order, each {at, kind, ...}: approval (user, approver, right, sale), sale_voided,
 * line_voided (sale, code, name, qty, total), no_sale, cash_move (amount, reason),
 * return_no_receipt (number, total, approver), login and login_failed (user; every PIN typed,
 * for a log-in or an approval), price_change (code, name, old_price, price).
 */
char *report_audit_json(store *st, const char *date, struct kerr *err);

/* One figure of a report, flattened for CSV, text and paper. The strings belong to the walk
 * and live until fn returns; has_* says whether the section has that figure. */
struct report_row {
	const char *section;   /* "sales", "returns", "net", "tender", "vat", "category", ... */
	const char *key;
	bool has_count, has_qty, has_amount, has_vat, has_refunds;
	int64_t count;
	int64_t qty;           /* thousandths */
	money_t amount;
	money_t vat;
	money_t refunds;
};

typedef int (*report_row_fn)(void *ctx, const struct report_row *row);

/* Walks a document from report_day_json (or the hub's, same shape) row by row, in the order
 * of the sections above. fn returning -1 stops the walk (then -1). */
int report_doc_rows(store *st, const char *doc, report_row_fn fn, void *ctx, struct kerr *err);

/* One entry of the audit trail for people: at (UTC, as stored), kind, and a line of text that
 * names who and what (amounts in major units). Valid until fn returns. */
struct report_audit_row {
	const char *at;
	const char *kind;
	const char *text;
};

typedef int (*report_audit_fn)(void *ctx, const struct report_audit_row *row);

/* Walks a document from report_audit_json entry by entry. fn returning -1 stops the walk. */
int report_audit_rows(store *st, const char *doc, report_audit_fn fn, void *ctx,
    struct kerr *err);

/* The shift with that number (KERR_NOTFOUND when none). */
int report_shift_by_number(store *st, int64_t number, struct shift_report *r, struct kerr *err);

/*
 * Paper: a Z (or X) report of one shift, or the day's report, as a receipt document
 * (receipt.h; caller frees with receipt_free). Local times, the till's language.
 */
struct receipt;
struct receipt *report_shift_receipt(const struct shift_report *r, const char *store_name);
struct receipt *report_day_receipt(store *st, const char *date, const char *store_name,
    struct kerr *err);

/* The document a queued report job names (what as report_queue_print's). */
struct receipt *report_receipt_for(store *st, const char *what, const char *store_name,
    struct kerr *err);

/* Queues a report for the till's printer process (print_jobs kind 'report'; what is 'z:ID'
 * for a shift's report, 'day:YYYY-MM-DD' for a day's). The job id into *job_id if not NULL. */
int report_queue_print(store *st, const char *what, int64_t *job_id, struct kerr *err);

#endif
