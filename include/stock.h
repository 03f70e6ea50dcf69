/*
 * stock: the stock the shop can trust (CONTRACT.md section 7): goods received, adjustments,
 * stock-takes, low-stock thresholds and other branches' stock. Quantities are qty_t
 * (thousandths), money is money_t (minor units).
 *
 * Stock on hand is derived from stock_moves, one row per product per event, each written in
 * the transaction of the event that describes it (with its outbox row). stock_on_hand() is the
 * one answer to "how many of P are there"; everything in this module that needs the figure
 * goes through it (or, for sets of products, through STOCK_ON_HAND_SQL in core-int.h): the
 * folded products.stock plus the moves after the fold's mark (store_fold_stock, store.h); no
 * writer of stock writes products.stock. `kassa journal verify`
 * (journal_reconcile) rebuilds it from the events alone and compares.
 *
 * The events (payloads in docs/protocol.md; canonical JSON, integers only):
 *   stock.received  a delivery: its lines (barcode, cost per unit, product_id, qty, sku),
 *                   supplier, number; up to STOCK_LINES_PER_EVENT lines each, so a big
 *                   delivery is several events (part, parts) in one transaction.
 *   stock.adjusted  one product's signed delta with a reason (damage|theft|expired|correction),
 *                   the user, and the approver when a manager approved a cashier's.
 *   stock.counted   a stock-take's result: counts (counted, delta, expected, product_id, sku),
 *                   source "count"; the product import's stock column writes the same type
 *                   with source "import".
 *   stock.low       a move took a product from above its threshold to at or below it.
 *
 * The stock-take rule, precisely. A count starts with a mark: the last stock move's id. Each
 * product counted keeps the last move's id when it was last counted (its own mark). What the
 * shelf should have held at that moment is
 *     expected = stock on hand now - the product's moves after its mark
 * (= the stock when the count started, less what was sold, plus what was received or returned
 * before the product was counted). The variance is counted - expected, and posting it moves the
 * stock by exactly that: stock after = stock now + variance. So a sale rung up after the
 * product was counted is neither a loss nor a gain, and one rung up before it was counted is
 * already off the shelf. A product must be counted in one go: its mark is its last count.
 * With a category, every product of it not counted is counted as 0 at posting. Without one,
 * products not counted keep their stock. A count from a file (kassa stock count) is counted at
 * the moment it is posted.
 */
#ifndef KASSA_STOCK_H
#define KASSA_STOCK_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "catalog.h"
#include "kerr.h"
#include "money.h"
#include "store.h"
#include "user.h"

#define STOCK_LINES_PER_EVENT 500

/* Stock on hand of product id into *qty. KERR_NOTFOUND for no such product. */
int stock_on_hand(store *st, int64_t product_id, qty_t *qty, struct kerr *err);

/* ---- adjustments -------------------------------------------------------------------------- */

enum stock_reason { STOCK_DAMAGE, STOCK_THEFT, STOCK_EXPIRED, STOCK_CORRECTION };

/* "damage", ...: how events and the command line name a reason. Static string. */
const char *stock_reason_name(enum stock_reason r);
/* 0 and *out, or -1 when s is not one of the four names. */
int stock_reason_parse(const char *s, enum stock_reason *out);

/*
 * Moves the stock of the product with this code (barcode or SKU) by delta (signed, not 0):
 * a stock.adjusted event, its move. Needs RIGHT_STOCK_ADJUST: a cashier needs an approver
 * who has it (then an approval.granted event names both); otherwise KERR_DENIED and *denied
 * (denied may be NULL). KERR_NOTFOUND for an unknown code. Its own transaction. The product
 * as it is afterwards into *p (may be NULL).
 */
int stock_adjust(store *st, const struct user *u, const struct user *approver,
    const char *code, qty_t delta, enum stock_reason reason, struct product *p, bool *denied,
    struct kerr *err);

/* ---- receiving ---------------------------------------------------------------------------- */

struct stock_line {
	int64_t product_id;
	char barcode[CATALOG_CODE_MAX];
	qty_t qty;           /* more than 0 */
	money_t cost;        /* per unit, 0 when not given */
};

struct stock_delivery_done {
	int64_t number;      /* the delivery's number, gapless per till */
	long lines;
	qty_t qty;           /* sum of the lines */
	money_t cost_total;  /* sum of qty x cost, minor units */
};

/*
 * Receives n lines (product_id set, qty > 0) from supplier (NULL or "" for none) by u, in one
 * transaction: the deliveries row and its lines with their cost, stock.received events of up
 * to STOCK_LINES_PER_EVENT lines, one move per product per event, low-stock checks. Every role
 * may receive. *done may be NULL.
 */
int stock_receive(store *st, const struct user *u, const char *supplier,
    const struct stock_line *lines, long n, struct stock_delivery_done *done,
    struct kerr *err);

/* Called once per bad row of a file: "FILE:LINE: reason". */
typedef void (*stock_report_fn)(void *ctx, const char *file, long line, const char *reason);

/*
 * Receives the file `barcode,qty[,cost]` (stock-csv.h) from in; name is what messages call
 * it. All-or-nothing: every bad row (an unknown barcode too) goes to report and nothing
 * changes (-1, KERR_INPUT). A line may name a product another line names too.
 */
int stock_receive_csv(store *st, const struct user *u, FILE *in, const char *name,
    const char *supplier, stock_report_fn report, void *ctx, struct stock_delivery_done *done,
    struct kerr *err);

/* ---- stock-take --------------------------------------------------------------------------- */

/* One product of a stock-take, for the screen's approval and the command line's summary. */
struct stock_variance {
	int64_t product_id;
	char barcode[CATALOG_CODE_MAX];
	char name[CATALOG_NAME_MAX * 4];
	bool by_weight;
	qty_t expected;      /* see the rule above */
	qty_t counted;
	qty_t variance;      /* counted - expected */
};

/* Called once per product with a variance; returning -1 stops the walk. */
typedef int (*stock_variance_fn)(void *ctx, const struct stock_variance *v);

/*
 * Starts a stock-take of category (NULL or "": the whole shop) by u: *take_id. KERR_STATE when
 * one is open already (finish or cancel it first); KERR_NOTFOUND for a category no product
 * has.
 */
int stock_take_start(store *st, const struct user *u, const char *category, int64_t *take_id,
    struct kerr *err);

/* The open stock-take: 1 with *take_id and its category (size bytes, "" for the whole shop),
 * 0 when none is open, -1 on error. */
int stock_take_current(store *st, int64_t *take_id, char *category, size_t size,
    struct kerr *err);

/*
 * Adds qty (>= 0) counted of the product with this code to the open take (a scan adds 1000, a
 * typed N*CODE adds N). KERR_NOTFOUND for an unknown code, KERR_INPUT for a product outside the
 * take's category. The product and its count so far into *p and *counted (may be NULL).
 */
int stock_take_add(store *st, int64_t take_id, const char *code, qty_t qty, struct product *p,
    qty_t *counted, struct kerr *err);

/*
 * Walks the take's variances as posting would make them (products whose count matches
 * are left out), by barcode. *nonzero = how many (may be NULL).
 */
int stock_take_variances(store *st, int64_t take_id, stock_variance_fn fn, void *ctx,
    long *nonzero, struct kerr *err);

/* What a posted take did. */
struct stock_take_done {
	long counted;        /* products in the take (with a category: all of it) */
	long changed;        /* products whose stock moved */
	qty_t gain, loss;    /* sums of the positive and (as a positive number) negative variances */
};

/*
 * Posts the take: stock.counted events (up to STOCK_LINES_PER_EVENT products each) and one
 * move per product whose stock changes, low-stock checks, the take closed. Needs
 * RIGHT_STOCK_ADJUST (a cashier's needs an approver, as stock_adjust; *denied). Its own
 * transaction. *done may be NULL.
 */
int stock_take_post(store *st, int64_t take_id, const struct user *u,
    const struct user *approver, struct stock_take_done *done, bool *denied,
    struct kerr *err);

/* Abandons the open take: nothing moves. */
int stock_take_cancel(store *st, int64_t take_id, struct kerr *err);

/*
 * A stock-take from the file `barcode,qty` (stock-csv.h): started, counted and posted in one
 * transaction by u (who needs RIGHT_STOCK_ADJUST). All-or-nothing as stock_receive_csv; a
 * barcode twice in the file is a bad row; with category, a row outside it is a bad row.
 * KERR_STATE when a take is open on the screen.
 */
int stock_count_csv(store *st, const struct user *u, FILE *in, const char *name,
    const char *category, stock_report_fn report, void *ctx, struct stock_take_done *done,
    struct kerr *err);

/* ---- low stock, listing ------------------------------------------------------------------- */

struct stock_item {
	int64_t product_id;
	char barcode[CATALOG_CODE_MAX];
	char name[CATALOG_NAME_MAX * 4];
	char category[64];
	bool by_weight;
	qty_t qty;           /* on hand */
	qty_t min;           /* the threshold: low when qty <= min */
};

/* Called once per product; returning -1 stops the walk. */
typedef int (*stock_item_fn)(void *ctx, const struct stock_item *it);

/* Every live product (low_only: only those at or below their threshold), by name. */
int stock_list(store *st, bool low_only, stock_item_fn fn, void *ctx, struct kerr *err);

/* The same as one JSON array (malloc'd, caller frees; NULL with err) of objects with
 * barcode, name, category, qty, min (thousandths), low (bool) and branches (other branches'
 * stock: [{branch, qty}]). */
char *stock_list_json(store *st, bool low_only, struct kerr *err);

/*
 * The low-stock check every change of stock runs, in its transaction, after its moves: each
 * product with a move whose id is above after_move that the moves took from above its
 * threshold to at or below it gets a stock.low event (sale_id names the sale, 0 none).
 */
int stock_flag_low(store *st, int64_t after_move, int64_t sale_id, struct kerr *err);

/* The last stock move's id (0 when none): the mark stock_flag_low and stock-takes start from. */
int stock_last_move(store *st, int64_t *id, struct kerr *err);

/* ---- other branches ----------------------------------------------------------------------- */

struct stock_remote {
	char branch[128];
	qty_t qty;
	char updated_at[40];
};

/* Called once per other branch holding the product; returning -1 stops the walk. */
typedef int (*stock_remote_fn)(void *ctx, const struct stock_remote *r);

/* The other branches' stock of the product with this barcode, by branch name. */
int stock_remote_list(store *st, const char *barcode, stock_remote_fn fn, void *ctx,
    struct kerr *err);

/*
 * Stores what the hub publishes about another branch (entity "stock"; key as the hub gives
 * it), last-write-wins by updated_at (canonical UTC); deleted removes it. Inside the caller's
 * transaction. Never touches this till's own stock.
 */
int stock_remote_set(store *st, const char *key, const char *barcode, const char *branch,
    qty_t qty, const char *updated_at, bool deleted, struct kerr *err);

#endif
