/*
 * refund: returns against a receipt and without one (include/refund.h says the rules). Like the
 * cart, the database is the truth: every change runs in one transaction that reloads the
 * return's rows first, checks the result, writes and commits; the struct is then reloaded.
 * Statements come from core_prepare() (core-int.h) and go back with core_release()/core_run().
 * What a line can still give back is never stored: it is the sale line's quantity less the
 * return lines of completed returns that name it, read inside each transaction.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "core-int.h"
#include "i18n.h"
#include "fiscal.h"
#include "journal.h"
#include "refund.h"
#include "shift.h"
#include "xalloc.h"

#define TENDERS_MAX 8

/* What a failing statement was doing, for store_error's message (translated there). */
static const char saving[] = N_("saving the return");
static const char reading[] = N_("reading the return");

struct refund {
	store *st;
	struct user user;          /* who is refunding */
	int64_t id;                /* 0 once abandoned */
	char uuid[40];
	enum refund_state state;
	int64_t number;
	int64_t sale_id;
	int64_t original;
	char completed_at[32];
	char cashier[64];
	char approver[64];
	struct refund_line *lines;
	int nlines, lines_cap;
	struct refund_payment pays[TENDERS_MAX];
	int npays;
	struct refund_totals totals;
	bool needs_approval;
};

static enum refund_method
method_parse(const unsigned char *t)
{
	if (t != NULL && strcmp((const char *)t, "cash") == 0)
		return REFUND_CASH;
	if (t != NULL && strcmp((const char *)t, "card") == 0)
		return REFUND_CARD;
	if (t != NULL && strcmp((const char *)t, "points") == 0)
		return REFUND_POINTS;
	return REFUND_OTHER;
}

static const char *
method_name(enum refund_method m)
{
	return m == REFUND_CASH ? "cash" : m == REFUND_CARD ? "card" : m == REFUND_POINTS ?
	    "points" : "credit";
}

/* ---- the arithmetic --------------------------------------------------------------------- */

int
refund_share(const struct refund_part *line, const struct refund_part *done, qty_t qty,
    struct refund_part *out, struct kerr *err)
{
	qty_t upto;
	money_t total, vat, discount;

	if (qty <= 0)
		return kerr_set(err, KERR_INPUT, _("quantity must be more than 0"));
	if (line->qty <= 0 || done->qty < 0 || __builtin_add_overflow(done->qty, qty, &upto) ||
	    upto > line->qty)
		return kerr_set(err, KERR_STATE, _("more than is left to return"));
	/* Cumulative: what all the returns up to this one give back, less what the earlier
	 * ones gave. The last unit therefore takes exactly the remainder. */
	if (!money_muldiv(line->total, upto, line->qty, &total) ||
	    !money_muldiv(line->vat, upto, line->qty, &vat) ||
	    !money_muldiv(line->discount, upto, line->qty, &discount))
		return kerr_set(err, KERR_INPUT, _("amount too large"));
	out->qty = qty;
	out->total = total - done->total;
	out->vat = vat - done->vat;
	out->discount = discount - done->discount;
	if (out->total < 0 || out->vat < 0 || out->discount < 0)
		return kerr_set(err, KERR_INTERNAL, "earlier returns gave back more than their "
		    "share");
	return 0;
}

int
refund_split(const struct refund_tender *t, int n, money_t amount, money_t *out,
    struct kerr *err)
{
	money_t left = amount;

	if (amount < 0)
		return kerr_set(err, KERR_INPUT, _("an amount cannot be negative"));
	for (int i = 0; i < n; i++)
		out[i] = 0;
	/* Two passes: every non-cash tender first (card back to card, credit back to the
	 * balance), then cash for the rest. */
	for (int pass = 0; pass < 2 && left > 0; pass++) {
		for (int i = 0; i < n && left > 0; i++) {
			money_t room = t[i].paid - t[i].refunded;

			if ((t[i].method == REFUND_CASH) != (pass == 1) || room <= 0)
				continue;
			out[i] = left < room ? left : room;
			left -= out[i];
		}
	}
	if (left != 0)
		return kerr_set(err, KERR_STATE, _("the sale has less left to refund than that"));
	return 0;
}

/* ---- loading ---------------------------------------------------------------------------- */

static struct refund_line *
new_line(refund *r)
{
	struct refund_line *l;

	if (r->nlines == r->lines_cap) {
		r->lines_cap = r->lines_cap ? r->lines_cap * 2 : 16;
		r->lines = xreallocarray(r->lines, (size_t)r->lines_cap, sizeof *r->lines);
	}
	l = &r->lines[r->nlines++];
	memset(l, 0, sizeof *l);
	return l;
}

/* The sale's tenders, one per method in the order first tendered, with what earlier completed
 * returns (other than r) gave back to each. */
static int
tenders(refund *r, struct refund_tender *t, int *n, struct kerr *err)
{
	sqlite3_stmt *q;
	int rc;

	*n = 0;
	if (core_prepare(r->st, "SELECT p.method, sum(p.amount) - CASE WHEN p.method = 'cash' THEN "
	    "(SELECT change FROM sales WHERE id = ?1) ELSE 0 END, coalesce((SELECT sum(rp.amount) "
	    "FROM return_payments rp JOIN returns x ON x.id = rp.return_id WHERE x.sale_id = ?1 "
	    "AND x.state = 'completed' AND x.id <> ?2 AND rp.method = p.method), 0) FROM "
	    "payments p WHERE "
	    "p.sale_id = ?1 GROUP BY p.method ORDER BY min(p.id)", &q, err, reading) == -1)
		return -1;
	sqlite3_bind_int64(q, 1, r->sale_id);
	sqlite3_bind_int64(q, 2, r->id);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW && *n < TENDERS_MAX) {
		t[*n].method = method_parse(sqlite3_column_text(q, 0));
		t[*n].paid = sqlite3_column_int64(q, 1);
		t[*n].refunded = sqlite3_column_int64(q, 2);
		(*n)++;
	}
	core_release(q);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store_error(r->st, err, N_("reading the sale's payments"));
	return 0;
}

/* Where the marked refund would go (open) into r->totals. */
static int
preview_split(refund *r, struct kerr *err)
{
	struct refund_tender t[TENDERS_MAX];
	money_t out[TENDERS_MAX];
	int n;

	r->totals.cash = r->totals.card = r->totals.other = r->totals.points = 0;
	if (r->sale_id == 0) {
		r->totals.cash = r->totals.total;
		return 0;
	}
	if (tenders(r, t, &n, err) == -1 || refund_split(t, n, r->totals.total, out, err) == -1)
		return -1;
	for (int i = 0; i < n; i++) {
		if (t[i].method == REFUND_CASH)
			r->totals.cash += out[i];
		else if (t[i].method == REFUND_CARD)
			r->totals.card += out[i];
		else if (t[i].method == REFUND_POINTS)
			r->totals.points += out[i];
		else
			r->totals.other += out[i];
	}
	return 0;
}

/* The original sale's lines with what earlier returns took and what r marks. */
static int
load_sale_lines(refund *r, struct kerr *err)
{
	sqlite3_stmt *q;
	int rc;

	/* Earlier returns: completed ones other than r, and for a completed r only those
	 * completed before it (its receipt shows what was left then). */
	if (core_prepare(r->st, "SELECT l.lineno, l.lineno, l.product_id, l.code, l.name, l.unit, "
	    "l.vat_bp, l.price, l.qty, l.total, l.vat, l.discount, coalesce(d.qty, 0), "
	    "coalesce(d.total, 0), coalesce(d.vat, 0), coalesce(d.discount, 0), coalesce(m.qty, "
	    "0), coalesce(m.total, 0), coalesce(m.vat, 0), coalesce(m.discount, 0) FROM "
	    "sale_lines l LEFT JOIN (SELECT rl.sale_lineno, sum(rl.qty) AS qty, sum(rl.total) AS "
	    "total, sum(rl.vat) AS vat, sum(rl.discount) AS discount FROM return_lines rl JOIN "
	    "returns x ON x.id = rl.return_id WHERE x.sale_id = ?1 AND x.state = 'completed' AND "
	    "x.id <> ?2 AND (?3 = 0 OR x.number < ?3) GROUP BY rl.sale_lineno) d ON "
	    "d.sale_lineno = l.lineno LEFT JOIN return_lines m ON m.return_id = ?2 AND "
	    "m.sale_lineno = l.lineno WHERE l.sale_id = ?1 AND l.voided = 0 ORDER BY l.lineno",
	    &q, err, reading) == -1)
		return -1;
	sqlite3_bind_int64(q, 1, r->sale_id);
	sqlite3_bind_int64(q, 2, r->id);
	sqlite3_bind_int64(q, 3, r->state == REFUND_COMPLETED ? r->number : 0);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct refund_line *l = new_line(r);
		struct refund_part line, done, share;

		l->sale_lineno = sqlite3_column_int(q, 0);
		l->lineno = sqlite3_column_int(q, 1);
		l->product_id = sqlite3_column_int64(q, 2);
		core_text(q, 3, l->code, sizeof l->code);
		core_text(q, 4, l->name, sizeof l->name);
		l->by_weight = strcmp((const char *)sqlite3_column_text(q, 5), "kg") == 0;
		l->vat_bp = sqlite3_column_int(q, 6);
		l->price = sqlite3_column_int64(q, 7);
		line.qty = l->sold = sqlite3_column_int64(q, 8);
		line.total = l->paid = sqlite3_column_int64(q, 9);
		line.vat = sqlite3_column_int64(q, 10);
		line.discount = sqlite3_column_int64(q, 11);
		done.qty = l->returned = sqlite3_column_int64(q, 12);
		done.total = sqlite3_column_int64(q, 13);
		done.vat = sqlite3_column_int64(q, 14);
		done.discount = sqlite3_column_int64(q, 15);
		l->returnable = l->sold > l->returned ? l->sold - l->returned : 0;
		l->marked = sqlite3_column_int64(q, 16);
		if (r->state == REFUND_COMPLETED) {
			/* What it gave back, as recorded. */
			l->refund = sqlite3_column_int64(q, 17);
			l->vat = sqlite3_column_int64(q, 18);
			l->discount = sqlite3_column_int64(q, 19);
		} else if (l->marked > 0 && l->marked <= l->returnable &&
		    refund_share(&line, &done, l->marked, &share, NULL) == 0) {
			l->refund = share.total;
			l->vat = share.vat;
			l->discount = share.discount;
		}
	}
	core_release(q);
	if (rc != SQLITE_DONE)
		return store_error(r->st, err, N_("reading the return"));
	return 0;
}

/* A return without a receipt: its own lines are all there is. */
static int
load_own_lines(refund *r, struct kerr *err)
{
	sqlite3_stmt *q;
	int rc;

	if (core_prepare(r->st, "SELECT product_id, code, name, unit, vat_bp, price, qty, total, "
	    "vat, discount FROM return_lines WHERE return_id = ?1 ORDER BY id",
	    &q, err, reading) == -1)
		return -1;
	sqlite3_bind_int64(q, 1, r->id);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct refund_line *l = new_line(r);

		l->lineno = r->nlines;
		l->product_id = sqlite3_column_int64(q, 0);
		core_text(q, 1, l->code, sizeof l->code);
		core_text(q, 2, l->name, sizeof l->name);
		l->by_weight = strcmp((const char *)sqlite3_column_text(q, 3), "kg") == 0;
		l->vat_bp = sqlite3_column_int(q, 4);
		l->price = sqlite3_column_int64(q, 5);
		l->sold = l->returnable = l->marked = sqlite3_column_int64(q, 6);
		l->paid = l->refund = sqlite3_column_int64(q, 7);
		l->vat = sqlite3_column_int64(q, 8);
		l->discount = sqlite3_column_int64(q, 9);
	}
	core_release(q);
	if (rc != SQLITE_DONE)
		return store_error(r->st, err, N_("reading the return"));
	return 0;
}

/* Reads the return's rows into the struct (r->id must be set). */
static int
load(refund *r, struct kerr *err)
{
	sqlite3_stmt *q;
	int rc;

	r->nlines = r->npays = 0;
	memset(&r->totals, 0, sizeof r->totals);
	if (core_prepare(r->st, "SELECT x.uuid, x.state, coalesce(x.number, 0), "
	    "coalesce(x.sale_id, 0), coalesce(s.number, 0), coalesce(x.completed_at, ''), "
	    "coalesce(u.name, ''), coalesce(a.name, '') FROM returns x LEFT JOIN sales s ON s.id "
	    "= x.sale_id LEFT JOIN users u ON u.id = x.user_id LEFT JOIN users a ON a.id = "
	    "x.approver_id WHERE x.id = ?1", &q, err, reading) == -1)
		return -1;
	sqlite3_bind_int64(q, 1, r->id);
	rc = sqlite3_step(q);
	if (rc != SQLITE_ROW) {
		core_release(q);
		if (rc == SQLITE_DONE)
			return kerr_set(err, KERR_NOTFOUND, _("no return %lld"), (long long)r->id);
		return store_error(r->st, err, N_("reading the return"));
	}
	core_text(q, 0, r->uuid, sizeof r->uuid);
	r->state = strcmp((const char *)sqlite3_column_text(q, 1), "completed") == 0 ?
	    REFUND_COMPLETED : REFUND_OPEN;
	r->number = sqlite3_column_int64(q, 2);
	r->sale_id = sqlite3_column_int64(q, 3);
	r->original = sqlite3_column_int64(q, 4);
	core_text(q, 5, r->completed_at, sizeof r->completed_at);
	core_text(q, 6, r->cashier, sizeof r->cashier);
	core_text(q, 7, r->approver, sizeof r->approver);
	core_release(q);

	if ((r->sale_id != 0 ? load_sale_lines(r, err) : load_own_lines(r, err)) == -1)
		return -1;
	for (int i = 0; i < r->nlines; i++) {
		const struct refund_line *l = &r->lines[i];

		if (l->marked == 0)
			continue;
		r->totals.lines++;
		/* Sums of parts of lines that added up in the sale cannot overflow. */
		r->totals.total += l->refund;
		r->totals.vat += l->vat;
		r->totals.discount += l->discount;
	}
	if (r->state == REFUND_OPEN)
		return preview_split(r, err);

	if (core_prepare(r->st, "SELECT method, amount FROM return_payments WHERE return_id = ?1 "
	    "ORDER BY id", &q, err, reading) == -1)
		return -1;
	sqlite3_bind_int64(q, 1, r->id);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW && r->npays < TENDERS_MAX) {
		struct refund_payment *p = &r->pays[r->npays++];

		p->method = method_parse(sqlite3_column_text(q, 0));
		p->amount = sqlite3_column_int64(q, 1);
		if (p->method == REFUND_CASH)
			r->totals.cash += p->amount;
		else if (p->method == REFUND_CARD)
			r->totals.card += p->amount;
		else if (p->method == REFUND_POINTS)
			r->totals.points += p->amount;
		else
			r->totals.other += p->amount;
	}
	core_release(q);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store_error(r->st, err, N_("reading the return"));
	return 0;
}

/* Ends a change: commit when ok, else roll back; either way reload from the rows. */
static int
finish(refund *r, int ok, struct kerr *err)
{
	struct kerr lerr;

	if (ok == 0 && store_commit(r->st, err) == 0)
		return load(r, err);
	store_rollback(r->st);
	if (r->id != 0 && load(r, &lerr) == -1 && err != NULL && err->code == KERR_OK)
		*err = lerr;
	return -1;
}

/* ---- life cycle ------------------------------------------------------------------------- */

static refund *
refund_alloc(store *st, const struct user *u)
{
	refund *r = xcalloc(1, sizeof *r);

	r->st = st;
	if (u != NULL)
		r->user = *u;
	return r;
}

void
refund_free(refund *r)
{
	if (r == NULL)
		return;
	free(r->lines);
	free(r);
}

refund *
refund_load(store *st, int64_t return_id, struct kerr *err)
{
	refund *r = refund_alloc(st, NULL);

	r->id = return_id;
	if (load(r, err) == -1) {
		refund_free(r);
		return NULL;
	}
	return r;
}

int64_t
refund_by_number(store *st, int64_t number)
{
	return core_id_of(st, "SELECT id FROM returns WHERE number = ?1 AND state = 'completed'",
	    number);
}

int
refund_reprint(store *st, int64_t return_id, struct kerr *err)
{
	sqlite3_stmt *q;
	char now[32];

	if (core_prepare(st, "INSERT INTO print_jobs(kind, return_id, created_at) SELECT 'copy', "
	    "id, ?2 FROM returns WHERE id = ?1 AND state = 'completed'", &q, err,
	    N_("queueing the copy")) == -1)
		return -1;
	sqlite3_bind_int64(q, 1, return_id);
	sqlite3_bind_text(q, 2, store_now(now, sizeof now), -1, SQLITE_TRANSIENT);
	if (core_run(st, q, err, N_("queueing the copy")) == -1)
		return -1;
	if (sqlite3_changes(store_db(st)) != 1)
		return kerr_set(err, KERR_NOTFOUND, _("no completed return %lld"),
		    (long long)return_id);
	return 0;
}

refund *
refund_current(store *st, const struct user *u, struct kerr *err)
{
	int64_t id = core_id_of(st, "SELECT max(id) FROM returns WHERE state = 'open'", 0);
	sqlite3_stmt *q;
	refund *r;

	if (id == 0) {
		kerr_set(err, KERR_NOTFOUND, _("no return is in progress"));
		return NULL;
	}
	r = refund_alloc(st, u);
	r->id = id;
	/* Finished by whoever is logged in now, as a cart is: the receipt names them. */
	if (u != NULL) {
		if (store_begin(st, err) == -1)
			goto fail;
		if (core_prepare(st, "UPDATE returns SET user_id = ?2 WHERE id = ?1 AND state = "
		    "'open'", &q, err, saving) == -1) {
			store_rollback(st);
			goto fail;
		}
		sqlite3_bind_int64(q, 1, id);
		sqlite3_bind_int64(q, 2, u->id);
		if (core_run(st, q, err, saving) == -1) {
			store_rollback(st);
			goto fail;
		}
		if (store_commit(st, err) == -1)
			goto fail;
	}
	if (load(r, err) == -1)
		goto fail;
	return r;
fail:
	refund_free(r);
	return NULL;
}

/* "12" or a scanned "12" into the number; a refund receipt's "R12" and anything else refused. */
static int
parse_receipt(const char *in, int64_t *number, struct kerr *err)
{
	char buf[64];
	size_t n;
	char *p, *end;
	long long v;

	while (*in == ' ')
		in++;
	snprintf(buf, sizeof buf, "%s", in);
	for (n = strlen(buf); n > 0 && (buf[n - 1] == ' ' || buf[n - 1] == '\r' ||
	    buf[n - 1] == '\n'); n--)
		buf[n - 1] = '\0';
	p = buf;
	if (*p == '\0')
		return kerr_set(err, KERR_INPUT, _("type the receipt number or scan its barcode"));
	if ((*p == 'R' || *p == 'r') && p[1] >= '0' && p[1] <= '9')
		return kerr_set(err, KERR_INPUT, _("%s is a refund receipt: scan the receipt of "
		    "the sale"), buf);
	if (*p < '0' || *p > '9')
		return kerr_set(err, KERR_INPUT, _("%s is not a receipt number"), buf);
	v = strtoll(p, &end, 10);
	if (*end != '\0' || v <= 0)
		return kerr_set(err, KERR_INPUT, _("%s is not a receipt number"), buf);
	*number = v;
	return 0;
}

refund *
refund_start(store *st, const struct user *u, const char *receipt, struct kerr *err)
{
	int64_t number = 0, sale_id, shift_id;
	sqlite3_stmt *q;
	refund *r;
	char now[32];
	qty_t left = 0;

	if (parse_receipt(receipt, &number, err) == -1)
		return NULL;
	if (!shift_current(st, &shift_id)) {
		kerr_set(err, KERR_STATE, _("no shift is open: open one with the cash float "
		    "first"));
		return NULL;
	}
	sale_id = core_id_of(st, "SELECT id FROM sales WHERE number = ?1 AND state = 'completed'",
	    number);
	if (sale_id == 0) {
		kerr_set(err, KERR_NOTFOUND, _("no completed sale has receipt number %lld"),
		    (long long)number);
		return NULL;
	}
	r = refund_alloc(st, u);
	if (store_begin(st, err) == -1)
		goto fail;
	store_uuid(r->uuid);
	store_now(now, sizeof now);
	if (core_prepare(st, "INSERT INTO returns(uuid, state, sale_id, shift_id, user_id, "
	    "created_at, updated_at) VALUES (?1, 'open', ?2, ?3, ?4, ?5, ?5)",
	    &q, err, saving) == -1)
		goto rollback;
	sqlite3_bind_text(q, 1, r->uuid, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, sale_id);
	sqlite3_bind_int64(q, 3, shift_id);
	sqlite3_bind_int64(q, 4, u->id);
	sqlite3_bind_text(q, 5, now, -1, SQLITE_STATIC);
	if (core_run(st, q, err, saving) == -1)
		goto rollback;
	r->id = sqlite3_last_insert_rowid(store_db(st));
	if (load(r, err) == -1)
		goto rollback;
	for (int i = 0; i < r->nlines; i++)
		left += r->lines[i].returnable;
	if (left == 0) {
		kerr_set(err, KERR_STATE, _("everything on receipt %lld has been returned "
		    "already"), (long long)number);
		goto rollback;
	}
	if (store_commit(st, err) == -1)
		goto fail;
	return r;
rollback:
	store_rollback(st);
fail:
	refund_free(r);
	return NULL;
}

int64_t refund_id(const refund *r) { return r->id; }
enum refund_state refund_state(const refund *r) { return r->state; }
int64_t refund_number(const refund *r) { return r->number; }
int64_t refund_original(const refund *r) { return r->original; }
int64_t refund_sale_id(const refund *r) { return r->sale_id; }
bool refund_no_receipt(const refund *r) { return r->sale_id == 0; }
const char *refund_uuid(const refund *r) { return r->uuid; }
const char *refund_completed_at(const refund *r) { return r->completed_at; }
const char *refund_cashier(const refund *r) { return r->cashier; }
const char *refund_approver(const refund *r) { return r->approver; }
int refund_line_count(const refund *r) { return r->nlines; }
int refund_payment_count(const refund *r) { return r->npays; }
const struct refund_totals *refund_totals(const refund *r) { return &r->totals; }
bool refund_needs_approval(const refund *r) { return r->needs_approval; }

const struct refund_line *
refund_line(const refund *r, int index)
{
	if (index < 0 || index >= r->nlines)
		return NULL;
	return &r->lines[index];
}

const struct refund_payment *
refund_payment(const refund *r, int index)
{
	if (index < 0 || index >= r->npays)
		return NULL;
	return &r->pays[index];
}

/* ---- marking ---------------------------------------------------------------------------- */

/* Opens a change of an open return: begin, then reload what is stored now. */
static int
begin(refund *r, struct kerr *err)
{
	r->needs_approval = false;
	if (r->id == 0)
		return kerr_set(err, KERR_STATE, _("the return was abandoned: start a new one"));
	if (r->state != REFUND_OPEN)
		return kerr_set(err, KERR_STATE, _("this return is completed: start a new one"));
	if (store_begin(r->st, err) == -1)
		return -1;
	if (load(r, err) == -1 || r->state != REFUND_OPEN) {
		if (err != NULL && err->code == KERR_OK)
			kerr_set(err, KERR_STATE, _("this return is completed: start a new one"));
		store_rollback(r->st);
		return -1;
	}
	return 0;
}

/* Writes line index's marked quantity (inside the transaction). */
static int
write_mark(refund *r, const struct refund_line *l, qty_t qty, struct kerr *err)
{
	sqlite3_stmt *q;
	char now[32];

	if (qty == 0) {
		if (core_prepare(r->st, "DELETE FROM return_lines WHERE return_id = ?1 AND "
		    "sale_lineno = ?2", &q, err, saving) == -1)
			return -1;
		sqlite3_bind_int64(q, 1, r->id);
		sqlite3_bind_int(q, 2, l->sale_lineno);
	} else {
		if (core_prepare(r->st, "INSERT INTO return_lines(return_id, sale_lineno, "
		    "product_id, code, name, unit, qty, price, vat_bp) SELECT ?1, lineno, product_id, "
		    "code, name, unit, ?3, price, vat_bp FROM sale_lines WHERE sale_id = (SELECT "
		    "sale_id FROM returns WHERE id = ?1) AND lineno = ?2 ON "
		    "CONFLICT(return_id, sale_lineno) DO UPDATE SET qty = excluded.qty",
		    &q, err, saving) == -1)
			return -1;
		sqlite3_bind_int64(q, 1, r->id);
		sqlite3_bind_int(q, 2, l->sale_lineno);
		sqlite3_bind_int64(q, 3, qty);
	}
	if (core_run(r->st, q, err, saving) == -1)
		return -1;
	if (core_prepare(r->st, "UPDATE returns SET updated_at = ?2 WHERE id = ?1",
	    &q, err, saving) == -1)
		return -1;
	sqlite3_bind_int64(q, 1, r->id);
	sqlite3_bind_text(q, 2, store_now(now, sizeof now), -1, SQLITE_TRANSIENT);
	return core_run(r->st, q, err, saving);
}

static int
check_qty(const struct refund_line *l, qty_t qty, struct kerr *err)
{
	char a[32];

	if (qty < 0)
		return kerr_set(err, KERR_INPUT, _("a quantity cannot be negative"));
	if (!l->by_weight && qty % QTY_ONE != 0)
		return kerr_set(err, KERR_INPUT, _("%s is sold by the piece: a whole quantity"),
		    l->name);
	if (qty > l->returnable)
		return kerr_set(err, KERR_STATE, _("only %s of %s is left to return"),
		    qty_format(l->returnable, l->by_weight, a, sizeof a), l->name);
	return 0;
}

int
refund_set_line(refund *r, int index, qty_t qty, struct kerr *err)
{
	int ok = -1;

	if (begin(r, err) == -1)
		return -1;
	if (index < 0 || index >= r->nlines || r->sale_id == 0) {
		kerr_set(err, KERR_INPUT, _("no line %d"), index + 1);
		goto out;
	}
	if (check_qty(&r->lines[index], qty, err) == -1)
		goto out;
	ok = write_mark(r, &r->lines[index], qty, err);
out:
	return finish(r, ok, err);
}

/* The lines of product id in receipt order, marks spread over them: want units more (or,
 * want 0, all that is left). */
static int
mark_product(refund *r, int64_t product_id, const char *name, bool by_weight, qty_t want,
    int *index, struct kerr *err)
{
	qty_t left = 0, give;
	char a[32];
	int first = -1;

	for (int i = 0; i < r->nlines; i++) {
		const struct refund_line *l = &r->lines[i];

		if (l->product_id != product_id)
			continue;
		if (first < 0)
			first = i;
		left += l->returnable - l->marked;
	}
	if (first < 0)
		return kerr_set(err, KERR_NOTFOUND, _("%s is not on receipt %lld"), name,
		    (long long)r->original);
	if (want == 0)
		want = left;
	if (want <= 0 || want > left) {
		if (left == 0)
			return kerr_set(err, KERR_STATE, _("nothing of %s is left to return"),
			    name);
		return kerr_set(err, KERR_STATE, _("only %s of %s is left to return"),
		    qty_format(left, by_weight, a, sizeof a), name);
	}
	for (int i = first; i < r->nlines && want > 0; i++) {
		const struct refund_line *l = &r->lines[i];
		qty_t room = l->returnable - l->marked;

		if (l->product_id != product_id || room <= 0)
			continue;
		give = want < room ? want : room;
		if (write_mark(r, l, l->marked + give, err) == -1)
			return -1;
		want -= give;
		if (index != NULL)
			*index = i;
	}
	return 0;
}

int
refund_mark_input(refund *r, const struct weight_layout *layout, const char *input,
    int *index, struct kerr *err)
{
	char buf[128], *code;
	struct product p;
	qty_t mult, qty = QTY_ONE;
	int64_t product_id = 0;
	const char *name;
	bool by_weight;
	int ok = -1;

	if (core_parse_input(input, buf, sizeof buf, &code, &mult, err) == -1)
		return -1;
	if (begin(r, err) == -1)
		return -1;
	if (r->sale_id == 0) {
		kerr_set(err, KERR_STATE, _("a return without a receipt takes no more lines"));
		goto out;
	}
	/* The catalogue first (it reads weight labels); then what was scanned at the sale, for a
	 * product deleted since. */
	if (catalog_lookup(r->st, layout, code, &p, &qty, err) == 0) {
		product_id = p.id;
		name = p.name;
		by_weight = p.by_weight;
		/* A product sold by weight, by its plain code: all of it that is left. */
		if (by_weight && mult == 0 && (strcmp(code, p.barcode) == 0 ||
		    strcmp(code, p.sku) == 0))
			qty = 0;
	} else {
		int i;

		if (err != NULL && err->code != KERR_NOTFOUND)
			goto out;
		for (i = 0; i < r->nlines && strcmp(r->lines[i].code, code) != 0; i++)
			;
		if (i == r->nlines)
			goto out;	/* the catalogue's "unknown code" says it */
		kerr_clear(err);
		product_id = r->lines[i].product_id;
		name = r->lines[i].name;
		by_weight = r->lines[i].by_weight;
		qty = by_weight ? 0 : QTY_ONE;
	}
	if (mult > 0) {
		if (qty != QTY_ONE && qty != 0) {
			kerr_set(err, KERR_INPUT, _("a weight label already holds its quantity"));
			goto out;
		}
		qty = mult;
	}
	if (!by_weight && qty % QTY_ONE != 0) {
		kerr_set(err, KERR_INPUT, _("%s is sold by the piece: a whole quantity"), name);
		goto out;
	}
	ok = mark_product(r, product_id, name, by_weight, qty, index, err);
out:
	return finish(r, ok, err);
}

int
refund_abandon(refund *r, struct kerr *err)
{
	sqlite3_stmt *q;
	int ok = -1;

	if (begin(r, err) == -1)
		return -1;
	if (core_prepare(r->st, "DELETE FROM returns WHERE id = ?1 AND state = 'open'",
	    &q, err, saving) == -1)
		goto out;
	sqlite3_bind_int64(q, 1, r->id);
	ok = core_run(r->st, q, err, saving);
out:
	if (ok == 0 && store_commit(r->st, err) == 0) {
		r->id = 0;
		r->nlines = r->npays = 0;
		memset(&r->totals, 0, sizeof r->totals);
		return 0;
	}
	store_rollback(r->st);
	return -1;
}

/* ---- completion ------------------------------------------------------------------------- */

/* The sale.returned payload: canonical JSON, every object's keys in sorted order. */
static const char returned_sql[] =
	"SELECT json_object("
	" 'approver', (SELECT name FROM users WHERE id = x.approver_id),"
	" 'cashier', u.name,"
	" 'completed_at', x.completed_at,"
	" 'customer', (SELECT c.key FROM customers c WHERE c.id = s.customer_id),"
	" 'discount', x.discount,"
	" 'id', x.uuid,"
	" 'lines', (SELECT json_group_array(json(j)) FROM (SELECT json_object("
	"   'code', l.code, 'discount', l.discount, 'name', l.name, 'price', l.price,"
	"   'product_id', l.product_id, 'qty', l.qty, 'sale_line', l.sale_lineno, 'total', l.total,"
	"   'unit', l.unit, 'vat', l.vat, 'vat_bp', l.vat_bp) AS j"
	"   FROM return_lines l WHERE l.return_id = x.id ORDER BY coalesce(l.sale_lineno, 0), "
	"   l.id)),"
	" 'no_receipt', json(CASE WHEN x.sale_id IS NULL THEN 'true' ELSE 'false' END),"
	" 'number', x.number,"
	" 'original', s.number,"
	" 'original_id', s.uuid,"
	" 'payments', (SELECT json_group_array(json(j)) FROM (SELECT json_object("
	"   'amount', p.amount, 'method', p.method) AS j"
	"   FROM return_payments p WHERE p.return_id = x.id ORDER BY p.id)),"
	" 'points', coalesce(?2, 0),"
	" 'points_back', (SELECT (coalesce(sum(amount), 0) + 50) / 100 FROM return_payments"
	"   WHERE return_id = x.id AND method = 'points'),"
	" 'shift', x.shift_id,"
	" 'total', x.total,"
	" 'vat', x.vat_total)"
	" FROM returns x JOIN users u ON u.id = x.user_id LEFT JOIN sales s ON s.id = x.sale_id"
	" WHERE x.id = ?1";

/*
 * The points the sale earned that this return takes back (customer.h): the sale's earned
 * points x (what its returns refund, this one included) / its total, less what earlier
 * returns took, so returning everything takes back exactly what was earned.
 */
static int
points_taken_back(refund *r, int64_t *out, struct kerr *err)
{
	sqlite3_stmt *q;
	int64_t earned, done_points;
	money_t total, done_total, upto;
	int rc;

	*out = 0;
	if (r->sale_id == 0)
		return 0;
	if (core_prepare(r->st, "SELECT coalesce((SELECT payload ->> '$.points' FROM events WHERE "
	    "seq = s.event_seq), 0), s.total, (SELECT coalesce(sum(x.total), 0) FROM returns x "
	    "WHERE x.sale_id = s.id AND x.state = 'completed' AND x.id <> ?2), (SELECT "
	    "coalesce(sum(e.payload ->> '$.points'), 0) FROM returns x JOIN events e ON e.seq = "
	    "x.event_seq WHERE x.sale_id = s.id AND x.state = 'completed' AND x.id <> ?2) "
	    "FROM sales s WHERE s.id = ?1", &q, err, reading) == -1)
		return -1;
	sqlite3_bind_int64(q, 1, r->sale_id);
	sqlite3_bind_int64(q, 2, r->id);
	rc = sqlite3_step(q);
	if (rc != SQLITE_ROW) {
		core_release(q);
		return store_error(r->st, err, reading);
	}
	earned = sqlite3_column_int64(q, 0);
	total = sqlite3_column_int64(q, 1);
	done_total = sqlite3_column_int64(q, 2);
	done_points = sqlite3_column_int64(q, 3);
	core_release(q);
	if (earned <= 0 || total <= 0)
		return 0;
	if (!money_muldiv(earned, done_total + r->totals.total, total, &upto))
		return kerr_set(err, KERR_INPUT, _("amount too large"));
	*out = upto - done_points > 0 ? upto - done_points : 0;
	return 0;
}

/*
 * Everything a completion writes, inside the caller's transaction, for a loaded open return
 * whose lines hold their refund (r->lines[i].refund & co) and whose split is in r->totals.
 */
static int
record(refund *r, int64_t shift_id, const struct user *approver, struct kerr *err)
{
	const struct refund_totals *t = &r->totals;
	const struct { enum refund_method m; money_t amount; } pays[4] = {
		{ REFUND_CARD, t->card }, { REFUND_OTHER, t->other }, { REFUND_POINTS, t->points },
		{ REFUND_CASH, t->cash } };
	sqlite3_stmt *q;
	int64_t seq, points = 0;
	char now[32];

	store_now(now, sizeof now);
	if (points_taken_back(r, &points, err) == -1)
		return -1;
	for (int i = 0; i < 4; i++) {
		if (pays[i].amount == 0)
			continue;
		if (core_prepare(r->st, "INSERT INTO return_payments(return_id, method, amount, "
		    "at) VALUES (?1, ?2, ?3, ?4)", &q, err, saving) == -1)
			return -1;
		sqlite3_bind_int64(q, 1, r->id);
		sqlite3_bind_text(q, 2, method_name(pays[i].m), -1, SQLITE_STATIC);
		sqlite3_bind_int64(q, 3, pays[i].amount);
		sqlite3_bind_text(q, 4, now, -1, SQLITE_STATIC);
		if (core_run(r->st, q, err, saving) == -1)
			return -1;
	}
	if (core_prepare(r->st, "UPDATE returns SET state = 'completed', number = (SELECT "
	    "coalesce(max(number), 0) + 1 FROM returns), shift_id = ?2, user_id = ?3, "
	    "approver_id = ?4, total = ?5, vat_total = ?6, discount = ?7, completed_at = ?8, "
	    "updated_at = ?8 WHERE id = ?1", &q, err, saving) == -1)
		return -1;
	sqlite3_bind_int64(q, 1, r->id);
	sqlite3_bind_int64(q, 2, shift_id);
	sqlite3_bind_int64(q, 3, r->user.id);
	if (approver != NULL)
		sqlite3_bind_int64(q, 4, approver->id);
	sqlite3_bind_int64(q, 5, t->total);
	sqlite3_bind_int64(q, 6, t->vat);
	sqlite3_bind_int64(q, 7, t->discount);
	sqlite3_bind_text(q, 8, now, -1, SQLITE_STATIC);
	if (core_run(r->st, q, err, saving) == -1)
		return -1;
	if (core_append_event(r->st, "sale.returned", returned_sql, r->id, points, "UPDATE "
	    "returns SET event_seq = ?2 WHERE id = ?1", &seq, err, saving) == -1)
		return -1;
	if (fiscal_refund(r->st, r->id, err) == -1)	/* [fiscal]: its document */
		return -1;
	/* The goods come back on the shelf. */
	if (core_prepare(r->st, "INSERT INTO stock_moves(product_id, qty, reason, sale_id, "
	    "return_id, event_seq, at) SELECT product_id, sum(qty), 'return', ?2, return_id, ?3, "
	    "?4 FROM return_lines WHERE return_id = ?1 GROUP BY product_id", &q, err, saving) == -1)
		return -1;
	sqlite3_bind_int64(q, 1, r->id);
	if (r->sale_id != 0)
		sqlite3_bind_int64(q, 2, r->sale_id);
	sqlite3_bind_int64(q, 3, seq);
	sqlite3_bind_text(q, 4, now, -1, SQLITE_STATIC);
	if (core_run(r->st, q, err, saving) == -1)
		return -1;
	/* products.stock: the till's idle fold adds these moves (store.h). */
	if (core_prepare(r->st, "UPDATE shifts SET refunds_count = refunds_count + 1, "
	    "refunds_total = refunds_total + ?2, refunds_vat = refunds_vat + ?3, refunds_cash = "
	    "refunds_cash + ?4, refunds_card = refunds_card + ?5, refunds_other = refunds_other + "
	    "?6, refunds_no_receipt = refunds_no_receipt + ?7 WHERE id = ?1",
	    &q, err, saving) == -1)
		return -1;
	sqlite3_bind_int64(q, 1, shift_id);
	sqlite3_bind_int64(q, 2, t->total);
	sqlite3_bind_int64(q, 3, t->vat);
	sqlite3_bind_int64(q, 4, t->cash);
	sqlite3_bind_int64(q, 5, t->card);
	sqlite3_bind_int64(q, 6, t->other + t->points);
	sqlite3_bind_int(q, 7, r->sale_id == 0);
	if (core_run(r->st, q, err, saving) == -1)
		return -1;
	/* The drawer for the cash, then the refund receipt. */
	return core_queue_receipt(r->st, 0, r->id, t->cash > 0, now, err, saving);
}

/* Cash cannot leave a drawer that does not hold it. */
static int
check_drawer(refund *r, money_t cash, struct kerr *err)
{
	struct shift_report x;
	char a[32], b[32];

	if (cash == 0)
		return 0;
	if (shift_report_x(r->st, &x, err) == -1)
		return -1;
	if (cash > x.expected_cash)
		return kerr_set(err, KERR_STATE, _("the refund is %s in cash but only %s should be "
		    "in the drawer"), money_format(cash, a, sizeof a),
		    money_format(x.expected_cash, b, sizeof b));
	return 0;
}

/* Fixes each marked line's refund (refund_share against what is recorded now). */
static int
fix_lines(refund *r, struct kerr *err)
{
	sqlite3_stmt *q;
	char a[32];

	for (int i = 0; i < r->nlines; i++) {
		const struct refund_line *l = &r->lines[i];

		if (l->marked == 0)
			continue;
		/* load() read what completed returns took, inside this transaction. */
		if (l->marked > l->returnable) {
			if (l->returnable == 0)
				return kerr_set(err, KERR_STATE, _("nothing of %s is left to "
				    "return: another return of receipt %lld took it"), l->name,
				    (long long)r->original);
			return kerr_set(err, KERR_STATE, _("only %s of %s is left to return: "
			    "another return of receipt %lld took the rest"),
			    qty_format(l->returnable, l->by_weight, a, sizeof a), l->name,
			    (long long)r->original);
		}
		if (core_prepare(r->st, "UPDATE return_lines SET total = ?3, vat = ?4, discount = "
		    "?5 WHERE return_id = ?1 AND sale_lineno = ?2", &q, err, saving) == -1)
			return -1;
		sqlite3_bind_int64(q, 1, r->id);
		sqlite3_bind_int(q, 2, l->sale_lineno);
		sqlite3_bind_int64(q, 3, l->refund);
		sqlite3_bind_int64(q, 4, l->vat);
		sqlite3_bind_int64(q, 5, l->discount);
		if (core_run(r->st, q, err, saving) == -1)
			return -1;
	}
	return 0;
}

int
refund_complete(refund *r, const struct user *approver, struct kerr *err)
{
	int64_t shift_id;
	int ok = -1;

	if (begin(r, err) == -1)
		return -1;
	if (r->totals.lines == 0) {
		kerr_set(err, KERR_STATE, _("nothing is marked to return: scan what comes back"));
		goto out;
	}
	if (!shift_current(r->st, &shift_id)) {
		kerr_set(err, KERR_STATE, _("no shift is open"));
		goto out;
	}
	if (user_can(&r->user, RIGHT_REFUND))
		approver = NULL;
	if (fix_lines(r, err) == -1 || check_drawer(r, r->totals.cash, err) == -1 ||
	    core_check_right(r->st, &r->user, approver, RIGHT_REFUND, N_("A refund"),
	    r->sale_id, &r->needs_approval, err) == -1 ||
	    record(r, shift_id, approver, err) == -1)
		goto out;
	ok = 0;
out:
	return finish(r, ok, err);
}

int
refund_without_receipt(store *st, const struct user *u, const struct user *approver,
    const char *code, qty_t qty, money_t max, bool *needs_approval, int64_t *return_id,
    struct kerr *err)
{
	struct product p;
	qty_t label;
	money_t total;
	int64_t shift_id;
	sqlite3_stmt *q;
	refund *r;
	char now[32], a[32];
	int ok = -1;

	if (needs_approval != NULL)
		*needs_approval = false;
	if (max <= 0)
		return kerr_set(err, KERR_DENIED, _("returns without a receipt are turned off "
		    "([returns] no_receipt_max)"));
	if (qty <= 0)
		return kerr_set(err, KERR_INPUT, _("quantity must be more than 0"));
	if (!shift_current(st, &shift_id))
		return kerr_set(err, KERR_STATE, _("no shift is open"));
	if (catalog_lookup(st, NULL, code, &p, &label, err) == -1)
		return -1;
	if (!p.by_weight && qty % QTY_ONE != 0)
		return kerr_set(err, KERR_INPUT, _("%s is sold by the piece: a whole quantity"),
		    p.name);
	if (!money_times_qty(p.price, qty, &total))
		return kerr_set(err, KERR_INPUT, _("amount too large"));
	if (total > max)
		return kerr_set(err, KERR_DENIED, _("a return without a receipt may refund at "
		    "most %s"), money_format(max, a, sizeof a));
	if (total == 0)
		return kerr_set(err, KERR_INPUT, _("%s costs nothing: there is nothing to refund"),
		    p.name);
	r = refund_alloc(st, u);
	if (store_begin(st, err) == -1) {
		refund_free(r);
		return -1;
	}
	store_uuid(r->uuid);
	store_now(now, sizeof now);
	if (core_prepare(st, "INSERT INTO returns(uuid, state, shift_id, user_id, created_at, "
	    "updated_at) VALUES (?1, 'open', ?2, ?3, ?4, ?4)", &q, err, saving) == -1)
		goto out;
	sqlite3_bind_text(q, 1, r->uuid, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, shift_id);
	sqlite3_bind_int64(q, 3, u->id);
	sqlite3_bind_text(q, 4, now, -1, SQLITE_STATIC);
	if (core_run(st, q, err, saving) == -1)
		goto out;
	r->id = sqlite3_last_insert_rowid(store_db(st));
	if (core_prepare(st, "INSERT INTO return_lines(return_id, product_id, code, name, unit, "
	    "qty, price, vat_bp, total, vat) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)", &q,
	    err, saving) == -1)
		goto out;
	sqlite3_bind_int64(q, 1, r->id);
	sqlite3_bind_int64(q, 2, p.id);
	sqlite3_bind_text(q, 3, p.barcode[0] != '\0' ? p.barcode : p.sku, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 4, p.name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 5, p.by_weight ? "kg" : "pcs", -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 6, qty);
	sqlite3_bind_int64(q, 7, p.price);
	sqlite3_bind_int(q, 8, p.vat_bp);
	sqlite3_bind_int64(q, 9, total);
	sqlite3_bind_int64(q, 10, money_vat_included(total, p.vat_bp));
	if (core_run(st, q, err, saving) == -1 || load(r, err) == -1)
		goto out;
	if (user_can(u, RIGHT_REFUND_NO_RECEIPT))
		approver = NULL;
	if (core_check_right(st, u, approver, RIGHT_REFUND_NO_RECEIPT,
	    N_("A return without a receipt"), 0, &r->needs_approval, err) == -1 ||
	    check_drawer(r, r->totals.cash, err) == -1 ||
	    record(r, shift_id, approver, err) == -1)
		goto out;
	ok = 0;
out:
	if (needs_approval != NULL)
		*needs_approval = r->needs_approval;
	if (ok == 0 && store_commit(st, err) == 0) {
		if (return_id != NULL)
			*return_id = r->id;
		refund_free(r);
		return 0;
	}
	store_rollback(st);
	refund_free(r);
	return -1;
}
