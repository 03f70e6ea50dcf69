/*
 * ui-draw.c: drawing helpers. Text is placed by display width (wcwidth), not bytes, so Uzbek
 * Latin (oʻ, gʻ) and Cyrillic names line up in columns; money is written as shops write it.
 */
#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ui-int.h"

/* UTF-8 to wide, at most n - 1 characters; invalid bytes become '?'. */
static int
widen(const char *s, wchar_t *out, int n)
{
	mbstate_t ps;
	int o = 0;

	memset(&ps, 0, sizeof ps);
	while (*s != '\0' && o < n - 1) {
		wchar_t wc;
		size_t k = mbrtowc(&wc, s, MB_CUR_MAX, &ps);

		if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
			wc = L'?';
			k = 1;
			memset(&ps, 0, sizeof ps);
		}
		out[o++] = wc;
		s += k;
	}
	out[o] = L'\0';
	return o;
}

int
ui_width(const char *utf8)
{
	wchar_t w[512];
	int n = widen(utf8, w, 512), width = 0;

	for (int i = 0; i < n; i++) {
		int cw = wcwidth(w[i]);

		width += cw > 0 ? cw : 0;
	}
	return width;
}

void
ui_put(int y, int x, int width, const char *utf8, int align)
{
	wchar_t w[512];
	int n = widen(utf8, w, 512), used = 0, cut = 0, pad;

	if (width <= 0)
		return;
	/* Keep whole characters that fit in width columns. */
	for (cut = 0; cut < n; cut++) {
		int cw = wcwidth(w[cut]);

		if (cw < 0)
			cw = 0;
		if (used + cw > width)
			break;
		used += cw;
	}
	pad = width - used;
	if (align == 1)
		x += pad;
	else if (align == 0)
		x += pad / 2;
	mvaddnwstr(y, x, w, cut);
}

static char currency[8] = "UZS";

void
ui_set_currency(const char *code)
{
	snprintf(currency, sizeof currency, "%s", code);
}

char *
ui_money(money_t amount, char *buf, size_t size)
{
	char num[40];

	money_format(amount, num, sizeof num);
	/* Written as shops write it: "12 500 so'm"; other currencies by their code. */
	snprintf(buf, size, "%s %s", num, strcmp(currency, "UZS") == 0 ? _("so'm") : currency);
	return buf;
}

/* [fiscal]: the documents waiting for the gateway, after the sync's words; a warning from a
 * day before the oldest reaches offline_days. Never blocks anything. */
static void
fiscal_text(struct ui *ui, char *buf, size_t size)
{
	const struct sync_status *s = &ui->sync_state;
	int64_t warn_s = (int64_t)(ui->cfg->fiscal_offline_days - 1) * 86400;
	size_t n = strlen(buf);

	if (!config_fiscal(ui->cfg) || n >= size)
		return;
	if (s->fiscal_rejected > 0)
		snprintf(buf + n, size - n, _(" | fiscal: %lld rejected!"),
		    (long long)s->fiscal_rejected);
	else if (s->fiscal_pending > 0 && s->fiscal_oldest_age_s >= warn_s)
		snprintf(buf + n, size - n, _(" | FISCAL: %lld unsent for %lld h: go online!"),
		    (long long)s->fiscal_pending, (long long)(s->fiscal_oldest_age_s / 3600));
	else if (s->fiscal_pending > 0)
		snprintf(buf + n, size - n, _(" | fiscal: %lld waiting"),
		    (long long)s->fiscal_pending);
}

static const char *
sync_text(struct ui *ui, char *buf, size_t size)
{
	const struct sync_status *s = &ui->sync_state;

	if (!s->configured)
		snprintf(buf, size, "%s", _("sync: not configured"));
	else if (s->halted)	/* the hub refused the chain: s->hub_reason says why */
		snprintf(buf, size, _("sync: stopped, %lld waiting!"), (long long)s->pending);
	else if (s->rejected > 0)
		snprintf(buf, size, _("sync: %lld rejected!"), (long long)s->rejected);
	else if (s->online && s->pending == 0)
		snprintf(buf, size, "%s", _("sync: online"));
	else if (s->online)
		snprintf(buf, size, _("sync: %lld waiting"), (long long)s->pending);
	else
		snprintf(buf, size, _("sync: offline, %lld waiting"), (long long)s->pending);
	fiscal_text(ui, buf, size);
	return buf;
}

void
ui_draw_status(struct ui *ui)
{
	char left[256], right[200], when[16];
	time_t now = time(NULL);
	struct tm tm;
	int64_t shift = 0;

	localtime_r(&now, &tm);
	strftime(when, sizeof when, "%H:%M", &tm);
	if (ui->logged_in && shift_current(ui->st, &shift))
		snprintf(left, sizeof left, " %s | %s | %s | %s %lld", ui->store_name, ui->device,
		    ui->user.name, _("shift"), (long long)shift);
	else
		snprintf(left, sizeof left, " %s | %s", ui->store_name, ui->device);
	{
		char sync[160];

		snprintf(right, sizeof right, "%s | %s ", sync_text(ui, sync, sizeof sync), when);
	}
	if (has_colors())
		attron(COLOR_PAIR(1));
	attron(A_REVERSE);
	mvhline(0, 0, ' ', COLS);
	ui_put(0, 0, COLS - ui_width(right), left, -1);
	ui_put(0, COLS - ui_width(right), ui_width(right), right, 1);
	attroff(A_REVERSE);
	if (has_colors())
		attroff(COLOR_PAIR(1));
}

/*
 * "printer: paper out, 2 waiting" in the till's language. The printer process reports its
 * state in English words (they also go to `kassa status`); the cashier reads them translated.
 * *trouble: the printer needs someone (anything but ok, none, or not known yet).
 */
static void
printer_label(const struct dev_printer_status *p, char *buf, size_t size, bool *trouble)
{
	static const char *const states[] = {
		N_("ok"), N_("paper out"), N_("cover open"), N_("offline"), N_("error"),
	};
	const char *state = p->state;
	int n;

	for (size_t i = 0; i < sizeof states / sizeof states[0]; i++) {
		if (strcmp(p->state, states[i]) == 0)
			state = _(states[i]);
	}
	*trouble = strcmp(p->state, "ok") != 0 && strcmp(p->state, "...") != 0 &&
	    strcmp(p->state, _("none")) != 0;
	if (p->queued > 0 && *trouble)
		n = snprintf(buf, size, _("printer: %s, %ld waiting"), state, p->queued);
	else
		n = snprintf(buf, size, "%s: %s", _("printer"), state);
	if (n >= 0 && (size_t)n + 1 < size)
		snprintf(buf + n, size - (size_t)n, " ");	/* a space before the bar's end */
}

void
ui_bar_text(struct ui *ui, const char *lead, const struct ui_binding *b, int width, char *out,
    size_t size)
{
	size_t len = 0;
	int used = 0;

	out[0] = '\0';
	if (lead != NULL && lead[0] != '\0' && ui_width(lead) <= width) {
		len = (size_t)snprintf(out, size, "%s", lead);
		used = ui_width(lead);
	}
	/* In the table's order, the cashier's most needed first: the first that does not fit
	 * ends the bar, so a key is shown whole or not at all. */
	for (; b != NULL && b->key != 0; b++) {
		char item[128];
		int w;

		if (b->bar == NULL || b->run == NULL)
			continue;
		snprintf(item, sizeof item, "%s%s %s", used > 0 ? "  " : "", ui_key_label(ui, b->key),
		    _(b->bar));
		w = ui_width(item);
		if (used + w > width || len + strlen(item) + 1 > size)
			break;
		memcpy(out + len, item, strlen(item) + 1);
		len += strlen(item);
		used += w;
	}
}

void
ui_draw_bottom(struct ui *ui, const char *lead)
{
	char right[320], printer[200], bar[512];
	bool trouble;
	int width;

	/* The message line: errors stand out (colour where there is one, reverse otherwise). */
	if (ui->msg[0] != '\0') {
		if (ui->msg_error) {
			if (has_colors())
				attron(COLOR_PAIR(2));
			attron(A_BOLD | (has_colors() ? 0 : A_REVERSE));
		}
		mvhline(LINES - 3, 0, ' ', COLS);
		ui_put(LINES - 3, 1, COLS - 2, ui->msg, -1);
		attroff(A_BOLD | A_REVERSE);
		if (has_colors())
			attroff(COLOR_PAIR(2));
	}
	printer_label(&ui->printer_state, printer, sizeof printer, &trouble);
	/* A serial scanner that is gone stays on the bar until it is back (the cashier types the
	 * codes meanwhile). */
	snprintf(right, sizeof right, "%s%s%s", ui->scanner_offline ?
	    _("scanner: not connected") : "", ui->scanner_offline ? "   " : "", printer);
	trouble = trouble || ui->scanner_offline;
	/* The keys of what has the keys now: the question on screen, else the screen. */
	if (ui->prompt.active)
		lead = ui->prompt.lead;
	width = COLS - 3 - ui_width(right) - 1;	/* two spaces before the status */
	ui_bar_text(ui, lead, ui_bar_bindings(ui), width, bar, sizeof bar);
	if (has_colors())
		attron(COLOR_PAIR(1));
	attron(A_REVERSE);
	mvhline(LINES - 1, 0, ' ', COLS);
	ui_put(LINES - 1, 1, width, bar, -1);
	/* A printer that needs the cashier (paper, cover, cable) stands out in the error colour. */
	if (trouble) {
		if (has_colors())
			attron(COLOR_PAIR(2));
		attron(A_BOLD);
	}
	ui_put(LINES - 1, COLS - ui_width(right) - 1, ui_width(right), right, 1);
	attroff(A_REVERSE | A_BOLD);
	if (has_colors())
		attroff(COLOR_PAIR(1) | COLOR_PAIR(2));
}

char *
ui_local_time(const char *rfc3339, char *buf, size_t size)
{
	struct tm tm;
	time_t t;
	int ms;

	memset(&tm, 0, sizeof tm);
	/* The store's canonical form, YYYY-MM-DDTHH:MM:SS.mmmZ (UTC); anything else as it is. */
	if (sscanf(rfc3339, "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
	    &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms) != 7) {
		snprintf(buf, size, "%s", rfc3339);
		return buf;
	}
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	t = timegm(&tm);
	if (t == (time_t)-1 || localtime_r(&t, &tm) == NULL ||
	    strftime(buf, size, "%Y-%m-%d %H:%M", &tm) == 0)
		snprintf(buf, size, "%s", rfc3339);
	return buf;
}

/* A 5-row block font for the change: readable from across the counter. */
static const char *const big_font[][5] = {
	{ "###", "# #", "# #", "# #", "###" }, { " # ", "## ", " # ", " # ", "###" },
	{ "###", "  #", "###", "#  ", "###" }, { "###", "  #", "###", "  #", "###" },
	{ "# #", "# #", "###", "  #", "  #" }, { "###", "#  ", "###", "  #", "###" },
	{ "###", "#  ", "###", "# #", "###" }, { "###", "  #", "  #", "  #", "  #" },
	{ "###", "# #", "###", "# #", "###" }, { "###", "# #", "###", "  #", "###" },
};

void
ui_draw_big(int y, int x, const char *text)
{
	for (const char *p = text; *p != '\0'; p++) {
		if (*p >= '0' && *p <= '9') {
			for (int r = 0; r < 5; r++)
				mvaddstr(y + r, x, big_font[*p - '0'][r]);
			x += 4;
		} else if (*p == '.') {
			mvaddch(y + 4, x, '#');
			x += 2;
		} else if (*p == '-') {
			mvaddstr(y + 2, x, "###");
			x += 4;
		} else
			x += 2;
	}
}
