/*
 * ui-customer.c: customers at the till (CONTRACT.md section 7). F7 on the sale screen (or the
 * menu's Customers row) opens the customer screen: type a phone (any part of it), a name or
 * scan a card, and the list follows as you type, with what each owes and their points; Enter
 * attaches the chosen one to the sale. From there F3 makes a new customer (name, phone, card),
 * F6 takes a repayment (the amount, then cash or card; its receipt prints), F5 shows the
 * history, F4 sets the credit limit (a manager's PIN) and F8 takes the customer off the sale.
 *
 * The screen keeps its own state here (struct ui is not widened for it): what was typed, what
 * was found, and the answers of its questions, kept for a manager's retry. ui_customer_line()
 * is the one line the sale and pay screens show for the attached customer. Every figure comes
 * from the core (customer_figures), which sums the events: nothing here keeps a balance.
 */
#include <curses.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "timestamp.h"
#include "journal.h"
#include "ui-int.h"

#define CUST_MAX 12

static struct {
	char query[128];
	struct customer found[CUST_MAX];
	struct customer_figures fig[CUST_MAX];
	int n, sel;
	/* the questions' answers */
	struct customer c;             /* the chosen customer (repayment, limit) */
	char name[256];
	char phone[32];
	money_t amount;
} cs;

/* ---- the line on the sale and pay screens ---------------------------------------------- */

/* What the line shows, read again only when the customer or the journal's head changed, or
 * after two seconds (the sync process may have brought the hub's figures): the screen redraws
 * on every key, and the figures are a sum over the customer's events. */
static struct {
	int64_t id, head;
	time_t at;
	struct customer c;
	struct customer_figures f;
} shown;

void
ui_customer_line(struct ui *ui, sale *s, int y)
{
	char line[400], a[48], b[48], hash[JOURNAL_HASH_HEX];
	struct kerr err;
	int64_t head = -1;

	if (s == NULL || sale_customer(s) <= 0)
		return;
	if (journal_head(ui->st, &head, hash, &err) == -1)
		head = -1;
	if (head < 0 || shown.id != sale_customer(s) || shown.head != head ||
	    time(NULL) - shown.at >= 2) {
		shown.id = 0;
		if (customer_get(ui->st, sale_customer(s), &shown.c, &err) == -1 ||
		    customer_figures(ui->st, shown.c.id, &shown.f, &err) == -1) {
			ui_put(y, 1, COLS - 2, err.msg, -1);
			return;
		}
		shown.id = sale_customer(s);
		shown.head = head;
		shown.at = time(NULL);
	}
	/* Spaces around it: it sits on the rule above the totals. */
	line[0] = ' ';
	snprintf(line + 1, sizeof line - 2, _("Customer: %s  owes %s  credit left %s  points %lld"),
	    shown.c.name, ui_money(shown.f.balance, a, sizeof a), money_format(shown.f.credit_left,
	    b, sizeof b), (long long)shown.f.points);
	strcat(line, " ");
	attron(A_BOLD);
	ui_put(y, 1, ui_width(line) < COLS - 2 ? ui_width(line) : COLS - 2, line, -1);
	attroff(A_BOLD);
}

/* ---- the customer screen ---------------------------------------------------------------- */

static void
cust_refresh(struct ui *ui)
{
	struct kerr err;

	cs.n = customer_search(ui->st, cs.query, cs.found, CUST_MAX, &err);
	if (cs.n < 0) {
		cs.n = 0;
		ui_error(ui, &err);
	}
	for (int i = 0; i < cs.n; i++) {
		if (customer_figures(ui->st, cs.found[i].id, &cs.fig[i], &err) == -1)
			memset(&cs.fig[i], 0, sizeof cs.fig[i]);
	}
	if (cs.sel >= cs.n)
		cs.sel = cs.n > 0 ? cs.n - 1 : 0;
}

void
ui_customer_find(struct ui *ui)
{
	memset(&cs, 0, sizeof cs);
	ui_show(ui, &ui_screen_customer);
}

void
ui_customer_menu(struct ui *ui)
{
	ui_customer_find(ui);
}

static void
cust_draw(struct ui *ui)
{
	char line[300], a[48], b[48];

	ui_draw_status(ui);
	attron(A_BOLD);
	ui_put(2, 0, COLS, _("CUSTOMERS"), 0);
	attroff(A_BOLD);
	snprintf(line, sizeof line, "%s: %s", _("Phone, name or card"), cs.query);
	ui_put(4, 1, COLS - 2, line, -1);
	attron(A_BOLD);
	ui_put(6, 3, COLS / 2 - 4, _("Name"), -1);
	ui_put(6, COLS / 2, 15, _("Phone"), -1);
	ui_put(6, COLS / 2 + 15, 14, _("Owes"), 1);
	ui_put(6, COLS / 2 + 30, COLS / 2 - 31, _("Points"), 1);
	attroff(A_BOLD);
	for (int i = 0; i < cs.n && 7 + i < LINES - 4; i++) {
		if (i == cs.sel)
			attron(A_REVERSE);
		mvhline(7 + i, 2, ' ', COLS - 4);
		ui_put(7 + i, 3, COLS / 2 - 4, cs.found[i].name, -1);
		ui_put(7 + i, COLS / 2, 15, cs.found[i].phone, -1);
		ui_put(7 + i, COLS / 2 + 15, 14, money_format(cs.fig[i].balance, a, sizeof a), 1);
		snprintf(b, sizeof b, "%lld", (long long)cs.fig[i].points);
		ui_put(7 + i, COLS / 2 + 30, COLS / 2 - 31, b, 1);
		attroff(A_REVERSE);
	}
	if (cs.n == 0 && cs.query[0] != '\0')
		ui_put(7, 3, COLS - 6, _("No customer found: F3 makes a new one"), -1);
	ui_customer_line(ui, ui->sale, LINES - 4);
	ui_draw_bottom(ui, _("Enter attach; F3 new, F6 repay, F5 history, F4 limit, F8 off; "
	    "Esc back"));
	move(4, 1 + ui_width(line) < COLS - 1 ? 1 + ui_width(line) : COLS - 1);
}

/* The chosen customer, or NULL (with a beep) when the list is empty. */
static const struct customer *
chosen(struct ui *ui)
{
	if (cs.n == 0) {
		beep();
		ui_message(ui, true, _("Find a customer first: type a phone, a name or scan a card"));
		return NULL;
	}
	return &cs.found[cs.sel];
}

static void
attach(struct ui *ui, const struct customer *c)
{
	struct kerr err;

	if (ui->sale == NULL)
		ui_sale_reload(ui);
	if (ui->sale == NULL)
		return;
	if (sale_set_customer(ui->sale, c->id, &err) == -1) {
		ui_error(ui, &err);
		return;
	}
	ui_after_commit(ui);
	ui_message(ui, false, _("Customer %s on this sale"), c->name);
}

static void
back_to_sale(struct ui *ui)
{
	ui_show(ui, &ui_screen_sale);
}

static void
cust_pick(struct ui *ui)
{
	const struct customer *c = chosen(ui);

	if (c == NULL)
		return;
	back_to_sale(ui);
	attach(ui, c);
}

static bool
cust_key(struct ui *ui, int key, bool is_char)
{
	char mb[MB_LEN_MAX + 1];
	size_t len = strlen(cs.query);
	int n;

	if (!is_char) {
		switch (key) {
		case KEY_UP: if (cs.sel > 0) cs.sel--; return true;
		case KEY_DOWN: if (cs.sel < cs.n - 1) cs.sel++; return true;
		case KEY_ENTER: cust_pick(ui); return true;
		case KEY_BACKSPACE: break;
		default: return false;
		}
	} else if (key == '\r' || key == '\n') {
		cust_pick(ui);
		return true;
	}
	if (!is_char || key == 127 || key == 8) {
		while (len > 0) {
			len--;
			if (((unsigned char)cs.query[len] & 0xc0) != 0x80)
				break;
		}
		cs.query[len] = '\0';
	} else if (key >= ' ') {
		n = wctomb(mb, (wchar_t)key);
		if (n <= 0 || len + (size_t)n + 1 > sizeof cs.query)
			return true;
		memcpy(cs.query + len, mb, (size_t)n);
		cs.query[len + (size_t)n] = '\0';
	} else {
		return false;
	}
	cust_refresh(ui);
	return true;
}

static void
cust_detach(struct ui *ui)
{
	struct kerr err;

	if (ui->sale == NULL || sale_customer(ui->sale) <= 0) {
		ui_message(ui, true, _("No customer is on this sale"));
		return;
	}
	if (sale_set_customer(ui->sale, 0, &err) == -1) {
		ui_error(ui, &err);
		return;
	}
	ui_after_commit(ui);
	ui_message(ui, false, _("The customer is off this sale"));
}

static int
history_row(void *ctx, const struct customer_move *m)
{
	struct ui *ui = ctx;
	char when[32], a[48], b[48];
	const char *what = strcmp(m->kind, "sale") == 0 ? _("sale") : strcmp(m->kind,
	    "return") == 0 ? _("return") : _("repayment");

	/* Local time, as people read it: "2026-12-03 13:24". */
	timestamp_local(m->at, when, sizeof when);
	if (strcmp(m->kind, "repayment") == 0)
		snprintf(a, sizeof a, "-%s", money_format(m->paid, b, sizeof b));
	else if (strcmp(m->kind, "return") == 0)
		snprintf(a, sizeof a, "-%s", money_format(m->credit, b, sizeof b));
	else
		money_format(m->credit, a, sizeof a);
	ui_text_add(ui, "%-16.16s %-9s %5lld %12s %12s %+6lld", when, what, (long long)m->number,
	    a, money_format(m->balance, b, sizeof b), (long long)m->points);
	return 0;
}

static void
cust_history(struct ui *ui)
{
	const struct customer *c = chosen(ui);
	struct customer_figures f;
	struct kerr err;
	char title[300], a[48], b[48];

	if (c == NULL)
		return;
	if (customer_figures(ui->st, c->id, &f, &err) == -1) {
		ui_error(ui, &err);
		return;
	}
	snprintf(title, sizeof title, "%s  %s", c->name, c->phone);
	ui_text_clear(ui, title);
	ui_text_add(ui, _("Owes %s, limit %s, %lld points"), ui_money(f.balance, a, sizeof a),
	    money_format(f.limit, b, sizeof b), (long long)f.points);
	if (f.owed_since[0] != '\0')
		ui_text_add(ui, _("Owes since %s"), timestamp_local(f.owed_since, a, sizeof a));
	if (f.hub_at[0] != '\0')
		ui_text_add(ui, _("The hub confirmed the balance at %s"), timestamp_local(f.hub_at, a,
		    sizeof a));
	ui_text_add(ui, "%s", "");
	ui_text_add(ui, "%-16s %-9s %5s %12s %12s %6s", _("When"), _("What"), _("No."),
	    _("Credit"), _("Owes after"), _("Points"));
	if (customer_history(ui->st, c->id, history_row, ui, &err) == -1)
		ui_error(ui, &err);
	ui->back = &ui_screen_customer;
	ui_show(ui, &ui_screen_text);
}

/* ---- F3: a new customer ----------------------------------------------------------------- */

static void
new_card(struct ui *ui, const char *text)
{
	struct customer c;
	struct kerr err;
	int64_t id;

	if (customer_add(ui->st, &ui->user, NULL, cs.name, cs.phone, text, 0, NULL, &id,
	    &err) == -1) {
		ui_error(ui, &err);
		return;
	}
	ui_after_commit(ui);
	if (customer_get(ui->st, id, &c, &err) == -1) {
		ui_error(ui, &err);
		return;
	}
	/* Made at the sale: the customer is the sale's. */
	back_to_sale(ui);
	attach(ui, &c);
}

static void
new_phone(struct ui *ui, const char *text)
{
	char norm[32];
	struct kerr err;

	if (text[0] != '\0' && customer_phone_norm(text, norm, sizeof norm, &err) == -1) {
		ui_error(ui, &err);
		return;
	}
	snprintf(cs.phone, sizeof cs.phone, "%s", text);
	ui_ask(ui, _("New customer: card number (scan it, or Enter for none)"), false, false,
	    new_card, NULL);
}

static void
new_name(struct ui *ui, const char *text)
{
	snprintf(cs.name, sizeof cs.name, "%s", text);
	ui_ask(ui, _("New customer: phone (Enter for none)"), false, false, new_phone, NULL);
}

static void
cust_new(struct ui *ui)
{
	ui_ask(ui, _("New customer: name"), false, false, new_name, NULL);
}

/* ---- F6: a repayment -------------------------------------------------------------------- */

static void
pay_method(struct ui *ui, const char *text)
{
	money_t before, after;
	char a[48], b[48], c[48];
	struct kerr err;
	const char *method;

	if (strcmp(text, "1") == 0 || text[0] == '\0')
		method = "cash";
	else if (strcmp(text, "2") == 0)
		method = "card";
	else {
		ui_message(ui, true, _("Type 1 for cash or 2 for card"));
		return;
	}
	if (customer_pay(ui->st, &ui->user, cs.c.id, method, cs.amount, &before, &after,
	    &err) == -1) {
		ui_error(ui, &err);
		return;
	}
	ui_after_commit(ui);
	cust_refresh(ui);
	ui_message(ui, false, _("%s paid %s: owed %s, now %s"), cs.c.name,
	    money_format(cs.amount, a, sizeof a), money_format(before, b, sizeof b),
	    ui_money(after, c, sizeof c));
}

static void
pay_amount(struct ui *ui, const char *text)
{
	struct kerr err;

	if (money_parse(text, false, &cs.amount, &err) == -1) {
		ui_error(ui, &err);
		return;
	}
	ui_ask(ui, _("Paid in cash (1, or Enter) or by card (2)?"), false, true, pay_method,
	    NULL);
}

static void
cust_pay(struct ui *ui)
{
	const struct customer *c = chosen(ui);
	struct customer_figures f;
	struct kerr err;
	char title[400], a[48];

	if (c == NULL)
		return;
	cs.c = *c;
	if (customer_figures(ui->st, c->id, &f, &err) == -1) {
		ui_error(ui, &err);
		return;
	}
	snprintf(title, sizeof title, _("Repayment from %s (owes %s): amount"), c->name,
	    ui_money(f.balance, a, sizeof a));
	ui_ask(ui, title, false, false, pay_amount, NULL);
}

/* ---- F4: the credit limit (a manager's) ------------------------------------------------- */

static void
limit_apply(struct ui *ui, const struct user *approver)
{
	struct kerr err;
	bool denied = false;
	char a[48];

	if (customer_set_limit(ui->st, &ui->user, approver, cs.c.id, cs.amount, &denied,
	    &err) == -1) {
		if (denied && approver == NULL)
			ui_need_approval(ui, RIGHT_CREDIT_LIMIT, limit_apply);
		else
			ui_error(ui, &err);
		return;
	}
	ui_after_commit(ui);
	ui_message(ui, false, _("%s may owe up to %s"), cs.c.name, ui_money(cs.amount, a,
	    sizeof a));
}

static void
limit_amount(struct ui *ui, const char *text)
{
	struct kerr err;

	if (money_parse(text, false, &cs.amount, &err) == -1) {
		ui_error(ui, &err);
		return;
	}
	limit_apply(ui, NULL);
}

static void
cust_limit(struct ui *ui)
{
	const struct customer *c = chosen(ui);
	char title[400], a[48];

	if (c == NULL)
		return;
	cs.c = *c;
	snprintf(title, sizeof title, _("Credit limit for %s (now %s)"), c->name,
	    ui_money(c->limit, a, sizeof a));
	ui_ask(ui, title, false, false, limit_amount, NULL);
}

static void
cust_help(struct ui *ui)
{
	ui_help_for(ui, &ui_screen_customer);
}

static const struct ui_binding cust_keys[] = {
	{ KEY_F(1), "F1", N_("help"), cust_help },
	{ '\n', "Enter", N_("put the chosen customer on the sale"), NULL },
	{ 27, "Esc", N_("back to the sale"), back_to_sale },
	{ KEY_F(3), "F3", N_("a new customer: name, phone, card"), cust_new },
	{ KEY_F(6), "F6", N_("a repayment of the chosen customer's credit"), cust_pay },
	{ KEY_F(5), "F5", N_("the chosen customer's sales, returns and repayments"),
	    cust_history },
	{ KEY_F(4), "F4", N_("set the credit limit (a manager's PIN)"), cust_limit },
	{ KEY_F(8), "F8", N_("take the customer off this sale"), cust_detach },
	{ KEY_UP, "Up/Down", N_("choose"), NULL },
	{ 0, NULL, NULL, NULL }
};

const struct ui_screen ui_screen_customer = {
	.name = "customer", .draw = cust_draw, .key = cust_key, .bindings = cust_keys,
};
