/*
 * receipt.c: the layout of a receipt, independent of the printer: header, item lines with
 * qty x price, discounts, total, VAT per rate, tenders, change, cashier, number, date, COPY,
 * fiscal QR, the sale number as a barcode, cut; and the refund receipt of a return (REFUND, the
 * original number, its own R<number> barcode). The drawer kick is a document of its own (a
 * drawer job, see receipt.h). escpos.c renders them.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "core-int.h"
#include "customer.h"
#include "fiscal.h"
#include "i18n.h"
#include "money.h"
#include "receipt.h"
#include "report.h"
#include "xalloc.h"

struct receipt *
receipt_new(void)
{
	return xcalloc(1, sizeof(struct receipt));
}

void
receipt_add(struct receipt *r, enum receipt_kind kind, int style, const char *left,
    const char *right)
{
	struct receipt_item *it;

	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 32;
		r->items = xreallocarray(r->items, (size_t)r->cap, sizeof *r->items);
	}
	it = &r->items[r->n++];
	it->kind = kind;
	it->style = style;
	it->left = left ? xstrdup(left) : NULL;
	it->right = right ? xstrdup(right) : NULL;
}

void
receipt_free(struct receipt *r)
{
	if (r == NULL)
		return;
	for (int i = 0; i < r->n; i++) {
		free(r->items[i].left);
		free(r->items[i].right);
	}
	free(r->items);
	free(r);
}

struct receipt *
receipt_drawer(void)
{
	struct receipt *r = receipt_new();

	receipt_add(r, RECEIPT_DRAWER, 0, NULL, NULL);
	return r;
}

/* "2026-11-25T04:31:23.062Z" as the shop's local "25.11.2026 09:31"; as given if unparsable. */
static void
local_time(const char *utc, char *buf, size_t size)
{
	struct tm tm = { 0 };
	time_t t;

	if (utc == NULL || sscanf(utc, "%d-%d-%dT%d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
	    &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6) {
		snprintf(buf, size, "%s", utc ? utc : "");
		return;
	}
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	t = timegm(&tm);
	if (localtime_r(&t, &tm) == NULL || strftime(buf, size, "%d.%m.%Y %H:%M", &tm) == 0)
		snprintf(buf, size, "%s", utc);
}

/* The VAT summary: one row per rate, in the order rates first appear. */
#define VAT_RATES_MAX 16

struct vat_sum {
	int bp[VAT_RATES_MAX], n;
	money_t base[VAT_RATES_MAX], vat[VAT_RATES_MAX];
};

static void
vat_sum_add(struct vat_sum *v, int bp, money_t base, money_t vat)
{
	int k;

	for (k = 0; k < v->n && v->bp[k] != bp; k++)
		;
	if (k == v->n) {
		if (v->n == VAT_RATES_MAX)
			return;  /* more rates than any shop has: left out, total still right */
		v->bp[k] = bp;
		v->base[k] = v->vat[k] = 0;
		v->n++;
	}
	/* Sums of lines that already added up in the sale cannot overflow. */
	v->base[k] += base;
	v->vat[k] += vat;
}

static void
vat_sum_print(struct receipt *r, const struct vat_sum *v)
{
	char a[48], b[48], label[64];

	for (int k = 0; k < v->n; k++) {
		if (v->bp[k] % 100 == 0)
			snprintf(label, sizeof label, _("VAT %d%% of %s"), v->bp[k] / 100,
			    money_format(v->base[k], a, sizeof a));
		else
			snprintf(label, sizeof label, _("VAT %d.%02d%% of %s"), v->bp[k] / 100,
			    v->bp[k] % 100,
			    money_format(v->base[k], a, sizeof a));
		receipt_add(r, RECEIPT_PAIR, 0, label, money_format(v->vat[k], b, sizeof b));
	}
}

static void
add_vat_summary(struct receipt *r, const sale *s)
{
	struct vat_sum v = { .n = 0 };

	for (int i = 0; i < sale_line_count(s); i++) {
		const struct sale_line *l = sale_line(s, i);

		if (!l->voided)
			vat_sum_add(&v, l->vat_bp, l->total, l->vat);
	}
	vat_sum_print(r, &v);
}

/*
 * The fiscal block (CONTRACT.md section 8): the terminal, the receipt number and the fiscal
 * sign the gateway gave, and its URL as a QR code; or, before the reply came, that the fiscal
 * receipt is pending (a copy printed later carries it).
 */
static void
add_fiscal(struct receipt *r, const struct receipt_opts *o)
{
	char num[32];

	if (o->fiscal != NULL) {
		const char *sign = o->fiscal->fiscal_sign;
		size_t n = strlen(sign);

		receipt_add(r, RECEIPT_RULE, 0, NULL, NULL);
		receipt_add(r, RECEIPT_TEXT, RECEIPT_BOLD | RECEIPT_CENTER, _("FISCAL RECEIPT"),
		    NULL);
		receipt_add(r, RECEIPT_PAIR, 0, _("Terminal"), o->fiscal->terminal_id);
		snprintf(num, sizeof num, "%" PRId64, o->fiscal->receipt_seq);
		receipt_add(r, RECEIPT_PAIR, 0, _("Fiscal receipt No."), num);
		receipt_add(r, RECEIPT_TEXT, 0, _("Fiscal sign"), NULL);
		/* A hex sign is longer than a 32-column line: in pieces that fit. */
		for (size_t i = 0; i < n; i += 32) {
			char part[33];

			snprintf(part, sizeof part, "%.32s", sign + i);
			receipt_add(r, RECEIPT_TEXT, 0, part, NULL);
		}
		if (o->fiscal->qr_url[0] != '\0')
			receipt_add(r, RECEIPT_QR, RECEIPT_CENTER, o->fiscal->qr_url, NULL);
	} else if (o->fiscal_pending) {
		receipt_add(r, RECEIPT_RULE, 0, NULL, NULL);
		receipt_add(r, RECEIPT_TEXT, RECEIPT_BOLD | RECEIPT_CENTER,
		    _("Fiscal receipt pending"), NULL);
		receipt_add(r, RECEIPT_TEXT, RECEIPT_CENTER, _("ask for a copy with the QR code "
		    "later"), NULL);
	}
	if (o->fiscal == NULL && o->fiscal_url != NULL && o->fiscal_url[0] != '\0')
		receipt_add(r, RECEIPT_QR, RECEIPT_CENTER, o->fiscal_url, NULL);
}

struct receipt *
receipt_from_sale(const sale *s, const struct receipt_opts *o, struct kerr *err)
{
	const struct sale_totals *t;
	struct receipt *r;
	char a[48], b[48], q[48], buf[256], when[64];

	if (sale_state(s) != SALE_COMPLETED) {
		kerr_set(err, KERR_STATE, _("sale %lld is not completed: no receipt to print"),
		    (long long)sale_id(s));
		return NULL;
	}
	t = sale_totals(s);
	r = receipt_new();
	if (o->store != NULL && o->store[0] != '\0')
		receipt_add(r, RECEIPT_TEXT, RECEIPT_BOLD | RECEIPT_DOUBLE | RECEIPT_CENTER, o->store,
		    NULL);
	if (o->copy)
		receipt_add(r, RECEIPT_TEXT, RECEIPT_BOLD | RECEIPT_DOUBLE | RECEIPT_CENTER,
		    _("*** COPY ***"), NULL);
	snprintf(buf, sizeof buf, _("Receipt %lld"), (long long)sale_number(s));
	local_time(sale_completed_at(s), when, sizeof when);
	receipt_add(r, RECEIPT_PAIR, RECEIPT_BOLD, buf, when);
	receipt_add(r, RECEIPT_PAIR, 0, _("Cashier"), sale_cashier(s));
	receipt_add(r, RECEIPT_RULE, 0, NULL, NULL);

	for (int i = 0; i < sale_line_count(s); i++) {
		const struct sale_line *l = sale_line(s, i);

		if (l->voided)
			continue;
		receipt_add(r, RECEIPT_TEXT, 0, l->name, NULL);
		snprintf(buf, sizeof buf, "  %s x %s", qty_format(l->qty, l->by_weight, q, sizeof q),
		    money_format(l->price, a, sizeof a));
		money_t gross = l->total + l->discount;
		receipt_add(r, RECEIPT_PAIR, 0, buf, money_format(gross, b, sizeof b));
		if (l->discount != 0) {
			snprintf(buf, sizeof buf, "  %s", _("Discount"));
			receipt_add(r, RECEIPT_PAIR, 0, buf, money_format(-l->discount, b, sizeof b));
		}
	}
	receipt_add(r, RECEIPT_RULE, 0, NULL, NULL);
	if (t->discount != 0) {
		receipt_add(r, RECEIPT_PAIR, 0, _("Subtotal"), money_format(t->subtotal, a, sizeof a));
		receipt_add(r, RECEIPT_PAIR, 0, _("Discount"), money_format(-t->discount, a, sizeof a));
	}
	receipt_add(r, RECEIPT_PAIR, RECEIPT_BOLD | RECEIPT_DOUBLE, _("TOTAL"),
	    money_format(t->total, a, sizeof a));
	add_vat_summary(r, s);
	receipt_add(r, RECEIPT_RULE, 0, NULL, NULL);
	for (int i = 0; i < sale_payment_count(s); i++) {
		const struct sale_payment *p = sale_payment(s, i);

		receipt_add(r, RECEIPT_PAIR, 0, p->method == PAY_CASH ? _("Cash") :
		    p->method == PAY_CARD ? _("Card") : p->method == PAY_CREDIT ?
		    _("On credit") : _("Points"), money_format(p->amount, a, sizeof a));
	}
	if (t->change != 0)
		receipt_add(r, RECEIPT_PAIR, RECEIPT_BOLD, _("Change"),
		    money_format(t->change, a, sizeof a));
	if (o->customer != NULL) {
		receipt_add(r, RECEIPT_RULE, 0, NULL, NULL);
		receipt_add(r, RECEIPT_PAIR, 0, _("Customer"), o->customer);
		receipt_add(r, RECEIPT_PAIR, 0, _("Owed now"), money_format(o->balance, a,
		    sizeof a));
		snprintf(b, sizeof b, "%" PRId64, o->points);
		receipt_add(r, RECEIPT_PAIR, 0, _("Points"), b);
	}
	add_fiscal(r, o);
	snprintf(buf, sizeof buf, "%" PRId64, sale_number(s));
	receipt_add(r, RECEIPT_BARCODE, RECEIPT_CENTER, buf, NULL);
	if (o->copy)
		receipt_add(r, RECEIPT_TEXT, RECEIPT_BOLD | RECEIPT_CENTER, _("*** COPY ***"), NULL);
	receipt_add(r, RECEIPT_FEED, 0, NULL, NULL);
	receipt_add(r, RECEIPT_CUT, 0, NULL, NULL);
	return r;
}

struct receipt *
receipt_from_refund(const refund *rf, const struct receipt_opts *o, struct kerr *err)
{
	const struct refund_totals *t;
	struct vat_sum v = { .n = 0 };
	struct receipt *r;
	char a[48], b[48], q[48], buf[256], when[64];

	if (refund_state(rf) != REFUND_COMPLETED) {
		kerr_set(err, KERR_STATE, _("return %lld is not completed: no receipt to print"),
		    (long long)refund_id(rf));
		return NULL;
	}
	t = refund_totals(rf);
	r = receipt_new();
	if (o->store != NULL && o->store[0] != '\0')
		receipt_add(r, RECEIPT_TEXT, RECEIPT_BOLD | RECEIPT_DOUBLE | RECEIPT_CENTER, o->store,
		    NULL);
	if (o->copy)
		receipt_add(r, RECEIPT_TEXT, RECEIPT_BOLD | RECEIPT_DOUBLE | RECEIPT_CENTER,
		    _("*** COPY ***"), NULL);
	receipt_add(r, RECEIPT_TEXT, RECEIPT_BOLD | RECEIPT_DOUBLE | RECEIPT_CENTER, _("REFUND"),
	    NULL);
	snprintf(buf, sizeof buf, _("Refund R%lld"), (long long)refund_number(rf));
	local_time(refund_completed_at(rf), when, sizeof when);
	receipt_add(r, RECEIPT_PAIR, RECEIPT_BOLD, buf, when);
	if (refund_no_receipt(rf))
		receipt_add(r, RECEIPT_TEXT, 0, _("Returned without a receipt"), NULL);
	else {
		snprintf(buf, sizeof buf, "%lld", (long long)refund_original(rf));
		receipt_add(r, RECEIPT_PAIR, 0, _("Original receipt"), buf);
	}
	receipt_add(r, RECEIPT_PAIR, 0, _("Cashier"), refund_cashier(rf));
	if (refund_approver(rf)[0] != '\0')
		receipt_add(r, RECEIPT_PAIR, 0, _("Approved by"), refund_approver(rf));
	receipt_add(r, RECEIPT_RULE, 0, NULL, NULL);
	for (int i = 0; i < refund_line_count(rf); i++) {
		const struct refund_line *l = refund_line(rf, i);

		if (l->marked == 0)
			continue;
		receipt_add(r, RECEIPT_TEXT, 0, l->name, NULL);
		snprintf(buf, sizeof buf, "  %s x %s", qty_format(l->marked, l->by_weight, q,
		    sizeof q), money_format(l->price, a, sizeof a));
		receipt_add(r, RECEIPT_PAIR, 0, buf, money_format(l->refund + l->discount, b,
		    sizeof b));
		if (l->discount != 0) {
			snprintf(buf, sizeof buf, "  %s", _("Discount"));
			receipt_add(r, RECEIPT_PAIR, 0, buf, money_format(-l->discount, b,
			    sizeof b));
		}
		vat_sum_add(&v, l->vat_bp, l->refund, l->vat);
	}
	receipt_add(r, RECEIPT_RULE, 0, NULL, NULL);
	receipt_add(r, RECEIPT_PAIR, RECEIPT_BOLD | RECEIPT_DOUBLE, _("REFUND"),
	    money_format(t->total, a, sizeof a));
	vat_sum_print(r, &v);
	receipt_add(r, RECEIPT_RULE, 0, NULL, NULL);
	for (int i = 0; i < refund_payment_count(rf); i++) {
		const struct refund_payment *p = refund_payment(rf, i);

		receipt_add(r, RECEIPT_PAIR, 0, p->method == REFUND_CASH ? _("Cash back") :
		    p->method == REFUND_CARD ? _("Back to card") : p->method == REFUND_POINTS ?
		    _("Back to points") : _("To the customer's balance"),
		    money_format(p->amount, a, sizeof a));
	}
	add_fiscal(r, o);
	snprintf(buf, sizeof buf, "R%lld", (long long)refund_number(rf));
	receipt_add(r, RECEIPT_BARCODE, RECEIPT_CENTER, buf, NULL);
	if (o->copy)
		receipt_add(r, RECEIPT_TEXT, RECEIPT_BOLD | RECEIPT_CENTER, _("*** COPY ***"), NULL);
	receipt_add(r, RECEIPT_FEED, 0, NULL, NULL);
	receipt_add(r, RECEIPT_CUT, 0, NULL, NULL);
	return r;
}

struct receipt *
receipt_test_page(const char *store_name, const char *device, int width)
{
	struct receipt *r = receipt_new();
	char buf[256];

	receipt_add(r, RECEIPT_TEXT, RECEIPT_BOLD | RECEIPT_DOUBLE | RECEIPT_CENTER, "TEST PAGE",
	    NULL);
	if (store_name != NULL && store_name[0] != '\0')
		receipt_add(r, RECEIPT_TEXT, RECEIPT_CENTER, store_name, NULL);
	snprintf(buf, sizeof buf, "Device: %s", device);
	receipt_add(r, RECEIPT_TEXT, 0, buf, NULL);
	snprintf(buf, sizeof buf, "Width: %d columns", width);
	receipt_add(r, RECEIPT_TEXT, 0, buf, NULL);
	receipt_add(r, RECEIPT_RULE, 0, NULL, NULL);
	receipt_add(r, RECEIPT_TEXT, 0, "Русский: Молоко 3,2% 1 л", NULL);
	receipt_add(r, RECEIPT_TEXT, 0, "Oʻzbekcha: Gʻalla, oʻrik", NULL);
	receipt_add(r, RECEIPT_PAIR, 0, "Left", "Right");
	receipt_add(r, RECEIPT_PAIR, RECEIPT_BOLD, "Bold", "12 500");
	receipt_add(r, RECEIPT_PAIR, RECEIPT_BOLD | RECEIPT_DOUBLE, "TOTAL", "12 500");
	receipt_add(r, RECEIPT_BARCODE, RECEIPT_CENTER, "1234567890", NULL);
	receipt_add(r, RECEIPT_FEED, 0, NULL, NULL);
	receipt_add(r, RECEIPT_CUT, 0, NULL, NULL);
	return r;
}

/* The first job sql finds (id, kind, sale_id, attempts, return_id, body as text). */
static int
job_next(store *st, const char *sql, struct receipt_job *job, struct kerr *err)
{
	sqlite3_stmt *q = store_cached(st, sql);
	int rc;

	if (q == NULL)
		return store_error(st, err, N_("reading the print queue"));
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		job->id = sqlite3_column_int64(q, 0);
		core_text(q, 1, job->kind, sizeof job->kind);
		job->sale_id = sqlite3_column_int64(q, 2);
		job->attempts = sqlite3_column_int(q, 3);
		job->return_id = sqlite3_column_int64(q, 4);
		core_text(q, 5, job->what, sizeof job->what);
		job->repayment_seq = sqlite3_column_int64(q, 6);
	}
	store_release(q);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return store_error(st, err, N_("reading the print queue"));
}

int
receipt_job_next(store *st, struct receipt_job *job, struct kerr *err)
{
	return job_next(st, "SELECT id, kind, coalesce(sale_id, 0), attempts, coalesce(return_id, "
	    "0), CAST(body AS TEXT), coalesce(repayment_seq, 0) FROM print_jobs WHERE state = 'queued' "
	    "AND kind <> 'drawer' ORDER BY id LIMIT 1",
	    job, err);
}

int
receipt_drawer_next(store *st, struct receipt_job *job, struct kerr *err)
{
	return job_next(st, "SELECT id, kind, coalesce(sale_id, 0), attempts, coalesce(return_id, "
	    "0), CAST(body AS TEXT), coalesce(repayment_seq, 0) FROM print_jobs WHERE state = 'queued' "
	    "AND kind = 'drawer' ORDER BY id LIMIT 1",
	    job, err);
}

/* Runs an UPDATE with ?1 = now and ?2 = arg; the rows it changed, or -1 with err. */
static int
update_at_now(store *st, const char *sql, int64_t arg, const char *what, struct kerr *err)
{
	sqlite3_stmt *q = store_cached(st, sql);
	char now[40];
	int rc;

	if (q == NULL)
		return store_error(st, err, what);
	sqlite3_bind_text(q, 1, store_now(now, sizeof now), -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(q, 2, arg);
	rc = sqlite3_step(q);
	store_release(q);
	if (rc != SQLITE_DONE)
		return store_error(st, err, what);
	return sqlite3_changes(store_db(st));
}

int
receipt_drawer_expire(store *st, int max_age, struct kerr *err)
{
	/* The age against the store's own clock, the one created_at was written with. */
	return update_at_now(st, "UPDATE print_jobs SET state = 'failed', error = 'not opened in "
	    "time: open the drawer with its key' WHERE kind = 'drawer' AND state = 'queued' AND "
	    "(julianday(?1) - julianday(created_at)) * 86400 > ?2", max_age,
	    N_("reading the print queue"), err);
}

int
receipt_jobs_expire(store *st, int max_age, struct kerr *err)
{
	return update_at_now(st, "UPDATE print_jobs SET state = 'failed', error = 'waited too "
	    "long for the printer: reprint it if the customer asks' WHERE kind <> 'drawer' AND "
	    "state = 'queued' AND (julianday(?1) - julianday(created_at)) * 86400 > ?2", max_age,
	    N_("reading the print queue"), err);
}

struct receipt *
receipt_for_job(store *st, const struct receipt_job *job, const char *store_name,
    struct kerr *err)
{
	struct receipt_opts o = { .store = store_name };
	struct customer cu;
	struct kerr cerr;
	struct fiscal_reply fr;
	struct receipt *r;
	char key[96], *url;
	bool exists;
	int signed_;
	sale *s;

	if (strcmp(job->kind, "drawer") == 0)
		return receipt_drawer();
	if (strcmp(job->kind, "test") == 0)
		return receipt_test_page(store_name, "queue", 48);
	if (strcmp(job->kind, "report") == 0)
		return report_receipt_for(st, job->what, store_name, err);
	if (job->return_id != 0) {
		refund *rf = refund_load(st, job->return_id, err);

		if (rf == NULL)
			return NULL;
		o.copy = strcmp(job->kind, "copy") == 0;
		if ((signed_ = fiscal_reply_of(st, "refund", job->return_id, &fr, &exists,
		    err)) == -1) {
			refund_free(rf);
			return NULL;
		}
		o.fiscal = signed_ == 1 ? &fr : NULL;
		o.fiscal_pending = signed_ == 0 && exists;
		r = receipt_from_refund(rf, &o, err);
		refund_free(rf);
		return r;
	}
	if (job->repayment_seq != 0) {
		o.copy = strcmp(job->kind, "copy") == 0;
		return receipt_from_repayment(st, job->repayment_seq, &o, err);
	}
	if (job->sale_id == 0) {
		kerr_set(err, KERR_INTERNAL, "print job %" PRId64 " (%s) names no sale", job->id,
		    job->kind);
		return NULL;
	}
	if ((signed_ = fiscal_reply_of(st, "sale", job->sale_id, &fr, &exists, err)) == -1)
		return NULL;
	o.fiscal = signed_ == 1 ? &fr : NULL;
	o.fiscal_pending = signed_ == 0 && exists;
	if ((s = sale_load(st, job->sale_id, err)) == NULL)
		return NULL;
	o.copy = strcmp(job->kind, "copy") == 0;
	snprintf(key, sizeof key, "fiscal_url:%s", sale_uuid(s));
	url = store_meta_get(st, key);
	o.fiscal_url = url;
	if (sale_customer(s) > 0) {
		struct customer_figures f;

		/* A receipt that cannot say the balance still prints: the sale is done. */
		if (customer_get(st, sale_customer(s), &cu, &cerr) == 0 &&
		    customer_figures(st, cu.id, &f, &cerr) == 0) {
			o.customer = cu.name;
			o.balance = f.balance;
			o.points = f.points;
		}
	}
	r = receipt_from_sale(s, &o, err);
	free(url);
	sale_free(s);
	return r;
}

bool
receipt_job_fiscal_wait(store *st, const struct receipt_job *job, int wait_s)
{
	struct fiscal_reply fr;
	struct kerr err;
	sqlite3_stmt *q;
	bool exists, young = false;

	if (wait_s <= 0 || strcmp(job->kind, "receipt") != 0 ||
	    (job->sale_id == 0 && job->return_id == 0))
		return false;
	if (core_prepare(st, "SELECT (julianday(?2) - julianday(created_at)) * 86400 < ?3 FROM "
	    "print_jobs WHERE id = ?1", &q, &err, N_("reading the print queue")) == -1)
		return false;
	sqlite3_bind_int64(q, 1, job->id);
	{
		char now[32];

		sqlite3_bind_text(q, 2, store_now(now, sizeof now), -1, SQLITE_TRANSIENT);
	}
	sqlite3_bind_int(q, 3, wait_s);
	if (sqlite3_step(q) == SQLITE_ROW)
		young = sqlite3_column_int(q, 0) != 0;
	core_release(q);
	return young && fiscal_reply_of(st, job->return_id != 0 ? "refund" : "sale",
	    job->return_id != 0 ? job->return_id : job->sale_id, &fr, &exists, &err) == 0 &&
	    exists;
}

int
receipt_job_done(store *st, int64_t id, struct kerr *err)
{
	return update_at_now(st, "UPDATE print_jobs SET state = 'done', printed_at = ?1, "
	    "attempts = attempts + 1, error = NULL WHERE id = ?2", id,
	    N_("marking a receipt printed"), err) < 0 ? -1 : 0;
}

/* Counts a failed attempt with why; fail also ends the job (state 'failed'). */
static int
job_failed(store *st, int64_t id, const char *why, bool fail, struct kerr *err)
{
	sqlite3_stmt *q = store_cached(st, fail ? "UPDATE print_jobs SET attempts = attempts + 1, "
	    "error = ?1, state = 'failed' WHERE id = ?2 AND state = 'queued'" : "UPDATE print_jobs "
	    "SET attempts = attempts + 1, error = ?1 WHERE id = ?2 AND state = 'queued'");
	int rc;

	if (q == NULL)
		return store_error(st, err, N_("noting a print failure"));
	sqlite3_bind_text(q, 1, why, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(q, 2, id);
	rc = sqlite3_step(q);
	store_release(q);
	if (rc != SQLITE_DONE)
		return store_error(st, err, N_("noting a print failure"));
	return 0;
}

int
receipt_job_retry(store *st, int64_t id, const char *why, struct kerr *err)
{
	return job_failed(st, id, why, false, err);
}

int
receipt_job_fail(store *st, int64_t id, const char *why, struct kerr *err)
{
	return job_failed(st, id, why, true, err);
}

long
receipt_jobs_queued(store *st, struct kerr *err)
{
	sqlite3_stmt *q = store_cached(st, "SELECT count(*) FROM print_jobs WHERE state = "
	    "'queued'");
	long n = -1;

	if (q == NULL)
		return store_error(st, err, N_("counting the print queue"));
	if (sqlite3_step(q) == SQLITE_ROW)
		n = (long)sqlite3_column_int64(q, 0);
	store_release(q);
	if (n < 0)
		return store_error(st, err, N_("counting the print queue"));
	return n;
}

struct receipt *
receipt_from_repayment(store *st, int64_t seq, const struct receipt_opts *o, struct kerr *err)
{
	char name[256] = "", method[16] = "", at[40] = "", cashier[64] = "", when[64];
	money_t amount = 0, before = 0, after = 0;
	char a[48], buf[64];
	struct receipt *r;
	sqlite3_stmt *q;
	int rc;

	if (core_prepare(st, "SELECT payload ->> '$.name', payload ->> '$.method', at, "
	    "coalesce(payload ->> '$.user', ''), payload ->> '$.amount', payload ->> "
	    "'$.balance_before', payload ->> '$.balance_after' FROM events WHERE seq = ?1 AND "
	    "type = 'customer.paid'", &q, err, N_("reading the repayment")) == -1)
		return NULL;
	sqlite3_bind_int64(q, 1, seq);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		core_text(q, 0, name, sizeof name);
		core_text(q, 1, method, sizeof method);
		core_text(q, 2, at, sizeof at);
		core_text(q, 3, cashier, sizeof cashier);
		amount = sqlite3_column_int64(q, 4);
		before = sqlite3_column_int64(q, 5);
		after = sqlite3_column_int64(q, 6);
	}
	core_release(q);
	if (rc != SQLITE_ROW) {
		if (rc == SQLITE_DONE)
			kerr_set(err, KERR_NOTFOUND, _("no repayment %lld"), (long long)seq);
		else
			store_error(st, err, N_("reading the repayment"));
		return NULL;
	}
	r = receipt_new();
	if (o->store != NULL && o->store[0] != '\0')
		receipt_add(r, RECEIPT_TEXT, RECEIPT_BOLD | RECEIPT_DOUBLE | RECEIPT_CENTER, o->store,
		    NULL);
	if (o->copy)
		receipt_add(r, RECEIPT_TEXT, RECEIPT_BOLD | RECEIPT_DOUBLE | RECEIPT_CENTER,
		    _("*** COPY ***"), NULL);
	local_time(at, when, sizeof when);
	receipt_add(r, RECEIPT_PAIR, RECEIPT_BOLD, _("REPAYMENT"), when);
	if (cashier[0] != '\0')
		receipt_add(r, RECEIPT_PAIR, 0, _("Cashier"), cashier);
	receipt_add(r, RECEIPT_PAIR, 0, _("Customer"), name);
	receipt_add(r, RECEIPT_RULE, 0, NULL, NULL);
	receipt_add(r, RECEIPT_PAIR, 0, _("Owed before"), money_format(before, a, sizeof a));
	snprintf(buf, sizeof buf, "%s (%s)", _("Paid"), strcmp(method, "card") == 0 ? _("card") :
	    _("cash"));
	receipt_add(r, RECEIPT_PAIR, RECEIPT_BOLD | RECEIPT_DOUBLE, buf, money_format(amount, a,
	    sizeof a));
	receipt_add(r, RECEIPT_PAIR, RECEIPT_BOLD, _("Owed now"), money_format(after, a,
	    sizeof a));
	receipt_add(r, RECEIPT_FEED, 0, NULL, NULL);
	receipt_add(r, RECEIPT_CUT, 0, NULL, NULL);
	return r;
}
