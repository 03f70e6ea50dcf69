/*
 * ui-return.c: the return screen (F6 on an empty cart, CONTRACT.md section 7 "Returns"), the
 * refund shown once done, and the manager's return without a receipt (a flow from the menu).
 *
 * Every action is one call of the core (refund.h), which stores the return on each change: a
 * crash, a kill or a lock loses nothing, and the next log-in resumes it (ui_return_resume).
 * The screen owns the open return; Esc asks, then abandons it (nothing was recorded). After
 * F10 the refund is shown until a key is pressed, and that key starts the next sale as after
 * a payment: an exchange is a return followed by a sale.
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "refund.h"
#include "ui-int.h"

struct return_screen {
	refund *r;                     /* the open return (owned) */
	int sel;                       /* selected line */
	int top;                       /* first line shown */
	char input[128];
};

/* What the refund-done screen shows. */
struct refunded {
	int64_t number, original;
	money_t total, cash, card, other;
};

/* The return without a receipt: the two answers, kept for a manager's retry. */
struct no_receipt {
	char code[128];
	qty_t qty;
};

static const struct ui_screen ui_screen_return, ui_screen_return_ask, ui_screen_refunded,
    ui_screen_no_receipt;

/* ---- opening: a return in progress, else the receipt's number --------------------------- */

static void
return_open(struct ui *ui, void *data, const void *arg)
{
	struct return_screen *rs = data;

	(void)ui;
	rs->r = *(refund *const *)arg;	/* handed over: the screen owns it now */
}

static void
return_close(struct ui *ui, void *data)
{
	struct return_screen *rs = data;

	(void)ui;
	refund_free(rs->r);
	rs->r = NULL;
}

static void
receipt_entered(struct ui *ui, const char *answer)
{
	struct kerr err;
	refund *r;

	r = refund_start(ui->st, &ui->user, answer, &err);
	if (r == NULL) {
		ui_error(ui, &err);	/* the flow goes; F6 asks again */
		return;
	}
	ui_close(ui);	/* the question's flow */
	ui_open(ui, &ui_screen_return, &r);
	ui_message(ui, false, _("Return against receipt %lld: scan what comes back"),
	    (long long)refund_original(r));
}

bool
ui_return_resume(struct ui *ui)
{
	struct kerr err;
	refund *r;

	r = refund_current(ui->st, &ui->user, &err);
	if (r == NULL) {
		if (err.code != KERR_NOTFOUND)
			ui_error(ui, &err);
		return false;
	}
	ui_open(ui, &ui_screen_return, &r);
	ui_message(ui, true, _("The return against receipt %lld was not finished: F10 refunds, "
	    "Esc abandons it"), (long long)refund_original(r));
	return true;
}

void
ui_return_start(struct ui *ui)
{
	if (ui_return_resume(ui))
		return;
	ui_open(ui, &ui_screen_return_ask, NULL);
	ui_ask(ui, _("Return: the receipt's number (or scan its barcode)"), UI_ASK_SCAN,
	    receipt_entered, NULL);
}

/* ---- drawing ---------------------------------------------------------------------------- */

static void
draw_lines(struct return_screen *rs)
{
	const int rows = LINES - 10, wname = COLS - 58;
	char a[48], b[48], c[48], d[48];
	int n = refund_line_count(rs->r);

	attron(A_BOLD);
	mvprintw(2, 0, "%3s ", "#");
	ui_put(2, 4, wname, _("Name"), -1);
	ui_put(2, 4 + wname, 9, _("Sold"), 1);
	ui_put(2, 14 + wname, 9, _("Left"), 1);
	ui_put(2, 24 + wname, 9, _("Back"), 1);
	ui_put(2, 34 + wname, 11, _("Price"), 1);
	ui_put(2, 46 + wname, 12, _("Refund"), 1);
	attroff(A_BOLD);
	if (rs->sel < rs->top)
		rs->top = rs->sel;
	if (rs->sel >= rs->top + rows)
		rs->top = rs->sel - rows + 1;
	for (int i = rs->top, y = 3; i < n && y < 3 + rows; i++, y++) {
		const struct refund_line *l = refund_line(rs->r, i);

		if (i == rs->sel)
			attron(A_REVERSE);
		if (l->marked > 0)
			attron(A_BOLD);
		mvhline(y, 0, ' ', COLS);
		mvprintw(y, 0, "%3d ", l->lineno);
		ui_put(y, 4, wname, l->name, -1);
		ui_put(y, 4 + wname, 9, qty_format(l->sold, l->by_weight, a, sizeof a), 1);
		ui_put(y, 14 + wname, 9, qty_format(l->returnable, l->by_weight, b, sizeof b), 1);
		ui_put(y, 24 + wname, 9, l->marked > 0 ? qty_format(l->marked, l->by_weight, c,
		    sizeof c) : "", 1);
		ui_put(y, 34 + wname, 11, money_format(l->price, d, sizeof d), 1);
		ui_put(y, 46 + wname, 12, l->marked > 0 ? money_format(l->refund, a, sizeof a) :
		    "", 1);
		attroff(A_BOLD | A_REVERSE);
	}
}

/* "card 12 000, cash 3 500": where the money goes, as the core splits it. */
static void
split_text(money_t card, money_t cash, money_t other, char *out, size_t size)
{
	char a[48];
	size_t n = 0;

	out[0] = '\0';
	if (card > 0)
		n += (size_t)snprintf(out + n, size - n, "%s %s", _("card"),
		    money_format(card, a, sizeof a));
	if (other > 0 && n < size)
		n += (size_t)snprintf(out + n, size - n, "%s%s %s", n > 0 ? ", " : "",
		    _("credit"), money_format(other, a, sizeof a));
	if ((cash > 0 || n == 0) && n < size)
		snprintf(out + n, size - n, "%s%s %s", n > 0 ? ", " : "", _("cash"),
		    money_format(cash, a, sizeof a));
}

static void
draw_totals(struct return_screen *rs)
{
	const struct refund_totals *t = refund_totals(rs->r);
	char a[48], b[48], split[160], line[300];
	int y = LINES - 6;

	mvhline(y, 0, has_colors() ? ACS_HLINE : '-', COLS);
	snprintf(line, sizeof line, "%s %s   %s %s", _("VAT"), money_format(t->vat, a, sizeof a),
	    _("Discount given back"), money_format(t->discount, b, sizeof b));
	ui_put(y + 1, 1, COLS - 2, line, -1);
	attron(A_BOLD);
	if (has_colors())
		attron(COLOR_PAIR(3));
	snprintf(line, sizeof line, "%s: %s", _("REFUND"), ui_money(t->total, a, sizeof a));
	ui_put(y + 2, 1, COLS - 2, line, 1);
	if (has_colors())
		attroff(COLOR_PAIR(3));
	attroff(A_BOLD);
	if (t->total > 0) {
		split_text(t->card, t->cash, t->other, split, sizeof split);
		ui_put(y + 2, 1, COLS / 2, split, -1);
	}
}

static void
return_draw(struct ui *ui)
{
	struct return_screen *rs = ui_data(ui);
	char title[160], line[200];

	ui_draw_status(ui);
	snprintf(title, sizeof title, _("RETURN against receipt %lld"),
	    (long long)refund_original(rs->r));
	attron(A_BOLD);
	ui_put(1, 0, COLS, title, 0);
	attroff(A_BOLD);
	draw_lines(rs);
	draw_totals(rs);
	ui_draw_bottom(ui, NULL);
	snprintf(line, sizeof line, "%s %s", _("Return>"), rs->input);
	mvhline(LINES - 2, 0, ' ', COLS);
	ui_put(LINES - 2, 0, COLS - 1, line, -1);
	move(LINES - 2, ui_width(line) < COLS - 1 ? ui_width(line) : COLS - 1);
}

/* ---- marking ---------------------------------------------------------------------------- */

static bool
return_text(struct ui *ui, wint_t ch)
{
	struct return_screen *rs = ui_data(ui);

	return ui_line_edit(rs->input, sizeof rs->input, ch) || ch == UI_BACKSPACE;
}

static void
mark_input(struct ui *ui)
{
	struct return_screen *rs = ui_data(ui);
	struct kerr err;
	int index = -1;

	if (rs->input[0] == '\0')
		return;
	/* More than is left, or a product not on the receipt: the core says so, nothing
	 * changes. */
	if (refund_mark_input(rs->r, &ui->cfg->weight, rs->input, &index, &err) == -1)
		ui_error(ui, &err);
	else if (index >= 0)
		rs->sel = index;
	rs->input[0] = '\0';
}

static void
unmark(struct ui *ui)
{
	struct return_screen *rs = ui_data(ui);
	const struct refund_line *l = refund_line(rs->r, rs->sel);
	struct kerr err;

	if (l == NULL || l->marked == 0) {
		ui_message(ui, true, _("Nothing on this line is marked"));
		return;
	}
	if (refund_set_line(rs->r, rs->sel, 0, &err) == -1)
		ui_error(ui, &err);
}

static void
line_up(struct ui *ui)
{
	struct return_screen *rs = ui_data(ui);

	if (rs->sel > 0)
		rs->sel--;
}

static void
line_down(struct ui *ui)
{
	struct return_screen *rs = ui_data(ui);

	if (rs->sel < refund_line_count(rs->r) - 1)
		rs->sel++;
}

static void
clear_input(struct ui *ui)
{
	((struct return_screen *)ui_data(ui))->input[0] = '\0';
}

/* ---- F10: refund ------------------------------------------------------------------------ */

static void
refund_apply(struct ui *ui, const struct user *approver)
{
	struct return_screen *rs = ui_data(ui);
	const struct refund_totals *t;
	struct refunded done;
	struct kerr err;

	if (refund_complete(rs->r, approver, &err) == -1) {
		/* A cashier's refund: the core asks for a manager, on the spot. */
		if (refund_needs_approval(rs->r) && approver == NULL)
			ui_need_approval(ui, RIGHT_REFUND, refund_apply);
		else
			ui_error(ui, &err);
		return;
	}
	/* The refund receipt and, for cash, the drawer are queued by the core. */
	ui_after_commit(ui);
	t = refund_totals(rs->r);
	done = (struct refunded){ refund_number(rs->r), refund_original(rs->r), t->total,
	    t->cash, t->card, t->other };
	ui->msg[0] = '\0';
	ui_close(ui);
	ui_open(ui, &ui_screen_refunded, &done);
}

static void
do_refund(struct ui *ui)
{
	struct return_screen *rs = ui_data(ui);

	if (refund_totals(rs->r)->lines == 0) {
		ui_message(ui, true, _("Nothing is marked: scan what comes back (N*CODE for N)"));
		return;
	}
	refund_apply(ui, NULL);
}

/* ---- Esc: abandon ----------------------------------------------------------------------- */

static void
abandon_confirmed(struct ui *ui, const char *answer)
{
	struct return_screen *rs = ui_data(ui);
	struct kerr err;

	(void)answer;
	if (refund_abandon(rs->r, &err) == -1) {
		ui_error(ui, &err);
		return;
	}
	ui_close(ui);
	ui_message(ui, false, _("Return abandoned: nothing was refunded"));
}

static void
do_abandon(struct ui *ui)
{
	struct return_screen *rs = ui_data(ui);

	if (rs->input[0] != '\0') {
		rs->input[0] = '\0';
		return;
	}
	ui_ask(ui, _("Abandon the return? Enter abandons it, Esc keeps it"), 0, abandon_confirmed,
	    NULL);
}

/* ---- the refund, shown until the next key ----------------------------------------------- */

static void
refunded_open(struct ui *ui, void *data, const void *arg)
{
	(void)ui;
	*(struct refunded *)data = *(const struct refunded *)arg;
}

static void
refunded_draw(struct ui *ui)
{
	struct refunded *d = ui_data(ui);
	char a[48], line[300], split[160];

	ui_draw_status(ui);
	if (d->original > 0)
		snprintf(line, sizeof line, _("Refund R%lld of receipt %lld completed"),
		    (long long)d->number, (long long)d->original);
	else
		snprintf(line, sizeof line, _("Refund R%lld completed (no receipt)"),
		    (long long)d->number);
	ui_put(3, 0, COLS, line, 0);
	attron(A_BOLD);
	snprintf(line, sizeof line, "%s: %s", _("REFUND"), ui_money(d->total, a, sizeof a));
	ui_put(5, 0, COLS, line, 0);
	split_text(d->card, d->cash, d->other, split, sizeof split);
	ui_put(7, 0, COLS, split, 0);
	attroff(A_BOLD);
	if (d->cash > 0) {
		snprintf(line, sizeof line, _("Give the customer %s in cash from the drawer"),
		    ui_money(d->cash, a, sizeof a));
		ui_put(9, 0, COLS, line, 0);
	}
	ui_put(11, 0, COLS, _("An exchange: ring up the new goods as a sale"), 0);
	ui_put(13, 0, COLS, _("Press any key for the next sale"), 0);
	ui_draw_bottom(ui, NULL);
}

static void
next_sale(struct ui *ui)
{
	ui_close(ui);
}

/* Any key starts the next sale; a typed character is its first, as after a payment. */
static bool
refunded_other(struct ui *ui, int key, bool is_char)
{
	ui_close(ui);
	if (is_char && ui_top(ui) != NULL && ui_top(ui)->text != NULL)
		ui_top(ui)->text(ui, (wint_t)key);
	return true;
}

static bool
refunded_text(struct ui *ui, wint_t ch)
{
	return refunded_other(ui, (int)ch, true);
}

/* ---- a return without a receipt (menu, a manager) --------------------------------------- */

static void
no_receipt_apply(struct ui *ui, const struct user *approver)
{
	struct no_receipt *n = ui_data(ui);
	struct refunded done;
	bool needs = false;
	struct kerr err;
	int64_t id = 0;
	refund *r;

	if (refund_without_receipt(ui->st, &ui->user, approver, n->code, n->qty,
	    ui->cfg->returns_no_receipt_max, &needs, &id, &err) == -1) {
		if (needs && approver == NULL)
			ui_need_approval(ui, RIGHT_REFUND_NO_RECEIPT, no_receipt_apply);
		else
			ui_error(ui, &err);
		return;
	}
	ui_after_commit(ui);
	ui_close(ui);	/* the flow: its answers are used */
	if ((r = refund_load(ui->st, id, &err)) == NULL) {
		ui_error(ui, &err);
		return;
	}
	done = (struct refunded){ refund_number(r), 0, refund_totals(r)->total,
	    refund_totals(r)->cash, refund_totals(r)->card, refund_totals(r)->other };
	refund_free(r);
	ui_open(ui, &ui_screen_refunded, &done);
}

static void
no_receipt_qty(struct ui *ui, const char *answer)
{
	struct no_receipt *n = ui_data(ui);
	struct kerr err;

	if (qty_parse(answer[0] != '\0' ? answer : "1", &n->qty, &err) == -1) {
		ui_error(ui, &err);
		return;
	}
	no_receipt_apply(ui, NULL);
}

static void
no_receipt_code(struct ui *ui, const char *answer)
{
	struct no_receipt *n = ui_data(ui);

	snprintf(n->code, sizeof n->code, "%s", answer);
	ui_ask(ui, _("Quantity coming back (1, or 0.500 kg), then Enter"), 0, no_receipt_qty,
	    NULL);
}

void
ui_return_no_receipt(struct ui *ui)
{
	ui_open(ui, &ui_screen_no_receipt, NULL);
	ui_ask(ui, _("Return without a receipt (refunded in cash): scan or type the product"),
	    UI_ASK_SCAN, no_receipt_code, NULL);
}

/* ---- the tables ------------------------------------------------------------------------- */

static void
flow_draw(struct ui *ui)
{
	ui_draw_below(ui);
}

/* In the order the cashier needs them: the bar shows the first ones that fit. */
static const struct ui_binding return_keys[] = {
	{ KEY_F(10), N_("refund"), N_("refund what is marked (a manager's PIN for a cashier)"),
	    do_refund },
	{ UI_KEY_ESC, N_("abandon"), N_("abandon the return (nothing is refunded)"), do_abandon },
	{ KEY_F(8), N_("unmark"), N_("unmark the selected line"), unmark },
	{ KEY_F(1), N_("help"), N_("help: all keys"), ui_show_help },
	{ KEY_ENTER, NULL, N_("mark what was typed: CODE, N*CODE, 0.500*CODE"), mark_input },
	{ KEY_UP, NULL, N_("select the line above"), line_up },
	{ KEY_DOWN, NULL, N_("select the line below"), line_down },
	{ KEY_DC, NULL, N_("clear the input line"), clear_input },
	{ 0, NULL, NULL, NULL }
};

static const struct ui_binding refunded_keys[] = {
	{ KEY_ENTER, N_("next sale"), N_("next sale"), next_sale },
	{ 0, NULL, NULL, NULL }
};

static const struct ui_binding no_keys[] = {
	{ 0, NULL, NULL, NULL }
};

static const struct ui_screen ui_screen_return = {
	.name = "return", .size = sizeof(struct return_screen), .open = return_open,
	.close = return_close, .draw = return_draw, .text = return_text,
	.bindings = return_keys, .scans = true,
};
static const struct ui_screen ui_screen_return_ask = {
	.name = "return-ask", .draw = flow_draw, .bindings = no_keys, .flow = true,
};
static const struct ui_screen ui_screen_refunded = {
	.name = "refunded", .size = sizeof(struct refunded), .open = refunded_open,
	.draw = refunded_draw, .text = refunded_text, .other = refunded_other,
	.bindings = refunded_keys,
};
static const struct ui_screen ui_screen_no_receipt = {
	.name = "no-receipt", .size = sizeof(struct no_receipt), .draw = flow_draw,
	.bindings = no_keys, .flow = true,
};
