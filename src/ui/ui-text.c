/*
 * ui-text.c: the text view: reports, stock, F1 help. Its state is the text itself, filled by
 * whoever opens it; Esc goes back to the screen under it (or, after the Z report, to the PIN).
 */
#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ui-int.h"

#define TEXT_MAX 60

struct ui_text {
	char title[96];
	char lines[TEXT_MAX][96];
	int n;
	int top;                       /* first line shown */
	bool logout;                   /* Esc logs out (the shift is closed) */
};

static const struct ui_screen ui_screen_text_view;

struct ui_text *
ui_text_open(struct ui *ui, const char *title)
{
	struct ui_text *t = ui_open(ui, &ui_screen_text_view, NULL);

	snprintf(t->title, sizeof t->title, "%s", title);
	return t;
}

void
ui_text_add(struct ui_text *t, const char *fmt, ...)
{
	va_list ap;

	if (t->n >= TEXT_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(t->lines[t->n++], sizeof t->lines[0], fmt, ap);
	va_end(ap);
}

void
ui_text_logout_after(struct ui_text *t)
{
	t->logout = true;
}

void
ui_report_text(struct ui *ui, const struct shift_report *r, const char *title)
{
	struct ui_text *t = ui_text_open(ui, title);
	char a[48], when[32];

	/* The core keeps UTC; people read their own clock. */
	ui_text_add(t, "%s %lld   %s %s", _("Shift"), (long long)r->number, _("opened"),
	    ui_local_time(r->opened_at, when, sizeof when));
	if (r->closed)
		ui_text_add(t, "%s %s (%s)", _("Closed"), ui_local_time(r->closed_at, when,
		    sizeof when), r->closed_by);
	ui_text_add(t, "%-24s %16s", _("Opening float"), money_format(r->opening_float, a,
	    sizeof a));
	ui_text_add(t, "%-24s %16lld", _("Sales"), (long long)r->sales_count);
	ui_text_add(t, "%-24s %16s", _("Sales total"), money_format(r->sales_total, a, sizeof a));
	ui_text_add(t, "%-24s %16s", _("  cash"), money_format(r->cash_sales, a, sizeof a));
	ui_text_add(t, "%-24s %16s", _("  card"), money_format(r->card_sales, a, sizeof a));
	ui_text_add(t, "%-24s %16s", _("Discounts"), money_format(r->discount_total, a,
	    sizeof a));
	for (int i = 0; i < r->vat_rates; i++) {
		char b[48];

		ui_text_add(t, "%s %d.%02d%%: %s, %s %s", _("VAT"), r->vat_bp[i] / 100,
		    r->vat_bp[i] % 100, money_format(r->vat_gross[i], a, sizeof a), _("VAT"),
		    money_format(r->vat_amount[i], b, sizeof b));
	}
	ui_text_add(t, "%-24s %16s", _("VAT total"), money_format(r->vat_total, a, sizeof a));
	ui_text_add(t, "%-24s %16lld", _("Voided sales"), (long long)r->voids_count);
	ui_text_add(t, "%-24s %16s", _("Cash in"), money_format(r->cash_in, a, sizeof a));
	ui_text_add(t, "%-24s %16s", _("Cash out"), money_format(r->cash_out, a, sizeof a));
	ui_text_add(t, "%-24s %16s", _("Expected cash"), money_format(r->expected_cash, a,
	    sizeof a));
	if (r->closed) {
		ui_text_add(t, "%-24s %16s", _("Counted cash"), money_format(r->counted_cash, a,
		    sizeof a));
		ui_text_add(t, "%-24s %16s", _("Variance"), money_format(r->variance, a,
		    sizeof a));
	}
	/* Returns, as `kassa report x` shows them, after the drawer's figures (the first page
	 * at 80x24 keeps those). */
	ui_text_add(t, "%-24s %16lld", _("Returns"), (long long)r->refunds_count);
	if (r->refunds_count > 0) {
		if (r->refunds_no_receipt > 0)
			ui_text_add(t, "%-24s %16lld", _("  without a receipt"),
			    (long long)r->refunds_no_receipt);
		ui_text_add(t, "%-24s %16s", _("Refunded"), money_format(r->refunds_total, a,
		    sizeof a));
		ui_text_add(t, "%-24s %16s", _("  in cash"), money_format(r->refunds_cash, a,
		    sizeof a));
		ui_text_add(t, "%-24s %16s", _("  to card"), money_format(r->refunds_card, a,
		    sizeof a));
		if (r->refunds_other != 0)
			ui_text_add(t, "%-24s %16s", _("  to credit"), money_format(r->refunds_other,
			    a, sizeof a));
	}
}

static int
rows(void)
{
	return LINES - 7;
}

static void
text_draw(struct ui *ui)
{
	struct ui_text *t = ui_data(ui);

	ui_draw_status(ui);
	attron(A_BOLD);
	ui_put(2, 0, COLS, t->title, 0);
	attroff(A_BOLD);
	for (int i = t->top, y = 4; i < t->n && y < 4 + rows(); i++, y++)
		ui_put(y, 4, COLS - 8, t->lines[i], -1);
	ui_draw_bottom(ui, NULL);
}

static void
text_back(struct ui *ui)
{
	struct ui_text *t = ui_data(ui);

	if (t->logout) {
		ui_logout(ui);
		return;
	}
	ui_close(ui);
}

static void
text_up(struct ui *ui)
{
	struct ui_text *t = ui_data(ui);

	t->top = t->top > rows() ? t->top - rows() : 0;
}

static void
text_down(struct ui *ui)
{
	struct ui_text *t = ui_data(ui);

	if (t->top + rows() < t->n)
		t->top += rows();
}

/* q also goes back, as in a pager. */
static bool
text_text(struct ui *ui, wint_t ch)
{
	if (ch != L'q')
		return false;
	text_back(ui);
	return true;
}

static const struct ui_binding text_keys[] = {
	{ UI_KEY_ESC, N_("back"), N_("back"), text_back },
	{ KEY_ENTER, NULL, N_("back"), text_back },
	{ KEY_PPAGE, NULL, N_("a page up"), text_up },
	{ KEY_NPAGE, NULL, N_("a page down"), text_down },
	{ 0, NULL, NULL, NULL }
};

static const struct ui_screen ui_screen_text_view = {
	.name = "text", .size = sizeof(struct ui_text), .draw = text_draw, .text = text_text,
	.bindings = text_keys,
};
