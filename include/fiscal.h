/*
 * fiscal: the documents the tax service's gateway signs (CONTRACT.md section 8, Uzbekistan's
 * online cash register: every receipt carries a fiscal sign and a QR code of ofd.soliq.uz).
 *
 * With [fiscal] mode = http (fiscal_set_mode), every completed sale and return and every
 * shift's opening and closing writes one row of fiscal_documents in the same transaction as
 * its event: the body the gateway gets, state 'pending'. The sync process sends them (its own
 * queue, src/sync/sync-fiscal.c) in id order and stores each reply with fiscal_signed, which
 * writes the event fiscal.signed; a 4xx reply is kept with fiscal_refused.
 *
 * Order: strictly by id, one at a time, so the gateway sees every terminal's times in order.
 * A rejected document is skipped (kept, shown, resent only by `kassa sync --retry-rejected`).
 * A refund cites its original's sign (refund_of), which is added to the body when it is sent:
 * the original was written earlier, so it has normally been signed by then; when the original
 * was rejected, the refund waits (stays pending, skipped) until the original is signed.
 */
#ifndef KASSA_FISCAL_H
#define KASSA_FISCAL_H

#include <stdbool.h>
#include <stdint.h>

#include "kerr.h"
#include "store.h"

struct product;         /* catalog.h */

/* An MXIK (IKPU) class code: exactly 17 digits. */
#define FISCAL_MXIK_LEN 17

/* This process's fiscal mode (set once from [fiscal] mode, before any sale): on or off. The
 * hooks below do nothing while it is off. */
void fiscal_set_mode(bool on);
bool fiscal_on(void);

/* Whether s is a valid MXIK code (17 digits). */
bool fiscal_mxik_valid(const char *s);

/* How many live products lack a valid MXIK (the import warns about them in fiscal mode), and
 * the first one as "BARCODE NAME" into example. 0, or -1 with err. */
int fiscal_missing_mxik(store *st, int64_t *count, char *example, size_t size,
    struct kerr *err);

/* At the scan: in fiscal mode a product without a valid MXIK is refused (KERR_INPUT, saying
 * so); 0 otherwise. */
int fiscal_check_product(const struct product *p, struct kerr *err);

/* The hooks, each inside its caller's transaction, after its event: the document of a
 * completed sale, a completed return, a shift opened or closed (with its Z totals). A time
 * earlier than the last document's is refused (KERR_STATE, "the clock went back: fix the
 * date") and the caller rolls back. 0 (nothing done when fiscal mode is off), or -1. */
int fiscal_sale(store *st, int64_t sale_id, struct kerr *err);
int fiscal_refund(store *st, int64_t return_id, struct kerr *err);
int fiscal_shift(store *st, int64_t shift_id, bool closing, struct kerr *err);

/* The gateway's reply. */
struct fiscal_reply {
	char terminal_id[64];
	int64_t receipt_seq;
	char fiscal_sign[160];
	char qr_url[512];
};

/*
 * The next document to send: 1 with *uuid and *body (malloc'd, caller frees; a refund's body
 * with refund_of from its original's reply) after id `after` (0: from the start), *id its row;
 * 0 when none is ready; -1 with err.
 */
int fiscal_next(store *st, int64_t after, int64_t *id, char **uuid, char **body,
    struct kerr *err);

/* Stores a reply for document uuid, once: state 'sent', the reply, and the event fiscal.signed
 * with its outbox row, in one transaction of its own. A document already signed is left as it
 * is (the gateway gives the same reply to the same id). 0, or -1 with err. */
int fiscal_signed(store *st, const char *uuid, const struct fiscal_reply *r, struct kerr *err);

/* The gateway refused document uuid (4xx) with why: 'rejected', kept, not resent by itself. */
int fiscal_refused(store *st, const char *uuid, const char *why, struct kerr *err);

/* Counts an attempt to send uuid (for `kassa status`). */
int fiscal_attempted(store *st, const char *uuid, struct kerr *err);

/* What waits: pending and rejected documents, the oldest pending one's time (RFC 3339, "" for
 * none) and its age in seconds. */
struct fiscal_state {
	int64_t pending;
	int64_t rejected;
	char oldest_at[32];
	int64_t oldest_age_s;
};
int fiscal_state_get(store *st, struct fiscal_state *s, struct kerr *err);

/* Whether the oldest unsent document is within a day of offline_days old (or past it): the
 * till warns from then on. */
bool fiscal_state_warn(const struct fiscal_state *s, int offline_days);

/* doc (the JSON object of `kassa status --json`) with fiscal_mode, fiscal_pending,
 * fiscal_rejected, fiscal_oldest_at (null for none), fiscal_oldest_age_s, fiscal_warning and
 * fiscal_last_error added. Caller frees; NULL with err. */
char *fiscal_status_json(store *st, const char *doc, int offline_days, struct kerr *err);

/* doc (the JSON of `kassa report x|z --json`) with "fiscal": {"opening": D, "closing": D}, D
 * the shift's document {state, terminal_id, receipt_seq, fiscal_sign, qr_url, error; the
 * closing one its Z totals, z}, null when none was written. Caller frees; NULL with err. */
char *fiscal_shift_json(store *st, const char *doc, int64_t shift_id, struct kerr *err);

/* The reply for the document of a sale (kind "sale") or return ("refund") with that row id:
 * 1 with *r filled, 0 while it waits (or there is no document: *exists says which), -1. */
int fiscal_reply_of(store *st, const char *kind, int64_t ref_id, struct fiscal_reply *r,
    bool *exists, struct kerr *err);

#endif
