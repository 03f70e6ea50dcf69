/*
 * refund: a return of goods against a completed sale's receipt, and a manager's return without
 * a receipt (CONTRACT.md section 7, "Returns").
 *
 * A return is its own record (tables returns, return_lines, return_payments) and its own event,
 * sale.returned; it never edits the sale it returns. While it is on screen it is stored on every
 * change (state 'open'), exactly like the cart, so a crash, a power cut or a dropped SSH session
 * resumes it: refund_current() finds it again. refund_abandon() deletes it: nothing else
 * changed, nothing is in the journal.
 *
 * How the screen (F6, an empty cart) uses it:
 *     r = refund_current(st, user, &err);          a return in progress? resume it
 *     if (r == NULL && err.code == KERR_NOTFOUND)
 *         r = refund_start(st, user, typed_or_scanned, &err);
 *     refund_line(r, i) for each of refund_line_count(r): the original lines, what is still
 *         returnable (after every earlier return of that sale) and what this return marks
 *     refund_mark_input(r, layout, "CODE" or "N*CODE", &i, &err)   (or refund_set_line)
 *     refund_totals(r): the refund, its VAT and where the money goes (cash, card, other)
 *     refund_complete(r, approver, &err): F10. KERR_DENIED with refund_needs_approval(r): ask
 *         for a manager's PIN (user_approve(..., RIGHT_REFUND, ...)) and call again.
 *     refund_abandon(r, &err): Esc.
 * A struct refund is a cache of the rows; every call that changes it reloads it.
 *
 * Numbers: a return gets the next number of its own gapless series at completion (the returns
 * table's, not the sales'), printed on the refund receipt as "Refund R<number>" and in its
 * barcode as "R<number>", so a refund receipt can never be mistaken for a sale's (whose barcode
 * is the bare number). The event's `number` is that number; `original` is the sale's.
 *
 * Money (refund_share, refund_split below are the arithmetic, pure):
 * - A line's refund is what the customer paid for those units: the line's total (after its own
 *   discount and its share of the sale's discount) x units / units sold, rounded half away
 *   from zero, computed cumulatively over all the returns of that line, so the last return
 *   takes exactly what is left and all of them add up to the line's total to the tiyin. The
 *   VAT and the discount given back are split the same way.
 * - The money goes back the way it came: every non-cash tender of the sale (card, and credit
 *   once it exists) first, in the order they were tendered, each up to what it paid less what
 *   earlier returns of that sale gave back to it; the rest in cash (cash tendered less change,
 *   less the cash earlier returns gave back). A cash refund opens the drawer.
 *
 * Rights: a cashier's refund needs a manager (RIGHT_REFUND); the core refuses it with
 * KERR_DENIED and refund_needs_approval() until an approver is given, and then writes an
 * approval.granted event naming both. A return without a receipt (refund_no_receipt) needs
 * RIGHT_REFUND_NO_RECEIPT and fits under [returns] no_receipt_max.
 *
 * Completion (one BEGIN IMMEDIATE transaction): what each line may still return is checked
 * again against the completed returns recorded at that moment (so two returns of one sale,
 * from a crash or a second process, can never give back more than was sold); the return gets
 * its number, its lines their refund, its payments; the sale.returned event and its outbox row;
 * the stock comes back (stock_moves reason 'return'); the shift's refund figures; a drawer job
 * when cash goes back, and the refund receipt's print job.
 *
 * sale.returned payload (canonical JSON, integers only):
 *   {approver, cashier, completed_at, discount, id (the return's uuid),
 *    lines: [{code, discount, name, price, product_id, qty, sale_line (original line number, or
 *             null), total, unit, vat, vat_bp}],
 *    customer (the sale's customer's key, or null),
 *    no_receipt (true/false), number, original (the sale's number, null without a receipt),
 *    original_id (the sale's uuid or null), payments: [{amount, method}],
 *    points (the points the sale earned that this return takes back: earned x refunded so far
 *    / the sale's total, less what earlier returns took), points_back (points given back for
 *    the sale's points tender), shift, total, vat}
 * total is the refund, positive, in minor units.
 */
#ifndef KASSA_REFUND_H
#define KASSA_REFUND_H

#include <stdbool.h>
#include <stdint.h>

#include "barcode.h"
#include "catalog.h"
#include "kerr.h"
#include "money.h"
#include "store.h"
#include "user.h"

typedef struct refund refund;

enum refund_state { REFUND_OPEN, REFUND_COMPLETED };

/* Where refunded money goes. REFUND_OTHER: back to the customer's credit balance (the sale's
 * 'credit' tender, CONTRACT.md section 7); REFUND_POINTS: back to the customer's points (the
 * sale's 'points' tender, one point a so'm, rounded to the nearest). */
enum refund_method { REFUND_CASH, REFUND_CARD, REFUND_OTHER, REFUND_POINTS };

/* One line of the original receipt, as the return screen lists it. */
struct refund_line {
	int sale_lineno;               /* the sale's line (sale_lines key: sale, lineno); 0
	                                * for a return without a receipt */
	int lineno;                    /* the original receipt's line number */
	int64_t product_id;
	char code[CATALOG_CODE_MAX];
	char name[CATALOG_NAME_MAX * 4];
	bool by_weight;
	int vat_bp;
	money_t price;                 /* unit price on the receipt */
	qty_t sold;                    /* on the receipt */
	money_t paid;                  /* the line's total on the receipt, after discounts */
	qty_t returned;                /* by earlier completed returns of this sale */
	qty_t returnable;              /* sold - returned: what this return may mark */
	qty_t marked;                  /* in this return, <= returnable */
	money_t refund;                /* for the marked units (refund_share) */
	money_t vat;                   /* included in refund */
	money_t discount;              /* the original discount on the marked units */
};

struct refund_payment {
	enum refund_method method;
	money_t amount;
};

struct refund_totals {
	int lines;                     /* lines with units marked */
	money_t total;                 /* the refund */
	money_t vat;
	money_t discount;
	money_t cash;                  /* where it goes (refund_split): cash + card + other */
	money_t card;                  /* + points */
	money_t other;                 /* credit */
	money_t points;
};

/*
 * Starts a return against a completed sale: receipt is what the cashier typed or scanned, the
 * number printed on the receipt or its barcode (the same digits). Needs an open shift.
 * KERR_INPUT for anything that is not a receipt number (a refund receipt's "R12" says so),
 * KERR_NOTFOUND for no such sale, KERR_STATE when everything on it has been returned already.
 * The return is stored at once (state open). Caller frees with refund_free().
 */
refund *refund_start(store *st, const struct user *u, const char *receipt, struct kerr *err);

/* The return in progress on this till (the newest open one), resumed exactly as it was left,
 * now in u's name. NULL with KERR_NOTFOUND when there is none. Caller frees. */
refund *refund_current(store *st, const struct user *u, struct kerr *err);

/* Any return by id (e.g. a completed one for its receipt). Caller frees. */
refund *refund_load(store *st, int64_t return_id, struct kerr *err);
void refund_free(refund *r);

int64_t refund_id(const refund *r);
enum refund_state refund_state(const refund *r);
int64_t refund_number(const refund *r);         /* its own series; 0 until completed */
int64_t refund_original(const refund *r);       /* the sale's receipt number; 0 without one */
int64_t refund_sale_id(const refund *r);        /* 0 without a receipt */
bool refund_no_receipt(const refund *r);
const char *refund_uuid(const refund *r);
const char *refund_completed_at(const refund *r);  /* "" while open */
const char *refund_cashier(const refund *r);
const char *refund_approver(const refund *r);   /* "" when none */
/* The original lines (for a return without a receipt: its one line). Owned by r. */
int refund_line_count(const refund *r);
const struct refund_line *refund_line(const refund *r, int index);
/* Payments: once completed, where the money went; while open, none. Owned by r. */
int refund_payment_count(const refund *r);
const struct refund_payment *refund_payment(const refund *r, int index);
/* The refund of the marked units and where it would go (while open) or went. Owned by r. */
const struct refund_totals *refund_totals(const refund *r);
/* True when the last call failed only for want of a manager's approval. */
bool refund_needs_approval(const refund *r);

/*
 * What the cashier typed: "CODE" marks one unit (a weight label: its weight; a product sold by
 * weight scanned by its plain code: all of it that is left), "N*CODE" marks N ("0.500*CODE"
 * for half a kilo). Spread over the product's lines in receipt order. More than is left is
 * refused, KERR_STATE, with what is left ("only 1 of Milk is left to return"); a product not
 * on the receipt KERR_NOTFOUND; nothing changes then. *index (may be NULL): the line touched.
 */
int refund_mark_input(refund *r, const struct weight_layout *layout, const char *input,
    int *index, struct kerr *err);

/* Sets the marked quantity of line index (0 unmarks it), within what is returnable. */
int refund_set_line(refund *r, int index, qty_t qty, struct kerr *err);

/*
 * F10: refunds the marked units (see the top of this file). A cashier needs approver, a
 * manager (user_approve with RIGHT_REFUND), else KERR_DENIED and refund_needs_approval(r).
 * KERR_STATE when nothing is marked or when a line has less left than marked (another return
 * of the sale completed meanwhile: the message says what is left; nothing changes). On
 * success r is the completed return (number, payments).
 */
int refund_complete(refund *r, const struct user *approver, struct kerr *err);

/* Esc: forgets the open return (its rows go; nothing was recorded). r is then empty: free it. */
int refund_abandon(refund *r, struct kerr *err);

/*
 * A return without a receipt: qty (thousandths, > 0) of the product that code names (a
 * barcode or SKU), refunded in cash at its current price. Needs RIGHT_REFUND_NO_RECEIPT of u
 * or of approver (then an approval.granted event names both); KERR_DENIED otherwise, with
 * *needs_approval set. The refund may not exceed max (minor units; [returns] no_receipt_max):
 * max 0 turns these returns off (KERR_DENIED saying so). Completed in one transaction as
 * refund_complete, the event's no_receipt true. *return_id (may be NULL): the new return.
 */
int refund_without_receipt(store *st, const struct user *u, const struct user *approver,
    const char *code, qty_t qty, money_t max, bool *needs_approval, int64_t *return_id,
    struct kerr *err);

/* The id of the completed return with that number (as printed after the R), 0 if none. */
int64_t refund_by_number(store *st, int64_t number);

/* Queues a copy of a completed return's refund receipt (marked COPY; no drawer).
 * KERR_NOTFOUND when return_id is not a completed return. */
int refund_reprint(store *st, int64_t return_id, struct kerr *err);

/* ---- the arithmetic, pure (tested on its own) ------------------------------------------- */

/* A quantity of a line and the money that goes with it. */
struct refund_part {
	qty_t qty;
	money_t total;
	money_t vat;
	money_t discount;
};

/*
 * The refund for qty more units of line (what the receipt says), of which done were returned
 * already (the sums of earlier returns): out = line x (done.qty + qty) / line.qty, each amount
 * rounded half away from zero, less done. Returning the last unit gives exactly line - done.
 * KERR_STATE when done.qty + qty > line.qty; KERR_INPUT for qty <= 0.
 */
int refund_share(const struct refund_part *line, const struct refund_part *done, qty_t qty,
    struct refund_part *out, struct kerr *err);

/* One tender of the original sale, for refund_split. */
struct refund_tender {
	enum refund_method method;
	money_t paid;                  /* what it paid (cash: tendered less change) */
	money_t refunded;              /* given back to it by earlier returns */
};

/*
 * Splits amount over the sale's tenders: non-cash ones first, in the order given, each up to
 * paid - refunded; cash takes the rest, up to its own paid - refunded. out[i] for t[i].
 * KERR_STATE when the tenders cannot take it all (more than the sale has left to refund).
 */
int refund_split(const struct refund_tender *t, int n, money_t amount, money_t *out,
    struct kerr *err);

#endif
