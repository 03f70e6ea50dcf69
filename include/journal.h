/*
 * journal: the immutable, hash-chained event log of every financial fact.
 *
 * Each event has a UUID id (the idempotency key), a per-device seq from 1 with no gaps, a type
 * ("sale.completed", "shift.opened", ...), a time, a JSON payload, and
 *     hash = hex(SHA-256(prev_hash "\n" id "\n" seq "\n" type "\n" at "\n" payload))
 * where prev_hash is the previous event's hash (64 zeros for the first) and payload is the
 * canonical JSON text: compact, object keys sorted, UTF-8 unescaped, integers only
 * (what jansson's JSON_COMPACT | JSON_SORT_KEYS produces). So anyone can verify the chain.
 *
 * journal_append() must run inside the caller's transaction (store_begin), so an event, its
 * outbox row and the state it describes commit together or not at all.
 */
#ifndef KASSA_JOURNAL_H
#define KASSA_JOURNAL_H

#include <stdint.h>

#include "kerr.h"
#include "store.h"

#define JOURNAL_HASH_HEX 65   /* 64 hex digits + NUL */

/*
 * Appends an event of type with payload (canonical JSON text, see above; the core builds it
 * with SQLite's json_object() giving keys in sorted order) and its outbox row. Fails with
 * KERR_STATE when no transaction is open. On success stores the new seq in *seq (may be NULL).
 */
int journal_append(store *st, const char *type, const char *payload, int64_t *seq,
    struct kerr *err);

/* As journal_append, but builds the payload with payload_sql, a single SELECT returning one
 * text column, with ?1 = a and ?2 = b (0 binds NULL for b). This is how the core builds
 * payloads from the state it has just written. payload_sql must be a literal (it is cached). */
int journal_append_sql(store *st, const char *type, const char *payload_sql, int64_t a,
    int64_t b, int64_t *seq, struct kerr *err);

/* As journal_append_sql with more to bind: ?1 = a, ?2 = b, ?3 = c (0 binds NULL for b and c:
 * "no approver" reads as null) and ?4 = text (may be NULL). The statement is cached, so
 * payload_sql must be a literal. */
int journal_append_bind(store *st, const char *type, const char *payload_sql, int64_t a,
    int64_t b, int64_t c, const char *text, int64_t *seq, struct kerr *err);

/* The hash of one event, as defined above, into out (JOURNAL_HASH_HEX bytes). Pure. */
void journal_hash(const char *prev_hash, const char *id, int64_t seq, const char *type,
    const char *at, const char *payload, char out[JOURNAL_HASH_HEX]);

/* Recomputes the whole chain. Returns 0 when it holds (and *count = events checked), else -1
 * with *bad_seq = the first event that does not match and err saying why. A chain that ends
 * before the head the hub acknowledged (journal_check_acked) fails too. */
int journal_verify(store *st, int64_t *count, int64_t *bad_seq, struct kerr *err);

/*
 * Rebuilds from the events alone every figure the tables cache, and compares (journal-verify.c):
 * each completed sale (number, subtotal, discount, total, VAT, change, paid, shift, its lines
 * and its payments one by one), each shift's totals (float, cash and card sales, change, count,
 * total, VAT, discounts, voids, cash in and out, counted and expected cash), cash moves, and
 * each product's stock on hand (products.stock and the sum of its stock_moves, against what
 * sales and counts in the events did), and each fiscal document's stored reply against its
 * fiscal.signed event (fiscal.h). Rows no event records (a completed sale, a shift) are
 * differences too. Returns 0 when all agree, else -1 with err naming the first difference
 * ("sale 2 (event 7): sales.total is 1 in the table but 12500 by the events") and *bad_seq =
 * the event involved (0 when none is).
 */
int journal_reconcile(store *st, int64_t *bad_seq, struct kerr *err);

/*
 * The hub acknowledged the event with this id (accepted it, or had it already): remembers it
 * as the acknowledged head (meta hub_ack_seq and hub_ack_hash) when it is later than the one
 * remembered. Called by the sync process inside the transaction that marks the reply.
 */
int journal_acknowledged(store *st, const char *id, struct kerr *err);

/* Fails (-1, *bad_seq, err) when a journal whose last event is head_seq ends before the head
 * the hub acknowledged, or holds another event at that seq; 0 otherwise or when nothing was
 * acknowledged yet. */
int journal_check_acked(store *st, int64_t head_seq, int64_t *bad_seq, struct kerr *err);

/* The head: last seq and its hash (64 zeros and 0 when empty). */
int journal_head(store *st, int64_t *seq, char hash[JOURNAL_HASH_HEX], struct kerr *err);

/* The device id (meta 'device_id'), malloc'd, caller frees; NULL if the till is not set up. */
char *journal_device_id(store *st);

#endif
