/*
 * stockq: how much of a product is on the shelf. The one place that knows how stock on hand
 * is derived: products.stock (the moves folded so far) plus the stock_moves after the fold's
 * mark (store.h, store_fold_stock). A writer of stock (a receipt of goods, an adjustment, a
 * count) appends its stock_moves row in its event's transaction and never writes
 * products.stock: the till's idle fold does.
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
