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

#endif
