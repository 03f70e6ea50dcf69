/*
 * fiscal.c: the fiscal documents (include/fiscal.h, CONTRACT.md section 8). The bodies are
 * built by SQLite from the rows the caller has just written, in the caller's transaction; the
 * replies come back from the sync process through fiscal_signed and fiscal_refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "core-int.h"
#include "fiscal.h"
#include "i18n.h"
#include "journal.h"
#include "xalloc.h"

static bool mode_on;

static const char writing[] = N_("writing the fiscal document");

void
fiscal_set_mode(bool on)
{
	mode_on = on;
}

bool
fiscal_on(void)
{
	return mode_on;
}

bool
fiscal_mxik_valid(const char *s)
{
	size_t n = 0;

	for (; s[n] != '\0'; n++)
		if (s[n] < '0' || s[n] > '9')
			return false;
	return n == FISCAL_MXIK_LEN;
}

int
fiscal_check_product(const struct product *p, struct kerr *err)
{
	if (!mode_on || fiscal_mxik_valid(p->mxik))
		return 0;
	return kerr_set(err, KERR_INPUT, _("%s has no valid MXIK code (17 digits): it cannot be "
	    "sold on a fiscal till; fix the product's mxik"), p->name);
}

/* The lines of a sale: the product's first barcode (else the code typed), its MXIK now. */
#define SALE_LINES \
	"(SELECT json_group_array(json(j)) FROM (SELECT json_object('barcode', coalesce((SELECT " \
	"min(b.code) FROM barcodes b WHERE b.product_id = l.product_id), l.code), 'name', " \
	"l.name, 'mxik', coalesce(p.mxik, ''), 'qty', l.qty, 'price', l.price, 'discount', " \
	"l.discount, 'total', l.total, 'vat_rate', l.vat_bp / 100, 'vat', l.vat) AS j FROM " \
	"sale_lines l JOIN products p ON p.id = l.product_id WHERE l.sale_id = s.id AND " \
	"l.voided = 0 ORDER BY l.lineno))"

/* Cash is what stayed in the drawer (tendered less change); credit and points are other. */
static const char sale_sql[] =
	"SELECT s.completed_at, json_object('id', ?2, 'kind', 'sale', 'at', s.completed_at, "
	"'number', s.number, 'lines', json(" SALE_LINES "), "
	"'cash', coalesce((SELECT sum(amount) FROM payments WHERE sale_id = s.id AND method = "
	"'cash'), 0) - s.change, "
	"'card', coalesce((SELECT sum(amount) FROM payments WHERE sale_id = s.id AND method = "
	"'card'), 0), "
	"'other', coalesce((SELECT sum(amount) FROM payments WHERE sale_id = s.id AND method NOT "
	"IN ('cash', 'card')), 0)), NULL FROM sales s WHERE s.id = ?1";

static const char refund_sql[] =
	"SELECT x.completed_at, json_object('id', ?2, 'kind', 'refund', 'at', x.completed_at, "
	"'number', x.number, 'lines', json((SELECT json_group_array(json(j)) FROM (SELECT "
	"json_object('barcode', coalesce((SELECT min(b.code) FROM barcodes b WHERE b.product_id = "
	"l.product_id), l.code), 'name', l.name, 'mxik', coalesce(p.mxik, ''), 'qty', l.qty, "
	"'price', l.price, 'discount', l.discount, 'total', l.total, 'vat_rate', l.vat_bp / 100, "
	"'vat', l.vat) AS j FROM return_lines l JOIN products p ON p.id = l.product_id WHERE "
	"l.return_id = x.id ORDER BY l.id))), "
	"'cash', coalesce((SELECT sum(amount) FROM return_payments WHERE return_id = x.id AND "
	"method = 'cash'), 0), "
	"'card', coalesce((SELECT sum(amount) FROM return_payments WHERE return_id = x.id AND "
	"method = 'card'), 0), "
	"'other', coalesce((SELECT sum(amount) FROM return_payments WHERE return_id = x.id AND "
	"method NOT IN ('cash', 'card')), 0)), "
	"(SELECT d.uuid FROM fiscal_documents d WHERE d.kind = 'sale' AND d.ref_id = x.sale_id) "
	"FROM returns x WHERE x.id = ?1";

static const char shift_open_sql[] =
	"SELECT h.opened_at, json_object('id', ?2, 'kind', 'shift_open', 'at', h.opened_at, "
	"'number', h.number, 'lines', json('[]'), 'cash', h.opening_float, 'card', 0, 'other', 0), "
	"NULL FROM shifts h WHERE h.id = ?1";

/* The closing document carries the Z report's totals (an extension of section 8: "z"). */
static const char shift_close_sql[] =
	"SELECT h.closed_at, json_object('id', ?2, 'kind', 'shift_close', 'at', h.closed_at, "
	"'number', h.number, 'lines', json('[]'), 'cash', h.cash_sales - h.refunds_cash, "
	"'card', h.card_sales - h.refunds_card, 'other', -h.refunds_other, "
	"'z', json_object('opened_at', h.opened_at, 'float', h.opening_float, 'sales_count', "
	"h.sales_count, 'sales_total', h.sales_total, 'vat_total', h.vat_total, 'discount_total', "
	"h.discount_total, 'cash_sales', h.cash_sales, 'card_sales', h.card_sales, "
	"'refunds_count', h.refunds_count, 'refunds_total', h.refunds_total, 'refunds_vat', "
	"h.refunds_vat, 'refunds_cash', h.refunds_cash, 'refunds_card', h.refunds_card, "
	"'cash_in', h.cash_in, 'cash_out', h.cash_out, 'counted_cash', h.counted_cash, "
	"'expected_cash', h.expected_cash)), NULL FROM shifts h WHERE h.id = ?1";

/* Writes the document of kind for row ref_id, its body from sql (?1 ref_id, ?2 the new
 * document's uuid; columns: at, body, refund_of_doc), refusing a time before the last. */
static int
record(store *st, const char *kind, const char *sql, int64_t ref_id, struct kerr *err)
{
	char uuid[40], at[32], last[32] = "", *body = NULL, *orig = NULL;
	sqlite3_stmt *q;
	int rc;

	if (!mode_on)
		return 0;
	store_uuid(uuid);
	if (core_prepare(st, sql, &q, err, writing) == -1)
		return -1;
	sqlite3_bind_int64(q, 1, ref_id);
	sqlite3_bind_text(q, 2, uuid, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		core_text(q, 0, at, sizeof at);
		body = xstrdup((const char *)sqlite3_column_text(q, 1));
		if (sqlite3_column_type(q, 2) != SQLITE_NULL)
			orig = xstrdup((const char *)sqlite3_column_text(q, 2));
	}
	core_release(q);
	if (rc != SQLITE_ROW) {
		store_error(st, err, writing);
		goto fail;
	}
	/* The tax service refuses a terminal's times going back: so does the till, at once. */
	/* The last written is the latest (this check keeps them in order): one row by rowid,
	 * not a scan of a year's documents. */
	if (core_prepare(st, "SELECT coalesce((SELECT at FROM fiscal_documents ORDER BY id DESC "
	    "LIMIT 1), '')", &q, err, writing) == -1)
		goto fail;
	if (sqlite3_step(q) == SQLITE_ROW)
		core_text(q, 0, last, sizeof last);
	core_release(q);
	if (strcmp(at, last) < 0) {
		kerr_set(err, KERR_STATE, _("the clock went back: fix the date (the last fiscal "
		    "receipt was at %s)"), last);
		goto fail;
	}
	if (core_prepare(st, "INSERT INTO fiscal_documents(uuid, kind, ref_id, at, body, "
	    "refund_of_doc, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?4)", &q, err,
	    writing) == -1)
		goto fail;
	sqlite3_bind_text(q, 1, uuid, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, ref_id);
	sqlite3_bind_text(q, 4, at, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, body, -1, SQLITE_STATIC);
	if (orig != NULL)
		sqlite3_bind_text(q, 6, orig, -1, SQLITE_STATIC);
	rc = core_run(st, q, err, writing);
	free(body);
	free(orig);
	return rc;
fail:
	free(body);
	free(orig);
	return -1;
}

int
fiscal_sale(store *st, int64_t sale_id, struct kerr *err)
{
	return record(st, "sale", sale_sql, sale_id, err);
}

int
fiscal_refund(store *st, int64_t return_id, struct kerr *err)
{
	return record(st, "refund", refund_sql, return_id, err);
}

int
fiscal_shift(store *st, int64_t shift_id, bool closing, struct kerr *err)
{
	return closing ? record(st, "shift_close", shift_close_sql, shift_id, err) :
	    record(st, "shift_open", shift_open_sql, shift_id, err);
}

int
fiscal_next(store *st, int64_t after, int64_t *id, char **uuid, char **body, struct kerr *err)
{
	sqlite3_stmt *q;
	int rc, found = 0;

	*uuid = *body = NULL;
	/* A refund goes once its original is signed (refund_of from that reply); one whose
	 * original waits (rejected) is skipped, and so is one citing no document at all (the
	 * original was sold before fiscal mode, or a return without a receipt): sent as is. */
	if (core_prepare(st, "SELECT d.id, d.uuid, CASE WHEN o.uuid IS NULL THEN d.body ELSE "
	    "json_set(d.body, '$.refund_of', json_object('terminal_id', o.terminal_id, "
	    "'receipt_seq', o.receipt_seq, 'fiscal_sign', o.fiscal_sign)) END FROM "
	    "fiscal_documents d LEFT JOIN fiscal_documents o ON o.uuid = d.refund_of_doc WHERE "
	    "d.state = 'pending' AND d.id > ?1 AND (o.uuid IS NULL OR o.state = 'sent') ORDER BY "
	    "d.id LIMIT 1", &q, err, N_("reading the fiscal documents")) == -1)
		return -1;
	sqlite3_bind_int64(q, 1, after);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(q, 0);
		*uuid = xstrdup((const char *)sqlite3_column_text(q, 1));
		*body = xstrdup((const char *)sqlite3_column_text(q, 2));
		found = 1;
	}
	core_release(q);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_error(st, err, N_("reading the fiscal documents"));
	return found;
}

/* Keys in sorted order: canonical JSON (journal.h). */
static const char signed_sql[] =
	"SELECT json_object('document', d.uuid, 'fiscal_sign', d.fiscal_sign, 'kind', d.kind, "
	"'number', json_extract(d.body, '$.number'), 'qr_url', d.qr_url, 'receipt_seq', "
	"d.receipt_seq, 'terminal_id', d.terminal_id) FROM fiscal_documents d WHERE d.id = ?1";

int
fiscal_signed(store *st, const char *uuid, const struct fiscal_reply *r, struct kerr *err)
{
	sqlite3_stmt *q;
	int64_t id = 0, seq;
	char now[32];
	int rc;

	if (store_begin(st, err) == -1)
		return -1;
	if (core_prepare(st, "SELECT id FROM fiscal_documents WHERE uuid = ?1 AND state <> 'sent'",
	    &q, err, writing) == -1)
		goto fail;
	sqlite3_bind_text(q, 1, uuid, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		id = sqlite3_column_int64(q, 0);
	core_release(q);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		store_error(st, err, writing);
		goto fail;
	}
	if (id == 0)		/* signed already: the same reply again */
		return store_commit(st, err);
	if (core_prepare(st, "UPDATE fiscal_documents SET state = 'sent', terminal_id = ?2, "
	    "receipt_seq = ?3, fiscal_sign = ?4, qr_url = ?5, signed_at = ?6, updated_at = ?6, "
	    "error = NULL WHERE id = ?1", &q, err, writing) == -1)
		goto fail;
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_text(q, 2, r->terminal_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, r->receipt_seq);
	sqlite3_bind_text(q, 4, r->fiscal_sign, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, r->qr_url, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 6, store_now(now, sizeof now), -1, SQLITE_STATIC);
	if (core_run(st, q, err, writing) == -1)
		goto fail;
	if (journal_append_sql(st, "fiscal.signed", signed_sql, id, 0, &seq, err) == -1)
		goto fail;
	if (core_prepare(st, "UPDATE fiscal_documents SET event_seq = ?2 WHERE id = ?1", &q, err,
	    writing) == -1)
		goto fail;
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_int64(q, 2, seq);
	if (core_run(st, q, err, writing) == -1)
		goto fail;
	return store_commit(st, err);
fail:
	store_rollback(st);
	return -1;
}

/* One UPDATE of the document uuid in a transaction of its own (?1 uuid, ?2 text, ?3 now). */
static int
update(store *st, const char *sql, const char *uuid, const char *text, struct kerr *err)
{
	sqlite3_stmt *q;
	char now[32];

	if (store_begin(st, err) == -1)
		return -1;
	if (core_prepare(st, sql, &q, err, writing) == -1) {
		store_rollback(st);
		return -1;
	}
	sqlite3_bind_text(q, 1, uuid, -1, SQLITE_STATIC);
	if (text != NULL)
		sqlite3_bind_text(q, 2, text, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, store_now(now, sizeof now), -1, SQLITE_STATIC);
	if (core_run(st, q, err, writing) == -1) {
		store_rollback(st);
		return -1;
	}
	return store_commit(st, err);
}

int
fiscal_refused(store *st, const char *uuid, const char *why, struct kerr *err)
{
	return update(st, "UPDATE fiscal_documents SET state = 'rejected', error = ?2, "
	    "updated_at = ?3 WHERE uuid = ?1 AND state = 'pending'", uuid, why, err);
}

int
fiscal_attempted(store *st, const char *uuid, struct kerr *err)
{
	return update(st, "UPDATE fiscal_documents SET attempts = attempts + 1, updated_at = ?3 "
	    "WHERE uuid = ?1", uuid, NULL, err);
}

int
fiscal_state_get(store *st, struct fiscal_state *s, struct kerr *err)
{
	sqlite3_stmt *q;
	int rc;

	memset(s, 0, sizeof *s);
	if (core_prepare(st, "SELECT (SELECT count(*) FROM fiscal_documents WHERE state = "
	    "'pending'), (SELECT count(*) FROM fiscal_documents WHERE state = 'rejected'), "
	    "(SELECT min(at) FROM fiscal_documents WHERE state = 'pending'), (SELECT "
	    "CAST((julianday('now') - julianday(min(at))) * 86400 AS INTEGER) FROM "
	    "fiscal_documents WHERE state = 'pending')", &q, err,
	    N_("reading the fiscal documents")) == -1)
		return -1;
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		s->pending = sqlite3_column_int64(q, 0);
		s->rejected = sqlite3_column_int64(q, 1);
		core_text(q, 2, s->oldest_at, sizeof s->oldest_at);
		s->oldest_age_s = sqlite3_column_int64(q, 3);
		if (s->oldest_age_s < 0)
			s->oldest_age_s = 0;
	}
	core_release(q);
	if (rc != SQLITE_ROW)
		return store_error(st, err, N_("reading the fiscal documents"));
	return 0;
}

bool
fiscal_state_warn(const struct fiscal_state *s, int offline_days)
{
	int64_t from = (int64_t)(offline_days - 1) * 86400;

	return s->pending > 0 && s->oldest_age_s >= (from > 0 ? from : 0);
}

int
fiscal_reply_of(store *st, const char *kind, int64_t ref_id, struct fiscal_reply *r,
    bool *exists, struct kerr *err)
{
	sqlite3_stmt *q;
	int rc, found = 0;

	memset(r, 0, sizeof *r);
	*exists = false;
	if (core_prepare(st, "SELECT state, coalesce(terminal_id, ''), coalesce(receipt_seq, 0), "
	    "coalesce(fiscal_sign, ''), coalesce(qr_url, '') FROM fiscal_documents WHERE kind = ?1 "
	    "AND ref_id = ?2", &q, err, N_("reading the fiscal documents")) == -1)
		return -1;
	sqlite3_bind_text(q, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, ref_id);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		*exists = true;
		if (strcmp((const char *)sqlite3_column_text(q, 0), "sent") == 0) {
			found = 1;
			core_text(q, 1, r->terminal_id, sizeof r->terminal_id);
			r->receipt_seq = sqlite3_column_int64(q, 2);
			core_text(q, 3, r->fiscal_sign, sizeof r->fiscal_sign);
			core_text(q, 4, r->qr_url, sizeof r->qr_url);
		}
	}
	core_release(q);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_error(st, err, N_("reading the fiscal documents"));
	return found;
}

char *
fiscal_status_json(store *st, const char *doc, int offline_days, struct kerr *err)
{
	struct fiscal_state fs;
	sqlite3_stmt *q;
	char *out = NULL, *last;

	if (fiscal_state_get(st, &fs, err) == -1)
		return NULL;
	last = store_meta_get(st, "fiscal_last_error");
	if (core_prepare(st, "SELECT json_set(?1, '$.fiscal_mode', ?2, '$.fiscal_pending', ?3, "
	    "'$.fiscal_rejected', ?4, '$.fiscal_oldest_at', ?5, '$.fiscal_oldest_age_s', ?6, "
	    "'$.fiscal_warning', json(?7), '$.fiscal_last_error', ?8)", &q, err,
	    N_("writing the status")) == -1) {
		free(last);
		return NULL;
	}
	sqlite3_bind_text(q, 1, doc, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, mode_on ? "http" : "none", -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, fs.pending);
	sqlite3_bind_int64(q, 4, fs.rejected);
	if (fs.oldest_at[0] != '\0')
		sqlite3_bind_text(q, 5, fs.oldest_at, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 6, fs.oldest_age_s);
	sqlite3_bind_text(q, 7, fiscal_state_warn(&fs, offline_days) ? "true" : "false", -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(q, 8, last != NULL ? last : "", -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0) != NULL)
		out = xstrdup((const char *)sqlite3_column_text(q, 0));
	else
		store_error(st, err, N_("writing the status"));
	core_release(q);
	free(last);
	return out;
}

char *
fiscal_shift_json(store *st, const char *doc, int64_t shift_id, struct kerr *err)
{
	sqlite3_stmt *q;
	char *out = NULL;

	/* Each document's state and reply (null while it waits), or null: none written. */
	if (core_prepare(st, "SELECT json_set(?1, '$.fiscal', json_object("
	    "'opening', json((SELECT json_object('state', d.state, 'terminal_id', d.terminal_id, "
	    "'receipt_seq', d.receipt_seq, 'fiscal_sign', d.fiscal_sign, 'qr_url', d.qr_url, "
	    "'error', d.error) FROM fiscal_documents d WHERE d.kind = 'shift_open' AND d.ref_id = "
	    "?2)), 'closing', json((SELECT json_object('state', d.state, 'terminal_id', "
	    "d.terminal_id, 'receipt_seq', d.receipt_seq, 'fiscal_sign', d.fiscal_sign, 'qr_url', "
	    "d.qr_url, 'error', d.error, 'z', json_extract(d.body, '$.z')) FROM fiscal_documents d "
	    "WHERE d.kind = 'shift_close' AND d.ref_id = ?2))))", &q, err,
	    N_("reading the fiscal documents")) == -1)
		return NULL;
	sqlite3_bind_text(q, 1, doc, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, shift_id);
	if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0) != NULL)
		out = xstrdup((const char *)sqlite3_column_text(q, 0));
	else
		store_error(st, err, N_("reading the fiscal documents"));
	core_release(q);
	return out;
}

int
fiscal_missing_mxik(store *st, int64_t *count, char *example, size_t size, struct kerr *err)
{
	sqlite3_stmt *q;
	int rc;

	*count = 0;
	example[0] = '\0';
	if (core_prepare(st, "SELECT count(*), (SELECT coalesce((SELECT min(b.code) FROM barcodes "
	    "b WHERE b.product_id = x.id), x.sku, '') || ' ' || x.name FROM products x WHERE "
	    "x.deleted = 0 AND NOT (length(coalesce(x.mxik, '')) = 17 AND x.mxik NOT GLOB "
	    "'*[^0-9]*') ORDER BY x.id LIMIT 1) FROM products p WHERE p.deleted = 0 AND NOT "
	    "(length(coalesce(p.mxik, '')) = 17 AND p.mxik NOT GLOB '*[^0-9]*')", &q, err,
	    N_("reading the catalogue")) == -1)
		return -1;
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		*count = sqlite3_column_int64(q, 0);
		core_text(q, 1, example, size);
	}
	core_release(q);
	if (rc != SQLITE_ROW)
		return store_error(st, err, N_("reading the catalogue"));
	return 0;
}
