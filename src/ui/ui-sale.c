/*
 * ui-sale.c: the sale screen (cart, totals, input line), F2 search as you type, F10 pay, the
 * change shown large, and the discount and whole-sale void questions. Every action is one core
 * call; the core stores the cart on each change, so nothing here keeps state that a crash
 * could lose. The sale screen owns the open sale; the screens it opens get a pointer to its
 * state as their argument and use it while it sits under them.
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui-int.h"

#define SEARCH_MAX 12

struct sale_screen {
	sale *sale;                    /* the open sale (owned) */
	int sel;                       /* selected cart line */
	int top;                       /* first cart line shown */
	char input[128];               /* the input line (UTF-8) */
};

struct search {
	struct sale_screen *ss;        /* the sale screen under it */
	char query[128];
	struct product found[SEARCH_MAX];
	int nfound, sel;
};

struct pay {
	struct sale_screen *ss;
	enum pay_method method;
	char input[32];
	char retry[32];                /* the tender typed, kept for a manager's approval */
};

struct change {
	money_t change, total;
	int64_t number;
};

struct discount {
	char text[64];                 /* what the cashier typed, kept for the manager's retry */
};

static const struct ui_screen ui_screen_search, ui_screen_pay, ui_screen_change,
    ui_screen_discount;

static uint64_t
mix(uint64_t h, int64_t v)
{
	return (h ^ (uint64_t)v) * 1099511628211u;	/* FNV-1a, a value at a time */
}

static void
reload(struct ui *ui, struct sale_screen *ss)
{
	struct kerr err;

	sale_free(ss->sale);
	ss->sale = sale_current(ui->st, &ui->user, &err);
	if (ss->sale == NULL) {
		ui_error(ui, &err);
		return;
	}
	sale_set_limits(ss->sale, ui->cfg->cashier_discount * 100,
	    ui->cfg->manager_discount * 100);
	ss->sel = sale_line_count(ss->sale) - 1;
	if (ss->sel < 0)
		ss->sel = 0;
	ss->top = 0;
}

/* The sale screen's state in the stack (under the screens and flows it opened). */
static struct sale_screen *
sale_screen_of(struct ui *ui)
{
	for (int i = ui->depth - 1; i >= 0; i--) {
		if (ui->stack[i].screen == &ui_screen_sale)
			return ui->stack[i].data;
	}
	return NULL;
}

sale *
ui_sale(struct ui *ui)
{
	struct sale_screen *ss = sale_screen_of(ui);

	if (ss != NULL && ss->sale == NULL)
		reload(ui, ss);
	return ss != NULL ? ss->sale : NULL;
}

void
ui_sale_select_last(struct ui *ui)
{
	struct sale_screen *ss = sale_screen_of(ui);

	if (ss == NULL || ss->sale == NULL)
		return;
	ss->sel = sale_line_count(ss->sale) - 1;
	if (ss->sel < 0)
		ss->sel = 0;
}

static void
sale_open(struct ui *ui, void *data, const void *arg)
{
	(void)arg;
	reload(ui, data);
}

static void
sale_close(struct ui *ui, void *data)
{
	struct sale_screen *ss = data;

	(void)ui;
	sale_free(ss->sale);
	ss->sale = NULL;
}

/* ---- the cart --------------------------------------------------------------------------- */

/* The pole display: the line just touched (the selected one) and the total. */
static void
show_on_display(struct ui *ui, struct sale_screen *ss)
{
	const struct sale_line *l = NULL;
	uint64_t h = 14695981039346656037u;
	int n;

	if (ss->sale == NULL)
		return;
	n = sale_line_count(ss->sale);
	h = mix(h, sale_id(ss->sale));
	for (int i = 0; i < n; i++) {
		const struct sale_line *x = sale_line(ss->sale, i);

		h = mix(mix(mix(h, x->qty), x->total), x->voided);
	}
	if (ss->sel >= 0 && ss->sel < n)
		l = sale_line(ss->sale, ss->sel);
	ui_display_show(ui, h, l != NULL && !l->voided ? l->name : "",
	    l != NULL && !l->voided ? l->total : 0, sale_totals(ss->sale)->total);
}

static void
draw_cart(struct sale_screen *ss)
{
	const int rows = LINES - 9, wname = COLS - 46;
	char buf[64], line[600];
	int n = ss->sale != NULL ? sale_line_count(ss->sale) : 0;

	attron(A_BOLD);
	mvprintw(1, 0, "%3s ", "#");
	ui_put(1, 4, wname, _("Name"), -1);
	ui_put(1, 4 + wname, 10, _("Qty"), 1);
	ui_put(1, 16 + wname, 13, _("Price"), 1);
	ui_put(1, 31 + wname, 14, _("Total"), 1);
	attroff(A_BOLD);
	if (ss->sel < ss->top)
		ss->top = ss->sel;
	if (ss->sel >= ss->top + rows)
		ss->top = ss->sel - rows + 1;
	for (int i = ss->top, y = 2; i < n && y < 2 + rows; i++, y++) {
		const struct sale_line *l = sale_line(ss->sale, i);

		if (i == ss->sel)
			attron(A_REVERSE);
		mvhline(y, 0, ' ', COLS);
		mvprintw(y, 0, "%3d ", l->lineno);
		if (l->voided) {
			snprintf(line, sizeof line, "%s %s", _("VOID"), l->name);
			attron(A_DIM);
		} else
			snprintf(line, sizeof line, "%s", l->name);
		ui_put(y, 4, wname, line, -1);
		ui_put(y, 4 + wname, 10, qty_format(l->qty, l->by_weight, buf, sizeof buf), 1);
		ui_put(y, 16 + wname, 13, money_format(l->price, buf, sizeof buf), 1);
		ui_put(y, 31 + wname, 14, money_format(l->voided ? 0 : l->total, buf, sizeof buf), 1);
		if (!l->voided && l->discount > 0) {
			char d[48];

			snprintf(d, sizeof d, "-%s", money_format(l->discount, buf, sizeof buf));
			ui_put(y, 4 + wname - 12, 12, d, 1);
		}
		attroff(A_DIM | A_REVERSE);
	}
}

static void
draw_totals(struct sale_screen *ss)
{
	const struct sale_totals *t;
	char a[48], b[48], c[48], line[200];
	int y = LINES - 7;

	/* ASCII on monochrome terminals (vt100): their line drawing is not always there. */
	mvhline(y, 0, has_colors() ? ACS_HLINE : '-', COLS);
	if (ss->sale == NULL)
		return;
	t = sale_totals(ss->sale);
	snprintf(line, sizeof line, "%s %s   %s %s   %s %s", _("Subtotal"),
	    money_format(t->subtotal, a, sizeof a), _("Discount"),
	    money_format(t->discount, b, sizeof b), _("VAT"), money_format(t->vat, c, sizeof c));
	ui_put(y + 1, 1, COLS - 2, line, -1);
	attron(A_BOLD);
	if (has_colors())
		attron(COLOR_PAIR(3));
	snprintf(line, sizeof line, "%s: %s", _("TOTAL"), ui_money(t->total, a, sizeof a));
	ui_put(y + 2, 1, COLS - 2, line, 1);
	if (t->paid > 0) {
		snprintf(line, sizeof line, "%s %s   %s %s", _("Paid"),
		    money_format(t->paid, a, sizeof a), _("Due"), ui_money(t->due, b, sizeof b));
		ui_put(y + 2, 1, COLS / 2, line, -1);
	}
	if (has_colors())
		attroff(COLOR_PAIR(3));
	attroff(A_BOLD);
}

static void
draw_input(const char *label, const char *input)
{
	char line[200];

	snprintf(line, sizeof line, "%s %s", label, input);
	mvhline(LINES - 2, 0, ' ', COLS);
	ui_put(LINES - 2, 0, COLS - 1, line, -1);
	move(LINES - 2, ui_width(line) < COLS - 1 ? ui_width(line) : COLS - 1);
}

static void
draw_sale(struct ui *ui, struct sale_screen *ss)
{
	ui_draw_status(ui);
	draw_cart(ss);
	draw_totals(ss);
	/* On the rule above the totals: who the sale is for (ui-customer.c). */
	ui_customer_line(ui, ss->sale, LINES - 7);
	show_on_display(ui, ss);
}

static void
sale_draw(struct ui *ui)
{
	struct sale_screen *ss = ui_data(ui);

	draw_sale(ui, ss);
	ui_draw_bottom(ui, NULL);
	draw_input(">", ss->input);
}

static void
add_input(struct ui *ui)
{
	struct sale_screen *ss = ui_data(ui);
	struct kerr err;
	int index = -1;

	if (ss->input[0] == '\0')
		return;
	if (ss->sale == NULL) {
		reload(ui, ss);
		if (ss->sale == NULL)
			return;
	}
	if (sale_add_input(ss->sale, &ui->cfg->weight, ss->input, &index, &err) == -1) {
		/* An unknown code beeps and says so; the cart is unchanged. */
		ui_error(ui, &err);
		ss->input[0] = '\0';
		return;
	}
	ss->input[0] = '\0';
	if (index >= 0)
		ss->sel = index;
	ui_after_commit(ui);
}

static bool
sale_text(struct ui *ui, wint_t ch)
{
	struct sale_screen *ss = ui_data(ui);

	return ui_line_edit(ss->input, sizeof ss->input, ch) || ch == UI_BACKSPACE;
}

static void
clear_input(struct ui *ui)
{
	((struct sale_screen *)ui_data(ui))->input[0] = '\0';
}

static void
line_up(struct ui *ui)
{
	struct sale_screen *ss = ui_data(ui);

	if (ss->sel > 0)
		ss->sel--;
}

static void
line_down(struct ui *ui)
{
	struct sale_screen *ss = ui_data(ui);

	if (ss->sale != NULL && ss->sel < sale_line_count(ss->sale) - 1)
		ss->sel++;
}

static void
page_up(struct ui *ui)
{
	struct sale_screen *ss = ui_data(ui);

	ss->sel = ss->sel > 10 ? ss->sel - 10 : 0;
}

static void
page_down(struct ui *ui)
{
	struct sale_screen *ss = ui_data(ui);
	int n = ss->sale != NULL ? sale_line_count(ss->sale) : 0;

	ss->sel = ss->sel + 10 < n ? ss->sel + 10 : (n > 0 ? n - 1 : 0);
}

static bool
cart_empty(struct ui *ui, const char *msg)
{
	sale *s = ui_sale(ui);

	if (s == NULL || sale_totals(s)->lines == 0) {
		ui_message(ui, true, "%s", msg);
		return true;
	}
	return false;
}

/* ---- F4 discount: a flow that keeps what was typed for the manager's retry -------------- */

/* "10%" -> percent in basis points, "5000" -> amount in minor units, "0" -> none. */
static int
parse_discount(const char *text, enum disc_kind *kind, int64_t *value, struct kerr *err)
{
	char buf[128];
	size_t len;

	snprintf(buf, sizeof buf, "%s", text);
	len = strlen(buf);
	if (len > 0 && buf[len - 1] == '%') {
		buf[len - 1] = '\0';
		*kind = DISC_PERCENT;
	} else
		*kind = DISC_AMOUNT;
	if (money_parse(buf, false, value, err) == -1)
		return -1;
	if (*value == 0)
		*kind = DISC_NONE;
	return 0;
}

static void
discount_apply(struct ui *ui, const struct user *approver)
{
	struct discount *d = ui_data(ui);
	struct sale_screen *ss = sale_screen_of(ui);
	bool cart = d->text[0] == '*';
	enum disc_kind kind;
	int64_t value;
	struct kerr err;
	int rc;

	if (parse_discount(cart ? d->text + 1 : d->text, &kind, &value, &err) == -1) {
		ui_error(ui, &err);
		return;
	}
	if (cart)
		rc = sale_discount_cart(ss->sale, kind, value, approver, &err);
	else
		rc = sale_discount_line(ss->sale, ss->sel, kind, value, approver, &err);
	if (rc == -1) {
		if (sale_needs_approval(ss->sale) && approver == NULL)
			ui_need_approval(ui, RIGHT_DISCOUNT_BIG, discount_apply);
		else
			ui_error(ui, &err);
		return;
	}
	ui_after_commit(ui);
}

static void
discount_entered(struct ui *ui, const char *text)
{
	struct discount *d = ui_data(ui);

	snprintf(d->text, sizeof d->text, "%s", text);
	discount_apply(ui, NULL);
}

static void
do_discount(struct ui *ui)
{
	if (cart_empty(ui, _("The cart is empty")))
		return;
	ui_open(ui, &ui_screen_discount, NULL);
	/* xgettext:no-c-format */
	ui_ask(ui, _("Discount on the selected line: 10% or an amount; *10% for the whole sale; "
	    "0 removes"), 0, discount_entered, NULL);
}

/* ---- F8 void a line, F9 void the whole sale --------------------------------------------- */

static void
void_apply(struct ui *ui, const struct user *approver)
{
	struct sale_screen *ss = ui_data(ui);
	struct kerr err;

	if (sale_void_line(ss->sale, ss->sel, approver, &err) == -1) {
		ui_error(ui, &err);	/* also why a manager is asked: paid, or the discount left */
		if (sale_needs_approval(ss->sale) && approver == NULL)
			ui_need_approval(ui, RIGHT_VOID_PAID, void_apply);
		return;
	}
	ui_message(ui, false, _("Line voided"));
	ui_after_commit(ui);
}

static void
do_void(struct ui *ui)
{
	struct sale_screen *ss = ui_data(ui);

	if (ss->sale == NULL || sale_line_count(ss->sale) == 0) {
		ui_message(ui, true, _("The cart is empty"));
		return;
	}
	void_apply(ui, NULL);
}

static void
void_sale_apply(struct ui *ui, const struct user *approver)
{
	struct sale_screen *ss = ui_data(ui);
	struct kerr err;

	if (sale_void(ss->sale, approver, &err) == -1) {
		if (sale_needs_approval(ss->sale) && approver == NULL)
			ui_need_approval(ui, RIGHT_VOID_PAID, void_sale_apply);
		else
			ui_error(ui, &err);
		return;
	}
	ss->sel = 0;
	ss->top = 0;
	ss->input[0] = '\0';
	ui_message(ui, false, _("Sale voided"));
	ui_after_commit(ui);
}

static void
void_sale_confirmed(struct ui *ui, const char *answer)
{
	(void)answer;
	void_sale_apply(ui, NULL);
}

static void
do_void_sale(struct ui *ui)
{
	if (cart_empty(ui, _("The cart is empty")))
		return;
	ui_ask(ui, _("Void the whole sale? Enter voids it, Esc keeps it"), 0, void_sale_confirmed,
	    NULL);
}

/* ---- F5 park / recall ------------------------------------------------------------------- */

static void
do_park(struct ui *ui)
{
	struct sale_screen *ss = ui_data(ui);
	struct kerr err;

	if (ss->sale != NULL && sale_totals(ss->sale)->lines > 0) {
		if (sale_park(ss->sale, &err) == -1) {
			ui_error(ui, &err);
			return;
		}
		ss->sel = 0;
		ui_message(ui, false, _("Sale parked: F5 on an empty cart recalls it"));
		return;
	}
	ui_list_parked(ui);
}

/* ---- F6 return ------------------------------------------------------------------------- */

/* A return starts from an empty cart: the money of a sale in progress must not mix with it. */
static void
do_return(struct ui *ui)
{
	struct sale_screen *ss = ui_data(ui);

	if (ss->sale != NULL && sale_totals(ss->sale)->lines > 0) {
		ui_message(ui, true, _("A return starts from an empty cart: finish this sale (F10) "
		    "or park it (F5) first"));
		return;
	}
	ss->input[0] = '\0';
	ui_return_start(ui);
}

/* ---- F2 search -------------------------------------------------------------------------- */

static void
search_refresh(struct ui *ui, struct search *f)
{
	struct kerr err;

	f->nfound = catalog_search(ui->st, f->query, f->found, SEARCH_MAX, &err);
	if (f->nfound < 0) {
		f->nfound = 0;
		ui_error(ui, &err);
	}
	if (f->sel >= f->nfound)
		f->sel = f->nfound > 0 ? f->nfound - 1 : 0;
}

static void
do_search(struct ui *ui)
{
	ui_open(ui, &ui_screen_search, ui_data(ui));
}

static void
search_open(struct ui *ui, void *data, const void *arg)
{
	struct search *f = data;

	(void)ui;
	f->ss = (struct sale_screen *)arg;
}

static void
search_draw(struct ui *ui)
{
	struct search *f = ui_data(ui);
	char line[300], buf[48];

	draw_sale(ui, f->ss);
	for (int y = 2; y < LINES - 7; y++)
		mvhline(y, 0, ' ', COLS);
	snprintf(line, sizeof line, "%s: %s", _("Find by name"), f->query);
	attron(A_BOLD);
	ui_put(2, 1, COLS - 2, line, -1);
	attroff(A_BOLD);
	for (int i = 0; i < f->nfound && 4 + i < LINES - 7; i++) {
		const struct product *p = &f->found[i];

		if (i == f->sel)
			attron(A_REVERSE);
		mvhline(4 + i, 0, ' ', COLS);
		ui_put(4 + i, 2, COLS - 36, p->name, -1);
		ui_put(4 + i, COLS - 34, 16, p->barcode, -1);
		ui_put(4 + i, COLS - 17, 15, money_format(p->price, buf, sizeof buf), 1);
		attroff(A_REVERSE);
	}
	if (f->nfound == 0 && f->query[0] != '\0')
		ui_put(4, 2, COLS - 4, _("Nothing found"), -1);
	ui_draw_bottom(ui, _("Type a name"));
	move(2, 1 + ui_width(line) < COLS - 1 ? 1 + ui_width(line) : COLS - 1);
}

static void
search_pick(struct ui *ui)
{
	struct search *f = ui_data(ui);
	struct sale_screen *ss = f->ss;
	struct kerr err;
	int index = -1;

	if (f->nfound == 0) {
		beep();
		return;
	}
	if (ss->sale == NULL)
		reload(ui, ss);
	if (ss->sale == NULL)
		return;
	if (sale_add_product(ss->sale, &f->found[f->sel], QTY_ONE, &index, &err) == -1) {
		ui_error(ui, &err);
		return;
	}
	if (index >= 0)
		ss->sel = index;
	ui_after_commit(ui);
	ui_close(ui);
}

static bool
search_text(struct ui *ui, wint_t ch)
{
	struct search *f = ui_data(ui);

	if (!ui_line_edit(f->query, sizeof f->query, ch))
		return ch == UI_BACKSPACE;
	search_refresh(ui, f);
	return true;
}

static void
search_up(struct ui *ui)
{
	struct search *f = ui_data(ui);

	if (f->sel > 0)
		f->sel--;
}

static void
search_down(struct ui *ui)
{
	struct search *f = ui_data(ui);

	if (f->sel < f->nfound - 1)
		f->sel++;
}

/* ---- F10 pay ---------------------------------------------------------------------------- */

/* A tender's word in the list of payments, its name on the method line, its input label. */
static const char *
method_word(enum pay_method m)
{
	return m == PAY_CARD ? _("card") : m == PAY_CREDIT ? _("credit") : m == PAY_POINTS ?
	    _("points") : _("cash");
}

static const char *
method_title(enum pay_method m)
{
	return m == PAY_CARD ? _("CARD") : m == PAY_CREDIT ? _("CREDIT") : m == PAY_POINTS ?
	    _("POINTS") : _("CASH");
}

static const char *
method_prompt(enum pay_method m)
{
	return m == PAY_CARD ? _("Card:") : m == PAY_CREDIT ? _("Credit:") : m == PAY_POINTS ?
	    _("Points:") : _("Cash:");
}

static void
do_pay(struct ui *ui)
{
	if (cart_empty(ui, _("The cart is empty: scan something first")))
		return;
	ui_open(ui, &ui_screen_pay, ui_data(ui));
}

static void
pay_open(struct ui *ui, void *data, const void *arg)
{
	struct pay *p = data;

	(void)ui;
	p->ss = (struct sale_screen *)arg;
	p->method = PAY_CASH;
}

static void
pay_draw(struct ui *ui)
{
	struct pay *p = ui_data(ui);
	const struct sale_totals *t = sale_totals(p->ss->sale);
	char a[48], line[200];
	int y = 4;

	ui_draw_status(ui);
	attron(A_BOLD);
	ui_put(2, 0, COLS, _("PAYMENT"), 0);
	attroff(A_BOLD);
	snprintf(line, sizeof line, "%-12s %s", _("Total"), ui_money(t->total, a, sizeof a));
	ui_put(y++, 10, COLS - 20, line, -1);
	for (int i = 0; i < sale_payment_count(p->ss->sale); i++) {
		const struct sale_payment *x = sale_payment(p->ss->sale, i);

		snprintf(line, sizeof line, "  %-10s %s", method_word(x->method),
		    ui_money(x->amount, a, sizeof a));
		ui_put(y++, 10, COLS - 20, line, -1);
	}
	attron(A_BOLD);
	snprintf(line, sizeof line, "%-12s %s", _("Due"), ui_money(t->due, a, sizeof a));
	ui_put(y + 1, 10, COLS - 20, line, -1);
	attroff(A_BOLD);
	snprintf(line, sizeof line, "%s  [%s]  %s", _("Method:"), method_title(p->method),
	    _("(Tab switches)"));
	ui_put(y + 3, 10, COLS - 20, line, -1);
	ui_put(y + 5, 10, COLS - 20, _("Enter on an empty line pays the exact amount due."), -1);
	ui_customer_line(ui, p->ss->sale, y + 7);
	ui_draw_bottom(ui, NULL);
	draw_input(method_prompt(p->method), p->input);
}

static void tender(struct ui *ui);

/* A payment refused for a discount past the cashier's limit: the manager approved it. */
static void
tender_approved(struct ui *ui, const struct user *approver)
{
	struct pay *p = ui_data(ui);
	struct kerr err;

	if (sale_approve(p->ss->sale, approver, &err) == -1) {
		ui_error(ui, &err);
		return;
	}
	snprintf(p->input, sizeof p->input, "%s", p->retry);
	tender(ui);
}

static void
tender(struct ui *ui)
{
	struct pay *p = ui_data(ui);
	struct sale_screen *ss = p->ss;
	struct change c;
	struct kerr err;
	money_t amount = 0;
	bool done = false;

	if (p->input[0] != '\0' && money_parse(p->input, false, &amount, &err) == -1) {
		ui_error(ui, &err);
		return;
	}
	snprintf(p->retry, sizeof p->retry, "%s", p->input);
	p->input[0] = '\0';
	if (sale_pay(ss->sale, p->method, amount, &done, &err) == -1) {
		ui_error(ui, &err);
		if (sale_needs_approval(ss->sale))
			ui_need_approval(ui, RIGHT_DISCOUNT_BIG, tender_approved);
		return;
	}
	ui_after_commit(ui);
	if (!done)
		return;
	c.change = sale_totals(ss->sale)->change;
	c.total = sale_totals(ss->sale)->total;
	c.number = sale_number(ss->sale);
	ui->msg[0] = '\0';
	ui_close(ui);
	/* The next cart is ready under the change. */
	reload(ui, ss);
	ui_open(ui, &ui_screen_change, &c);
}

static bool
pay_text(struct ui *ui, wint_t ch)
{
	struct pay *p = ui_data(ui);

	if (ch != UI_BACKSPACE && !(ch >= L'0' && ch <= L'9') && ch != L'.' && ch != L' ')
		return false;
	return ui_line_edit(p->input, sizeof p->input, ch) || ch == UI_BACKSPACE;
}

/* Tab: cash -> card -> credit -> points -> cash (CONTRACT.md section 7); credit and points
 * only with a customer on the sale, so without one Tab keeps switching cash and card. */
static void
switch_method(struct ui *ui)
{
	struct pay *p = ui_data(ui);

	p->method = p->method == PAY_CASH ? PAY_CARD : p->method == PAY_CARD ? PAY_CREDIT :
	    p->method == PAY_CREDIT ? PAY_POINTS : PAY_CASH;
	if (p->method == PAY_CREDIT && sale_customer(p->ss->sale) <= 0)
		p->method = PAY_CASH;
}

/* ---- the change, large, until the next key ---------------------------------------------- */

static void
change_open(struct ui *ui, void *data, const void *arg)
{
	(void)ui;
	*(struct change *)data = *(const struct change *)arg;
}

static void
change_draw(struct ui *ui)
{
	struct change *c = ui_data(ui);
	char a[48], line[200], digits[48];
	int o = 0;

	ui_draw_status(ui);
	snprintf(line, sizeof line, _("Sale %lld completed. Total %s"), (long long)c->number,
	    ui_money(c->total, a, sizeof a));
	ui_put(3, 0, COLS, line, 0);
	attron(A_BOLD);
	ui_put(5, 0, COLS, _("CHANGE"), 0);
	money_format(c->change, a, sizeof a);
	for (const char *p = a; *p != '\0' && o < 40; p++) {
		if (*p != ' ')
			digits[o++] = *p;
	}
	digits[o] = '\0';
	ui_draw_big(7, (COLS - (int)strlen(digits) * 4) / 2, digits);
	snprintf(line, sizeof line, "%s", ui_money(c->change, a, sizeof a));
	ui_put(13, 0, COLS, line, 0);
	attroff(A_BOLD);
	ui_put(15, 0, COLS, _("Press any key for the next sale"), 0);
	ui_draw_bottom(ui, NULL);
	ui_display_show(ui, mix(mix(14695981039346656037u, -1), c->number), _("Change"),
	    c->change, c->total);
}

static void
next_sale(struct ui *ui)
{
	ui_close(ui);
}

/* Any key starts the next sale; a typed character is its first. */
static bool
change_other(struct ui *ui, int key, bool is_char)
{
	ui_close(ui);
	if (is_char && ui_top(ui) == &ui_screen_sale)
		sale_text(ui, (wint_t)key);
	return true;
}

static bool
change_text(struct ui *ui, wint_t ch)
{
	return change_other(ui, (int)ch, true);
}

/* ---- the tables ------------------------------------------------------------------------- */

static void
discount_draw(struct ui *ui)
{
	ui_draw_below(ui);
}

static void
open_menu(struct ui *ui)
{
	ui_open(ui, &ui_screen_menu, NULL);
}

/* In the order a cashier needs them: the bar shows the first ones that fit. */
static const struct ui_binding sale_keys[] = {
	{ KEY_F(10), N_("pay"), N_("pay"), do_pay },
	{ KEY_F(2), N_("find"), N_("search by name"), do_search },
	{ KEY_F(8), N_("void"), N_("void the selected line"), do_void },
	{ KEY_F(4), N_("disc"), N_("discount on the line, or *N% on the sale"), do_discount },
	/* Help before the rest: where a language's words leave no room for them, F1 lists them. */
	{ KEY_F(1), N_("help"), N_("help: all keys"), ui_show_help },
	{ KEY_F(5), N_("park"), N_("park the sale / recall a parked one"), do_park },
	{ KEY_F(12), N_("menu"), N_("menu: cash, reports, close shift, stock, customer, reprint"),
	    open_menu },
	{ KEY_F(7), N_("customer"), N_("find a customer (phone, name, card) and put them on "
	    "the sale"), ui_customer_find },
	{ KEY_F(9), N_("void sale"), N_("void the whole open sale (a manager's PIN once paid "
	    "in part)"), do_void_sale },
	{ KEY_F(6), N_("return"), N_("return goods against a receipt (an empty cart)"),
	    do_return },
	{ KEY_ENTER, NULL, N_("add the code typed"), add_input },
	{ UI_KEY_ESC, NULL, N_("clear the input line"), clear_input },
	{ KEY_UP, NULL, N_("select the line above"), line_up },
	{ KEY_DOWN, NULL, N_("select the line below"), line_down },
	{ KEY_PPAGE, NULL, N_("ten lines up"), page_up },
	{ KEY_NPAGE, NULL, N_("ten lines down"), page_down },
	{ 0, NULL, NULL, NULL }
};

static const struct ui_binding search_keys[] = {
	{ KEY_ENTER, N_("add"), N_("add one of the chosen product"), search_pick },
	{ UI_KEY_ESC, N_("back"), N_("back to the sale"), next_sale },
	{ KEY_F(1), N_("help"), N_("help"), ui_show_help },
	{ KEY_UP, NULL, N_("choose the one above"), search_up },
	{ KEY_DOWN, NULL, N_("choose the one below"), search_down },
	{ 0, NULL, NULL, NULL }
};

static const struct ui_binding pay_keys[] = {
	{ KEY_ENTER, N_("pay"), N_("tender the amount typed, or the exact due"), tender },
	{ UI_KEY_TAB, N_("method"), N_("next tender: cash, card, credit, points"),
	    switch_method },
	{ UI_KEY_ESC, N_("back"), N_("back to the sale (tenders stay)"), next_sale },
	{ KEY_F(1), N_("help"), N_("help"), ui_show_help },
	{ KEY_F(3), NULL, N_("next tender: cash, card, credit, points"), switch_method },
	{ KEY_F(7), NULL, N_("find a customer and put them on the sale"), ui_customer_find },
	{ 0, NULL, NULL, NULL }
};

static const struct ui_binding change_keys[] = {
	{ KEY_ENTER, N_("next sale"), N_("next sale"), next_sale },
	{ 0, NULL, NULL, NULL }
};

static const struct ui_binding no_keys[] = {
	{ 0, NULL, NULL, NULL }
};

const struct ui_screen ui_screen_sale = {
	.name = "sale", .size = sizeof(struct sale_screen), .open = sale_open,
	.close = sale_close, .draw = sale_draw, .text = sale_text, .bindings = sale_keys,
	.scans = true,
};
static const struct ui_screen ui_screen_search = {
	.name = "search", .size = sizeof(struct search), .open = search_open,
	.draw = search_draw, .text = search_text, .bindings = search_keys,
};
static const struct ui_screen ui_screen_pay = {
	.name = "pay", .size = sizeof(struct pay), .open = pay_open, .draw = pay_draw,
	.text = pay_text, .bindings = pay_keys,
};
static const struct ui_screen ui_screen_change = {
	.name = "change", .size = sizeof(struct change), .open = change_open,
	.draw = change_draw, .text = change_text, .other = change_other, .bindings = change_keys,
};
static const struct ui_screen ui_screen_discount = {
	.name = "discount", .size = sizeof(struct discount), .draw = discount_draw,
	.bindings = no_keys, .flow = true,
};
