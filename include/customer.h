/*
 * customer: the shop's customers, their credit (nasiya) and their loyalty points
 * (CONTRACT.md section 7, "Customers, credit (nasiya) and points").
 *
 * A customer is made at a till (customer_add: a customer.added event) or published by the hub
 * (customer_upsert, last-write-wins by updated_at for name, phone, card and limit). The credit
 * limit is changed by a manager (customer_set_limit: a customer.limit event).
 *
 * What a customer owes (the balance) and their points are never stored as a number: they are
 * derived, every time, from the events that name the customer's key,
 *     balance = hub_balance + credit tendered in sale.completed - credit given back in
 *               sale.returned - customer.paid amounts
 *     points  = hub_points + (points - points_used) of sale.completed
 *               + (points_back - points) of sale.returned
 * over this till's events after hub_seq. hub_balance, hub_points and hub_seq are what the hub
 * last confirmed (customer_apply_hub; docs/protocol.md): its balance counts every till's
 * events it had, this till's up to hub_seq. A balance is only final at the hub; with no hub,
 * this till's events are the whole truth.
 *
 * Tenders (sale.c asks customer_check_tender before it takes one): credit needs an attached
 * customer and must fit the limit (balance after it <= limit); with [credit] offline_cap set,
 * the credit this till gave the customer since the hub's last confirmation may not exceed the
 * cap either. Points pay whole so'm, up to the customer's points. [loyalty] earn = PERCENT
 * earns points worth 1 so'm each on what was paid other than with points.
 */
#ifndef KASSA_CUSTOMER_H
#define KASSA_CUSTOMER_H

#include <stdbool.h>
#include <stdint.h>

#include "kerr.h"
#include "money.h"
#include "store.h"
#include "user.h"

struct customer {
	int64_t id;
	char key[64];
	char name[256];
	char phone[32];
	char card[48];
	money_t limit;                 /* credit limit, minor units (customer_get/_search) */
};

/* What the events say about one customer (customer_figures). */
struct customer_figures {
	money_t balance;               /* owed, minor units (negative: paid in advance) */
	int64_t points;                /* worth 1 so'm (100 minor units) each */
	money_t limit;
	money_t credit_left;           /* limit - balance, never below 0 */
	money_t unconfirmed;           /* credit this till gave since the hub's confirmation */
	char owed_since[32];           /* since when the balance has been above 0; "" if not */
	char hub_at[32];               /* when the hub confirmed hub_*; "" never */
};

/* Process-wide rules from the config ([loyalty] earn, [credit] offline_cap), set once by main
 * before any sale; the defaults are 0: no points, no cap. */
struct customer_rules {
	int earn_bp;                   /* points earned, basis points of what was paid */
	money_t offline_cap;           /* minor units; 0 = no cap */
};
void customer_rules_set(const struct customer_rules *r);
const struct customer_rules *customer_rules_get(void);

/* Finds customers by card number, phone (digits, any part of the number) or name (prefix,
 * any word). Fills up to max into out; returns the count or -1. */
int customer_search(store *st, const char *query, struct customer *out, int max,
    struct kerr *err);

/* The customer whose card is code or whose phone is that number (normalised as
 * customer_phone_norm), exactly: 1 and *out, 0 none, -1 error. */
int customer_find(store *st, const char *code, struct customer *out, struct kerr *err);

/* By id: 0, KERR_NOTFOUND, or -1. */
int customer_get(store *st, int64_t id, struct customer *out, struct kerr *err);

/*
 * A phone number as stored: "+" and its digits, whatever spaces, dashes and brackets were
 * typed; 9 digits are a number inside Uzbekistan and get 998 in front. KERR_INPUT unless 7 to
 * 15 digits are left. out has at least 20 bytes.
 */
int customer_phone_norm(const char *in, char *out, size_t size, struct kerr *err);

/*
 * Makes a customer at this till with a customer.added event: name (required, no control
 * characters), phone (optional, normalised), card (optional, unique), limit (>= 0). u is who
 * does it; NULL is the command line, which runs as the shop's admin. A limit above 0 needs
 * RIGHT_CREDIT_LIMIT of u or approver (KERR_DENIED, *denied = true otherwise). A phone or card
 * another customer has is KERR_INPUT. *id (may be NULL): the new customer.
 */
int customer_add(store *st, const struct user *u, const struct user *approver,
    const char *name, const char *phone, const char *card, money_t limit, bool *denied,
    int64_t *id, struct kerr *err);

/* Sets a customer's credit limit (>= 0) with a customer.limit event; RIGHT_CREDIT_LIMIT of u
 * or approver (u NULL: the command line, an admin). */
int customer_set_limit(store *st, const struct user *u, const struct user *approver,
    int64_t id, money_t limit, bool *denied, struct kerr *err);

/* The customer's figures, derived from the events (see the top of this file). */
int customer_figures(store *st, int64_t id, struct customer_figures *out, struct kerr *err);

/*
 * Whether customer id may pay amount with method ("credit" or "points") on a sale: 0, or
 * KERR_STATE saying why, with how much credit (or how many points) is left. Pure check: call
 * inside the sale's transaction.
 */
int customer_check_tender(store *st, int64_t id, const char *method, money_t amount,
    struct kerr *err);

/* Points a sale earns on paid_other (minor units paid other than with points). */
int64_t customer_points_earned(money_t paid_other);

/*
 * A repayment: amount (> 0) paid by customer id in cash or by card ("cash" / "card"), at the
 * open shift (KERR_STATE without one: the money is counted in it). A customer.paid event with
 * the balance before and after, the shift's repaid_cash or repaid_card, a drawer job for cash
 * and the repayment receipt's print job. u: who took it (NULL: the command line). More than
 * the customer owes is allowed (it stands as credit in hand: a negative balance).
 * *before and *after (may be NULL): the balance.
 */
int customer_pay(store *st, const struct user *u, int64_t id, const char *method,
    money_t amount, money_t *before, money_t *after, struct kerr *err);

/* One row of the list. */
struct customer_row {
	struct customer c;
	money_t balance;
	int64_t points;
	char owed_since[32];
};

/* Every customer (debtors_only: those who owe, largest first) to fn; its non-zero return
 * stops. *count (may be NULL): how many. */
int customer_list(store *st, bool debtors_only, int (*fn)(void *ctx,
    const struct customer_row *r), void *ctx, int *count, struct kerr *err);

/* The same as one JSON array: [{id, key, name, phone, card, balance, limit, points,
 * owed_since}], amounts in minor units. Caller frees. */
char *customer_list_json(store *st, bool debtors_only, struct kerr *err);

/* One customer and their history as JSON: {id, key, name, phone, card, balance, limit, points,
 * owed_since, hub: {balance, points, at} or null, history: [{seq, at, kind ("sale", "return",
 * "repayment"), number, credit, paid, points, balance, points_after}]}. Caller frees. */
char *customer_history_json(store *st, int64_t id, struct kerr *err);

/* One move of the history (customer_history): this till's events after the hub's figures. */
struct customer_move {
	int64_t seq;                   /* the event */
	char at[32];                   /* RFC 3339 UTC */
	char kind[16];                 /* "sale", "return", "repayment" */
	int64_t number;                /* the receipt's (sale, return); 0 for a repayment */
	money_t credit;                /* credit given (sale) or given back (return) */
	money_t paid;                  /* repaid */
	int64_t points;                /* what it did to the points */
	money_t balance;               /* owed after it */
	int64_t points_after;
};

/* The history of customer id, oldest first, to fn (its non-zero return stops). */
int customer_history(store *st, int64_t id, int (*fn)(void *ctx,
    const struct customer_move *m), void *ctx, struct kerr *err);

/* Inserts or updates by key unless the stored updated_at is later (last-write-wins; an equal
 * time applies); deleted marks it gone. updated_at is any RFC 3339 time, stored in the
 * canonical UTC form (timestamp.h); another string is KERR_INPUT. limit < 0 leaves the limit
 * as it is. Must run inside a transaction. */
int customer_upsert(store *st, const struct customer *c, const char *updated_at, int deleted,
    struct kerr *err);

/*
 * The figures the hub confirmed for key (docs/protocol.md): balance and points as of at (any
 * RFC 3339 time), counting this till's events up to seq. Applied only when at is not older
 * than what is stored. Must run inside a transaction. 0 also when the till has no such
 * customer.
 */
int customer_apply_hub(store *st, const char *key, money_t balance, int64_t points,
    int64_t seq, const char *at, struct kerr *err);

#endif
