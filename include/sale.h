/*
 * sale: the cart on screen and its life: lines, discounts, payments, park and recall, void,
 * completion.
 *
 * Every change is written to the database before the function returns (the open cart survives
 * a crash, a power cut or a dropped SSH session exactly), so a struct sale is only a cache of
 * the rows. Completing a sale writes the sale.completed event, its outbox row, the stock
 * movements, the shift totals and the receipt's print job in one transaction.
 *
 * Rights are enforced here: a call that needs a manager returns KERR_DENIED with
 * sale_needs_approval() true; the UI then asks for a manager's PIN (user_approve) and calls
 * again with the approver. The approval is an event naming both users.
 */
#ifndef KASSA_SALE_H
#define KASSA_SALE_H

#include <stdbool.h>
#include <stdint.h>

#include "barcode.h"
#include "catalog.h"
#include "kerr.h"
#include "money.h"
#include "store.h"
#include "user.h"

typedef struct sale sale;

enum sale_state { SALE_OPEN, SALE_PARKED, SALE_COMPLETED, SALE_VOIDED };
enum disc_kind { DISC_NONE = 0, DISC_PERCENT, DISC_AMOUNT };
/* Tenders. PAY_CREDIT (nasiya) and PAY_POINTS need an attached customer (customer.h). */
enum pay_method { PAY_CASH, PAY_CARD, PAY_CREDIT, PAY_POINTS };

/* "cash", "card", "credit", "points": as payments, events and JSON name a tender. Static. */
const char *sale_method_name(enum pay_method m);

struct sale_line {
	int lineno;                    /* 1-based, as printed */
	int64_t product_id;
	char code[CATALOG_CODE_MAX];   /* what was scanned */
	char name[CATALOG_NAME_MAX * 4];
	bool by_weight;
	qty_t qty;
	money_t price;                 /* unit price when rung up */
	int vat_bp;
	enum disc_kind disc_kind;      /* the line's own discount */
	int64_t disc_value;            /* basis points or minor units */
	money_t discount;              /* line discount + share of the cart discount */
	money_t total;                 /* price * qty - discount */
	money_t vat;                   /* included in total */
	bool voided;
	money_t label_total;           /* a price label's own amount (the line's gross), 0: none */
};

struct sale_payment {
	enum pay_method method;
	money_t amount;
};

struct sale_totals {
	int lines;                     /* lines not voided */
	money_t subtotal;              /* before discounts */
	money_t discount;
	money_t total;                 /* to pay */
	money_t vat;                   /* sum of the lines' vat, exactly */
	money_t paid;                  /* tendered so far */
	money_t due;                   /* total - paid, >= 0 */
	money_t change;                /* once completed */
};

/* A parked sale, for the recall list. */
struct sale_summary {
	int64_t id;
	int lines;
	money_t total;
	char updated_at[32];
	char user[64];
};

/* The open sale of this till for u (resumed exactly as it was), or a new empty one.
 * Needs an open shift (KERR_STATE). Caller frees with sale_free(). */
sale *sale_current(store *st, const struct user *u, struct kerr *err);

/* Any sale by id, e.g. a completed one for a reprint. Caller frees. */
sale *sale_load(store *st, int64_t sale_id, struct kerr *err);
void sale_free(sale *s);

int64_t sale_id(const sale *s);          /* 0 while the cart is empty and unsaved */
enum sale_state sale_state(const sale *s);
int64_t sale_number(const sale *s);      /* receipt number once completed, else 0 */
const char *sale_uuid(const sale *s);
const char *sale_completed_at(const sale *s);
const char *sale_cashier(const sale *s); /* user name */
int sale_line_count(const sale *s);      /* including voided lines */
const struct sale_line *sale_line(const sale *s, int index);  /* owned by s */
int sale_payment_count(const sale *s);
const struct sale_payment *sale_payment(const sale *s, int index);
const struct sale_totals *sale_totals(const sale *s);
/* True when the last call failed only for want of a manager's approval. */
bool sale_needs_approval(const sale *s);

/*
 * What the cashier typed on the input line: "CODE" adds one unit (or the weight of a weight
 * barcode), "N*CODE" adds N (N may be "0.5" for kg). The same product scanned again adds to its
 * last line. KERR_NOTFOUND / KERR_INPUT leave the cart unchanged. *index = the line touched.
 */
int sale_add_input(sale *s, const struct weight_layout *layout, const char *input, int *index,
    struct kerr *err);

/* Adds qty of a product found by search. */
int sale_add_product(sale *s, const struct product *p, qty_t qty, int *index, struct kerr *err);

/* Sets a line's quantity (> 0). */
int sale_set_qty(sale *s, int index, qty_t qty, const struct user *approver, struct kerr *err);

/* Voids line index. After a payment was tendered it needs approver (a manager). */
int sale_void_line(sale *s, int index, const struct user *approver, struct kerr *err);

/*
 * Discount limits are a rule about the result. After every change to the cart (add, quantity,
 * void, discount) and again at payment the core works out the effective discount of every
 * line (its own discount plus its share of the cart's) and of the whole sale, as a share of
 * their gross. Past the limit of the seller's role, the change is refused (KERR_DENIED,
 * sale_needs_approval() true, nothing changed) unless approver (a manager) is given whose
 * limit covers it: then the approval is recorded on the sale (approval.granted) and covers
 * every later change within that manager's limit. The discount is never dropped silently: the
 * cashier removes it (F4 0) or a manager approves. A sale is never completed past the limit
 * of who sold or approved it.
 */
#define SALE_CASHIER_DISCOUNT_BP 1000   /* defaults of [rights] cashier_discount = 10 */
#define SALE_MANAGER_DISCOUNT_BP 10000  /* and manager_discount = 100 (admins too) */

/* Sets the limits (basis points: 1000 = 10 %) from the config's [rights]. */
void sale_set_limits(sale *s, int cashier_bp, int manager_bp);

/* Records approver's approval of the sale's discount (for a payment refused for want of it);
 * KERR_DENIED when approver is not a manager or the discount exceeds even their limit. */
int sale_approve(sale *s, const struct user *approver, struct kerr *err);

/* Line or cart discount. Percent in basis points (1000 = 10%), amount in minor units; DISC_NONE
 * removes it. Past the limit (above) it needs approver. */
int sale_discount_line(sale *s, int index, enum disc_kind kind, int64_t value,
    const struct user *approver, struct kerr *err);
int sale_discount_cart(sale *s, enum disc_kind kind, int64_t value, const struct user *approver,
    struct kerr *err);

/*
 * The largest change a cash tender may leave: 10 000 000 so'm, in minor units. Far above any
 * real change, far below what a barcode typed (or scanned by a keyboard-wedge scanner) into the
 * amount question reads as, so such a slip is refused instead of completing the sale.
 */
#define SALE_MAX_CHANGE ((money_t)1000000000)

/*
 * Tenders amount (0 = exactly what is due). Cash may exceed the due amount (change, at most
 * SALE_MAX_CHANGE); card, credit and points may not. Credit and points need the sale's
 * customer and must fit (customer_check_tender, counting this sale's earlier tenders of the
 * kind): past the limit KERR_STATE says how much credit is left, and nothing changes, so the
 * rest can be tendered in cash. A completed sale with a customer earns points
 * (customer_points_earned) on what was paid other than with points. When the tenders cover the total the sale completes (*completed = true): number given,
 * event written, stock moved, receipt queued. Change is in sale_totals(s)->change.
 */
int sale_pay(sale *s, enum pay_method method, money_t amount, bool *completed, struct kerr *err);

/* Parks the open sale (it must have lines and no payments). s becomes a new empty cart. */
int sale_park(sale *s, struct kerr *err);

/* The parked sales of this till, newest first: up to max into out; returns the count or -1. */
int sale_parked_list(store *st, struct sale_summary *out, int max, struct kerr *err);

/* Recalls a parked sale into s (whose cart must be empty). */
int sale_recall(sale *s, int64_t parked_id, struct kerr *err);

/* Voids the whole open sale (a sale.voided event when it had lines). After a payment was
 * tendered it needs approver. s becomes a new empty cart. */
int sale_void(sale *s, const struct user *approver, struct kerr *err);

/* Attaches a customer (customer.h) to the open sale; 0 detaches. Refused (KERR_STATE) once
 * a credit or points tender is on the sale. */
int sale_set_customer(sale *s, int64_t customer_id, struct kerr *err);
int64_t sale_customer(const sale *s);

/* Queues a reprint of a completed sale (marked COPY). */
int sale_reprint(store *st, int64_t sale_id, struct kerr *err);

/* The most recent completed sale's id (0 if none), for "reprint last". */
int64_t sale_last_completed(store *st);

/* The id of the completed sale with receipt number (as printed, and in the receipt's
 * barcode), 0 if there is none. */
int64_t sale_by_number(store *st, int64_t number);

#endif
