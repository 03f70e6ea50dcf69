/*
 * ui-customer.c: customers at the till (CONTRACT.md section 7). F7 on the sale screen (or the
 * menu's Customers row) opens the customer screen: type a phone (any part of it), a name or
 * scan a card, and the list follows as you type, with what each owes and their points; Enter
 * attaches the chosen one to the sale. From there F3 makes a new customer (name, phone, card),
 * F6 takes a repayment (the amount, then cash or card; its receipt prints), F5 shows the
 * history, F4 sets the credit limit (a manager's PIN) and F8 takes the customer off the sale.
 *
 * ui_customer_line() is the one line the sale and pay screens show for the attached customer:
 * who, what they owe, the credit left and their points. Every figure comes from the core
 * (customer_figures), which sums the events: nothing here keeps a balance.
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "journal.h"
#include "ui-int.h"

#define CUST_MAX 12

struct cust_screen {
	char query[128];
	struct customer found[CUST_MAX];
	struct customer_figures fig[CUST_MAX];
	int n, sel;
};

/* The new-customer and repayment and limit flows: their answers, kept for a retry. */
struct cust_flow {
	struct customer c;             /* the chosen customer (repayment, limit) */
	char name[256];
	char phone[32];
	char card[48];
	money_t amount;
	bool attach;                   /* attach the new customer to the sale */
};

static const struct ui_screen ui_screen_cust_new, ui_screen_cust_pay, ui_screen_cust_limit;

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
cust_refresh(struct ui *ui, struct cust_screen *cs)
{
	struct kerr err;

	cs->n = customer_search(ui->st, cs->query, cs->found, CUST_MAX, &err);
	if (cs->n < 0) {
		cs->n = 0;
		ui_error(ui, &err);
	}
	for (int i = 0; i < cs->n; i++) {
		if (customer_figures(ui->st, cs->found[i].id, &cs->fig[i], &err) == -1)
			memset(&cs->fig[i], 0, sizeof cs->fig[i]);
	}
	if (cs->sel >= cs->n)
		cs->sel = cs->n > 0 ? cs->n - 1 : 0;
}

void
ui_customer_find(struct ui *ui)
{
	ui_open(ui, &ui_screen_customer, NULL);
}

static void
cust_resume(struct ui *ui)
{
	cust_refresh(ui, ui_data(ui));
}

static void
cust_draw(struct ui *ui)
{
	struct cust_screen *cs = ui_data(ui);
	char line[300], a[48], b[48];
	sale *s = ui_sale(ui);

	ui_draw_status(ui);
	for (int y = 1; y < LINES - 2; y++)
		mvhline(y, 0, ' ', COLS);
	attron(A_BOLD);
	ui_put(2, 0, COLS, _("CUSTOMERS"), 0);
	attroff(A_BOLD);
	snprintf(line, sizeof line, "%s: %s", _("Phone, name or card"), cs->query);
	ui_put(4, 1, COLS - 2, line, -1);
	attron(A_BOLD);
	ui_put(6, 3, COLS / 2 - 4, _("Name"), -1);
	ui_put(6, COLS / 2, 15, _("Phone"), -1);
	ui_put(6, COLS / 2 + 15, 14, _("Owes"), 1);
	ui_put(6, COLS / 2 + 30, COLS / 2 - 31, _("Points"), 1);
	attroff(A_BOLD);
	for (int i = 0; i < cs->n && 7 + i < LINES - 4; i++) {
		if (i == cs->sel)
			attron(A_REVERSE);
		mvhline(7 + i, 2, ' ', COLS - 4);
		ui_put(7 + i, 3, COLS / 2 - 4, cs->found[i].name, -1);
		ui_put(7 + i, COLS / 2, 15, cs->found[i].phone, -1);
		ui_put(7 + i, COLS / 2 + 15, 14, money_format(cs->fig[i].balance, a, sizeof a), 1);
		snprintf(b, sizeof b, "%lld", (long long)cs->fig[i].points);
		ui_put(7 + i, COLS / 2 + 30, COLS / 2 - 31, b, 1);
		attroff(A_REVERSE);
	}
	if (cs->n == 0 && cs->query[0] != '\0')
		ui_put(7, 3, COLS - 6, _("No customer found: F3 makes a new one"), -1);
	ui_customer_line(ui, s, LINES - 4);
	ui_draw_bottom(ui, NULL);
	move(4, 1 + ui_width(line) < COLS - 1 ? 1 + ui_width(line) : COLS - 1);
}

static bool
cust_text(struct ui *ui, wint_t ch)
{
	struct cust_screen *cs = ui_data(ui);

	if (!ui_line_edit(cs->query, sizeof cs->query, ch))
		return ch == UI_BACKSPACE;
	cust_refresh(ui, cs);
	return true;
}

static void
cust_up(struct ui *ui)
{
	struct cust_screen *cs = ui_data(ui);

	if (cs->sel > 0)
		cs->sel--;
}

static void
cust_down(struct ui *ui)
{
	struct cust_screen *cs = ui_data(ui);

	if (cs->sel < cs->n - 1)
		cs->sel++;
}

/* The chosen customer, or NULL (with a beep) when the list is empty. */
static const struct customer *
chosen(struct ui *ui)
{
	struct cust_screen *cs = ui_data(ui);

	if (cs->n == 0) {
		beep();
		ui_message(ui, true, _("Find a customer first: type a phone, a name or scan a card"));
		return NULL;
	}
	return &cs->found[cs->sel];
}

static void
attach(struct ui *ui, const struct customer *c)
{
	sale *s = ui_sale(ui);
	struct kerr err;

	if (s == NULL)
		return;
	if (sale_set_customer(s, c->id, &err) == -1) {
		ui_error(ui, &err);
		return;
	}
	ui_after_commit(ui);
	ui_message(ui, false, _("Customer %s on this sale"), c->name);
}

static void
cust_pick(struct ui *ui)
{
	const struct customer *c = chosen(ui);
	struct customer copy;

	if (c == NULL)
		return;
	copy = *c;
	ui_close(ui);
	attach(ui, &copy);
}

static void
cust_detach(struct ui *ui)
{
	sale *s = ui_sale(ui);
	struct kerr err;

	if (s == NULL || sale_customer(s) <= 0) {
		ui_message(ui, true, _("No customer is on this sale"));
		return;
	}
	if (sale_set_customer(s, 0, &err) == -1) {
		ui_error(ui, &err);
		return;
	}
	ui_after_commit(ui);
	ui_message(ui, false, _("The customer is off this sale"));
}

static int
history_row(void *ctx, const struct customer_move *m)
{
	struct ui_text *t = ctx;
	char when[32], a[48], b[48];
	const char *what = strcmp(m->kind, "sale") == 0 ? _("sale") : strcmp(m->kind,
	    "return") == 0 ? _("return") : _("repayment");

	ui_local_time(m->at, when, sizeof when);
	if (strcmp(m->kind, "repayment") == 0)
		snprintf(a, sizeof a, "-%s", money_format(m->paid, b, sizeof b));
	else if (strcmp(m->kind, "return") == 0)
		snprintf(a, sizeof a, "-%s", money_format(m->credit, b, sizeof b));
	else
		money_format(m->credit, a, sizeof a);
	ui_text_add(t, "%-16s %-9s %5lld %12s %12s %+6lld", when, what, (long long)m->number,
	    a, money_format(m->balance, b, sizeof b), (long long)m->points);
	return 0;
}

static void
cust_history(struct ui *ui)
{
	const struct customer *c = chosen(ui);
	struct customer_figures f;
	struct customer copy;
	struct ui_text *t;
	struct kerr err;
	char title[300], a[48], b[48];

	if (c == NULL)
		return;
	copy = *c;
	if (customer_figures(ui->st, copy.id, &f, &err) == -1) {
		ui_error(ui, &err);
		return;
	}
	snprintf(title, sizeof title, "%s  %s", copy.name, copy.phone);
	t = ui_text_open(ui, title);
	ui_text_add(t, _("Owes %s, limit %s, %lld points"), ui_money(f.balance, a, sizeof a),
	    money_format(f.limit, b, sizeof b), (long long)f.points);
	if (f.owed_since[0] != '\0')
		ui_text_add(t, _("Owes since %s"), ui_local_time(f.owed_since, a, sizeof a));
	if (f.hub_at[0] != '\0')
		ui_text_add(t, _("The hub confirmed the balance at %s"), ui_local_time(f.hub_at, a,
		    sizeof a));
	ui_text_add(t, "%s", "");
	ui_text_add(t, "%-16s %-9s %5s %12s %12s %6s", _("When"), _("What"), _("No."),
	    _("Credit"), _("Owes after"), _("Points"));
	if (customer_history(ui->st, copy.id, history_row, t, &err) == -1)
		ui_error(ui, &err);
}

/* ---- F3: a new customer ----------------------------------------------------------------- */

static void
flow_draw(struct ui *ui)
{
	ui_draw_below(ui);
}

static void
new_card(struct ui *ui, const char *text)
{
	struct cust_flow *fl = ui_data(ui);
	struct customer c;
	struct kerr err;
	int64_t id;

	snprintf(fl->card, sizeof fl->card, "%s", text);
	if (customer_add(ui->st, &ui->user, NULL, fl->name, fl->phone, fl->card, 0, NULL, &id,
	    &err) == -1) {
		ui_error(ui, &err);
		return;
	}
	ui_after_commit(ui);
	if (customer_get(ui->st, id, &c, &err) == -1) {
		ui_error(ui, &err);
		return;
	}
	ui_message(ui, false, _("Customer %s added"), c.name);
	/* Made at the sale: the customer is the sale's. */
	if (fl->attach)
		attach(ui, &c);
}

static void
new_phone(struct ui *ui, const char *text)
{
	struct cust_flow *fl = ui_data(ui);
	char norm[32];
	struct kerr err;

	if (text[0] != '\0' && customer_phone_norm(text, norm, sizeof norm, &err) == -1) {
		ui_error(ui, &err);
		return;
	}
	snprintf(fl->phone, sizeof fl->phone, "%s", text);
	ui_ask(ui, _("New customer: card number (scan it, or Enter for none)"), UI_ASK_SCAN,
	    new_card, NULL);
}

static void
new_name(struct ui *ui, const char *text)
{
	struct cust_flow *fl = ui_data(ui);

	snprintf(fl->name, sizeof fl->name, "%s", text);
	ui_ask(ui, _("New customer: phone (Enter for none)"), 0, new_phone, NULL);
}

static void
new_open(struct ui *ui, void *data, const void *arg)
{
	struct cust_flow *fl = data;

	(void)ui;
	fl->attach = arg != NULL;
}

static void
cust_new(struct ui *ui)
{
	struct cust_screen *cs = ui_data(ui);
	bool attach_it = ui_sale(ui) != NULL;
	char typed[128];

	/* What was typed to find them is where the name starts. */
	snprintf(typed, sizeof typed, "%s", cs->query);
	ui_close(ui);
	ui_open(ui, &ui_screen_cust_new, attach_it ? "" : NULL);
	ui_ask(ui, _("New customer: name"), 0, new_name, NULL);
	if (typed[0] != '\0' && !(typed[0] >= '0' && typed[0] <= '9') && typed[0] != '+')
		snprintf(ui->prompt.buf, sizeof ui->prompt.buf, "%s", typed);
}

/* ---- F6: a repayment -------------------------------------------------------------------- */

static void
pay_method(struct ui *ui, const char *text)
{
	struct cust_flow *fl = ui_data(ui);
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
	if (customer_pay(ui->st, &ui->user, fl->c.id, method, fl->amount, &before, &after,
	    &err) == -1) {
		ui_error(ui, &err);
		return;
	}
	ui_after_commit(ui);
	ui_message(ui, false, _("%s paid %s: owed %s, now %s"), fl->c.name,
	    money_format(fl->amount, a, sizeof a), money_format(before, b, sizeof b),
	    ui_money(after, c, sizeof c));
}

static void
pay_amount(struct ui *ui, const char *text)
{
	struct cust_flow *fl = ui_data(ui);
	struct kerr err;

	if (money_parse(text, false, &fl->amount, &err) == -1) {
		ui_error(ui, &err);
		return;
	}
	ui_ask(ui, _("Paid in cash (1, or Enter) or by card (2)?"), UI_ASK_DIGITS, pay_method,
	    NULL);
}

static void
flow_open(struct ui *ui, void *data, const void *arg)
{
	(void)ui;
	((struct cust_flow *)data)->c = *(const struct customer *)arg;
}

static void
cust_pay(struct ui *ui)
{
	const struct customer *c = chosen(ui);
	struct customer_figures f;
	struct customer copy;
	struct kerr err;
	char title[400], a[48];

	if (c == NULL)
		return;
	copy = *c;
	if (customer_figures(ui->st, copy.id, &f, &err) == -1) {
		ui_error(ui, &err);
		return;
	}
	ui_close(ui);
	ui_open(ui, &ui_screen_cust_pay, &copy);
	snprintf(title, sizeof title, _("Repayment from %s (owes %s): amount"), copy.name,
	    ui_money(f.balance, a, sizeof a));
	ui_ask(ui, title, 0, pay_amount, NULL);
}

/* The menu's row: the customer screen, to find who pays (F6) or anything else. */
void
ui_customer_menu(struct ui *ui)
{
	ui_close(ui);
	ui_customer_find(ui);
}

/* ---- F4: the credit limit (a manager's) ------------------------------------------------- */

static void
limit_apply(struct ui *ui, const struct user *approver)
{
	struct cust_flow *fl = ui_data(ui);
	struct kerr err;
	bool denied = false;
	char a[48];

	if (customer_set_limit(ui->st, &ui->user, approver, fl->c.id, fl->amount, &denied,
	    &err) == -1) {
		if (denied && approver == NULL)
			ui_need_approval(ui, RIGHT_CREDIT_LIMIT, limit_apply);
		else
			ui_error(ui, &err);
		return;
	}
	ui_after_commit(ui);
	ui_message(ui, false, _("%s may owe up to %s"), fl->c.name, ui_money(fl->amount, a,
	    sizeof a));
}

static void
limit_amount(struct ui *ui, const char *text)
{
	struct cust_flow *fl = ui_data(ui);
	struct kerr err;

	if (money_parse(text, false, &fl->amount, &err) == -1) {
		ui_error(ui, &err);
		return;
	}
	limit_apply(ui, NULL);
}

static void
cust_limit(struct ui *ui)
{
	const struct customer *c = chosen(ui);
	struct customer copy;
	char title[400], a[48];

	if (c == NULL)
		return;
	copy = *c;
	ui_close(ui);
	ui_open(ui, &ui_screen_cust_limit, &copy);
	snprintf(title, sizeof title, _("Credit limit for %s (now %s)"), copy.name,
	    ui_money(copy.limit, a, sizeof a));
	ui_ask(ui, title, 0, limit_amount, NULL);
}

static void
back(struct ui *ui)
{
	ui_close(ui);
}

/* In the order a cashier needs them: the bar shows the first ones that fit. */
static const struct ui_binding cust_keys[] = {
	{ KEY_ENTER, N_("attach"), N_("put the chosen customer on the sale"), cust_pick },
	{ UI_KEY_ESC, N_("back"), N_("back to the sale"), back },
	{ KEY_F(3), N_("new"), N_("a new customer: name, phone, card"), cust_new },
	{ KEY_F(6), N_("repay"), N_("a repayment of the chosen customer's credit"), cust_pay },
	{ KEY_F(5), N_("history"), N_("the chosen customer's sales, returns and repayments"),
	    cust_history },
	{ KEY_F(1), N_("help"), N_("help"), ui_show_help },
	{ KEY_F(4), N_("limit"), N_("set the credit limit (a manager's PIN)"), cust_limit },
	{ KEY_F(8), N_("off"), N_("take the customer off this sale"), cust_detach },
	{ KEY_UP, NULL, N_("choose the one above"), cust_up },
	{ KEY_DOWN, NULL, N_("choose the one below"), cust_down },
	{ 0, NULL, NULL, NULL }
};

static const struct ui_binding no_keys[] = {
	{ 0, NULL, NULL, NULL }
};

const struct ui_screen ui_screen_customer = {
	.name = "customer", .size = sizeof(struct cust_screen), .resume = cust_resume,
	.draw = cust_draw, .text = cust_text, .bindings = cust_keys,
};
static const struct ui_screen ui_screen_cust_new = {
	.name = "customer-new", .size = sizeof(struct cust_flow), .open = new_open,
	.draw = flow_draw, .bindings = no_keys, .flow = true,
};
static const struct ui_screen ui_screen_cust_pay = {
	.name = "customer-pay", .size = sizeof(struct cust_flow), .open = flow_open,
	.draw = flow_draw, .bindings = no_keys, .flow = true,
};
static const struct ui_screen ui_screen_cust_limit = {
	.name = "customer-limit", .size = sizeof(struct cust_flow), .open = flow_open,
	.draw = flow_draw, .bindings = no_keys, .flow = true,
};
