/*
 * ui-menu.c: the F12 menu (cash in/out, X report, close shift with the Z report, stock and
 * customer look-up, reprint, no-sale drawer, log out, quit, a return without a receipt) and
 * the pick list (parked sales, customers). A menu row closes the menu, then opens what it starts over the sale screen.
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "refund.h"
#include "ui-int.h"

#define LIST_MAX 12

static void
back(struct ui *ui)
{
	ui_close(ui);
}

static void
flow_draw(struct ui *ui)
{
	ui_draw_below(ui);
}

static const struct ui_binding no_keys[] = {
	{ 0, NULL, NULL, NULL }
};

/* The close-the-shift and other one-question flows keep nothing but their question. */
static const struct ui_screen ui_screen_question = {
	.name = "question", .draw = flow_draw, .bindings = no_keys, .flow = true,
};

/* ---- X report, close the shift ---------------------------------------------------------- */

static void
show_x(struct ui *ui)
{
	struct shift_report r;
	struct kerr err;

	ui_close(ui);
	if (shift_report_x(ui->st, &r, &err) == -1) {
		ui_error(ui, &err);
		return;
	}
	ui_report_text(ui, &r, _("X report (the shift so far)"));
}

static void
counted_entered(struct ui *ui, const char *text)
{
	struct shift_report z;
	struct kerr err;
	money_t counted;

	if (money_parse(text, false, &counted, &err) == -1 ||
	    shift_close(ui->st, &ui->user, counted, &z, &err) == -1) {
		ui_error(ui, &err);
		return;
	}
	ui_after_commit(ui);
	ui_close(ui);	/* the question */
	ui_report_text(ui, &z, _("Z report: the shift is closed"));
	/* The Z report was read: the shift is over, the next cashier logs in. */
	ui_text_logout_after(ui_data(ui));
}

static void
close_shift(struct ui *ui)
{
	ui_close(ui);
	ui_open(ui, &ui_screen_question, NULL);
	ui_ask(ui, _("Close the shift: count the cash in the drawer and type it"), 0,
	    counted_entered, NULL);
}

/* ---- cash in / out and no sale ---------------------------------------------------------- */

/* The cash in/out flow: the sign comes from the menu row, the amount and the reason from
 * the two questions, and all three stay here for a manager's retry. */
struct cash_flow {
	int sign;                      /* +1 in, -1 out */
	money_t amount;
	char reason[128];
};

static void
cash_open(struct ui *ui, void *data, const void *arg)
{
	(void)ui;
	((struct cash_flow *)data)->sign = *(const int *)arg;
}

static const struct ui_screen ui_screen_cash = {
	.name = "cash", .size = sizeof(struct cash_flow), .open = cash_open, .draw = flow_draw,
	.bindings = no_keys, .flow = true,
};

static void
cash_apply(struct ui *ui, const struct user *approver)
{
	struct cash_flow *c = ui_data(ui);
	struct kerr err;

	if (shift_cash_move(ui->st, &ui->user, approver, c->sign * c->amount, c->reason,
	    &err) == -1) {
		if (err.code == KERR_DENIED && approver == NULL)
			ui_need_approval(ui, RIGHT_CASH_MOVE, cash_apply);
		else
			ui_error(ui, &err);
		return;
	}
	ui_after_commit(ui);
	ui_message(ui, false, c->sign > 0 ? _("Cash in recorded") : _("Cash out recorded"));
}

static void
reason_entered(struct ui *ui, const char *text)
{
	struct cash_flow *c = ui_data(ui);

	snprintf(c->reason, sizeof c->reason, "%s", text);
	cash_apply(ui, NULL);
}

static void
amount_entered(struct ui *ui, const char *text)
{
	struct cash_flow *c = ui_data(ui);
	struct kerr err;

	if (money_parse(text, false, &c->amount, &err) == -1) {
		ui_error(ui, &err);
		return;
	}
	ui_ask(ui, _("Reason"), 0, reason_entered, NULL);
}

static void
cash_start(struct ui *ui, int sign)
{
	ui_close(ui);
	ui_open(ui, &ui_screen_cash, &sign);
	ui_ask(ui, sign > 0 ? _("Cash in: amount") : _("Cash out: amount"), 0, amount_entered,
	    NULL);
}

static void
cash_in(struct ui *ui)
{
	cash_start(ui, 1);
}

static void
cash_out(struct ui *ui)
{
	cash_start(ui, -1);
}

static void
no_sale_apply(struct ui *ui, const struct user *approver)
{
	struct kerr err;

	if (shift_no_sale(ui->st, &ui->user, approver, &err) == -1) {
		if (err.code == KERR_DENIED && approver == NULL)
			ui_need_approval(ui, RIGHT_NO_SALE, no_sale_apply);
		else
			ui_error(ui, &err);
		return;
	}
	ui_after_commit(ui);
	ui_message(ui, false, _("Drawer opened (no sale)"));
}

static void
no_sale(struct ui *ui)
{
	ui_close(ui);
	no_sale_apply(ui, NULL);
}

/* ---- stock, customers, reprint ---------------------------------------------------------- */

/* The stock screen (ui-stock.c): look-up, receiving, stock-take, adjustment, low stock. */
static void
stock_screen(struct ui *ui)
{
	ui_close(ui);
	ui_open(ui, &ui_screen_stock, NULL);
}

/* R<n>, as printed on a refund receipt and in its barcode: a copy of that refund receipt. */
static void
reprint_refund(struct ui *ui, const char *answer)
{
	struct kerr err;
	long long n;
	int64_t id;
	char *end;

	n = strtoll(answer + 1, &end, 10);
	id = answer[1] >= '0' && answer[1] <= '9' && *end == '\0' && n > 0 ?
	    refund_by_number(ui->st, n) : 0;
	if (id == 0) {
		ui_message(ui, true, _("No completed refund has number %s"), answer);
		return;
	}
	if (refund_reprint(ui->st, id, &err) == -1) {
		ui_error(ui, &err);
		return;
	}
	ui_after_commit(ui);
	ui_message(ui, false, _("A copy of refund receipt %s is queued for the printer"), answer);
}

static void
reprint_number(struct ui *ui, const char *answer)
{
	struct kerr err;
	int64_t id;
	char *end;

	if (answer[0] == 'R' || answer[0] == 'r') {
		reprint_refund(ui, answer);
		return;
	}
	if (answer[0] == '\0') {
		id = sale_last_completed(ui->st);
		if (id == 0) {
			ui_message(ui, true, _("No sale to reprint yet"));
			return;
		}
	} else {
		long long n = strtoll(answer, &end, 10);

		id = *end == '\0' && n > 0 ? sale_by_number(ui->st, n) : 0;
		if (id == 0) {
			ui_message(ui, true, _("No completed sale has receipt number %s"), answer);
			return;
		}
	}
	if (sale_reprint(ui->st, id, &err) == -1) {
		ui_error(ui, &err);
		return;
	}
	ui_after_commit(ui);
	if (answer[0] == '\0')
		ui_message(ui, false, _("A copy of the last receipt is queued for the printer"));
	else
		ui_message(ui, false, _("A copy of receipt %s is queued for the printer"), answer);
}

/* The number printed on the receipt, typed or scanned from its barcode; Enter alone: the last. */
static void
reprint(struct ui *ui)
{
	ui_close(ui);
	ui_open(ui, &ui_screen_question, NULL);
	ui_ask(ui, _("Reprint: receipt number, R and a number for a refund (or scan its "
	    "barcode), Enter for the last"), UI_ASK_SCAN, reprint_number, NULL);
}

static void
return_no_receipt(struct ui *ui)
{
	ui_close(ui);
	ui_return_no_receipt(ui);
}

static void
log_out(struct ui *ui)
{
	ui_logout(ui);
}

static void
quit(struct ui *ui)
{
	ui_close(ui);
	ui_quit_asked(ui);
}

/* ---- the day's report and the audit (ui-report.c) ---------------------------------------- */

static void
day_report(struct ui *ui)
{
	ui_close(ui);
	ui_open(ui, &ui_screen_report, NULL);
}

static void
audit_report(struct ui *ui)
{
	ui_close(ui);
	ui_open(ui, &ui_screen_report, "audit");
}

/* ---- the menu --------------------------------------------------------------------------- */

struct menu_item {
	const char *label;
	void (*run)(struct ui *ui);
};

static const struct menu_item menu_items[] = {
	{ N_("Cash in"), cash_in },
	{ N_("Cash out"), cash_out },
	{ N_("X report"), show_x },
	{ N_("Close the shift (Z report)"), close_shift },
	{ N_("Stock"), stock_screen },
	{ N_("Customers: find, new, repayment"), ui_customer_menu },
	{ N_("Reprint a receipt"), reprint },
	{ N_("Open the drawer (no sale)"), no_sale },
	{ N_("Log out"), log_out },
	{ N_("Quit the till (a manager's PIN)"), quit },
	/* Past the ten digits: picked with the arrows (the rows above keep their numbers). */
	{ N_("Day report"), day_report },
	{ N_("Audit (who did what today)"), audit_report },
	{ N_("Return without a receipt (a manager)"), return_no_receipt },
};
#define NMENU (int)(sizeof menu_items / sizeof menu_items[0])

struct menu {
	int sel;
};

static void
menu_draw(struct ui *ui)
{
	struct menu *m = ui_data(ui);
	char line[128];

	ui_draw_status(ui);
	attron(A_BOLD);
	ui_put(2, 0, COLS, _("MENU"), 0);
	attroff(A_BOLD);
	for (int i = 0; i < NMENU; i++) {
		if (i < 10)
			snprintf(line, sizeof line, "%d  %s", (i + 1) % 10, _(menu_items[i].label));
		else
			snprintf(line, sizeof line, "   %s", _(menu_items[i].label));
		if (i == m->sel)
			attron(A_REVERSE);
		mvhline(4 + i, COLS / 2 - 20, ' ', 40);
		ui_put(4 + i, COLS / 2 - 18, 36, line, -1);
		attroff(A_REVERSE);
	}
	ui_draw_bottom(ui, _("1-0: a row"));
}

static void
menu_up(struct ui *ui)
{
	struct menu *m = ui_data(ui);

	if (m->sel > 0)
		m->sel--;
}

static void
menu_down(struct ui *ui)
{
	struct menu *m = ui_data(ui);

	if (m->sel < NMENU - 1)
		m->sel++;
}

static void
menu_pick(struct ui *ui)
{
	struct menu *m = ui_data(ui);

	menu_items[m->sel].run(ui);
}

/* A row's number picks it. */
static bool
menu_text(struct ui *ui, wint_t ch)
{
	int i;

	if (ch < L'0' || ch > L'9')
		return false;
	i = ch == L'0' ? 9 : (int)(ch - L'1');
	if (i >= NMENU)
		return false;
	menu_items[i].run(ui);
	return true;
}

/* ---- the pick list: parked sales or customers ------------------------------------------- */

struct pick {
	bool parked;                   /* parked sales, else customers */
	struct sale_summary sales[LIST_MAX];
	struct customer customers[LIST_MAX];
	int n, sel;
};

static const struct ui_screen ui_screen_list;

void
ui_list_parked(struct ui *ui)
{
	struct sale_summary sales[LIST_MAX];
	struct kerr err;
	struct pick *l;
	int n;

	n = sale_parked_list(ui->st, sales, LIST_MAX, &err);
	if (n < 0) {
		ui_error(ui, &err);
		return;
	}
	if (n == 0) {
		ui_message(ui, true, _("No parked sales"));
		return;
	}
	l = ui_open(ui, &ui_screen_list, NULL);
	l->parked = true;
	memcpy(l->sales, sales, sizeof sales);
	l->n = n;
}

void
ui_list_customers(struct ui *ui, const char *query)
{
	struct customer found[LIST_MAX];
	struct kerr err;
	struct pick *l;
	int n;

	n = customer_search(ui->st, query, found, LIST_MAX, &err);
	if (n <= 0) {
		if (n == 0)
			ui_message(ui, true, _("No customer found for '%s'"), query);
		else
			ui_error(ui, &err);
		return;
	}
	l = ui_open(ui, &ui_screen_list, NULL);
	memcpy(l->customers, found, sizeof found);
	l->n = n;
}

static void
list_draw(struct ui *ui)
{
	struct pick *l = ui_data(ui);
	char line[300], a[48], when[32];

	ui_draw_status(ui);
	attron(A_BOLD);
	ui_put(2, 0, COLS, l->parked ? _("PARKED SALES") : _("CUSTOMERS"), 0);
	attroff(A_BOLD);
	for (int i = 0; i < l->n; i++) {
		if (l->parked)
			snprintf(line, sizeof line, "%-17s %-16s %3d %s %s",
			    ui_local_time(l->sales[i].updated_at, when, sizeof when),
			    l->sales[i].user, l->sales[i].lines, _("lines"),
			    ui_money(l->sales[i].total, a, sizeof a));
		else
			snprintf(line, sizeof line, "%-30s %-16s %s", l->customers[i].name,
			    l->customers[i].phone, l->customers[i].card);
		if (i == l->sel)
			attron(A_REVERSE);
		mvhline(4 + i, 2, ' ', COLS - 4);
		ui_put(4 + i, 3, COLS - 6, line, -1);
		attroff(A_REVERSE);
	}
	ui_draw_bottom(ui, NULL);
}

static void
list_pick(struct ui *ui)
{
	struct pick *l = ui_data(ui);
	sale *s = ui_sale(ui);
	struct kerr err;

	if (s == NULL)
		return;
	if (l->parked) {
		if (sale_recall(s, l->sales[l->sel].id, &err) == -1) {
			ui_error(ui, &err);
			return;
		}
		ui_message(ui, false, _("Sale recalled"));
	} else {
		if (sale_set_customer(s, l->customers[l->sel].id, &err) == -1) {
			ui_error(ui, &err);
			return;
		}
		ui_message(ui, false, _("Customer %s on this sale"), l->customers[l->sel].name);
	}
	ui_after_commit(ui);
	ui_close(ui);
	ui_sale_select_last(ui);
}

static void
list_up(struct ui *ui)
{
	struct pick *l = ui_data(ui);

	if (l->sel > 0)
		l->sel--;
}

static void
list_down(struct ui *ui)
{
	struct pick *l = ui_data(ui);

	if (l->sel < l->n - 1)
		l->sel++;
}

static const struct ui_binding menu_keys[] = {
	{ KEY_ENTER, N_("choose"), N_("run the chosen row"), menu_pick },
	{ UI_KEY_ESC, N_("back"), N_("back"), back },
	{ KEY_UP, NULL, N_("the row above"), menu_up },
	{ KEY_DOWN, NULL, N_("the row below"), menu_down },
	{ KEY_F(12), NULL, N_("back"), back },
	{ 0, NULL, NULL, NULL }
};

static const struct ui_binding list_keys[] = {
	{ KEY_ENTER, N_("choose"), N_("take the chosen row"), list_pick },
	{ UI_KEY_ESC, N_("back"), N_("back"), back },
	{ KEY_UP, NULL, N_("the row above"), list_up },
	{ KEY_DOWN, NULL, N_("the row below"), list_down },
	{ 0, NULL, NULL, NULL }
};

const struct ui_screen ui_screen_menu = {
	.name = "menu", .size = sizeof(struct menu), .draw = menu_draw, .text = menu_text,
	.bindings = menu_keys,
};
static const struct ui_screen ui_screen_list = {
	.name = "list", .size = sizeof(struct pick), .draw = list_draw, .bindings = list_keys,
};
