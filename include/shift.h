/*
 * shift: one open shift per till. Open with a float, cash in and out with a reason, the X report
 * (so far), close with the counted cash, the variance and the Z report. Every step is an event.
 */
#ifndef KASSA_SHIFT_H
#define KASSA_SHIFT_H

#include <stdbool.h>
#include <stdint.h>

#include "kerr.h"
#include "money.h"
#include "store.h"
#include "user.h"

/* A shift's figures: the X report while open, the Z report once closed. */
struct shift_report {
	int64_t id;
	int64_t number;
	char opened_at[32];
	char closed_at[32];       /* "" while open */
	char opened_by[64];
	char closed_by[64];
	money_t opening_float;
	money_t cash_sales;       /* cash tendered minus change given */
	money_t card_sales;
	int64_t sales_count;
	money_t sales_total;
	money_t vat_total;
	money_t discount_total;
	int64_t voids_count;      /* voided sales */
	money_t cash_in;
	money_t cash_out;         /* positive number */
	money_t expected_cash;    /* float + cash sales + in - out - refunds_cash + repaid_cash */
	money_t counted_cash;     /* closed only */
	money_t variance;         /* counted - expected; closed only */
	bool closed;
	/* Returns completed in the shift (refund.h): refunded amounts, positive. */
	int64_t refunds_count;
	int64_t refunds_no_receipt;  /* of refunds_count: without a receipt */
	money_t refunds_total;
	money_t refunds_vat;
	money_t refunds_cash;
	money_t refunds_card;
	money_t refunds_other;    /* back to customers' balances and points */
	/* Customers (customer.h): tendered on credit and with points; repayments taken. */
	money_t credit_sales;
	money_t points_sales;
	money_t repaid_cash;
	money_t repaid_card;
	/* VAT per rate (of the sales): up to 8 distinct rates */
	int vat_rates;
	int vat_bp[8];
	money_t vat_gross[8];
	money_t vat_amount[8];
};

/* True and *shift_id when a shift is open. */
bool shift_current(store *st, int64_t *shift_id);

/* Opens a shift with the opening float (KERR_STATE when one is open). */
int shift_open(store *st, const struct user *u, money_t opening_float, int64_t *shift_id,
    struct kerr *err);

/* Cash in (amount > 0) or out (amount < 0) with a reason. Needs RIGHT_CASH_MOVE of u or of
 * approver (a manager who typed the PIN; NULL if none): KERR_DENIED otherwise. */
int shift_cash_move(store *st, const struct user *u, const struct user *approver,
    money_t amount, const char *reason, struct kerr *err);

/* The open shift's figures so far (X). KERR_STATE when no shift is open. */
int shift_report_x(store *st, struct shift_report *r, struct kerr *err);

/* Closes the open shift with the counted cash; fills the Z report. Parked and open sales are
 * refused first (KERR_STATE "N sales are still parked"). */
int shift_close(store *st, const struct user *u, money_t counted_cash, struct shift_report *r,
    struct kerr *err);

/* The last closed shift's Z report. KERR_NOTFOUND when none. */
int shift_report_z(store *st, struct shift_report *r, struct kerr *err);

/* Any shift by id. */
int shift_report_get(store *st, int64_t shift_id, struct shift_report *r, struct kerr *err);

/* Opens the cash drawer without a sale ("no sale"): needs RIGHT_NO_SALE of u or approver.
 * Writes a drawer.opened event naming both users and queues a drawer kick (print_jobs 'drawer'). */
int shift_no_sale(store *st, const struct user *u, const struct user *approver,
    struct kerr *err);

#endif
