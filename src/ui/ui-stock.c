/*
 * ui-stock.c: the stock screen (F12, Stock): look-up with other branches, receiving goods by
 * scanning, a stock-take by scanning, adjustments with a reason, the low-stock list. The rules
 * are the core's (include/stock.h); this file only asks and shows.
 *
 * Its state (struct ui_stock, the screen stack's ui_data()) lives while the screen is open. A
 * stock-take lives in the database, not here: Esc leaves it open (the till sells meanwhile) and
 * the screen resumes it when it opens again. A delivery being scanned is this screen's until
 * F10 receives it; Esc abandons it.
 */
#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stock.h"
#include "ui-int.h"
#include "xalloc.h"

#define VIEW_MAX 40
#define LOOKUP_MAX 12          /* products a look-up by name shows */

/* This screen's state: it is on top whenever its keys, prompts and approvals run. */
#define S(ui) ((struct ui_stock *)ui_data(ui))

enum stock_mode { MODE_LOOKUP, MODE_RECEIVE, MODE_COUNT };

struct ui_stock {
	enum stock_mode mode;
	char input[128];
	char view[VIEW_MAX][120];    /* what the screen shows under the title, newest last */
	int nview;
	/* receiving */
	struct stock_line *lines;
	long nlines, cap;
	char supplier[128];
	struct product pending;      /* scanned, waiting for its quantity */
	/* stock-take */
	int64_t take;
	char category[64];
	/* adjustment being asked */
	char adj_code[CATALOG_CODE_MAX];
	qty_t adj_qty;
	enum stock_reason adj_reason;
};

static void
view_clear(struct ui_stock *s)
{
	s->nview = 0;
}

static void __attribute__((format(printf, 2, 3)))
view_add(struct ui_stock *s, const char *fmt, ...)
{
	va_list ap;

	if (s->nview == VIEW_MAX) {
		memmove(s->view[0], s->view[1], sizeof s->view[0] * (VIEW_MAX - 1));
		s->nview--;
	}
	va_start(ap, fmt);
	vsnprintf(s->view[s->nview++], sizeof s->view[0], fmt, ap);
	va_end(ap);
}

/* "N*CODE" or "CODE": the code and N in thousandths (1000 when not given). -1 when N is bad. */
static int
split_qty(const char *text, char *code, size_t size, qty_t *qty, struct kerr *err)
{
	const char *star = strchr(text, '*');
	char n[32];

	*qty = 1000;
	if (star == NULL) {
		snprintf(code, size, "%s", text);
		return 0;
	}
	snprintf(n, sizeof n, "%.*s", (int)(star - text) < 31 ? (int)(star - text) : 31, text);
	snprintf(code, size, "%s", star + 1);
	return qty_parse(n, qty, err);
}

/* A signed quantity: "-2", "+1.5", "3". */
static int
signed_qty(const char *text, qty_t *qty, struct kerr *err)
{
	bool neg = text[0] == '-';

	if (qty_parse(text + (text[0] == '-' || text[0] == '+'), qty, err) == -1)
		return -1;
	if (neg)
		*qty = -*qty;
	return 0;
}

/* ---- look-up ------------------------------------------------------------------------------ */

static int
add_branch(void *ctx, const struct stock_remote *r)
{
	struct ui *ui = ctx;
	char q[32];

	view_add(S(ui), "      %s: %s", r->branch, qty_format(r->qty, false, q, sizeof q));
	return 0;
}

static void
lookup(struct ui *ui, const char *text)
{
	struct ui_stock *s = S(ui);
	struct product p[LOOKUP_MAX];
	struct kerr err;
	qty_t qty;
	char a[32], b[32];
	int n;

	if (catalog_lookup(ui->st, &ui->cfg->weight, text, &p[0], &qty, &err) == 0)
		n = 1;
	else if ((n = catalog_search(ui->st, text, p, LOOKUP_MAX, &err)) <= 0) {
		if (n == 0)
			ui_message(ui, true, _("Nothing found for '%s'"), text);
		else
			ui_error(ui, &err);
		return;
	}
	view_clear(s);
	for (int i = 0; i < n; i++) {
		view_add(s, "%-36.36s %s %10s  %s %s%s", p[i].name, p[i].barcode,
		    qty_format(p[i].stock, p[i].by_weight, a, sizeof a), _("min"),
		    qty_format(p[i].min, p[i].by_weight, b, sizeof b),
		    p[i].stock <= p[i].min ? _("  LOW") : "");
		/* Other branches beside this till's own figure, never added to it. */
		if (stock_remote_list(ui->st, p[i].barcode, add_branch, ui, &err) == -1) {
			ui_error(ui, &err);
			return;
		}
	}
}

static int
add_low(void *ctx, const struct stock_item *it)
{
	struct ui_stock *s = ctx;
	char a[32], b[32];

	view_add(s, "%-40.40s %s %10s  %s %s", it->name, it->barcode,
	    qty_format(it->qty, it->by_weight, a, sizeof a), _("min"),
	    qty_format(it->min, it->by_weight, b, sizeof b));
	return 0;
}

static void
do_low(struct ui *ui)
{
	struct kerr err;

	view_clear(S(ui));
	if (stock_list(ui->st, true, add_low, S(ui), &err) == -1) {
		ui_error(ui, &err);
		return;
	}
	ui_message(ui, false, S(ui)->nview == 0 ? _("No product is at or below its threshold") :
	    _("Products at or below their threshold"));
}

/* ---- receiving ---------------------------------------------------------------------------- */

static void
receive_line(struct ui *ui, const struct product *p, qty_t qty)
{
	struct ui_stock *s = S(ui);
	char q[32];

	if (s->nlines == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 32;
		s->lines = xreallocarray(s->lines, (size_t)s->cap, sizeof *s->lines);
	}
	memset(&s->lines[s->nlines], 0, sizeof s->lines[0]);
	s->lines[s->nlines].product_id = p->id;
	snprintf(s->lines[s->nlines].barcode, sizeof s->lines[0].barcode, "%s", p->barcode);
	s->lines[s->nlines].qty = qty;
	s->nlines++;
	view_add(s, "%3ld  %-40.40s %10s", s->nlines, p->name, qty_format(qty, p->by_weight, q,
	    sizeof q));
}

static void
receive_qty(struct ui *ui, const char *text)
{
	struct kerr err;
	qty_t qty;

	if (qty_parse(text, &qty, &err) == -1 || (!S(ui)->pending.by_weight &&
	    qty % 1000 != 0)) {
		ui_message(ui, true, _("Not a quantity: '%s'"), text);
		return;
	}
	receive_line(ui, &S(ui)->pending, qty);
}

static void
receive_code(struct ui *ui, const char *text)
{
	struct ui_stock *s = S(ui);
	char code[CATALOG_CODE_MAX], title[200];
	struct product p;
	struct kerr err;
	qty_t qty, unused;
	bool given = strchr(text, '*') != NULL;

	if (split_qty(text, code, sizeof code, &qty, &err) == -1) {
		ui_error(ui, &err);
		return;
	}
	if (catalog_lookup(ui->st, NULL, code, &p, &unused, &err) == -1) {
		ui_error(ui, &err);
		return;
	}
	if (given) {
		receive_line(ui, &p, qty);
		return;
	}
	s->pending = p;
	snprintf(title, sizeof title, _("Quantity of %s received"), p.name);
	ui_ask(ui, title, 0, receive_qty, NULL);
}

static void
supplier_entered(struct ui *ui, const char *text)
{
	snprintf(S(ui)->supplier, sizeof S(ui)->supplier, "%s", text);
	ui_message(ui, false, _("Scan each item and type its quantity (or N*CODE); F10 receives "
	    "the goods"));
}

static void
do_receive(struct ui *ui)
{
	struct ui_stock *s = S(ui);

	if (s->mode == MODE_COUNT) {
		ui_message(ui, true, _("A stock-take is open: post or cancel it first"));
		return;
	}
	s->mode = MODE_RECEIVE;
	s->nlines = 0;
	s->supplier[0] = '\0';
	view_clear(s);
	ui_ask(ui, _("Receiving goods: supplier (Enter for none)"), 0, supplier_entered,
	    NULL);
}

static void
receive_finish(struct ui *ui)
{
	struct ui_stock *s = S(ui);
	struct stock_delivery_done done;
	struct kerr err;

	if (s->nlines == 0) {
		ui_message(ui, true, _("Nothing scanned yet"));
		return;
	}
	if (stock_receive(ui->st, &ui->user, s->supplier, s->lines, s->nlines, &done, &err) == -1) {
		ui_error(ui, &err);
		return;
	}
	ui_after_commit(ui);
	s->mode = MODE_LOOKUP;
	s->nlines = 0;
	ui_message(ui, false, _("Delivery %lld received: %ld lines"), (long long)done.number,
	    done.lines);
}

/* ---- stock-take --------------------------------------------------------------------------- */

static void
take_started(struct ui *ui, const char *text)
{
	struct ui_stock *s = S(ui);
	struct kerr err;

	if (stock_take_start(ui->st, &ui->user, text, &s->take, &err) == -1) {
		ui_error(ui, &err);
		return;
	}
	snprintf(s->category, sizeof s->category, "%s", text);
	s->mode = MODE_COUNT;
	view_clear(s);
	ui_message(ui, false, _("Stock-take started: scan each item (N*CODE adds N); F10 shows "
	    "the differences"));
}

static void
do_take(struct ui *ui)
{
	struct ui_stock *s = S(ui);

	if (s->mode == MODE_COUNT) {
		ui_message(ui, false, _("The stock-take is open: scan the items"));
		return;
	}
	if (s->mode == MODE_RECEIVE && s->nlines > 0) {
		ui_message(ui, true, _("Receive the goods (F10) or leave (Esc) first"));
		return;
	}
	ui_ask(ui, _("Stock-take: category (Enter for the whole shop)"), 0, take_started,
	    NULL);
}

static void
count_code(struct ui *ui, const char *text)
{
	struct ui_stock *s = S(ui);
	char code[CATALOG_CODE_MAX], q[32];
	struct product p;
	struct kerr err;
	qty_t qty, counted;

	if (split_qty(text, code, sizeof code, &qty, &err) == -1 ||
	    stock_take_add(ui->st, s->take, code, qty, &p, &counted, &err) == -1) {
		ui_error(ui, &err);
		return;
	}
	view_add(s, "%-40.40s %s %s", p.name, _("counted"), qty_format(counted, p.by_weight, q,
	    sizeof q));
	ui_message(ui, false, "%s: %s", p.name, q);
}

static int
add_variance(void *ctx, const struct stock_variance *v)
{
	struct ui_stock *s = ctx;
	char e[32], c[32], d[32];

	view_add(s, "%-32.32s %s %s %s %s %s%s", v->name, _("expected"),
	    qty_format(v->expected, v->by_weight, e, sizeof e), _("counted"),
	    qty_format(v->counted, v->by_weight, c, sizeof c), v->variance > 0 ? "+" : "",
	    qty_format(v->variance, v->by_weight, d, sizeof d));
	return 0;
}

static void
post_take(struct ui *ui, const struct user *approver)
{
	struct ui_stock *s = S(ui);
	struct stock_take_done done;
	struct kerr err;
	bool denied = false;

	if (s == NULL)
		return;
	if (stock_take_post(ui->st, s->take, &ui->user, approver, &done, &denied, &err) == -1) {
		if (denied && approver == NULL) {
			ui_message(ui, true, "%s", err.msg);
			ui_need_approval(ui, RIGHT_STOCK_ADJUST, post_take);
			return;
		}
		ui_error(ui, &err);
		return;
	}
	ui_after_commit(ui);
	s->mode = MODE_LOOKUP;
	s->take = 0;
	ui_message(ui, false, _("Stock-take posted: %ld products counted, %ld changed"),
	    done.counted, done.changed);
}

static void
confirm_post(struct ui *ui, const char *text)
{
	/* The yes of the till's language: y, д, h ("n" in Uzbek is no, "y" would be yo'q). */
	if (strcmp(text, _("y")) == 0)
		post_take(ui, NULL);
	else
		ui_message(ui, false, _("Not posted: the stock-take stays open"));
}

static void
take_finish(struct ui *ui)
{
	struct ui_stock *s = S(ui);
	struct kerr err;
	long n = 0;

	view_clear(s);
	if (stock_take_variances(ui->st, s->take, add_variance, s, &n, &err) == -1) {
		ui_error(ui, &err);
		return;
	}
	if (n == 0)
		view_add(s, "%s", _("Every count matches the stock"));
	ui_ask(ui, _("Post these differences as adjustments? (y/n)"), 0, confirm_post,
	    NULL);
}

static void
do_cancel(struct ui *ui)
{
	struct ui_stock *s = S(ui);
	struct kerr err;

	if (s->mode == MODE_COUNT) {
		if (stock_take_cancel(ui->st, s->take, &err) == -1) {
			ui_error(ui, &err);
			return;
		}
		ui_message(ui, false, _("Stock-take cancelled: nothing changed"));
	} else if (s->mode == MODE_RECEIVE)
		ui_message(ui, false, _("Receiving abandoned: nothing changed"));
	s->mode = MODE_LOOKUP;
	s->take = 0;
	s->nlines = 0;
	view_clear(s);
}

static void
do_finish(struct ui *ui)
{
	if (S(ui)->mode == MODE_RECEIVE)
		receive_finish(ui);
	else if (S(ui)->mode == MODE_COUNT)
		take_finish(ui);
	else
		ui_message(ui, true, _("F2 receives goods, F3 starts a stock-take"));
}

/* ---- adjustment --------------------------------------------------------------------------- */

static void
adjust_apply(struct ui *ui, const struct user *approver)
{
	struct ui_stock *s = S(ui);
	struct product p;
	struct kerr err;
	bool denied = false;
	char q[32];

	if (s == NULL)
		return;
	if (stock_adjust(ui->st, &ui->user, approver, s->adj_code, s->adj_qty, s->adj_reason, &p,
	    &denied, &err) == -1) {
		if (denied && approver == NULL) {
			ui_message(ui, true, "%s", err.msg);
			ui_need_approval(ui, RIGHT_STOCK_ADJUST, adjust_apply);
			return;
		}
		ui_error(ui, &err);
		return;
	}
	ui_after_commit(ui);
	ui_message(ui, false, _("%s: %s on hand"), p.name, qty_format(p.stock, p.by_weight, q,
	    sizeof q));
}

static void
adjust_reason(struct ui *ui, const char *text)
{
	static const char *const digits[] = { "1", "2", "3", "4" };

	for (int i = 0; i < 4; i++) {
		if (strcmp(text, digits[i]) == 0) {
			S(ui)->adj_reason = (enum stock_reason)i;
			adjust_apply(ui, NULL);
			return;
		}
	}
	if (stock_reason_parse(text, &S(ui)->adj_reason) == -1) {
		ui_message(ui, true, _("Not a reason: '%s'"), text);
		return;
	}
	adjust_apply(ui, NULL);
}

static void
adjust_qty(struct ui *ui, const char *text)
{
	struct kerr err;

	if (signed_qty(text, &S(ui)->adj_qty, &err) == -1) {
		ui_message(ui, true, _("Not a quantity: '%s'"), text);
		return;
	}
	ui_ask(ui, _("Reason: 1 damage, 2 theft, 3 expired, 4 correction"), 0,
	    adjust_reason, NULL);
}

static void
adjust_code(struct ui *ui, const char *text)
{
	snprintf(S(ui)->adj_code, sizeof S(ui)->adj_code, "%s", text);
	ui_ask(ui, _("Adjust by (signed: -2 takes two away)"), 0, adjust_qty, NULL);
}

static void
do_adjust(struct ui *ui)
{
	ui_ask(ui, _("Adjust stock: scan or type the code"), UI_ASK_SCAN, adjust_code, NULL);
}

/* ---- the screen --------------------------------------------------------------------------- */

static void
do_back(struct ui *ui)
{
	ui_close(ui);
}

static void
stock_enter(struct ui *ui)
{
	struct ui_stock *s = S(ui);
	char text[128];

	snprintf(text, sizeof text, "%s", s->input);
	s->input[0] = '\0';
	if (text[0] == '\0')
		return;
	if (s->mode == MODE_RECEIVE)
		receive_code(ui, text);
	else if (s->mode == MODE_COUNT)
		count_code(ui, text);
	else
		lookup(ui, text);
}

static void
clear_input(struct ui *ui)
{
	S(ui)->input[0] = '\0';
}

static void
stock_draw(struct ui *ui)
{
	struct ui_stock *s = S(ui);
	char title[160], line[200];
	int top, rows = LINES - 9;

	ui_draw_status(ui);
	if (s->mode == MODE_RECEIVE)
		snprintf(title, sizeof title, "%s%s%s  (%ld)", _("RECEIVING GOODS"),
		    s->supplier[0] != '\0' ? ": " : "", s->supplier, s->nlines);
	else if (s->mode == MODE_COUNT)
		snprintf(title, sizeof title, "%s: %s", _("STOCK-TAKE"), s->category[0] != '\0' ?
		    s->category : _("the whole shop"));
	else
		snprintf(title, sizeof title, "%s", _("STOCK: scan or type a code or a name"));
	attron(A_BOLD);
	ui_put(2, 0, COLS, title, 0);
	attroff(A_BOLD);
	top = s->nview > rows ? s->nview - rows : 0;
	for (int i = top; i < s->nview; i++)
		ui_put(4 + i - top, 2, COLS - 4, s->view[i], -1);
	snprintf(line, sizeof line, "> %s", s->input);
	ui_put(LINES - 4, 2, COLS - 4, line, -1);
	ui_draw_bottom(ui, NULL);
}

static bool
stock_text(struct ui *ui, wint_t ch)
{
	return ui_line_edit(S(ui)->input, sizeof S(ui)->input, ch);
}

static void
stock_open(struct ui *ui, void *data, const void *arg)
{
	struct ui_stock *s = data;
	struct kerr err;
	int open;

	(void)arg;
	open = stock_take_current(ui->st, &s->take, s->category, sizeof s->category, &err);
	if (open == -1)
		ui_error(ui, &err);
	else if (open == 1) {
		s->mode = MODE_COUNT;
		ui_message(ui, false, _("The stock-take is still open: scan the items"));
	}
}

static void
stock_close(struct ui *ui, void *data)
{
	(void)ui;
	free(((struct ui_stock *)data)->lines);
}

/* In the order the bar shows them. */
static const struct ui_binding stock_keys[] = {
	{ KEY_F(2), N_("receive"), N_("receive goods: scan each item, then its quantity"),
	    do_receive },
	{ KEY_F(3), N_("count"), N_("stock-take: each scan adds one, N*CODE adds N"), do_take },
	{ KEY_F(10), N_("finish"), N_("finish: receive the goods, or show the count's "
	    "differences to post"), do_finish },
	{ KEY_F(4), N_("adjust"), N_("adjust a product's stock, with a reason"), do_adjust },
	{ KEY_F(5), N_("low"), N_("products at or below their low-stock threshold"), do_low },
	{ KEY_F(8), N_("cancel"), N_("cancel the stock-take or the receiving"), do_cancel },
	{ UI_KEY_ESC, N_("back"), N_("back (an open stock-take stays open)"), do_back },
	{ KEY_F(1), N_("help"), N_("help: all keys"), ui_show_help },
	{ KEY_ENTER, NULL, N_("look up, receive or count the code typed"), stock_enter },
	{ KEY_F(9), NULL, N_("clear the input line"), clear_input },
	{ 0, NULL, NULL, NULL }
};

const struct ui_screen ui_screen_stock = {
	.name = "stock", .size = sizeof (struct ui_stock), .open = stock_open,
	.close = stock_close, .draw = stock_draw, .text = stock_text, .bindings = stock_keys,
};
