/*
 * money: integer minor units (1/100 so'm) and thousandths of a unit for quantities.
 * Never floating point. Every operation that could overflow is checked and refused.
 */
#ifndef KASSA_MONEY_H
#define KASSA_MONEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kerr.h"

typedef int64_t money_t;   /* minor units */
typedef int64_t qty_t;     /* thousandths: 1 pcs = 1000, 0.250 kg = 250 */

#define MONEY_MINOR 100    /* minor units in one major unit */
#define QTY_ONE 1000

/*
 * Upper bounds of every amount that enters the till (scan, import, hub, tender, cash move),
 * far above any real shop and far below where int64 sums of a shift could overflow: a shift
 * would need 90 000 sales of the largest total to reach INT64_MAX, and every sum is checked.
 */
#define MONEY_PRICE_MAX ((money_t)1000000000000)    /* 10^12 tiyin: 10 000 000 000 so'm a unit */
#define QTY_MAX ((qty_t)1000000000)                 /* 10^6 units (pcs or kg), in thousandths */
#define MONEY_AMOUNT_MAX ((money_t)100000000000000) /* 10^14 tiyin: a line, a sale, a tender,
						     * a cash move, an opening float */

/* True when |amount| <= MONEY_AMOUNT_MAX. */
bool money_amount_ok(money_t amount);

/* Checked arithmetic: return false (and leave *out alone) on overflow. */
bool money_add(money_t a, money_t b, money_t *out);
bool money_sub(money_t a, money_t b, money_t *out);
bool money_mul(money_t a, int64_t b, money_t *out);

/* price * qty / 1000, rounded half away from zero. False on overflow. */
bool money_times_qty(money_t price, qty_t qty, money_t *out);

/* round(amount * num / den), half away from zero, den > 0; false on overflow. */
bool money_muldiv(money_t amount, int64_t num, int64_t den, money_t *out);

/* The VAT included in a VAT-inclusive amount at rate vat_bp (basis points):
 * round(amount * vat_bp / (10000 + vat_bp)). */
money_t money_vat_included(money_t amount, int vat_bp);

/* Parses major units with an optional '.' and up to two decimals: "12500", "12500.5",
 * "12 500.50" (spaces between digit groups allowed). Negative only when allow_negative. */
int money_parse(const char *s, bool allow_negative, money_t *out, struct kerr *err);

/* Formats as shops write it: "12 500" when there are no minor units, else "12 500.50",
 * with a '-' for negatives. Writes at most size bytes including the NUL; returns buf. */
char *money_format(money_t amount, char *buf, size_t size);

/* Parses a quantity "3", "0.25", "1.5" into thousandths (max 3 decimals, > 0). */
int qty_parse(const char *s, qty_t *out, struct kerr *err);

/* "3", "0.250" (kg shows 3 decimals, pcs shows whole units when whole). */
char *qty_format(qty_t qty, bool by_weight, char *buf, size_t size);

#endif
