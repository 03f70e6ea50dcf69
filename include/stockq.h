/*
 * stockq: how much of a product is on the shelf. The one place that knows how stock on hand
 * is derived (today products.stock, kept in step with stock_moves in each move's
 * transaction): every reader of "stock on hand of P" calls this, so a change of how it is
 * kept (docs/benchmarks.md, session 5: folding the moves off the cashier's path) changes
 * this function and nothing else.
 */
#ifndef KASSA_STOCKQ_H
#define KASSA_STOCKQ_H

#include <stdint.h>

#include "kerr.h"
#include "money.h"
#include "store.h"

/* Stock on hand of product_id in thousandths (may be negative) into *out. 0, or -1 with
 * err: KERR_NOTFOUND for an unknown product. Reads inside the caller's transaction if any. */
int stock_on_hand(store *st, int64_t product_id, qty_t *out, struct kerr *err);

#endif
