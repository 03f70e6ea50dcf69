/*
 * sale: the cart and its life. The database is the truth: every change runs in one
 * transaction (change the rows, recompute the totals, write them back, commit) and then the
 * struct is reloaded from the rows. On any failure the transaction is rolled back and the struct
 * reloaded, so the cart on screen is always exactly what a crash would resume.
 *
 * Totals: a line's gross is price x quantity; its own discount comes off first; the cart
 * discount is then shared over the lines in proportion to what is left, by largest remainder,
 * so the line totals add up to the sale total to the tiyin. Each line's VAT is the VAT included
 * in its total, and the receipt's VAT is their sum, so the two always agree.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "core-int.h"
#include "customer.h"
#include "i18n.h"
#include "fiscal.h"
#include "journal.h"
#include "sale.h"
#include "stock.h"
#include "xalloc.h"

struct sale {
	store *st;
	struct user user;          /* who is selling */
	int64_t id;                /* 0: an empty cart with no row yet */
	char uuid[40];
	enum sale_state state;
	int64_t number;
	int64_t shift_id;
	int64_t customer_id;
	enum disc_kind cart_kind;
	int64_t cart_value;
	char completed_at[32];
	char cashier[64];
	struct sale_line *lines;
	int nlines, lines_cap;
	struct sale_payment *pays;
	int npays, pays_cap;
	struct sale_totals totals;
	int64_t disc_approver_id;  /* who approved the discount past the seller's limit, 0: none */
	enum user_role disc_approver_role;
	int limit_bp[3];           /* the largest effective discount per role (sale_set_limits) */
	bool needs_approval;
	bool fresh;                /* the struct already holds what this change wrote */
};


/* ---- small helpers -------------------------------------------------------------------- */

static const char saving[] = N_("saving the sale");

static const char *
kind_name(enum disc_kind k)
{
	return k == DISC_PERCENT ? "percent" : k == DISC_AMOUNT ? "amount" : NULL;
}

static enum disc_kind
kind_parse(const unsigned char *t)
{
	if (t == NULL)
		return DISC_NONE;
	if (strcmp((const char *)t, "percent") == 0)
		return DISC_PERCENT;
	if (strcmp((const char *)t, "amount") == 0)
		return DISC_AMOUNT;
	return DISC_NONE;
}

const char *
sale_method_name(enum pay_method m)
{
	switch (m) {
	case PAY_CARD: return "card";
	case PAY_CREDIT: return "credit";
	case PAY_POINTS: return "points";
	case PAY_CASH: break;
	}
	return "cash";
}

static enum pay_method
method_parse(const unsigned char *t)
{
	for (enum pay_method m = PAY_CASH; m <= PAY_POINTS; m++) {
		if (t != NULL && strcmp((const char *)t, sale_method_name(m)) == 0)
			return m;
	}
	return PAY_CASH;
}

/* ---- loading ---------------------------------------------------------------------------- */

static void
clear(sale *s)
{
	s->id = 0;
	s->uuid[0] = '\0';
	s->state = SALE_OPEN;
	s->number = 0;
	s->customer_id = 0;
	s->cart_kind = DISC_NONE;
	s->cart_value = 0;
	s->disc_approver_id = 0;
	s->completed_at[0] = '\0';
	snprintf(s->cashier, sizeof s->cashier, "%s", s->user.name);
	s->nlines = 0;
	s->npays = 0;
	memset(&s->totals, 0, sizeof s->totals);
}

/* Reads the sale's rows into the struct (s->id must be set). */
static int
load(sale *s, struct kerr *err)
{
	struct sale_totals sum;
	sqlite3_stmt *q;
	const char *state;
	bool overflow = false;
	int rc;

	if (s->id == 0) {
		clear(s);
		return 0;
	}
	if (core_prepare(s->st, "SELECT s.uuid, s.state, coalesce(s.number, 0), s.shift_id, "
	    "coalesce(s.customer_id, 0), s.cart_disc_kind, s.cart_disc_value, s.subtotal, "
	    "s.discount, s.total, s.vat_total, s.paid, s.change, coalesce(s.completed_at, ''), "
	    "coalesce(u.name, ''), coalesce(s.disc_approver_id, 0), coalesce((SELECT a.role "
	    "FROM users a WHERE a.id = s.disc_approver_id), 'cashier') FROM sales s LEFT JOIN "
	    "users u ON u.id = s.user_id WHERE s.id = ?1", &q, err, saving) == -1)
		return -1;
	sqlite3_bind_int64(q, 1, s->id);
	rc = sqlite3_step(q);
	if (rc != SQLITE_ROW) {
		core_release(q);
		if (rc == SQLITE_DONE)
			return kerr_set(err, KERR_NOTFOUND, _("no sale %lld"), (long long)s->id);
		return store_error(s->st, err, N_("reading the sale"));
	}
	core_text(q, 0, s->uuid, sizeof s->uuid);
	state = (const char *)sqlite3_column_text(q, 1);
	s->state = strcmp(state, "parked") == 0 ? SALE_PARKED :
	    strcmp(state, "completed") == 0 ? SALE_COMPLETED :
	    strcmp(state, "voided") == 0 ? SALE_VOIDED : SALE_OPEN;
	s->number = sqlite3_column_int64(q, 2);
	s->shift_id = sqlite3_column_int64(q, 3);
	s->customer_id = sqlite3_column_int64(q, 4);
	s->cart_kind = kind_parse(sqlite3_column_text(q, 5));
	s->cart_value = sqlite3_column_int64(q, 6);
	s->totals.subtotal = sqlite3_column_int64(q, 7);
	s->totals.discount = sqlite3_column_int64(q, 8);
	s->totals.total = sqlite3_column_int64(q, 9);
	s->totals.vat = sqlite3_column_int64(q, 10);
	s->totals.paid = sqlite3_column_int64(q, 11);
	s->totals.change = sqlite3_column_int64(q, 12);
	core_text(q, 13, s->completed_at, sizeof s->completed_at);
	core_text(q, 14, s->cashier, sizeof s->cashier);
	s->disc_approver_id = sqlite3_column_int64(q, 15);
	{
		bool ok;

		s->disc_approver_role = user_role_parse((const char *)sqlite3_column_text(q, 16),
		    &ok);
	}
	core_release(q);

	s->nlines = 0;
	s->totals.lines = 0;
	memset(&sum, 0, sizeof sum);
	if (core_prepare(s->st, "SELECT lineno, product_id, code, name, unit, qty, price, vat_bp, "
	    "disc_kind, disc_value, discount, total, vat, voided, coalesce(label_total, 0) "
	    "FROM sale_lines "
	    "WHERE sale_id = ?1 ORDER BY lineno", &q, err, saving) == -1)
		return -1;
	sqlite3_bind_int64(q, 1, s->id);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct sale_line *l;

		if (s->nlines == s->lines_cap) {
			s->lines_cap = s->lines_cap ? s->lines_cap * 2 : 16;
			s->lines = xreallocarray(s->lines, (size_t)s->lines_cap, sizeof *s->lines);
		}
		l = &s->lines[s->nlines++];
		l->lineno = sqlite3_column_int(q, 0);
		l->product_id = sqlite3_column_int64(q, 1);
		core_text(q, 2, l->code, sizeof l->code);
		core_text(q, 3, l->name, sizeof l->name);
		l->by_weight = strcmp((const char *)sqlite3_column_text(q, 4), "kg") == 0;
		l->qty = sqlite3_column_int64(q, 5);
		l->price = sqlite3_column_int64(q, 6);
		l->vat_bp = sqlite3_column_int(q, 7);
		l->disc_kind = kind_parse(sqlite3_column_text(q, 8));
		l->disc_value = sqlite3_column_int64(q, 9);
		l->discount = sqlite3_column_int64(q, 10);
		l->total = sqlite3_column_int64(q, 11);
		l->vat = sqlite3_column_int64(q, 12);
		l->voided = sqlite3_column_int(q, 13) != 0;
		l->label_total = sqlite3_column_int64(q, 14);
		if (!l->voided) {
			money_t gross;

			s->totals.lines++;
			/* A price label's line is charged the label's amount (recompute). */
			if (l->label_total > 0)
				gross = l->label_total;
			else if (!money_times_qty(l->price, l->qty, &gross))
				overflow = true;
			if (!money_add(sum.subtotal, gross, &sum.subtotal))
				overflow = true;
		}
		sum.discount += l->discount;
		sum.total += l->total;
		sum.vat += l->vat;
	}
	core_release(q);
	if (rc != SQLITE_DONE)
		return store_error(s->st, err, N_("reading the sale"));

	s->npays = 0;
	if (core_prepare(s->st, "SELECT method, amount FROM payments WHERE sale_id = ?1 ORDER BY "
	    "id", &q, err, saving) == -1)
		return -1;
	sqlite3_bind_int64(q, 1, s->id);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (s->npays == s->pays_cap) {
			s->pays_cap = s->pays_cap ? s->pays_cap * 2 : 4;
			s->pays = xreallocarray(s->pays, (size_t)s->pays_cap, sizeof *s->pays);
		}
		s->pays[s->npays].method = method_parse(sqlite3_column_text(q, 0));
		s->pays[s->npays].amount = sqlite3_column_int64(q, 1);
		sum.paid += s->pays[s->npays].amount;
		s->npays++;
	}
	core_release(q);
	if (rc != SQLITE_DONE)
		return store_error(s->st, err, N_("reading the sale"));
	/* An open cart's totals are the sums of its lines, which every change stores; its row's
	 * are written only when the sale is paid, parked or voided (write_totals). */
	if (s->state == SALE_OPEN) {
		if (overflow)
			return kerr_set(err, KERR_INPUT, _("amount too large: check the quantity "
			    "and the price"));
		s->totals.subtotal = sum.subtotal;
		s->totals.discount = sum.discount;
		s->totals.total = sum.total;
		s->totals.vat = sum.vat;
		s->totals.paid = sum.paid;
	}
	s->totals.due = s->totals.total > s->totals.paid ? s->totals.total - s->totals.paid : 0;
	return 0;
}

/* ---- the unit of work: begin, change, recompute, commit, reload ------------------------- */

static int
begin(sale *s, struct kerr *err)
{
	s->needs_approval = false;
	return store_begin(s->st, err);
}

/* Ends a change: commit when ok, else roll back. Either way the struct is reloaded from the
 * rows, so it shows exactly what is stored. created: the change made the sale row. */
static int
finish(sale *s, int ok, bool created, struct kerr *err)
{
	struct kerr lerr;

	bool fresh = s->fresh;

	s->fresh = false;
	if (ok == 0 && store_commit(s->st, err) == 0)
		return fresh ? 0 : load(s, err);	/* a scan's hot path skips the re-read */
	store_rollback(s->st);
	if (created)
		s->id = 0;
	if (load(s, &lerr) == -1 && err != NULL && err->code == KERR_OK)
		*err = lerr;
	return -1;
}

/* Makes the sale row for a new cart (inside the transaction). */
static int
ensure_row(sale *s, bool *created, struct kerr *err)
{
	sqlite3_stmt *q;
	char now[32];

	*created = false;
	if (s->id != 0)
		return 0;
	store_uuid(s->uuid);
	store_now(now, sizeof now);
	if (core_prepare(s->st, "INSERT INTO sales(uuid, state, shift_id, user_id, created_at, "
	    "updated_at) VALUES (?1, 'open', ?2, ?3, ?4, ?4)", &q, err, saving) == -1)
		return -1;
	sqlite3_bind_text(q, 1, s->uuid, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, s->shift_id);
	sqlite3_bind_int64(q, 3, s->user.id);
	sqlite3_bind_text(q, 4, now, -1, SQLITE_STATIC);
	if (core_run(s->st, q, err, saving) == -1)
		return -1;
	s->id = sqlite3_last_insert_rowid(store_db(s->st));
	*created = true;
	return 0;
}

/* Share of the cart discount for each line, by largest remainder. */
static int
share_cart_discount(money_t cart, const money_t *net, money_t sum, int n, money_t *share,
    struct kerr *err)
{
	money_t given = 0;
	int64_t *rem = xcalloc((size_t)n + 1, sizeof *rem);

	for (int i = 0; i < n; i++) {
		__int128 p = (__int128)cart * net[i];

		share[i] = sum > 0 ? (money_t)(p / sum) : 0;
		rem[i] = sum > 0 ? (int64_t)(p % sum) : 0;
		given += share[i];
	}
	/* The tiyins left over go to the lines with the largest remainders, first line first. */
	while (given < cart) {
		int best = -1;

		for (int i = 0; i < n; i++) {
			if (net[i] > share[i] && (best < 0 || rem[i] > rem[best]))
				best = i;
		}
		if (best < 0)
			break;
		share[best]++;
		rem[best] = -1;
		given++;
	}
	free(rem);
	if (given != cart)
		return kerr_set(err, KERR_INTERNAL, "cart discount could not be shared");
	return 0;
}

/* Recomputes every line and the sale's totals from the loaded lines and writes them back. */
static int
recompute(sale *s, struct kerr *err)
{
	int n = s->nlines, rc = -1;
	money_t *gross = xcalloc((size_t)n + 1, sizeof *gross);
	money_t *net = xcalloc((size_t)n + 1, sizeof *net);
	money_t *share = xcalloc((size_t)n + 1, sizeof *share);
	money_t subtotal = 0, sumnet = 0, cart = 0, discount = 0, total = 0, vat = 0, paid = 0;
	sqlite3_stmt *q;

	for (int i = 0; i < n; i++) {
		struct sale_line *l = &s->lines[i];
		money_t own = 0;

		if (l->voided)
			continue;
		/* A price label is charged what it says (the weight on it is rounded to grams). */
		if (l->label_total > 0)
			gross[i] = l->label_total;
		else if (!money_times_qty(l->price, l->qty, &gross[i]))
			goto overflow;
		if (!money_amount_ok(gross[i]) || !money_add(subtotal, gross[i], &subtotal) ||
		    !money_amount_ok(subtotal))
			goto overflow;
		if (l->disc_kind == DISC_PERCENT) {
			if (!money_muldiv(gross[i], l->disc_value, 10000, &own))
				goto overflow;
		} else if (l->disc_kind == DISC_AMOUNT)
			own = l->disc_value;
		if (own > gross[i])
			own = gross[i];
		net[i] = gross[i] - own;
		if (!money_add(sumnet, net[i], &sumnet))
			goto overflow;
	}
	if (s->cart_kind == DISC_PERCENT) {
		if (!money_muldiv(sumnet, s->cart_value, 10000, &cart))
			goto overflow;
	} else if (s->cart_kind == DISC_AMOUNT)
		cart = s->cart_value;
	if (cart > sumnet)
		cart = sumnet;
	if (share_cart_discount(cart, net, sumnet, n, share, err) == -1)
		goto out;
	for (int i = 0; i < n; i++) {
		struct sale_line *l = &s->lines[i];
		money_t was_discount = l->discount, was_total = l->total, was_vat = l->vat;

		if (l->voided) {
			l->discount = l->total = l->vat = 0;
		} else {
			l->total = net[i] - share[i];
			l->discount = gross[i] - l->total;
			l->vat = money_vat_included(l->total, l->vat_bp);
		}
		discount += l->discount;
		total += l->total;
		vat += l->vat;
		/* A scan into a long cart touches one line: write only what changed. */
		if (l->discount == was_discount && l->total == was_total && l->vat == was_vat)
			continue;
		if (core_prepare(s->st, "UPDATE sale_lines SET discount = ?2, total = ?3, vat = ?4 "
		    "WHERE sale_id = ?1 AND lineno = ?5", &q, err, saving) == -1)
			goto out;
		sqlite3_bind_int64(q, 1, s->id);
		sqlite3_bind_int(q, 5, l->lineno);
		sqlite3_bind_int64(q, 2, l->discount);
		sqlite3_bind_int64(q, 3, l->total);
		sqlite3_bind_int64(q, 4, l->vat);
		if (core_run(s->st, q, err, saving) == -1)
			goto out;
	}
	for (int i = 0; i < s->npays; i++) {
		if (!money_add(paid, s->pays[i].amount, &paid))
			goto overflow;
	}
	s->totals.subtotal = subtotal;
	s->totals.discount = discount;
	s->totals.total = total;
	s->totals.vat = vat;
	s->totals.paid = paid;
	s->totals.due = total > paid ? total - paid : 0;
	rc = 0;
	goto out;
overflow:
	{
		char m[48];

		kerr_set(err, KERR_INPUT, _("amount too large (a line or a sale is at most %s): "
		    "check the quantity and the price"), money_format(MONEY_AMOUNT_MAX, m, sizeof m));
	}
out:
	free(gross);
	free(net);
	free(share);
	return rc;
}

/*
 * Writes the sale's totals (and when it last changed) into its row. An open cart's totals are
 * not stored on every scan (issue 17: that was a page more per scan on the SD card): load()
 * sums them from the lines, which are. They are written when something reads them from the
 * row: on payment and completion (the sale.completed event, the receipt, reports), at park
 * (the parked list) and at a void (the sale.voided event).
 */
static int
write_totals(sale *s, struct kerr *err)
{
	sqlite3_stmt *q;
	char now[32];

	if (core_prepare(s->st, "UPDATE sales SET subtotal = ?2, discount = ?3, total = ?4, "
	    "vat_total = ?5, paid = ?6, updated_at = ?7 WHERE id = ?1", &q, err, saving) == -1)
		return -1;
	sqlite3_bind_int64(q, 1, s->id);
	sqlite3_bind_int64(q, 2, s->totals.subtotal);
	sqlite3_bind_int64(q, 3, s->totals.discount);
	sqlite3_bind_int64(q, 4, s->totals.total);
	sqlite3_bind_int64(q, 5, s->totals.vat);
	sqlite3_bind_int64(q, 6, s->totals.paid);
	sqlite3_bind_text(q, 7, store_now(now, sizeof now), -1, SQLITE_TRANSIENT);
	return core_run(s->st, q, err, saving);
}


/* ---- discount limits: a rule about the result ------------------------------------------ */

static int
limit_of(const sale *s, enum user_role role)
{
	return s->limit_bp[role == ROLE_CASHIER ? 0 : role == ROLE_MANAGER ? 1 : 2];
}

/* True when discount, off gross, is more than limit_bp allows. slack tiyin absorb the rounding
 * of percent discounts and of the cart discount's shares (at most one tiyin per line), so a
 * 10 % discount is never refused as 10.01 %. */
static bool
over_limit(money_t discount, money_t gross, int limit_bp, int slack)
{
	money_t allowed;

	if (discount <= 0)
		return false;
	if (!money_muldiv(gross, limit_bp, 10000, &allowed))
		return true;
	return discount > allowed + slack;
}

/* The largest effective discount of a line or of the whole sale, in basis points of its
 * gross, and whether it breaks limit_bp. Amounts are measured exactly; a tiyin of slack is
 * allowed only for each rounding: a percent discount, a line's share of the cart discount. */
static bool
discount_worst(const sale *s, int limit_bp, int *worst_bp)
{
	bool over = false;
	int rounded = s->cart_kind == DISC_PERCENT ? 1 : 0;

	*worst_bp = 0;
	for (int i = 0; i < s->nlines; i++) {
		const struct sale_line *l = &s->lines[i];
		money_t gross = l->total + l->discount;

		if (l->voided)
			continue;
		if (l->disc_kind == DISC_PERCENT)
			rounded++;
		if (gross > 0 && (int)((__int128)l->discount * 10000 / gross) > *worst_bp)
			*worst_bp = (int)((__int128)l->discount * 10000 / gross);
		if (over_limit(l->discount, gross, limit_bp, (l->disc_kind == DISC_PERCENT) +
		    (s->cart_kind != DISC_NONE)))
			over = true;
	}
	if (s->totals.subtotal > 0 && (int)((__int128)s->totals.discount * 10000 /
	    s->totals.subtotal) > *worst_bp)
		*worst_bp = (int)((__int128)s->totals.discount * 10000 / s->totals.subtotal);
	if (over_limit(s->totals.discount, s->totals.subtotal, limit_bp, rounded))
		over = true;
	return over;
}

/*
 * Checks the effective discount of every line and of the whole sale (own discounts plus the
 * cart's share, after every change) against the rights of who sells or approved it. Past the
 * limit: with an approver whose role allows it, the approval is recorded on the sale (and an
 * approval.granted event names both) and covers the sale from then on; otherwise KERR_DENIED
 * with sale_needs_approval() true and the change is rolled back by the caller.
 */
static int
check_limits(sale *s, const struct user *approver, struct kerr *err)
{
	int have = limit_of(s, s->user.role), worst;
	sqlite3_stmt *q;
	char pct[16];

	if (s->disc_approver_id != 0 && limit_of(s, s->disc_approver_role) > have)
		have = limit_of(s, s->disc_approver_role);
	if (!discount_worst(s, have, &worst))
		return 0;
	snprintf(pct, sizeof pct, "%d.%02d%%", worst / 100, worst % 100);
	if (approver == NULL || !user_can(approver, RIGHT_DISCOUNT_BIG)) {
		s->needs_approval = true;
		return kerr_set(err, KERR_DENIED, _("the discount would be %s, more than the %d%% "
		    "you may give: a manager's approval is needed (or remove the discount)"), pct,
		    have / 100);
	}
	if (discount_worst(s, limit_of(s, approver->role), &worst))
		return kerr_set(err, KERR_DENIED, _("the discount would be %s, more than the %d%% "
		    "%s may approve"), pct, limit_of(s, approver->role) / 100, approver->name);
	if (core_prepare(s->st, "UPDATE sales SET disc_approver_id = ?2 WHERE id = ?1", &q, err,
	    saving) == -1)
		return -1;
	sqlite3_bind_int64(q, 1, s->id);
	sqlite3_bind_int64(q, 2, approver->id);
	if (core_run(s->st, q, err, saving) == -1)
		return -1;
	s->disc_approver_id = approver->id;
	s->disc_approver_role = approver->role;
	/* Keys in sorted order: canonical JSON (journal.h). */
	return journal_append_bind(s->st, "approval.granted", "SELECT json_object('approver', "
	    "(SELECT name FROM users WHERE id = ?3), 'right', ?4, 'sale', s.uuid, 'user', "
	    "(SELECT name FROM users WHERE id = ?2)) FROM sales s WHERE s.id = ?1", s->id,
	    s->user.id, approver->id, user_right_name(RIGHT_DISCOUNT_BIG), NULL, err);
}

/* Reloads inside the transaction, recomputes and checks the discount limits: the tail of
 * every change to the cart. approver: who may approve a discount past the limit, or NULL. */
static int
reload_and_recompute(sale *s, const struct user *approver, struct kerr *err)
{
	if (load(s, err) == -1 || recompute(s, err) == -1 || check_limits(s, approver, err) == -1)
		return -1;
	/* recompute() wrote exactly what the struct now holds. */
	s->fresh = true;
	return 0;
}

/* ---- public: life cycle ----------------------------------------------------------------- */

static sale *
sale_alloc(store *st, const struct user *u)
{
	sale *s = xcalloc(1, sizeof *s);

	s->st = st;
	s->limit_bp[0] = SALE_CASHIER_DISCOUNT_BP;
	s->limit_bp[1] = s->limit_bp[2] = SALE_MANAGER_DISCOUNT_BP;
	if (u != NULL)
		s->user = *u;
	clear(s);
	return s;
}

/* Gives the open cart s->id to s->user when someone else's name is on it. */
static int
take_over(sale *s, struct kerr *err)
{
	sqlite3_stmt *q;

	if (store_begin(s->st, err) == -1)
		return -1;
	if (core_prepare(s->st, "UPDATE sales SET user_id = ?2 WHERE id = ?1", &q, err,
	    saving) == -1)
		goto fail;
	sqlite3_bind_int64(q, 1, s->id);
	sqlite3_bind_int64(q, 2, s->user.id);
	if (core_run(s->st, q, err, saving) == -1)
		goto fail;
	return store_commit(s->st, err);
fail:
	store_rollback(s->st);
	return -1;
}

sale *
sale_current(store *st, const struct user *u, struct kerr *err)
{
	sqlite3_stmt *q;
	int64_t owner = 0;
	sale *s;
	int rc;

	s = sale_alloc(st, u);
	if (sqlite3_prepare_v2(store_db(st), "SELECT id FROM shifts WHERE closed_at IS NULL",
	    -1, &q, NULL) != SQLITE_OK) {
		store_error(st, err, N_("reading the shift"));
		goto fail;
	}
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		s->shift_id = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	if (rc != SQLITE_ROW) {
		kerr_set(err, KERR_STATE, _("no shift is open: open one with the cash float "
		    "first"));
		goto fail;
	}
	/* The open cart of this till, exactly as it was left. */
	if (sqlite3_prepare_v2(store_db(st), "SELECT id, user_id FROM sales WHERE state = 'open' "
	    "ORDER BY id DESC LIMIT 1", -1, &q, NULL) != SQLITE_OK) {
		store_error(st, err, N_("reading the open sale"));
		goto fail;
	}
	if (sqlite3_step(q) == SQLITE_ROW) {
		s->id = sqlite3_column_int64(q, 0);
		owner = sqlite3_column_int64(q, 1);
	}
	sqlite3_finalize(q);
	/* A cart left by another cashier is finished by the one now logged in, as a recalled
	 * sale is: the receipt and the sale.completed event name who took the money. */
	if (s->id != 0 && u != NULL && owner != u->id && take_over(s, err) == -1)
		goto fail;
	if (load(s, err) == -1)
		goto fail;
	return s;
fail:
	sale_free(s);
	return NULL;
}

sale *
sale_load(store *st, int64_t sale_id, struct kerr *err)
{
	sale *s = sale_alloc(st, NULL);

	s->id = sale_id;
	if (load(s, err) == -1) {
		sale_free(s);
		return NULL;
	}
	return s;
}

void
sale_free(sale *s)
{
	if (s == NULL)
		return;
	free(s->lines);
	free(s->pays);
	free(s);
}

int64_t sale_id(const sale *s) { return s->id; }
enum sale_state sale_state(const sale *s) { return s->state; }
int64_t sale_number(const sale *s) { return s->number; }
const char *sale_uuid(const sale *s) { return s->uuid; }
const char *sale_completed_at(const sale *s) { return s->completed_at; }
const char *sale_cashier(const sale *s) { return s->cashier; }
int sale_line_count(const sale *s) { return s->nlines; }
int sale_payment_count(const sale *s) { return s->npays; }
const struct sale_totals *sale_totals(const sale *s) { return &s->totals; }
bool sale_needs_approval(const sale *s) { return s->needs_approval; }
int64_t sale_customer(const sale *s) { return s->customer_id; }

void
sale_set_limits(sale *s, int cashier_bp, int manager_bp)
{
	s->limit_bp[0] = cashier_bp < 0 ? 0 : cashier_bp > 10000 ? 10000 : cashier_bp;
	s->limit_bp[1] = s->limit_bp[2] = manager_bp < 0 ? 0 : manager_bp > 10000 ? 10000 :
	    manager_bp;
}

const struct sale_line *
sale_line(const sale *s, int index)
{
	if (index < 0 || index >= s->nlines)
		return NULL;
	return &s->lines[index];
}

const struct sale_payment *
sale_payment(const sale *s, int index)
{
	if (index < 0 || index >= s->npays)
		return NULL;
	return &s->pays[index];
}

static int
must_be_open(const sale *s, struct kerr *err)
{
	/* One message per state, so each is translated whole. */
	if (s->state == SALE_COMPLETED)
		return kerr_set(err, KERR_STATE, _("this sale is completed: start a new one"));
	if (s->state == SALE_VOIDED)
		return kerr_set(err, KERR_STATE, _("this sale is voided: start a new one"));
	if (s->state != SALE_OPEN)
		return kerr_set(err, KERR_STATE, _("this sale is parked: start a new one"));
	return 0;
}

/* ---- adding ----------------------------------------------------------------------------- */

static int
add_product(sale *s, const struct product *p, qty_t qty, money_t label_total, const char *code,
    bool merge, int *index, struct kerr *err)
{
	bool created = false;
	sqlite3_stmt *q;
	int ok = -1, target = -1;

	if (must_be_open(s, err) == -1)
		return -1;
	if (qty <= 0)
		return kerr_set(err, KERR_INPUT, _("quantity must be more than 0"));
	if (!p->by_weight && qty % QTY_ONE != 0)
		return kerr_set(err, KERR_INPUT, _("%s is sold by the piece: a whole quantity"),
		    p->name);
	if (qty > QTY_MAX)
		return kerr_set(err, KERR_INPUT, _("quantity too large: at most %d units a line"),
		    (int)(QTY_MAX / QTY_ONE));
	if (p->price < 0 || p->price > MONEY_PRICE_MAX || label_total < 0 ||
	    label_total > MONEY_AMOUNT_MAX) {
		char m[48];

		return kerr_set(err, KERR_INPUT, _("%s: the price is out of range (at most %s): "
		    "check the catalogue"), p->name, money_format(MONEY_PRICE_MAX, m, sizeof m));
	}
	if (fiscal_check_product(p, err) == -1)		/* [fiscal]: no MXIK, no sale */
		return -1;
	if (begin(s, err) == -1)
		return -1;
	if (ensure_row(s, &created, err) == -1)
		goto out;
	/* The same piece product scanned again adds to its last line, at the same price. */
	if (merge && !p->by_weight && label_total == 0) {
		for (int i = s->nlines - 1; i >= 0; i--) {
			const struct sale_line *l = &s->lines[i];

			if (!l->voided && l->product_id == p->id && l->price == p->price &&
			    l->disc_kind == DISC_NONE && l->label_total == 0) {
				target = i;
				break;
			}
		}
	}
	if (target >= 0) {
		qty_t sum;

		if (__builtin_add_overflow(s->lines[target].qty, qty, &sum) || sum > QTY_MAX) {
			kerr_set(err, KERR_INPUT, _("quantity too large"));
			goto out;
		}
		if (core_prepare(s->st, "UPDATE sale_lines SET qty = ?2 WHERE sale_id = ?1 AND "
		    "lineno = ?3", &q, err, saving) == -1)
			goto out;
		sqlite3_bind_int64(q, 1, s->id);
		sqlite3_bind_int(q, 3, s->lines[target].lineno);
		sqlite3_bind_int64(q, 2, sum);
	} else {
		if (core_prepare(s->st, "INSERT INTO sale_lines(sale_id, lineno, product_id, code, name, "
		    "unit, qty, price, vat_bp, label_total) VALUES (?1, (SELECT "
		    "coalesce(max(lineno), 0) + 1 FROM sale_lines WHERE sale_id = ?1), ?2, ?3, ?4, "
		    "?5, ?6, ?7, ?8, ?9)", &q,
		    err, saving) == -1)
			goto out;
		sqlite3_bind_int64(q, 1, s->id);
		sqlite3_bind_int64(q, 2, p->id);
		sqlite3_bind_text(q, 3, code, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(q, 4, p->name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(q, 5, p->by_weight ? "kg" : "pcs", -1, SQLITE_STATIC);
		sqlite3_bind_int64(q, 6, qty);
		sqlite3_bind_int64(q, 7, p->price);
		sqlite3_bind_int(q, 8, p->vat_bp);
		if (label_total > 0)
			sqlite3_bind_int64(q, 9, label_total);
		else
			sqlite3_bind_null(q, 9);
		target = s->nlines;	/* the new line comes last */
	}
	if (core_run(s->st, q, err, saving) == -1)
		goto out;
	ok = reload_and_recompute(s, NULL, err);
out:
	if (finish(s, ok, created, err) == -1)
		return -1;
	if (index != NULL)
		*index = target;
	return 0;
}

int
sale_add_product(sale *s, const struct product *p, qty_t qty, int *index, struct kerr *err)
{
	const char *code = p->barcode[0] != '\0' ? p->barcode : p->sku;

	return add_product(s, p, qty, 0, code, true, index, err);
}

int
sale_add_input(sale *s, const struct weight_layout *layout, const char *input, int *index,
    struct kerr *err)
{
	char buf[128], *code;
	struct product p;
	qty_t mult, qty;
	money_t label = 0;
	int64_t plu, value;

	if (core_parse_input(input, buf, sizeof buf, &code, &mult, err) == -1)
		return -1;
	if (catalog_lookup(s->st, layout, code, &p, &qty, err) == -1)
		return -1;
	if (mult > 0) {
		if (qty != QTY_ONE)
			return kerr_set(err, KERR_INPUT, _("a weight label already holds its "
			    "quantity"));
		qty = mult;
	}
	/* A label that carries its price is charged that price: the weight catalog_lookup
	 * works out from it is rounded to grams, and price x weight would drift from the label. */
	if (mult == 0 && layout != NULL && layout->value_is_price && p.by_weight &&
	    barcode_weight_parse(layout, code, &plu, &value) && p.plu == plu)
		label = value;
	/* A weight label is one item weighed: never merged into another line. */
	return add_product(s, &p, qty, label, code, qty == QTY_ONE || !p.by_weight ? true :
	    false, index, err);
}

/* ---- changing lines --------------------------------------------------------------------- */

static struct sale_line *
line_at(sale *s, int index, struct kerr *err)
{
	if (index < 0 || index >= s->nlines) {
		kerr_set(err, KERR_INPUT, _("no line %d"), index + 1);
		return NULL;
	}
	if (s->lines[index].voided) {
		kerr_set(err, KERR_STATE, _("line %d is already voided"), s->lines[index].lineno);
		return NULL;
	}
	return &s->lines[index];
}

int
sale_set_qty(sale *s, int index, qty_t qty, const struct user *approver, struct kerr *err)
{
	struct sale_line *l;
	sqlite3_stmt *q;
	int ok = -1;

	if (must_be_open(s, err) == -1 || (l = line_at(s, index, err)) == NULL)
		return -1;
	if (qty <= 0)
		return kerr_set(err, KERR_INPUT, _("quantity must be more than 0 (F8 voids a "
		    "line)"));
	if (qty > QTY_MAX)
		return kerr_set(err, KERR_INPUT, _("quantity too large: at most %d units a line"),
		    (int)(QTY_MAX / QTY_ONE));
	if (l->label_total > 0)
		return kerr_set(err, KERR_INPUT, _("a price label's quantity is on the label: void "
		    "the line and scan again"));
	if (!l->by_weight && qty % QTY_ONE != 0)
		return kerr_set(err, KERR_INPUT, _("%s is sold by the piece"), l->name);
	if (begin(s, err) == -1)
		return -1;
	if (qty < l->qty && s->npays > 0 && core_check_right(s->st, &s->user, approver,
	    RIGHT_VOID_PAID, N_("Lowering a quantity after payment"), s->id, &s->needs_approval,
	    err) == -1)
		goto out;
	if (core_prepare(s->st, "UPDATE sale_lines SET qty = ?2 WHERE sale_id = ?1 AND lineno = ?3",
	    &q, err, saving) == -1)
		goto out;
	sqlite3_bind_int64(q, 1, s->id);
	sqlite3_bind_int(q, 3, l->lineno);
	sqlite3_bind_int64(q, 2, qty);
	if (core_run(s->st, q, err, saving) == -1)
		goto out;
	ok = reload_and_recompute(s, approver, err);
	if (ok == 0 && s->totals.paid > s->totals.total) {
		ok = kerr_set(err, KERR_STATE, _("more has been paid than the new total"));
	}
out:
	return finish(s, ok, false, err);
}

int
sale_void_line(sale *s, int index, const struct user *approver, struct kerr *err)
{
	struct sale_line *l;
	sqlite3_stmt *q;
	int ok = -1;

	if (must_be_open(s, err) == -1 || (l = line_at(s, index, err)) == NULL)
		return -1;
	if (begin(s, err) == -1)
		return -1;
	if (s->npays > 0 &&
	    core_check_right(s->st, &s->user, approver, RIGHT_VOID_PAID,
	    N_("Voiding a line after payment"), s->id, &s->needs_approval, err) == -1)
		goto out;
	/* Who and when: the sale's event lists its voided lines (docs/protocol.md). */
	if (core_prepare(s->st, "UPDATE sale_lines SET voided = 1, voided_by = ?2, voided_at = ?3 "
	    "WHERE sale_id = ?1 AND lineno = ?4", &q, err, saving) == -1)
		goto out;
	sqlite3_bind_int64(q, 1, s->id);
	sqlite3_bind_int(q, 4, l->lineno);
	sqlite3_bind_int64(q, 2, s->user.id);
	{
		char now[32];

		sqlite3_bind_text(q, 3, store_now(now, sizeof now), -1, SQLITE_TRANSIENT);
	}
	if (core_run(s->st, q, err, saving) == -1)
		goto out;
	ok = reload_and_recompute(s, approver, err);
	if (ok == 0 && s->totals.paid > s->totals.total)
		ok = kerr_set(err, KERR_STATE, _("more has been paid than the new total: void "
		    "the whole sale instead"));
out:
	return finish(s, ok, false, err);
}

/* Checks what was typed for a discount on gross: its size is checked on the result. */
static int
check_discount(enum disc_kind kind, int64_t value, money_t gross, struct kerr *err)
{
	if (kind == DISC_NONE)
		return 0;
	if (value < 0)
		return kerr_set(err, KERR_INPUT, _("a discount cannot be negative"));
	if (kind == DISC_PERCENT && value > 10000)
		return kerr_set(err, KERR_INPUT, _("a discount cannot be more than 100%%"));
	if (kind == DISC_AMOUNT && value > gross)
		return kerr_set(err, KERR_INPUT, _("the discount is more than the amount"));
	/* Whether it is too large is a question about the result: check_limits(). */
	return 0;
}

/* Sets a discount on one line (l) or, with l NULL, on the whole sale, whose gross is gross. */
static int
set_discount(sale *s, const struct sale_line *l, money_t gross, enum disc_kind kind,
    int64_t value, const struct user *approver, struct kerr *err)
{
	sqlite3_stmt *q;
	int ok = -1;

	if (begin(s, err) == -1)
		return -1;
	if (check_discount(kind, value, gross, err) == -1)
		goto out;
	if (core_prepare(s->st, l != NULL ? "UPDATE sale_lines SET disc_kind = ?2, disc_value = ?3 "
	    "WHERE sale_id = ?1 AND lineno = ?4" : "UPDATE sales SET cart_disc_kind = ?2, "
	    "cart_disc_value = ?3 WHERE id = ?1", &q, err, saving) == -1)
		goto out;
	sqlite3_bind_int64(q, 1, s->id);
	if (l != NULL)
		sqlite3_bind_int(q, 4, l->lineno);
	if (kind_name(kind) != NULL)
		sqlite3_bind_text(q, 2, kind_name(kind), -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, kind == DISC_NONE ? 0 : value);
	if (core_run(s->st, q, err, saving) == -1)
		goto out;
	ok = reload_and_recompute(s, approver, err);
	if (ok == 0 && s->totals.paid > s->totals.total)
		ok = kerr_set(err, KERR_STATE, _("more has been paid than the new total"));
out:
	return finish(s, ok, false, err);
}

int
sale_discount_line(sale *s, int index, enum disc_kind kind, int64_t value,
    const struct user *approver, struct kerr *err)
{
	struct sale_line *l;
	money_t gross;

	if (must_be_open(s, err) == -1 || (l = line_at(s, index, err)) == NULL)
		return -1;
	if (!money_times_qty(l->price, l->qty, &gross))
		return kerr_set(err, KERR_INPUT, _("amount too large"));
	return set_discount(s, l, gross, kind, value, approver, err);
}

int
sale_discount_cart(sale *s, enum disc_kind kind, int64_t value, const struct user *approver,
    struct kerr *err)
{
	money_t gross = 0;

	if (must_be_open(s, err) == -1)
		return -1;
	if (s->totals.lines == 0)
		return kerr_set(err, KERR_STATE, _("the cart is empty"));
	/* The cart discount applies to the lines after their own discounts, before any cart
	 * discount already given (which this one replaces): the line totals plus their shares. */
	for (int i = 0; i < s->nlines; i++) {
		const struct sale_line *l = &s->lines[i];
		money_t g, own = 0;

		if (l->voided)
			continue;
		if (!money_times_qty(l->price, l->qty, &g))
			return kerr_set(err, KERR_INPUT, _("amount too large"));
		if (l->disc_kind == DISC_PERCENT && !money_muldiv(g, l->disc_value, 10000, &own))
			return kerr_set(err, KERR_INPUT, _("amount too large"));
		if (l->disc_kind == DISC_AMOUNT)
			own = l->disc_value;
		if (!money_add(gross, own < g ? g - own : 0, &gross))
			return kerr_set(err, KERR_INPUT, _("amount too large"));
	}
	return set_discount(s, NULL, gross, kind, value, approver, err);
}

int
sale_set_customer(sale *s, int64_t customer_id, struct kerr *err)
{
	bool created = false;
	sqlite3_stmt *q;
	int ok = -1;

	if (must_be_open(s, err) == -1)
		return -1;
	for (int i = 0; i < s->npays; i++) {
		if (s->pays[i].method == PAY_CREDIT || s->pays[i].method == PAY_POINTS)
			return kerr_set(err, KERR_STATE, _("the customer's credit or points pay "
			    "part of this sale already"));
	}
	if (begin(s, err) == -1)
		return -1;
	if (ensure_row(s, &created, err) == -1)
		goto out;
	if (core_prepare(s->st, "UPDATE sales SET customer_id = ?2 WHERE id = ?1", &q, err,
	    saving) == -1)
		goto out;
	sqlite3_bind_int64(q, 1, s->id);
	if (customer_id > 0)
		sqlite3_bind_int64(q, 2, customer_id);
	else
		sqlite3_bind_null(q, 2);
	ok = core_run(s->st, q, err, saving);
	if (ok == 0 && (sqlite3_changes(store_db(s->st)) != 1))
		ok = kerr_set(err, KERR_NOTFOUND, _("no such customer"));
out:
	return finish(s, ok, created, err);
}

/* ---- completion ------------------------------------------------------------------------- */

/* The lines of sale s voided before payment, for the sale's events (docs/protocol.md):
 * amount is what the line came to before it was voided (gross, before discounts). */
#define VOIDS_SQL \
	"(SELECT json_group_array(json(j)) FROM (SELECT json_object(" \
	"   'amount', coalesce(l.label_total, (l.price * l.qty + 500) / 1000), 'at', l.voided_at," \
	"   'by', (SELECT name FROM users WHERE id = l.voided_by), 'code', l.code," \
	"   'name', l.name, 'price', l.price, 'product_id', l.product_id, 'qty', l.qty," \
	"   'unit', l.unit) AS j" \
	"   FROM sale_lines l WHERE l.sale_id = s.id AND l.voided = 1 ORDER BY l.lineno))"

/* The sale.completed payload: canonical JSON, every object's keys in sorted order. */
static const char completed_sql[] =
	"SELECT json_object("
	" 'cashier', u.name,"
	" 'change', s.change,"
	" 'completed_at', s.completed_at,"
	" 'customer', (SELECT c.key FROM customers c WHERE c.id = s.customer_id),"
	" 'discount', s.discount,"
	" 'id', s.uuid,"
	" 'lines', (SELECT json_group_array(json(j)) FROM (SELECT json_object("
	"   'code', l.code, 'discount', l.discount, 'name', l.name, 'price', l.price,"
	"   'product_id', l.product_id, 'qty', l.qty, 'total', l.total, 'unit', l.unit,"
	"   'vat', l.vat, 'vat_bp', l.vat_bp) AS j"
	"   FROM sale_lines l WHERE l.sale_id = s.id AND l.voided = 0 ORDER BY l.lineno)),"
	" 'number', s.number,"
	" 'payments', (SELECT json_group_array(json(j)) FROM (SELECT json_object("
	"   'amount', p.amount, 'method', p.method) AS j"
	"   FROM payments p WHERE p.sale_id = s.id ORDER BY p.id)),"
	" 'points', coalesce(?2, 0),"
	" 'points_used', (SELECT coalesce(sum(amount), 0) / 100 FROM payments WHERE"
	"   sale_id = s.id AND method = 'points'),"
	" 'shift', s.shift_id,"
	" 'subtotal', s.subtotal,"
	" 'total', s.total,"
	" 'vat', s.vat_total,"
	" 'voids', " VOIDS_SQL ")"
	" FROM sales s JOIN users u ON u.id = s.user_id WHERE s.id = ?1";

static int
complete(sale *s, struct kerr *err)
{
	money_t cash = 0, card = 0, credit = 0, points = 0, change;
	int64_t seq, earned = 0;
	sqlite3_stmt *q;
	int64_t mark;
	char now[32];

	for (int i = 0; i < s->npays; i++) {
		money_t a = s->pays[i].amount;

		switch (s->pays[i].method) {
		case PAY_CASH: cash += a; break;
		case PAY_CARD: card += a; break;
		case PAY_CREDIT: credit += a; break;
		case PAY_POINTS: points += a; break;
		}
	}
	/* Points are earned on what was paid other than with points, by a known customer. */
	if (s->customer_id > 0)
		earned = customer_points_earned(s->totals.total - points);
	change = s->totals.paid - s->totals.total;
	store_now(now, sizeof now);
	if (core_prepare(s->st, "UPDATE sales SET state = 'completed', number = coalesce((SELECT "
	    "number FROM sales WHERE number IS NOT NULL ORDER BY number DESC LIMIT 1), 0) + 1, "
	    "completed_at = ?2, change = ?3, updated_at = ?2 WHERE id = ?1", &q, err, saving) == -1)
		return -1;
	sqlite3_bind_int64(q, 1, s->id);
	sqlite3_bind_text(q, 2, now, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, change);
	if (core_run(s->st, q, err, saving) == -1)
		return -1;
	if (core_append_event(s->st, "sale.completed", completed_sql, s->id, earned, "UPDATE "
	    "sales SET event_seq = ?2 WHERE id = ?1", &seq, err, saving) == -1)
		return -1;
	/* Stock leaves the shelf; it may go negative (a sale is never blocked by the count). The
	 * mark is where this sale's moves start, for the low-stock check (stock.h). */
	if (stock_last_move(s->st, &mark, err) == -1)
		return -1;
	if (core_prepare(s->st, "INSERT INTO stock_moves(product_id, qty, reason, sale_id, "
	    "event_seq, at) SELECT product_id, -sum(qty), 'sale', sale_id, ?2, ?3 FROM sale_lines "
	    "WHERE sale_id = ?1 AND voided = 0 GROUP BY product_id", &q, err, saving) == -1)
		return -1;
	sqlite3_bind_int64(q, 1, s->id);
	sqlite3_bind_int64(q, 2, seq);
	sqlite3_bind_text(q, 3, now, -1, SQLITE_STATIC);
	if (core_run(s->st, q, err, saving) == -1)
		return -1;
	/* products.stock is not written here: the till's idle fold adds these moves (store.h),
	 * which kept five random products pages out of this commit (issue 17). A product taken
	 * to its threshold or below is flagged with a stock.low event (the sale itself is never
	 * blocked), which the hub can forward to the shop's owner. */
	if (stock_flag_low(s->st, mark, s->id, err) == -1)
		return -1;
	if (fiscal_sale(s->st, s->id, err) == -1)	/* [fiscal]: its document, same transaction */
		return -1;
	if (core_prepare(s->st, "UPDATE shifts SET cash_sales = cash_sales + ?2, card_sales = "
	    "card_sales + ?3, cash_change = cash_change + ?4, sales_count = sales_count + 1, "
	    "sales_total = sales_total + ?5, vat_total = vat_total + ?6, discount_total = "
	    "discount_total + ?7, credit_sales = credit_sales + ?8, points_sales = points_sales + "
	    "?9 WHERE id = ?1", &q, err, saving) == -1)
		return -1;
	sqlite3_bind_int64(q, 1, s->shift_id);
	sqlite3_bind_int64(q, 2, cash - change);
	sqlite3_bind_int64(q, 3, card);
	sqlite3_bind_int64(q, 4, change);
	sqlite3_bind_int64(q, 5, s->totals.total);
	sqlite3_bind_int64(q, 6, s->totals.vat);
	sqlite3_bind_int64(q, 7, s->totals.discount);
	sqlite3_bind_int64(q, 8, credit);
	sqlite3_bind_int64(q, 9, points);
	if (core_run(s->st, q, err, saving) == -1)
		return -1;
	/* SQLite turns an integer sum that overflows into a REAL: refuse instead. */
	if (core_prepare(s->st, "SELECT count(*) FROM shifts WHERE id = ?1 AND ("
	    "typeof(cash_sales) <> 'integer' OR typeof(card_sales) <> 'integer' OR typeof(cash_change) <> 'integer' OR "
	    "typeof(sales_total) <> 'integer' OR typeof(vat_total) <> 'integer' OR "
	    "typeof(discount_total) <> 'integer' OR abs(opening_float + cash_sales + cash_in - "
	    "cash_out) > 9000000000000000000)", &q, err, saving) == -1)
		return -1;
	sqlite3_bind_int64(q, 1, s->shift_id);
	if (sqlite3_step(q) != SQLITE_ROW || sqlite3_column_int(q, 0) != 0) {
		core_release(q);
		return kerr_set(err, KERR_STATE, _("the shift's totals are full: close the shift "
		    "and open a new one"));
	}
	core_release(q);
	/* The drawer for the change, then the receipt: printed by the printer process from the
	 * queue, never inline. */
	return core_queue_receipt(s->st, s->id, 0, cash > 0, now, err, saving);
}

int
sale_approve(sale *s, const struct user *approver, struct kerr *err)
{
	int ok = -1;

	if (must_be_open(s, err) == -1)
		return -1;
	if (approver == NULL || !user_can(approver, RIGHT_DISCOUNT_BIG))
		return kerr_set(err, KERR_DENIED, _("a manager's PIN is needed"));
	if (s->id == 0)
		return 0;
	if (begin(s, err) == -1)
		return -1;
	if (load(s, err) == -1 || recompute(s, err) == -1)
		goto out;
	ok = check_limits(s, approver, err);
out:
	return finish(s, ok, false, err);
}

int
sale_pay(sale *s, enum pay_method method, money_t amount, bool *completed, struct kerr *err)
{
	sqlite3_stmt *q;
	int ok = -1;
	char now[32];

	*completed = false;
	if (must_be_open(s, err) == -1)
		return -1;
	if (s->totals.lines == 0)
		return kerr_set(err, KERR_STATE, _("the cart is empty: scan something first"));
	if (amount < 0)
		return kerr_set(err, KERR_INPUT, _("an amount cannot be negative"));
	if (amount == 0)
		amount = s->totals.due;
	if (method == PAY_CARD && amount > s->totals.due)
		return kerr_set(err, KERR_INPUT, _("a card pays at most what is due"));
	if ((method == PAY_CREDIT || method == PAY_POINTS) && amount > s->totals.due)
		return kerr_set(err, KERR_INPUT, method == PAY_CREDIT ? _("credit pays at most "
		    "what is due") : _("points pay at most what is due"));
	{
		money_t sum;

		if (!money_add(s->totals.paid, amount, &sum))
			return kerr_set(err, KERR_INPUT, _("amount too large"));
	}
	if (method == PAY_CASH && amount > s->totals.due &&
	    amount - s->totals.due > SALE_MAX_CHANGE) {
		char c[48];

		return kerr_set(err, KERR_INPUT, _("the change would be %s: check the amount "
		    "tendered"), money_format(amount - s->totals.due, c, sizeof c));
	}
	if (amount > MONEY_AMOUNT_MAX)
		return kerr_set(err, KERR_INPUT, _("amount too large: check the amount tendered"));
	if (begin(s, err) == -1)
		return -1;
	if (amount > 0 && (method == PAY_CREDIT || method == PAY_POINTS)) {
		money_t before = 0;

		/* This sale's earlier tenders of the kind are not in the customer's events yet. */
		for (int i = 0; i < s->npays; i++) {
			if (s->pays[i].method == method)
				before += s->pays[i].amount;
		}
		if (customer_check_tender(s->st, s->customer_id, sale_method_name(method),
		    before + amount, err) == -1)
			goto out;
	}
	if (amount > 0) {
		if (core_prepare(s->st, "INSERT INTO payments(sale_id, id, method, amount, at) "
		    "VALUES (?1, (SELECT coalesce(max(id), 0) + 1 FROM payments WHERE sale_id = ?1), "
		    "?2, ?3, ?4)", &q, err, saving) == -1)
			goto out;
		sqlite3_bind_int64(q, 1, s->id);
		sqlite3_bind_text(q, 2, sale_method_name(method), -1, SQLITE_STATIC);
		sqlite3_bind_int64(q, 3, amount);
		sqlite3_bind_text(q, 4, store_now(now, sizeof now), -1, SQLITE_STATIC);
		if (core_run(s->st, q, err, saving) == -1)
			goto out;
	}
	if (reload_and_recompute(s, NULL, err) == -1 || write_totals(s, err) == -1)
		goto out;
	if (s->totals.paid >= s->totals.total) {
		if (complete(s, err) == -1)
			goto out;
		s->fresh = false;	/* completion wrote more than the struct holds */
		*completed = true;
	}
	ok = 0;
out:
	if (finish(s, ok, false, err) == -1) {
		*completed = false;
		return -1;
	}
	return 0;
}

/* ---- park, recall, void ----------------------------------------------------------------- */

static int void_event(sale *s, const struct user *approver, struct kerr *err);

int
sale_park(sale *s, struct kerr *err)
{
	sqlite3_stmt *q;
	int ok = -1;

	if (must_be_open(s, err) == -1)
		return -1;
	if (s->totals.lines == 0)
		return kerr_set(err, KERR_STATE, _("the cart is empty: nothing to park"));
	if (s->npays > 0)
		return kerr_set(err, KERR_STATE, _("payment has started: finish or void the "
		    "sale"));
	if (begin(s, err) == -1)
		return -1;
	if (write_totals(s, err) == -1 ||
	    core_prepare(s->st, "UPDATE sales SET state = 'parked' WHERE id = ?1", &q, err,
	    saving) == -1)
		goto out;
	sqlite3_bind_int64(q, 1, s->id);
	ok = core_run(s->st, q, err, saving);
out:
	if (finish(s, ok, false, err) == -1)
		return -1;
	s->id = 0;
	clear(s);
	return 0;
}

int
sale_parked_list(store *st, struct sale_summary *out, int max, struct kerr *err)
{
	sqlite3_stmt *q;
	int n = 0, rc;

	if (sqlite3_prepare_v2(store_db(st), "SELECT s.id, (SELECT count(*) FROM sale_lines l "
	    "WHERE l.sale_id = s.id AND l.voided = 0), s.total, s.updated_at, coalesce(u.name, "
	    "'') FROM sales s LEFT JOIN users u ON u.id = s.user_id WHERE s.state = 'parked' "
	    "ORDER BY s.updated_at DESC, s.id DESC LIMIT ?1", -1, &q, NULL) != SQLITE_OK)
		return store_error(st, err, N_("reading parked sales"));
	sqlite3_bind_int(q, 1, max);
	while (n < max && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		out[n].id = sqlite3_column_int64(q, 0);
		out[n].lines = sqlite3_column_int(q, 1);
		out[n].total = sqlite3_column_int64(q, 2);
		core_text(q, 3, out[n].updated_at, sizeof out[n].updated_at);
		core_text(q, 4, out[n].user, sizeof out[n].user);
		n++;
	}
	sqlite3_finalize(q);
	if (n < max && rc != SQLITE_DONE)
		return store_error(st, err, N_("reading parked sales"));
	return n;
}

int
sale_recall(sale *s, int64_t parked_id, struct kerr *err)
{
	sqlite3_stmt *q;
	int64_t old = s->id;
	int ok = -1;

	if (must_be_open(s, err) == -1)
		return -1;
	if (s->totals.lines > 0 || s->npays > 0)
		return kerr_set(err, KERR_STATE, _("finish or park the current sale first"));
	if (begin(s, err) == -1)
		return -1;
	/* An open cart whose lines were all voided before payment is closed as voided, so the
	 * journal keeps what was voided; one that never had a line is just dropped. */
	if (old != 0 && s->nlines > 0) {
		/* The event reads the row's totals, which an open cart does not keep up. */
		if (write_totals(s, err) == -1 ||
		    core_prepare(s->st, "UPDATE sales SET state = 'voided' WHERE id = ?1 AND "
		    "state = 'open'", &q, err, saving) == -1)
			goto out;
		sqlite3_bind_int64(q, 1, old);
		if (core_run(s->st, q, err, saving) == -1 || void_event(s, NULL, err) == -1)
			goto out;
	} else if (old != 0) {
		if (core_prepare(s->st, "DELETE FROM sales WHERE id = ?1 AND state = 'open' AND NOT EXISTS "
		    "(SELECT 1 FROM payments WHERE sale_id = ?1)", &q, err, saving) == -1)
			goto out;
		sqlite3_bind_int64(q, 1, old);
		if (core_run(s->st, q, err, saving) == -1)
			goto out;
	}
	if (core_prepare(s->st, "UPDATE sales SET state = 'open', user_id = ?2, shift_id = ?3 "
	    "WHERE id = ?1 AND state = 'parked'", &q, err, saving) == -1)
		goto out;
	sqlite3_bind_int64(q, 1, parked_id);
	sqlite3_bind_int64(q, 2, s->user.id);
	sqlite3_bind_int64(q, 3, s->shift_id);
	if (core_run(s->st, q, err, saving) == -1)
		goto out;
	if (sqlite3_changes(store_db(s->st)) != 1) {
		kerr_set(err, KERR_NOTFOUND, _("no parked sale %lld"), (long long)parked_id);
		goto out;
	}
	s->id = parked_id;
	ok = 0;
out:
	if (ok != 0)
		s->id = old;
	return finish(s, ok, false, err);
}

/* The sale.voided event for the whole sale s (already marked voided): who voided it, who
 * approved, and what was in it: items (the live lines) and voids (lines voided earlier). */
static int
void_event(sale *s, const struct user *approver, struct kerr *err)
{
	sqlite3_stmt *q;

	/* Keys in sorted order: canonical JSON (journal.h). */
	if (journal_append_bind(s->st, "sale.voided", "SELECT json_object('approver', (SELECT name "
	    "FROM users WHERE id = ?3), 'items', (SELECT json_group_array(json(j)) FROM (SELECT "
	    "json_object('code', l.code, 'discount', l.discount, 'name', l.name, 'price', "
	    "l.price, 'product_id', l.product_id, 'qty', l.qty, 'total', l.total, 'unit', "
	    "l.unit) AS j FROM sale_lines l WHERE l.sale_id = s.id AND l.voided = 0 ORDER BY "
	    "l.lineno)), 'lines', (SELECT count(*) FROM sale_lines WHERE sale_id = s.id AND "
	    "voided = 0), 'paid', s.paid, 'sale', s.uuid, 'total', s.total, 'user', (SELECT name "
	    "FROM users WHERE id = ?2), 'voids', " VOIDS_SQL ") FROM sales s WHERE s.id = ?1",
	    s->id, s->user.id, approver != NULL ? approver->id : 0, NULL, NULL, err) == -1)
		return -1;
	if (core_prepare(s->st, "UPDATE shifts SET voids_count = voids_count + 1 WHERE id = ?1", &q,
	    err, saving) == -1)
		return -1;
	sqlite3_bind_int64(q, 1, s->shift_id);
	return core_run(s->st, q, err, saving);
}

int
sale_void(sale *s, const struct user *approver, struct kerr *err)
{
	sqlite3_stmt *q;
	int ok = -1;

	if (must_be_open(s, err) == -1)
		return -1;
	if (s->id == 0) {
		clear(s);
		return 0;
	}
	if (begin(s, err) == -1)
		return -1;
	if (s->npays > 0 &&
	    core_check_right(s->st, &s->user, approver, RIGHT_VOID_PAID,
	    N_("Voiding a sale after payment"), s->id, &s->needs_approval, err) == -1)
		goto out;
	if (write_totals(s, err) == -1 ||
	    core_prepare(s->st, "UPDATE sales SET state = 'voided', updated_at = ?2 WHERE id = ?1",
	    &q, err, saving) == -1)
		goto out;
	sqlite3_bind_int64(q, 1, s->id);
	{
		char now[32];

		sqlite3_bind_text(q, 2, store_now(now, sizeof now), -1, SQLITE_TRANSIENT);
	}
	if (core_run(s->st, q, err, saving) == -1)
		goto out;
	/* A cart that never had a line leaves no trace worth an event; one whose lines were
	 * all voided does (sale.voided lists them). */
	if (s->nlines > 0 || s->npays > 0) {
		if (void_event(s, approver, err) == -1)
			goto out;
	}
	ok = 0;
out:
	if (finish(s, ok, false, err) == -1)
		return -1;
	s->id = 0;
	clear(s);
	return 0;
}

int
sale_reprint(store *st, int64_t sale_id, struct kerr *err)
{
	sqlite3_stmt *q;
	char now[32];
	int rc;

	if (sqlite3_prepare_v2(store_db(st), "INSERT INTO print_jobs(kind, sale_id, created_at) "
	    "SELECT 'copy', id, ?2 FROM sales WHERE id = ?1 AND state = 'completed'", -1, &q,
	    NULL) != SQLITE_OK)
		return store_error(st, err, N_("queueing the copy"));
	sqlite3_bind_int64(q, 1, sale_id);
	sqlite3_bind_text(q, 2, store_now(now, sizeof now), -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return store_error(st, err, N_("queueing the copy"));
	if (sqlite3_changes(store_db(st)) != 1)
		return kerr_set(err, KERR_NOTFOUND, _("no completed sale %lld"),
		    (long long)sale_id);
	return 0;
}

int64_t
sale_last_completed(store *st)
{
	return core_id_of(st, "SELECT id FROM sales WHERE state = 'completed' ORDER BY number DESC "
	    "LIMIT 1", 0);
}

int64_t
sale_by_number(store *st, int64_t number)
{
	return core_id_of(st, "SELECT id FROM sales WHERE number = ?1 AND state = 'completed'", number);
}
