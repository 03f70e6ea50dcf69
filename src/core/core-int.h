/*
 * core-int.h: the core's private helpers, for the files of src/core only (SQLite's sqliteInt.h
 * is the model: the public headers are in include/, this one sits beside the code it serves).
 * They live once, in core-util.c.
 *
 * One statement-lifetime rule: core_prepare() hands out a statement cached by the store for its
 * whole life. The caller binds and steps it, then gives it back with core_release() (or
 * core_run(), which steps and releases), and never finalizes it. A statement a file prepares
 * itself with sqlite3_prepare_v2() is that file's to finalize; the helpers below never return one.
 */
#ifndef KASSA_CORE_INT_H
#define KASSA_CORE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "catalog.h"
#include "kerr.h"
#include "money.h"
#include "store.h"
#include "user.h"

/* A cached statement for sql, ready to bind, into *q. sql must be a string literal or other
 * storage that lives as long as st (the cache is keyed by its address), and must not be one
 * whose statement is still being stepped further up the call chain. what names the action for
 * the message, marked N_() by the caller. -1 with err when it does not prepare. */
int core_prepare(store *st, const char *sql, sqlite3_stmt **q, struct kerr *err,
    const char *what);

/* Gives back a statement from core_prepare() (resets it, so it holds no read lock). NULL is a
 * no-op. */
void core_release(sqlite3_stmt *q);

/* Steps a statement from core_prepare() once (a write, or a read whose row is not wanted) and
 * releases it. -1 with err (what, as above) unless it ran. */
int core_run(store *st, sqlite3_stmt *q, struct kerr *err, const char *what);

/* Copies column col of the current row as text into buf (size bytes, always terminated; empty
 * when NULL). */
void core_text(sqlite3_stmt *q, int col, char *buf, size_t size);

/* Control characters become spaces, in place: names and codes end up on receipts and in events,
 * whose canonical JSON escapes them differently in SQLite and in jansson. */
void core_blank_controls(char *s);

/*
 * The one rule for a name (a product's, a customer's, a user's), wherever it enters: the CSV
 * import, the hub, the command line, the screen. Control characters become spaces (as
 * core_blank_controls), then leading and trailing spaces go, quoted or not. In place; a name
 * of spaces alone ends up empty, which the caller refuses.
 */
void core_name_clean(char *s);

/*
 * A right, checked: 0 when u has it, or when approver has it (then an approval.granted event
 * names both, the right and the sale sale_id, or no sale when sale_id is 0; the caller holds
 * the transaction). Otherwise KERR_DENIED ("<what> needs a manager's approval", what marked
 * N_()) and, when denied is not NULL, *denied = true so a screen knows to ask for a PIN.
 */
int core_check_right(store *st, const struct user *u, const struct user *approver,
    enum user_right right, const char *what, int64_t sale_id, bool *denied, struct kerr *err);

/* The first column of a one-row query sql with ?1 = arg (an id), or 0 when there is no row or
 * it fails (a look-up by number: 0 means "none"). Prepared and finalized here, not cached. */
int64_t core_id_of(store *st, const char *sql, int64_t arg);

/*
 * What a cashier typed at a code, for the sale and the return screens alike: "CODE" or "N*CODE"
 * (N a quantity: "3", "0.500"). Spaces around it go. buf (size bytes) receives the copy that
 * *code then points into; *mult is N in thousandths, or 0 when there is no '*'. KERR_INPUT for
 * an empty line, one too long, a bad N or nothing after the '*'.
 */
int core_parse_input(const char *input, char *buf, size_t size, char **code, qty_t *mult,
    struct kerr *err);

/*
 * The completed sale's or return's paper, inside the caller's transaction: a drawer job of its
 * own first when drawer is true (cash changes hands: it opens even while the receipt waits for
 * paper, receipt.h), then the receipt job. Exactly one of sale_id, return_id is not 0.
 */
int core_queue_receipt(store *st, int64_t sale_id, int64_t return_id, bool drawer,
    const char *now, struct kerr *err, const char *what);

/*
 * Appends the event of type whose payload payload_sql makes from ?1 = id and ?2 = b
 * (journal_append_sql: 0 binds NULL) and stores its seq in the row with seq_sql ("UPDATE t SET
 * event_seq = ?2 WHERE id = ?1"), inside the caller's transaction. *seq: the event's seq.
 */
int core_append_event(store *st, const char *type, const char *payload_sql, int64_t id,
    int64_t b, const char *seq_sql, int64_t *seq, struct kerr *err, const char *what);

/* Between catalog.c and catalog-import.c: the product a row describes (the one with its
 * barcode, else the one with its SKU) and its updated_at: >0, 0 none, -1 error; and writing p
 * (new when id is 0) with updated_at: the product id, or -1 (KERR_INPUT for a SKU or weight
 * code that belongs to another product). */
int64_t catalog_existing_id(store *st, const struct product *p, char *updated_at, size_t size,
    struct kerr *err);
int64_t catalog_write_product(store *st, int64_t id, const struct product *p,
    const char *updated_at, struct kerr *err);

/* Stock on hand of the products row named P (an SQL alias, e.g. "p"), as an SQL expression:
 * products.stock plus the moves the idle fold has not added yet (store.h). The one
 * definition, behind stock_on_hand() (stock.h) and every query that reads stock. */
#define STOCK_ON_HAND_SQL(P) "(" P ".stock + coalesce((SELECT sum(m_.qty) FROM stock_moves m_ " \
	"WHERE m_.id > (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'stock_folded') " \
	"AND m_.product_id = " P ".id), 0))"

#endif
