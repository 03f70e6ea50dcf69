/*
 * shift: one open shift per till. Opening with the float, cash in and out, the no-sale drawer
 * opening, the X report while open and the Z report at close with the counted cash and the
 * variance. Each step is an event; the shifts row keeps the running totals in the same
 * transaction (tests fold the events and check they agree).
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
#include "report.h"
#include "shift.h"
#include "text.h"
#include "xalloc.h"

bool
shift_current(store *st, int64_t *shift_id)
{
	sqlite3_stmt *q;
	bool open = false;

	if (sqlite3_prepare_v2(store_db(st), "SELECT id FROM shifts WHERE closed_at IS NULL", -1,
	    &q, NULL) != SQLITE_OK)
		return false;
	if (sqlite3_step(q) == SQLITE_ROW) {
		open = true;
		if (shift_id != NULL)
			*shift_id = sqlite3_column_int64(q, 0);
	}
	sqlite3_finalize(q);
	return open;
}

int
shift_open(store *st, const struct user *u, money_t opening_float, int64_t *shift_id,
    struct kerr *err)
{
	sqlite3_stmt *q;
	int64_t id;
	char now[32];

	if (opening_float < 0)
		return kerr_set(err, KERR_INPUT, _("the float cannot be negative"));
	if (opening_float > MONEY_AMOUNT_MAX)
		return kerr_set(err, KERR_INPUT, _("amount too large: check the float"));
	if (store_begin(st, err) == -1)
		return -1;
	if (shift_current(st, NULL)) {
		kerr_set(err, KERR_STATE, _("a shift is already open"));
		goto fail;
	}
	if (core_prepare(st, "INSERT INTO shifts(number, user_id, opened_at, opening_float) VALUES "
	    "((SELECT coalesce(max(number), 0) + 1 FROM shifts), ?1, ?2, ?3)", &q, err,
	    N_("opening the shift")) == -1)
		goto fail;
	sqlite3_bind_int64(q, 1, u->id);
	sqlite3_bind_text(q, 2, store_now(now, sizeof now), -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(q, 3, opening_float);
	if (core_run(st, q, err, N_("opening the shift")) == -1)
		goto fail;
	id = sqlite3_last_insert_rowid(store_db(st));
	if (journal_append_bind(st, "shift.opened", "SELECT json_object('float', opening_float, "
	    "'number', number, 'shift_id', id, 'user', (SELECT name FROM users WHERE id = "
	    "user_id)) FROM shifts WHERE id = ?1", id, 0, 0, NULL, NULL, err) == -1)
		goto fail;
	if (fiscal_shift(st, id, false, err) == -1)	/* [fiscal]: the opening document */
		goto fail;
	if (store_commit(st, err) == -1)
		return -1;
	if (shift_id != NULL)
		*shift_id = id;
	return 0;
fail:
	store_rollback(st);
	return -1;
}

int
shift_cash_move(store *st, const struct user *u, const struct user *approver, money_t amount,
    const char *reason, struct kerr *err)
{
	struct shift_report r;
	sqlite3_stmt *q;
	int64_t shift_id, seq;
	char now[32];

	if (amount == 0)
		return kerr_set(err, KERR_INPUT, _("type an amount"));
	if (!money_amount_ok(amount)) {
		char m[48];

		return kerr_set(err, KERR_INPUT, _("amount too large: a cash move is at most %s"),
		    money_format(MONEY_AMOUNT_MAX, m, sizeof m));
	}
	if (reason == NULL || reason[0] == '\0')
		return kerr_set(err, KERR_INPUT, _("say why the cash moves (a reason is "
		    "required)"));
	/* The reason goes into the event: not UTF-8 it would stop sync; control characters
	 * would print badly and escape differently in SQLite's JSON and in jansson's. */
	if (text_check_line(reason, N_("the reason"), err) == -1)
		return -1;
	if (!shift_current(st, &shift_id))
		return kerr_set(err, KERR_STATE, _("no shift is open"));
	if (amount < 0) {
		if (shift_report_x(st, &r, err) == -1)
			return -1;
		if (-amount > r.expected_cash) {
			char buf[32];

			return kerr_set(err, KERR_INPUT, _("only %s should be in the drawer"),
			    money_format(r.expected_cash, buf, sizeof buf));
		}
	}
	if (store_begin(st, err) == -1)
		return -1;
	if (core_check_right(st, u, approver, RIGHT_CASH_MOVE, amount > 0 ? N_("Cash in") :
	    N_("Cash out"), 0, NULL, err) == -1)
		goto fail;
	if (journal_append_bind(st, "cash.moved", "SELECT json_object('amount', ?2, 'approver', (SELECT "
	    "name FROM users WHERE id = ?3), 'reason', ?4, 'shift', (SELECT number FROM shifts "
	    "WHERE closed_at IS NULL), 'user', (SELECT name FROM users WHERE id = ?1))", u->id,
	    amount, approver != NULL ? approver->id : 0, reason, &seq, err) == -1)
		goto fail;
	if (core_prepare(st, "INSERT INTO cash_moves(shift_id, user_id, amount, reason, at, "
	    "event_seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6)", &q, err, N_("recording the cash")) == -1)
		goto fail;
	sqlite3_bind_int64(q, 1, shift_id);
	sqlite3_bind_int64(q, 2, u->id);
	sqlite3_bind_int64(q, 3, amount);
	sqlite3_bind_text(q, 4, reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, store_now(now, sizeof now), -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(q, 6, seq);
	if (core_run(st, q, err, N_("recording the cash")) == -1)
		goto fail;
	if (core_prepare(st, amount > 0 ? "UPDATE shifts SET cash_in = cash_in + ?2 WHERE id = ?1" :
	    "UPDATE shifts SET cash_out = cash_out - ?2 WHERE id = ?1", &q, err,
	    N_("recording the cash")) == -1)
		goto fail;
	sqlite3_bind_int64(q, 1, shift_id);
	sqlite3_bind_int64(q, 2, amount);
	if (core_run(st, q, err, N_("recording the cash")) == -1)
		goto fail;
	/* Checked sums: SQLite turns an integer sum that overflows into a REAL, and the
	 * expected cash must stay far inside int64 (money.h). */
	if (core_prepare(st, "SELECT count(*) FROM shifts WHERE id = ?1 AND (typeof(cash_in) <> "
	    "'integer' OR typeof(cash_out) <> 'integer' OR abs(opening_float + cash_sales + "
	    "cash_in - cash_out) > 9000000000000000000 OR cash_in > ?2 OR cash_out > ?2)", &q, err,
	    N_("recording the cash")) == -1)
		goto fail;
	sqlite3_bind_int64(q, 1, shift_id);
	sqlite3_bind_int64(q, 2, MONEY_AMOUNT_MAX * 1000);
	if (sqlite3_step(q) != SQLITE_ROW || sqlite3_column_int(q, 0) != 0) {
		core_release(q);
		kerr_set(err, KERR_INPUT, _("amount too large for this shift's cash: check the "
		    "amount"));
		goto fail;
	}
	core_release(q);
	return store_commit(st, err);
fail:
	store_rollback(st);
	return -1;
}

int
shift_no_sale(store *st, const struct user *u, const struct user *approver, struct kerr *err)
{
	sqlite3_stmt *q;
	char now[32];

	if (!shift_current(st, NULL))
		return kerr_set(err, KERR_STATE, _("no shift is open"));
	if (store_begin(st, err) == -1)
		return -1;
	if (core_check_right(st, u, approver, RIGHT_NO_SALE,
	    N_("Opening the drawer without a sale"), 0, NULL, err) == -1)
		goto fail;
	if (journal_append_bind(st, "drawer.opened", "SELECT json_object('approver', (SELECT name FROM "
	    "users WHERE id = ?3), 'shift', (SELECT number FROM shifts WHERE closed_at IS NULL), "
	    "'user', (SELECT name FROM users WHERE id = ?1))", u->id, 0,
	    approver != NULL ? approver->id : 0, NULL, NULL, err) == -1)
		goto fail;
	if (core_prepare(st, "INSERT INTO print_jobs(kind, created_at) VALUES ('drawer', ?1)", &q,
	    err, N_("opening the drawer")) == -1)
		goto fail;
	sqlite3_bind_text(q, 1, store_now(now, sizeof now), -1, SQLITE_TRANSIENT);
	if (core_run(st, q, err, N_("opening the drawer")) == -1)
		goto fail;
	return store_commit(st, err);
fail:
	store_rollback(st);
	return -1;
}

int
shift_report_get(store *st, int64_t shift_id, struct shift_report *r, struct kerr *err)
{
	sqlite3_stmt *q;
	int rc;

	memset(r, 0, sizeof *r);
	if (core_prepare(st, "SELECT s.id, s.number, s.opened_at, coalesce(s.closed_at, ''), "
	    "coalesce(o.name, ''), coalesce(c.name, ''), s.opening_float, s.cash_sales, "
	    "s.card_sales, s.sales_count, s.sales_total, s.vat_total, s.discount_total, "
	    "s.voids_count, s.cash_in, s.cash_out, coalesce(s.counted_cash, 0), "
	    "s.closed_at IS NOT NULL, s.refunds_count, s.refunds_no_receipt, s.refunds_total, "
	    "s.refunds_vat, s.refunds_cash, s.refunds_card, s.refunds_other, s.credit_sales, "
	    "s.points_sales, s.repaid_cash, s.repaid_card "
	    "FROM shifts s LEFT JOIN users o ON o.id = s.user_id "
	    "LEFT JOIN users c ON c.id = s.closed_by WHERE s.id = ?1", &q, err,
	    N_("reading the shift")) == -1)
		return -1;
	sqlite3_bind_int64(q, 1, shift_id);
	rc = sqlite3_step(q);
	if (rc != SQLITE_ROW) {
		core_release(q);
		if (rc == SQLITE_DONE)
			return kerr_set(err, KERR_NOTFOUND, _("no shift %lld"),
			    (long long)shift_id);
		return store_error(st, err, N_("reading the shift"));
	}
	r->id = sqlite3_column_int64(q, 0);
	r->number = sqlite3_column_int64(q, 1);
	core_text(q, 2, r->opened_at, sizeof r->opened_at);
	core_text(q, 3, r->closed_at, sizeof r->closed_at);
	core_text(q, 4, r->opened_by, sizeof r->opened_by);
	core_text(q, 5, r->closed_by, sizeof r->closed_by);
	r->opening_float = sqlite3_column_int64(q, 6);
	r->cash_sales = sqlite3_column_int64(q, 7);
	r->card_sales = sqlite3_column_int64(q, 8);
	r->sales_count = sqlite3_column_int64(q, 9);
	r->sales_total = sqlite3_column_int64(q, 10);
	r->vat_total = sqlite3_column_int64(q, 11);
	r->discount_total = sqlite3_column_int64(q, 12);
	r->voids_count = sqlite3_column_int64(q, 13);
	r->cash_in = sqlite3_column_int64(q, 14);
	r->cash_out = sqlite3_column_int64(q, 15);
	r->counted_cash = sqlite3_column_int64(q, 16);
	r->closed = sqlite3_column_int(q, 17) != 0;
	r->refunds_count = sqlite3_column_int64(q, 18);
	r->refunds_no_receipt = sqlite3_column_int64(q, 19);
	r->refunds_total = sqlite3_column_int64(q, 20);
	r->refunds_vat = sqlite3_column_int64(q, 21);
	r->refunds_cash = sqlite3_column_int64(q, 22);
	r->refunds_card = sqlite3_column_int64(q, 23);
	r->refunds_other = sqlite3_column_int64(q, 24);
	r->credit_sales = sqlite3_column_int64(q, 25);
	r->points_sales = sqlite3_column_int64(q, 26);
	r->repaid_cash = sqlite3_column_int64(q, 27);
	r->repaid_card = sqlite3_column_int64(q, 28);
	core_release(q);
	/* Cash refunded to customers left the drawer; their cash repayments came in. */
	r->expected_cash = r->opening_float + r->cash_sales + r->cash_in - r->cash_out -
	    r->refunds_cash + r->repaid_cash;
	r->variance = r->closed ? r->counted_cash - r->expected_cash : 0;

	/* VAT per rate, from the lines of the shift's completed sales. */
	if (core_prepare(st, "SELECT l.vat_bp, sum(l.total), sum(l.vat) FROM sale_lines l JOIN "
	    "sales s ON s.id = l.sale_id WHERE s.shift_id = ?1 AND s.state = 'completed' AND "
	    "l.voided = 0 GROUP BY l.vat_bp ORDER BY l.vat_bp DESC LIMIT 8", &q, err,
	    N_("reading VAT")) == -1)
		return -1;
	sqlite3_bind_int64(q, 1, shift_id);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		r->vat_bp[r->vat_rates] = sqlite3_column_int(q, 0);
		r->vat_gross[r->vat_rates] = sqlite3_column_int64(q, 1);
		r->vat_amount[r->vat_rates] = sqlite3_column_int64(q, 2);
		r->vat_rates++;
	}
	core_release(q);
	if (rc != SQLITE_DONE)
		return store_error(st, err, N_("reading VAT"));
	return 0;
}

int
shift_report_x(store *st, struct shift_report *r, struct kerr *err)
{
	int64_t id;

	if (!shift_current(st, &id))
		return kerr_set(err, KERR_STATE, _("no shift is open"));
	return shift_report_get(st, id, r, err);
}

int
shift_report_z(store *st, struct shift_report *r, struct kerr *err)
{
	sqlite3_stmt *q;
	int64_t id = 0;

	if (core_prepare(st, "SELECT id FROM shifts WHERE closed_at IS NOT NULL ORDER BY number "
	    "DESC LIMIT 1", &q, err, N_("reading shifts")) == -1)
		return -1;
	if (sqlite3_step(q) == SQLITE_ROW)
		id = sqlite3_column_int64(q, 0);
	core_release(q);
	if (id == 0)
		return kerr_set(err, KERR_NOTFOUND, _("no shift has been closed yet"));
	return shift_report_get(st, id, r, err);
}

/* Whether a printer was ever configured on this till: its printer process says its state. */
static bool
has_printer(store *st)
{
	char *state = store_meta_get(st, "printer_state");
	bool yes = state != NULL && strcmp(state, "not configured") != 0;

	free(state);
	return yes;
}

/* Counts sales that block a close: parked ones, and an open cart with live lines. */
static int64_t
blocking_sales(store *st, const char *state)
{
	sqlite3_stmt *q;
	int64_t n = 0;

	if (sqlite3_prepare_v2(store_db(st), "SELECT count(*) FROM sales s WHERE s.state = ?1 AND "
	    "EXISTS (SELECT 1 FROM sale_lines l WHERE l.sale_id = s.id AND l.voided = 0)", -1, &q,
	    NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(q, 1, state, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW)
		n = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return n;
}

int
shift_close(store *st, const struct user *u, money_t counted_cash, struct shift_report *r,
    struct kerr *err)
{
	struct shift_report x;
	sqlite3_stmt *q;
	int64_t id, parked, open;
	char now[32];

	if (counted_cash < 0)
		return kerr_set(err, KERR_INPUT, _("the counted cash cannot be negative"));
	if (!user_can(u, RIGHT_SHIFT_CLOSE))
		return kerr_set(err, KERR_DENIED, _("%s may not close the shift"), u->name);
	if (store_begin(st, err) == -1)
		return -1;
	if (!shift_current(st, &id)) {
		kerr_set(err, KERR_STATE, _("no shift is open"));
		goto fail;
	}
	parked = blocking_sales(st, "parked");
	open = blocking_sales(st, "open");
	if (parked != 0 || open != 0) {
		if (parked > 0)
			kerr_set(err, KERR_STATE, P_("%lld sale is still parked: recall and "
			    "finish or void it first", "%lld sales are still parked: recall and "
			    "finish or void them first", parked), (long long)parked);
		else
			kerr_set(err, KERR_STATE, _("a sale is still open: finish or void it "
			    "first"));
		goto fail;
	}
	/* Empty carts (every line voided before payment) go with the shift. */
	if (core_prepare(st, "UPDATE sales SET state = 'voided' WHERE state IN ('open', 'parked') "
	    "AND shift_id = ?1", &q, err, N_("closing the shift")) == -1)
		goto fail;
	sqlite3_bind_int64(q, 1, id);
	if (core_run(st, q, err, N_("closing the shift")) == -1)
		goto fail;
	if (shift_report_get(st, id, &x, err) == -1)
		goto fail;
	if (core_prepare(st, "UPDATE shifts SET closed_at = ?2, closed_by = ?3, counted_cash = ?4, "
	    "expected_cash = ?5 WHERE id = ?1", &q, err, N_("closing the shift")) == -1)
		goto fail;
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_text(q, 2, store_now(now, sizeof now), -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(q, 3, u->id);
	sqlite3_bind_int64(q, 4, counted_cash);
	sqlite3_bind_int64(q, 5, x.expected_cash);
	if (core_run(st, q, err, N_("closing the shift")) == -1)
		goto fail;
	/* Keys in sorted order: canonical JSON (journal.h). */
	if (journal_append_bind(st, "shift.closed", "SELECT json_object('card_sales', card_sales, "
	    "'cash_in', cash_in, 'cash_out', cash_out, 'cash_sales', cash_sales, 'counted', "
	    "counted_cash, 'discount', discount_total, 'expected', expected_cash, 'float', "
	    "opening_float, 'number', number, 'refunds', refunds_count, 'refunds_card', "
	    "refunds_card, 'refunds_cash', refunds_cash, 'refunds_total', refunds_total, "
	    "'sales', sales_count, 'shift_id', id, 'total', "
	    "sales_total, 'user', (SELECT name FROM users WHERE id = closed_by), 'variance', "
	    "counted_cash - expected_cash, 'vat', vat_total, 'voids', voids_count) FROM shifts "
	    "WHERE id = ?1", id, 0, 0, NULL, NULL, err) == -1)
		goto fail;
	if (fiscal_shift(st, id, true, err) == -1)	/* [fiscal]: the closing, Z totals */
		goto fail;
	/* The Z prints itself, through the printer process's queue, on a till that has a
	 * printer (its process has written printer_state); without one the report stays in the
	 * shifts table for `kassa report z --number N --print`. */
	if (has_printer(st)) {
		char what[32];

		snprintf(what, sizeof what, "z:%" PRId64, id);
		if (report_queue_print(st, what, NULL, err) == -1)
			goto fail;
	}
	if (store_commit(st, err) == -1)
		return -1;
	return shift_report_get(st, id, r, err);
fail:
	store_rollback(st);
	return -1;
}
