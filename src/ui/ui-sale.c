/*
 * ui-sale.c: the sale screen (cart, totals, input line), F2 search as you type, and F10 pay
 * with the change shown large. Every action is one core call; the core stores the cart on each
 * change, so nothing here keeps state that a crash could lose.
 */
#include <curses.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui-int.h"

void
ui_sale_reload(struct ui *ui)
{
	struct kerr err;

	sale_free(ui->sale);
	ui->sale = sale_current(ui->st, &ui->user, &err);
	if (ui->sale == NULL) {
		ui_error(ui, &err);
		return;
	}
	ui->sel = sale_line_count(ui->sale) - 1;
	if (ui->sel < 0)
		ui->sel = 0;
	ui->top = 0;
}

/* ---- the cart --------------------------------------------------------------------------- */

static void
draw_cart(struct ui *ui)
{
	const int rows = LINES - 9, wname = COLS - 46;
	char buf[64], line[600];
	int n = ui->sale != NULL ? sale_line_count(ui->sale) : 0;

	attron(A_BOLD);
	mvprintw(1, 0, "%3s ", "#");
	ui_put(1, 4, wname, _("Name"), -1);
	ui_put(1, 4 + wname, 10, _("Qty"), 1);
	ui_put(1, 16 + wname, 13, _("Price"), 1);
	ui_put(1, 31 + wname, 14, _("Total"), 1);
	attroff(A_BOLD);
	if (ui->sel < ui->top)
		ui->top = ui->sel;
	if (ui->sel >= ui->top + rows)
		ui->top = ui->sel - rows + 1;
	for (int i = ui->top, y = 2; i < n && y < 2 + rows; i++, y++) {
		const struct sale_line *l = sale_line(ui->sale, i);

		if (i == ui->sel)
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
draw_totals(struct ui *ui)
{
	const struct sale_totals *t;
	char a[48], b[48], c[48], line[200];
	int y = LINES - 7;

	/* ASCII on monochrome terminals (vt100): their line drawing is not always there. */
	mvhline(y, 0, has_colors() ? ACS_HLINE : '-', COLS);
	if (ui->sale == NULL)
		return;
	t = sale_totals(ui->sale);
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
draw_input(struct ui *ui, const char *label)
{
	char line[200];

	snprintf(line, sizeof line, "%s %s", label, ui->input);
	mvhline(LINES - 2, 0, ' ', COLS);
	ui_put(LINES - 2, 0, COLS - 1, line, -1);
	move(LINES - 2, ui_width(line) < COLS - 1 ? ui_width(line) : COLS - 1);
}

static void
sale_draw(struct ui *ui)
{
	char a[48], line[200];

	ui_draw_status(ui);
	if (ui->completed) {
		/* The sale is done: the change, large, until the next key. */
		snprintf(line, sizeof line, _("Sale %lld completed. Total %s"),
		    (long long)ui->last_number, ui_money(ui->last_total, a, sizeof a));
		ui_put(3, 0, COLS, line, 0);
		attron(A_BOLD);
		ui_put(5, 0, COLS, _("CHANGE"), 0);
		money_format(ui->last_change, a, sizeof a);
		{
			char digits[48];
			int o = 0;

			for (const char *p = a; *p != '\0' && o < 40; p++) {
				if (*p != ' ')
					digits[o++] = *p;
			}
			digits[o] = '\0';
			ui_draw_big(7, (COLS - (int)strlen(digits) * 4) / 2, digits);
		}
		snprintf(line, sizeof line, "%s", ui_money(ui->last_change, a, sizeof a));
		ui_put(13, 0, COLS, line, 0);
		attroff(A_BOLD);
		ui_put(15, 0, COLS, _("Press any key for the next sale"), 0);
		ui_draw_bottom(ui, "");
		return;
	}
	draw_cart(ui);
	draw_totals(ui);
	/* On the rule above the totals: who the sale is for (ui-customer.c). */
	ui_customer_line(ui, ui->sale, LINES - 7);
	ui_draw_bottom(ui, _("F1 help F2 find F4 disc F5 park F8 void F10 pay F12 menu"));
	draw_input(ui, ">");
}

static void
add_input(struct ui *ui)
{
	struct kerr err;
	int index = -1;

	if (ui->input[0] == '\0')
		return;
	if (ui->sale == NULL) {
		ui_sale_reload(ui);
		if (ui->sale == NULL)
			return;
	}
	if (sale_add_input(ui->sale, &ui->cfg->weight, ui->input, &index, &err) == -1) {
		/* An unknown code beeps and says so; the cart is unchanged. */
		ui_error(ui, &err);
		ui->input[0] = '\0';
		return;
	}
	ui->input[0] = '\0';
	if (index >= 0)
		ui->sel = index;
	ui_after_commit(ui);
}

/* Appends a UTF-8 encoded character to ui->input. */
static void
input_add(char *buf, size_t size, int ch)
{
	char mb[MB_LEN_MAX + 1];
	size_t len = strlen(buf);
	int n = wctomb(mb, (wchar_t)ch);

	if (n <= 0 || len + (size_t)n + 1 > size)
		return;
	memcpy(buf + len, mb, (size_t)n);
	buf[len + (size_t)n] = '\0';
}

/* Removes the last UTF-8 character. */
static void
input_backspace(char *buf)
{
	size_t len = strlen(buf);

	while (len > 0) {
		len--;
		if (((unsigned char)buf[len] & 0xc0) != 0x80)
			break;
	}
	buf[len] = '\0';
}

static bool
sale_key(struct ui *ui, int key, bool is_char)
{
	int n = ui->sale != NULL ? sale_line_count(ui->sale) : 0;

	if (ui->completed) {
		/* Any key starts the next sale; a typed character is its first. */
		ui->completed = false;
		ui_sale_reload(ui);
		if (!is_char || key == '\r' || key == '\n' || key == 27)
			return true;
	}
	if (!is_char) {
		switch (key) {
		case KEY_UP: if (ui->sel > 0) ui->sel--; return true;
		case KEY_DOWN: if (ui->sel < n - 1) ui->sel++; return true;
		case KEY_PPAGE: ui->sel = ui->sel > 10 ? ui->sel - 10 : 0; return true;
		case KEY_NPAGE: ui->sel = ui->sel + 10 < n ? ui->sel + 10 : n - 1; return true;
		case KEY_BACKSPACE: input_backspace(ui->input); return true;
		case KEY_ENTER: add_input(ui); return true;
		default: return false;
		}
	}
	if (key == '\r' || key == '\n')
		add_input(ui);
	else if (key == 127 || key == 8)
		input_backspace(ui->input);
	else if (key == 27)
		ui->input[0] = '\0';
	else if (key >= ' ')
		input_add(ui->input, sizeof ui->input, key);
	else
		return false;
	return true;
}

/* ---- F4 discount ------------------------------------------------------------------------ */

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
	const char *text = ui->pending;
	bool cart = text[0] == '*';
	enum disc_kind kind;
	int64_t value;
	struct kerr err;
	int rc;

	if (parse_discount(cart ? text + 1 : text, &kind, &value, &err) == -1) {
		ui_error(ui, &err);
		return;
	}
	if (cart)
		rc = sale_discount_cart(ui->sale, kind, value, approver, &err);
	else
		rc = sale_discount_line(ui->sale, ui->sel, kind, value, approver, &err);
	if (rc == -1) {
		if (sale_needs_approval(ui->sale) && approver == NULL)
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
	snprintf(ui->pending, sizeof ui->pending, "%s", text);
	discount_apply(ui, NULL);
}

static void
do_discount(struct ui *ui)
{
	if (ui->sale == NULL || sale_totals(ui->sale)->lines == 0) {
		ui_message(ui, true, _("The cart is empty"));
		return;
	}
	/* xgettext:no-c-format */
	ui_ask(ui, _("Discount on the selected line: 10% or an amount; *10% for the whole sale; "
	    "0 removes"), false, false, discount_entered, NULL);
}

/* ---- F8 void ---------------------------------------------------------------------------- */

static void
void_apply(struct ui *ui, const struct user *approver)
{
	struct kerr err;

	if (sale_void_line(ui->sale, ui->sel, approver, &err) == -1) {
		if (sale_needs_approval(ui->sale) && approver == NULL)
			ui_need_approval(ui, RIGHT_VOID_PAID, void_apply);
		else
			ui_error(ui, &err);
		return;
	}
	ui_message(ui, false, _("Line voided"));
	ui_after_commit(ui);
}

static void
do_void(struct ui *ui)
{
	if (ui->sale == NULL || sale_line_count(ui->sale) == 0) {
		ui_message(ui, true, _("The cart is empty"));
		return;
	}
	void_apply(ui, NULL);
}

/* ---- F5 park / recall ------------------------------------------------------------------- */

static void
do_park(struct ui *ui)
{
	struct kerr err;

	if (ui->sale != NULL && sale_totals(ui->sale)->lines > 0) {
		if (sale_park(ui->sale, &err) == -1) {
			ui_error(ui, &err);
			return;
		}
		ui->sel = 0;
		ui_message(ui, false, _("Sale parked: F5 on an empty cart recalls it"));
		return;
	}
	ui->nlist = sale_parked_list(ui->st, ui->parked, UI_LIST_MAX, &err);
	if (ui->nlist < 0) {
		ui->nlist = 0;
		ui_error(ui, &err);
		return;
	}
	if (ui->nlist == 0) {
		ui_message(ui, true, _("No parked sales"));
		return;
	}
	ui->lsel = 0;
	ui->list_parked = true;
	ui->back = &ui_screen_sale;
	ui_show(ui, &ui_screen_list);
}

/* ---- F2 search -------------------------------------------------------------------------- */

static void
search_refresh(struct ui *ui)
{
	struct kerr err;

	ui->nfound = catalog_search(ui->st, ui->query, ui->found, UI_LIST_MAX, &err);
	if (ui->nfound < 0) {
		ui->nfound = 0;
		ui_error(ui, &err);
	}
	if (ui->fsel >= ui->nfound)
		ui->fsel = ui->nfound > 0 ? ui->nfound - 1 : 0;
}

static void
do_search(struct ui *ui)
{
	ui->query[0] = '\0';
	ui->nfound = 0;
	ui->fsel = 0;
	ui_show(ui, &ui_screen_search);
}

static void
search_draw(struct ui *ui)
{
	char line[300], buf[48];

	sale_draw(ui);
	for (int y = 2; y < LINES - 7; y++)
		mvhline(y, 0, ' ', COLS);
	snprintf(line, sizeof line, "%s: %s", _("Find by name"), ui->query);
	attron(A_BOLD);
	ui_put(2, 1, COLS - 2, line, -1);
	attroff(A_BOLD);
	for (int i = 0; i < ui->nfound && 4 + i < LINES - 7; i++) {
		const struct product *p = &ui->found[i];

		if (i == ui->fsel)
			attron(A_REVERSE);
		mvhline(4 + i, 0, ' ', COLS);
		ui_put(4 + i, 2, COLS - 36, p->name, -1);
		ui_put(4 + i, COLS - 34, 16, p->barcode, -1);
		ui_put(4 + i, COLS - 17, 15, money_format(p->price, buf, sizeof buf), 1);
		attroff(A_REVERSE);
	}
	if (ui->nfound == 0 && ui->query[0] != '\0')
		ui_put(4, 2, COLS - 4, _("Nothing found"), -1);
	ui_draw_bottom(ui, _("Type a name  Up/Down choose  Enter add  Esc back"));
	move(2, 1 + ui_width(line) < COLS - 1 ? 1 + ui_width(line) : COLS - 1);
}

static void
search_pick(struct ui *ui)
{
	struct kerr err;
	int index = -1;

	if (ui->nfound == 0) {
		beep();
		return;
	}
	if (ui->sale == NULL)
		ui_sale_reload(ui);
	if (ui->sale == NULL)
		return;
	if (sale_add_product(ui->sale, &ui->found[ui->fsel], QTY_ONE, &index, &err) == -1) {
		ui_error(ui, &err);
		return;
	}
	if (index >= 0)
		ui->sel = index;
	ui_after_commit(ui);
	ui_show(ui, &ui_screen_sale);
}

static bool
search_key(struct ui *ui, int key, bool is_char)
{
	if (!is_char) {
		if (key == KEY_UP && ui->fsel > 0)
			ui->fsel--;
		else if (key == KEY_DOWN && ui->fsel < ui->nfound - 1)
			ui->fsel++;
		else if (key == KEY_BACKSPACE) {
			input_backspace(ui->query);
			search_refresh(ui);
		} else if (key == KEY_ENTER)
			search_pick(ui);
		else
			return false;
		return true;
	}
	if (key == '\r' || key == '\n')
		search_pick(ui);
	else if (key == 127 || key == 8) {
		input_backspace(ui->query);
		search_refresh(ui);
	} else if (key >= ' ') {
		input_add(ui->query, sizeof ui->query, key);
		search_refresh(ui);
	} else
		return false;
	return true;
}

static void
back_to_sale(struct ui *ui)
{
	ui_show(ui, &ui_screen_sale);
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

/* Tab: cash -> card -> credit -> points -> cash (CONTRACT.md section 7); credit and points
 * only with a customer on the sale, so without one Tab keeps switching cash and card. */
static void
switch_method(struct ui *ui)
{
	ui->method = ui->method == PAY_CASH ? PAY_CARD : ui->method == PAY_CARD ? PAY_CREDIT :
	    ui->method == PAY_CREDIT ? PAY_POINTS : PAY_CASH;
	if (ui->method == PAY_CREDIT && (ui->sale == NULL || sale_customer(ui->sale) <= 0))
		ui->method = PAY_CASH;
}

static void
do_pay(struct ui *ui)
{
	if (ui->sale == NULL || sale_totals(ui->sale)->lines == 0) {
		ui_message(ui, true, _("The cart is empty: scan something first"));
		return;
	}
	ui->method = PAY_CASH;
	ui->input[0] = '\0';
	ui_show(ui, &ui_screen_pay);
}

static void
pay_draw(struct ui *ui)
{
	const struct sale_totals *t = sale_totals(ui->sale);
	char a[48], line[200];
	int y = 4;

	ui_draw_status(ui);
	attron(A_BOLD);
	ui_put(2, 0, COLS, _("PAYMENT"), 0);
	attroff(A_BOLD);
	snprintf(line, sizeof line, "%-12s %s", _("Total"), ui_money(t->total, a, sizeof a));
	ui_put(y++, 10, COLS - 20, line, -1);
	for (int i = 0; i < sale_payment_count(ui->sale); i++) {
		const struct sale_payment *p = sale_payment(ui->sale, i);

		snprintf(line, sizeof line, "  %-10s %s", method_word(p->method),
		    ui_money(p->amount, a, sizeof a));
		ui_put(y++, 10, COLS - 20, line, -1);
	}
	attron(A_BOLD);
	snprintf(line, sizeof line, "%-12s %s", _("Due"), ui_money(t->due, a, sizeof a));
	ui_put(y + 1, 10, COLS - 20, line, -1);
	attroff(A_BOLD);
	snprintf(line, sizeof line, "%s  [%s]  %s", _("Method:"), method_title(ui->method),
	    _("(Tab switches)"));
	ui_put(y + 3, 10, COLS - 20, line, -1);
	ui_customer_line(ui, ui->sale, y + 5);
	ui_draw_bottom(ui, _("Amount then Enter tenders; Enter alone pays the exact due; "
	    "Tab cash/card; Esc back"));
	draw_input(ui, method_prompt(ui->method));
}

static void
tender(struct ui *ui)
{
	struct kerr err;
	money_t amount = 0;
	bool done = false;

	if (ui->input[0] != '\0' && money_parse(ui->input, false, &amount, &err) == -1) {
		ui_error(ui, &err);
		return;
	}
	ui->input[0] = '\0';
	if (sale_pay(ui->sale, ui->method, amount, &done, &err) == -1) {
		ui_error(ui, &err);
		return;
	}
	ui_after_commit(ui);
	if (done) {
		ui->completed = true;
		ui->last_change = sale_totals(ui->sale)->change;
		ui->last_total = sale_totals(ui->sale)->total;
		ui->last_number = sale_number(ui->sale);
		ui->msg[0] = '\0';
		ui_show(ui, &ui_screen_sale);
	}
}

static bool
pay_key(struct ui *ui, int key, bool is_char)
{
	if (!is_char) {
		if (key == KEY_ENTER)
			tender(ui);
		else if (key == KEY_BACKSPACE)
			input_backspace(ui->input);
		else
			return false;
		return true;
	}
	if (key == '\r' || key == '\n')
		tender(ui);
	else if (key == '\t')
		switch_method(ui);
	else if (key == 127 || key == 8)
		input_backspace(ui->input);
	else if ((key >= '0' && key <= '9') || key == '.' || key == ' ')
		input_add(ui->input, sizeof ui->input, key);
	else
		return false;
	return true;
}


static void
show_help(struct ui *ui)
{
	ui_help_for(ui, ui->screen);
}

static void
open_menu(struct ui *ui)
{
	ui->lsel = 0;
	ui_show(ui, &ui_screen_menu);
}

static const struct ui_binding sale_keys[] = {
	{ KEY_F(1), "F1", N_("help: all keys"), show_help },
	{ KEY_F(2), "F2", N_("search by name"), do_search },
	/* xgettext:no-c-format */
	{ KEY_F(4), "F4", N_("discount on the line, or *N% on the sale"), do_discount },
	{ KEY_F(5), "F5", N_("park the sale / recall a parked one"), do_park },
	{ KEY_F(7), "F7", N_("find a customer (phone, name, card) and put them on the sale"),
	    ui_customer_find },
	{ KEY_F(8), "F8", N_("void the selected line"), do_void },
	{ KEY_F(10), "F10", N_("pay"), do_pay },
	{ KEY_F(12), "F12", N_("menu: cash, reports, close shift, stock, customer, reprint"),
	    open_menu },
	{ KEY_UP, "Up/Down", N_("select a line"), NULL },
	{ 0, NULL, NULL, NULL }
};

static const struct ui_binding search_keys[] = {
	{ KEY_F(1), "F1", N_("help"), show_help },
	{ 27, "Esc", N_("back to the sale"), back_to_sale },
	{ KEY_DOWN, "Up/Down", N_("choose"), NULL },
	{ '\n', "Enter", N_("add one of the chosen product"), NULL },
	{ 0, NULL, NULL, NULL }
};

static const struct ui_binding pay_keys[] = {
	{ KEY_F(1), "F1", N_("help"), show_help },
	{ '\t', "Tab", N_("next tender: cash, card, credit, points"), switch_method },
	{ KEY_F(3), "F3", N_("next tender: cash, card, credit, points"), switch_method },
	{ 27, "Esc", N_("back to the sale (tenders stay)"), back_to_sale },
	{ '\n', "Enter", N_("tender the amount typed, or the exact due"), NULL },
	{ 0, NULL, NULL, NULL }
};

const struct ui_screen ui_screen_sale = {
	.name = "sale", .draw = sale_draw, .key = sale_key, .bindings = sale_keys,
};
const struct ui_screen ui_screen_search = {
	.name = "search", .draw = search_draw, .key = search_key, .bindings = search_keys,
};
const struct ui_screen ui_screen_pay = {
	.name = "pay", .draw = pay_draw, .key = pay_key, .bindings = pay_keys,
};
