/*
 * ui-report.c: the day's report and the audit trail on screen, from the F12 menu. The figures
 * are the core's (report_day_json / report_audit_json, walked row by row), the same as `kassa
 * report day` and `kassa report audit`; times are local. Scrolls by line and by page; Left and
 * Right go a day back and forth; Tab switches between the report and the audit; F9 queues the
 * day's report for the printer process (on paper, never fighting the till for the device).
 */
#include <curses.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report.h"
#include "timestamp.h"
#include "ui-int.h"

#define REPORT_LINES 600

struct report_view {
	bool audit;                     /* the audit trail, else the day's report */
	char day[REPORT_DATE_SIZE];
	char section[32];               /* while loading: the section the rows are in */
	char lines[REPORT_LINES][112];
	int n;
	int top;
};

static void
add(struct report_view *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
add(struct report_view *v, const char *fmt, ...)
{
	va_list ap;

	if (v->n >= REPORT_LINES)
		return;
	va_start(ap, fmt);
	vsnprintf(v->lines[v->n++], sizeof v->lines[0], fmt, ap);
	va_end(ap);
}

static int
day_row(void *ctx, const struct report_row *row)
{
	struct report_view *v = ctx;
	char a[48], q[32], r[48];

	if (strcmp(v->section, row->section) != 0) {
		snprintf(v->section, sizeof v->section, "%s", row->section);
		add(v, "%s", "");
		add(v, "%s", row->section);
	}
	snprintf(q, sizeof q, "%s", row->has_qty ? qty_format(row->qty, row->qty % QTY_ONE != 0,
	    q, sizeof q) : "");
	if (row->has_count)
		snprintf(q + strlen(q), sizeof q - strlen(q), "%s%" PRId64, q[0] != '\0' ? " " : "",
		    row->count);
	r[0] = '\0';
	if (row->has_refunds && row->refunds != 0)
		snprintf(r, sizeof r, "  -%s", money_format(row->refunds, a, sizeof a));
	add(v, "  %-28.28s %8s %16s%s", row->key[0] != '\0' ? row->key : "-", q,
	    row->has_amount ? money_format(row->amount, a, sizeof a) : "", r);
	return 0;
}

static int
audit_row(void *ctx, const struct report_audit_row *row)
{
	struct report_view *v = ctx;
	char when[TIMESTAMP_LOCAL_SIZE + 8];

	add(v, "%s  %-18s %s", timestamp_local(row->at, when, sizeof when), row->kind, row->text);
	return 0;
}

static void
load(struct ui *ui, struct report_view *v)
{
	struct kerr err;
	char *doc;
	int rc;

	v->n = 0;
	v->top = 0;
	v->section[0] = '\0';
	doc = v->audit ? report_audit_json(ui->st, v->day, &err) : report_day_json(ui->st, v->day,
	    10, &err);
	if (doc == NULL) {
		ui_error(ui, &err);
		return;
	}
	rc = v->audit ? report_audit_rows(ui->st, doc, audit_row, v, &err) :
	    report_doc_rows(ui->st, doc, day_row, v, &err);
	free(doc);
	if (rc == -1)
		ui_error(ui, &err);
	if (v->audit && v->n == 0)
		add(v, "%s", _("Nothing recorded on this day."));
}

static void
report_open(struct ui *ui, void *data, const void *arg)
{
	struct report_view *v = data;
	char from[REPORT_TIME_SIZE], to[REPORT_TIME_SIZE];
	struct kerr err;

	v->audit = arg != NULL;
	if (report_day_bounds(NULL, v->day, from, to, &err) == -1) {
		ui_error(ui, &err);
		return;
	}
	load(ui, v);
}

static int
rows(void)
{
	return LINES - 7 > 1 ? LINES - 7 : 1;
}

static void
report_draw(struct ui *ui)
{
	struct report_view *v = ui_data(ui);
	char title[96];

	ui_draw_status(ui);
	snprintf(title, sizeof title, "%s %s", v->audit ? _("Audit") : _("Day report"), v->day);
	attron(A_BOLD);
	ui_put(2, 0, COLS, title, 0);
	attroff(A_BOLD);
	for (int i = v->top, y = 4; i < v->n && y < 4 + rows(); i++, y++)
		ui_put(y, 2, COLS - 4, v->lines[i], -1);
	ui_draw_bottom(ui, NULL);
}

static void
report_back(struct ui *ui)
{
	ui_close(ui);
}

static void
scroll_by(struct ui *ui, int d)
{
	struct report_view *v = ui_data(ui);
	int max = v->n - rows() > 0 ? v->n - rows() : 0;

	v->top += d;
	if (v->top > max)
		v->top = max;
	if (v->top < 0)
		v->top = 0;
}

static void report_up(struct ui *ui) { scroll_by(ui, -1); }
static void report_down(struct ui *ui) { scroll_by(ui, 1); }
static void report_pgup(struct ui *ui) { scroll_by(ui, -rows()); }
static void report_pgdn(struct ui *ui) { scroll_by(ui, rows()); }

/* A day back or forth, local calendar days. */
static void
shift_day(struct ui *ui, int d)
{
	struct report_view *v = ui_data(ui);
	char from[REPORT_TIME_SIZE], to[REPORT_TIME_SIZE], next[32];
	struct kerr err;
	struct tm tm;
	int y, m, dd;

	if (sscanf(v->day, "%d-%d-%d", &y, &m, &dd) != 3)
		return;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = dd + d;
	tm.tm_hour = 12;
	tm.tm_isdst = -1;
	if (mktime(&tm) == (time_t)-1 || strftime(next, sizeof next, "%Y-%m-%d", &tm) == 0)
		return;
	if (report_day_bounds(next, v->day, from, to, &err) == -1) {
		ui_error(ui, &err);
		return;
	}
	load(ui, v);
}

static void report_prev(struct ui *ui) { shift_day(ui, -1); }
static void report_next(struct ui *ui) { shift_day(ui, 1); }

static void
report_toggle(struct ui *ui)
{
	struct report_view *v = ui_data(ui);

	v->audit = !v->audit;
	load(ui, v);
}

static void
report_print(struct ui *ui)
{
	struct report_view *v = ui_data(ui);
	char what[32];
	struct kerr err;

	if (v->audit) {
		ui_message(ui, true, _("Only the day's report prints: Tab switches to it"));
		return;
	}
	snprintf(what, sizeof what, "day:%s", v->day);
	if (report_queue_print(ui->st, what, NULL, &err) == -1) {
		ui_error(ui, &err);
		return;
	}
	ui_after_commit(ui);
	ui_message(ui, false, _("The day's report is queued for the printer"));
}

static bool
report_text(struct ui *ui, wint_t ch)
{
	if (ch != L'q')
		return false;
	report_back(ui);
	return true;
}

static const struct ui_binding report_keys[] = {
	{ UI_KEY_ESC, N_("back"), N_("back"), report_back },
	{ KEY_F(9), N_("print"), N_("print the day's report"), report_print },
	{ UI_KEY_TAB, N_("day/audit"), N_("switch between the day's report and the audit"),
	    report_toggle },
	{ KEY_LEFT, N_("day before"), N_("the day before"), report_prev },
	{ KEY_RIGHT, N_("day after"), N_("the day after"), report_next },
	{ KEY_UP, NULL, N_("a line up"), report_up },
	{ KEY_DOWN, NULL, N_("a line down"), report_down },
	{ KEY_PPAGE, NULL, N_("a page up"), report_pgup },
	{ KEY_NPAGE, NULL, N_("a page down"), report_pgdn },
	{ 0, NULL, NULL, NULL }
};

const struct ui_screen ui_screen_report = {
	.name = "report", .size = sizeof(struct report_view), .open = report_open,
	.draw = report_draw, .text = report_text, .bindings = report_keys,
};
