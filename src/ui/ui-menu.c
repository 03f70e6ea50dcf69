/*
 * ui-menu.c: the F12 menu (cash in/out, X report, close shift with the Z report, stock and
 * customer look-up, reprint, no-sale drawer, log out), the pick list (parked sales,
 * customers), the text view (reports, stock) and F1 help generated from the key tables.
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui-int.h"

static void
back_to_sale(struct ui *ui)
{
	ui_show(ui, &ui_screen_sale);
}

/* ---- reports ---------------------------------------------------------------------------- */

void
ui_report_text(struct ui *ui, const struct shift_report *r, const char *title)
{
	char a[48];

	ui_text_clear(ui, title);
	ui_text_add(ui, "%s %lld   %s %s", _("Shift"), (long long)r->number, _("opened"),
	    r->opened_at);
	if (r->closed)
		ui_text_add(ui, "%s %s (%s)", _("Closed"), r->closed_at, r->closed_by);
	ui_text_add(ui, "%-24s %16s", _("Opening float"), money_format(r->opening_float, a,
	    sizeof a));
	ui_text_add(ui, "%-24s %16lld", _("Sales"), (long long)r->sales_count);
	ui_text_add(ui, "%-24s %16s", _("Sales total"), money_format(r->sales_total, a, sizeof a));
	ui_text_add(ui, "%-24s %16s", _("  cash"), money_format(r->cash_sales, a, sizeof a));
	ui_text_add(ui, "%-24s %16s", _("  card"), money_format(r->card_sales, a, sizeof a));
	ui_text_add(ui, "%-24s %16s", _("Discounts"), money_format(r->discount_total, a,
	    sizeof a));
	for (int i = 0; i < r->vat_rates; i++) {
		char b[48];

		ui_text_add(ui, "%s %d.%02d%%: %s, %s %s", _("VAT"), r->vat_bp[i] / 100,
		    r->vat_bp[i] % 100, money_format(r->vat_gross[i], a, sizeof a), _("VAT"),
		    money_format(r->vat_amount[i], b, sizeof b));
	}
	ui_text_add(ui, "%-24s %16s", _("VAT total"), money_format(r->vat_total, a, sizeof a));
	ui_text_add(ui, "%-24s %16lld", _("Voided sales"), (long long)r->voids_count);
	ui_text_add(ui, "%-24s %16s", _("Cash in"), money_format(r->cash_in, a, sizeof a));
	ui_text_add(ui, "%-24s %16s", _("Cash out"), money_format(r->cash_out, a, sizeof a));
	ui_text_add(ui, "%-24s %16s", _("Expected cash"), money_format(r->expected_cash, a,
	    sizeof a));
	if (r->closed) {
		ui_text_add(ui, "%-24s %16s", _("Counted cash"), money_format(r->counted_cash, a,
		    sizeof a));
		ui_text_add(ui, "%-24s %16s", _("Variance"), money_format(r->variance, a,
		    sizeof a));
	}
}

static void
show_x(struct ui *ui)
{
	struct shift_report r;
	struct kerr err;

	if (shift_report_x(ui->st, &r, &err) == -1) {
		ui_error(ui, &err);
		return;
	}
	ui_report_text(ui, &r, _("X report (the shift so far)"));
	ui->back = &ui_screen_sale;
	ui_show(ui, &ui_screen_text);
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
		ui_show(ui, &ui_screen_sale);
		return;
	}
	ui_after_commit(ui);
	ui_report_text(ui, &z, _("Z report: the shift is closed"));
	ui->after_close = true;
	ui_show(ui, &ui_screen_text);
}

static void
close_shift(struct ui *ui)
{
	ui_show(ui, &ui_screen_sale);
	ui_ask(ui, _("Close the shift: count the cash in the drawer and type it"), false, false,
	    counted_entered, NULL);
}

/* ---- cash in / out and no sale ---------------------------------------------------------- */

static void
cash_apply(struct ui *ui, const struct user *approver)
{
	struct kerr err;

	if (shift_cash_move(ui->st, &ui->user, approver, ui->pending_amount, ui->pending,
	    &err) == -1) {
		if (err.code == KERR_DENIED && approver == NULL)
			ui_need_approval(ui, RIGHT_CASH_MOVE, cash_apply);
		else
			ui_error(ui, &err);
		return;
	}
	ui_after_commit(ui);
	ui_message(ui, false, ui->pending_amount > 0 ? _("Cash in recorded") :
	    _("Cash out recorded"));
}

static void
reason_entered(struct ui *ui, const char *text)
{
	snprintf(ui->pending, sizeof ui->pending, "%s", text);
	cash_apply(ui, NULL);
}

static void
amount_entered(struct ui *ui, const char *text)
{
	struct kerr err;
	money_t amount;

	if (money_parse(text, false, &amount, &err) == -1) {
		ui_error(ui, &err);
		return;
	}
	ui->pending_amount = ui->want_right == RIGHT_CASH_MOVE && ui->pending[0] == '-' ?
	    -amount : amount;
	ui_ask(ui, _("Reason"), false, false, reason_entered, NULL);
}

static void
cash_in(struct ui *ui)
{
	ui_show(ui, &ui_screen_sale);
	ui->want_right = RIGHT_CASH_MOVE;
	snprintf(ui->pending, sizeof ui->pending, "+");
	ui_ask(ui, _("Cash in: amount"), false, false, amount_entered, NULL);
}

static void
cash_out(struct ui *ui)
{
	ui_show(ui, &ui_screen_sale);
	ui->want_right = RIGHT_CASH_MOVE;
	snprintf(ui->pending, sizeof ui->pending, "-");
	ui_ask(ui, _("Cash out: amount"), false, false, amount_entered, NULL);
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
	ui_show(ui, &ui_screen_sale);
	no_sale_apply(ui, NULL);
}

/* ---- stock, customers, reprint ---------------------------------------------------------- */

static void
stock_entered(struct ui *ui, const char *text)
{
	struct product p[UI_LIST_MAX];
	struct kerr err;
	qty_t qty;
	char a[48], b[48];
	int n;

	if (catalog_lookup(ui->st, &ui->cfg->weight, text, &p[0], &qty, &err) == 0)
		n = 1;
	else if ((n = catalog_search(ui->st, text, p, UI_LIST_MAX, &err)) <= 0) {
		if (n == 0)
			ui_message(ui, true, _("Nothing found for '%s'"), text);
		else
			ui_error(ui, &err);
		return;
	}
	ui_text_clear(ui, _("Stock"));
	for (int i = 0; i < n; i++) {
		ui_text_add(ui, "%-40.40s %12s %10s%s", p[i].name,
		    money_format(p[i].price, a, sizeof a),
		    qty_format(p[i].stock, p[i].by_weight, b, sizeof b),
		    p[i].stock < 0 ? _(" (negative: count it)") : "");
		ui_text_add(ui, "    %s %s  %s %s", _("barcode"), p[i].barcode, _("SKU"), p[i].sku);
	}
	ui->back = &ui_screen_sale;
	ui_show(ui, &ui_screen_text);
}

static void
stock_lookup(struct ui *ui)
{
	ui_show(ui, &ui_screen_sale);
	ui_ask(ui, _("Stock: scan or type a code or a name"), false, false, stock_entered, NULL);
}

static void
reprint_number(struct ui *ui, const char *answer)
{
	struct kerr err;
	int64_t id;
	char *end;

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
	ui_show(ui, &ui_screen_sale);
	ui_ask(ui, _("Reprint: receipt number (or scan its barcode), Enter for the last"), false,
	    true, reprint_number, NULL);
	ui->prompt.scan_ok = true;
}

static void
log_out(struct ui *ui)
{
	ui_logout(ui);
}

static void
quit(struct ui *ui)
{
	ui->quit = true;
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
	{ N_("Stock look-up"), stock_lookup },
	{ N_("Customers: find, new, repayment"), ui_customer_menu },
	{ N_("Reprint a receipt"), reprint },
	{ N_("Open the drawer (no sale)"), no_sale },
	{ N_("Log out"), log_out },
	{ N_("Quit the till"), quit },
};
#define NMENU (int)(sizeof menu_items / sizeof menu_items[0])

static void
menu_draw(struct ui *ui)
{
	char line[128];

	ui_draw_status(ui);
	attron(A_BOLD);
	ui_put(2, 0, COLS, _("MENU"), 0);
	attroff(A_BOLD);
	for (int i = 0; i < NMENU; i++) {
		snprintf(line, sizeof line, "%d  %s", (i + 1) % 10, _(menu_items[i].label));
		if (i == ui->lsel)
			attron(A_REVERSE);
		mvhline(4 + i, COLS / 2 - 20, ' ', 40);
		ui_put(4 + i, COLS / 2 - 18, 36, line, -1);
		attroff(A_REVERSE);
	}
	ui_draw_bottom(ui, _("Up/Down and Enter, or the number; Esc back"));
}

static bool
menu_key(struct ui *ui, int key, bool is_char)
{
	if (!is_char && key == KEY_UP && ui->lsel > 0)
		ui->lsel--;
	else if (!is_char && key == KEY_DOWN && ui->lsel < NMENU - 1)
		ui->lsel++;
	else if ((is_char && (key == '\r' || key == '\n')) || (!is_char && key == KEY_ENTER))
		menu_items[ui->lsel].run(ui);
	else if (is_char && key >= '0' && key <= '9' && (key == '0' ? 9 : key - '1') < NMENU)
		menu_items[key == '0' ? 9 : key - '1'].run(ui);
	else
		return false;
	return true;
}

/* ---- the pick list: parked sales or customers ------------------------------------------- */

static bool
list_is_parked(const struct ui *ui)
{
	return ui->list_parked;
}

static void
list_draw(struct ui *ui)
{
	char line[300], a[48];

	ui_draw_status(ui);
	attron(A_BOLD);
	ui_put(2, 0, COLS, list_is_parked(ui) ? _("PARKED SALES") : _("CUSTOMERS"), 0);
	attroff(A_BOLD);
	for (int i = 0; i < ui->nlist; i++) {
		if (list_is_parked(ui))
			snprintf(line, sizeof line, "%-20.19s %-16s %3d %s %s", ui->parked[i].updated_at,
			    ui->parked[i].user, ui->parked[i].lines, _("lines"),
			    ui_money(ui->parked[i].total, a, sizeof a));
		else
			snprintf(line, sizeof line, "%-30s %-16s %s", ui->customers[i].name,
			    ui->customers[i].phone, ui->customers[i].card);
		if (i == ui->lsel)
			attron(A_REVERSE);
		mvhline(4 + i, 2, ' ', COLS - 4);
		ui_put(4 + i, 3, COLS - 6, line, -1);
		attroff(A_REVERSE);
	}
	ui_draw_bottom(ui, _("Up/Down and Enter to choose; Esc back"));
}

static void
list_pick(struct ui *ui)
{
	struct kerr err;

	if (ui->sale == NULL)
		ui_sale_reload(ui);
	if (ui->sale == NULL)
		return;
	if (list_is_parked(ui)) {
		if (sale_recall(ui->sale, ui->parked[ui->lsel].id, &err) == -1) {
			ui_error(ui, &err);
			return;
		}
		ui->sel = sale_line_count(ui->sale) - 1;
		ui_message(ui, false, _("Sale recalled"));
	} else {
		if (sale_set_customer(ui->sale, ui->customers[ui->lsel].id, &err) == -1) {
			ui_error(ui, &err);
			return;
		}
		ui_message(ui, false, _("Customer %s on this sale"), ui->customers[ui->lsel].name);
	}
	ui_after_commit(ui);
	ui_show(ui, &ui_screen_sale);
}

static bool
list_key(struct ui *ui, int key, bool is_char)
{
	if (!is_char && key == KEY_UP && ui->lsel > 0)
		ui->lsel--;
	else if (!is_char && key == KEY_DOWN && ui->lsel < ui->nlist - 1)
		ui->lsel++;
	else if ((is_char && (key == '\r' || key == '\n')) || (!is_char && key == KEY_ENTER))
		list_pick(ui);
	else
		return false;
	return true;
}

/* ---- the text view and help ------------------------------------------------------------- */

static void
text_draw(struct ui *ui)
{
	ui_draw_status(ui);
	attron(A_BOLD);
	ui_put(2, 0, COLS, ui->text_title, 0);
	attroff(A_BOLD);
	for (int i = 0; i < ui->ntext && 4 + i < LINES - 3; i++)
		ui_put(4 + i, 4, COLS - 8, ui->text[i], -1);
	ui_draw_bottom(ui, _("Esc back"));
}

static void
text_back(struct ui *ui)
{
	if (ui->after_close) {
		/* The Z report was read: the shift is over, the next cashier logs in. */
		ui->after_close = false;
		ui_logout(ui);
		return;
	}
	ui_show(ui, ui->back != NULL ? ui->back : &ui_screen_sale);
}

static bool
text_key(struct ui *ui, int key, bool is_char)
{
	if ((is_char && (key == '\r' || key == '\n' || key == 'q')) || (!is_char && key == KEY_ENTER)) {
		text_back(ui);
		return true;
	}
	return false;
}

void
ui_help_for(struct ui *ui, const struct ui_screen *screen)
{
	static const char *const fkeys = "Alt-1..Alt-0 = F1..F10, Alt-- = F12";
	char line[200];

	ui_text_clear(ui, _("Keys"));
	for (const struct ui_binding *b = screen->bindings; b != NULL && b->key != 0; b++) {
		snprintf(line, sizeof line, "%-10s %s", b->label, _(b->help));
		ui_text_add(ui, "%s", line);
	}
	ui_text_add(ui, "%s", "");
	ui_text_add(ui, "%s", _("A code then Enter adds one; N*CODE adds N (3*4780001234567)."));
	ui_text_add(ui, "%s: %s", _("Without F-keys"), fkeys);
	ui->back = screen;
	ui_show(ui, &ui_screen_text);
}

static const struct ui_binding menu_keys[] = {
	{ 27, "Esc", N_("back"), back_to_sale },
	{ KEY_F(12), "F12", N_("back"), back_to_sale },
	{ 0, NULL, NULL, NULL }
};

static const struct ui_binding list_keys[] = {
	{ 27, "Esc", N_("back"), back_to_sale },
	{ 0, NULL, NULL, NULL }
};

static const struct ui_binding text_keys[] = {
	{ 27, "Esc", N_("back"), text_back },
	{ 0, NULL, NULL, NULL }
};

const struct ui_screen ui_screen_menu = {
	.name = "menu", .draw = menu_draw, .key = menu_key, .bindings = menu_keys,
};
const struct ui_screen ui_screen_list = {
	.name = "list", .draw = list_draw, .key = list_key, .bindings = list_keys,
};
const struct ui_screen ui_screen_text = {
	.name = "text", .draw = text_draw, .key = text_key, .bindings = text_keys,
};
