/*
 * csvread: the generic CSV reader (include/csvread.h). libcsv splits the fields; this file
 * counts physical lines (so every message names the line a row starts on), picks the separator
 * from the header, keeps an eye on the quoting libcsv's lenient mode lets through, checks each
 * field's bytes, maps the header to the kind's column table and runs the column parsers.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#include "barcode.h"
#include "core-int.h"
#include "csvread.h"
#include "i18n.h"
#include "money.h"
#include "xalloc.h"

/*
 * libcsv's strict mode refuses a quote inside an unquoted field, which spreadsheets and
 * supplier exports write for inches (Monitor 24" LG); its lenient mode takes that as a literal,
 * as we want, but also silently takes text after a closing quote ("abc"x) into the field.
 * So libcsv runs lenient, and this follows the same bytes to refuse what strict mode would
 * have refused of quoted fields: text after the closing quote, and a quote never closed.
 */
enum quoting { Q_START, Q_PLAIN, Q_QUOTED, Q_CLOSED };

struct csv_file {
	const struct csv_kind *kind;
	const char *name;
	csv_row_fn on_row;
	void *ctx;
	csv_report_fn report;
	void *rctx;
	long line;             /* physical line being read */
	long row_line;         /* line where the current row started */
	bool at_row_start;
	bool cr_at_end;        /* the last read ended in CR: an LF next is the same line break */
	bool started;          /* the first bytes (a BOM) have been looked at */
	bool picked;           /* the separator has been taken from the header */
	unsigned char delim;
	enum quoting q;
	bool header_done;
	int nheader;                       /* fields in the header */
	int col_field[CSV_MAX_COLUMNS];    /* field index of each column, -1 if absent */
	char *field[CSV_MAX_FIELDS];
	int nfields;
	bool too_many;
	long bad, rows;
	bool failed;           /* stop reading: a broken header, quoting or a fatal error */
	struct kerr fatal;
	void *row;
};

static void
report_bad(struct csv_file *f, long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
report_bad(struct csv_file *f, long line, const char *fmt, ...)
{
	char reason[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof reason, fmt, ap);
	va_end(ap);
	f->bad++;
	if (f->report != NULL)
		f->report(f->rctx, f->name, line, reason);
}

bool
csv_has(const struct csv_file *f, int col)
{
	return col >= 0 && col < f->kind->ncols && f->col_field[col] >= 0;
}

bool
csv_given(const struct csv_file *f, int col)
{
	return csv_has(f, col) && f->col_field[col] < f->nfields &&
	    f->field[f->col_field[col]][0] != '\0';
}

/* True when s is valid UTF-8: no overlong forms, surrogates or code points past U+10FFFF. */
static bool
utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p != '\0') {
		int n;
		uint32_t cp;

		if (*p < 0x80) {
			p++;
			continue;
		}
		if ((*p & 0xe0) == 0xc0) { n = 1; cp = *p & 0x1f; }
		else if ((*p & 0xf0) == 0xe0) { n = 2; cp = *p & 0x0f; }
		else if ((*p & 0xf8) == 0xf0) { n = 3; cp = *p & 0x07; }
		else return false;
		p++;
		for (int i = 0; i < n; i++, p++) {
			if ((*p & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (*p & 0x3f);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return false;
	}
	return true;
}

/* What is wrong with a field's ASCII, or NULL: a line break or another control character
 * (tab excepted) would break the receipt and the canonical JSON of the events. */
static const char *
control_problem(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '\n' || *p == '\r')
			return "has a line break";
		if ((*p < ' ' && *p != '\t') || *p == 0x7f)
			return "has a control character";
	}
	return NULL;
}

/* "barcode,name,price,..." from the table: the required columns, then "..." if others. */
static void
header_hint(const struct csv_kind *k, char *buf, size_t size)
{
	size_t len = 0;
	bool optional = false;

	buf[0] = '\0';
	for (int c = 0; c < k->ncols; c++) {
		if (!k->cols[c].required) {
			optional = true;
			continue;
		}
		len += (size_t)snprintf(buf + len, len < size ? size - len : 0, "%s%s",
		    len > 0 ? "," : "", k->cols[c].name);
	}
	if (optional && len < size)
		snprintf(buf + len, size - len, ",...");
}

static void
read_header(struct csv_file *f)
{
	const struct csv_kind *k = f->kind;
	bool missing = false;

	f->header_done = true;
	f->nheader = f->nfields;
	for (int c = 0; c < k->ncols; c++)
		f->col_field[c] = -1;
	for (int i = 0; i < f->nfields; i++) {
		char *h = f->field[i];
		int found = -1;

		if (!utf8_valid(h)) {
			report_bad(f, f->row_line, "not UTF-8: save it as CSV UTF-8");
			f->failed = true;
			return;
		}
		for (char *p = h; *p != '\0'; p++)
			*p = (char)tolower((unsigned char)*p);
		for (int c = 0; c < k->ncols; c++) {
			if (strcmp(h, k->cols[c].name) == 0)
				found = c;
		}
		if (found < 0) {
			char known[300];
			size_t len = 0;

			known[0] = '\0';
			for (int c = 0; c < k->ncols && len < sizeof known; c++)
				len += (size_t)snprintf(known + len, sizeof known - len, "%s%s",
				    c > 0 ? ", " : "", k->cols[c].name);
			report_bad(f, f->row_line, "unknown column '%s' (known: %s)", h, known);
		} else if (f->col_field[found] >= 0) {
			report_bad(f, f->row_line, "column '%s' appears twice", h);
		} else {
			f->col_field[found] = i;
		}
	}
	for (int c = 0; c < k->ncols; c++) {
		if (k->cols[c].required && f->col_field[c] < 0) {
			report_bad(f, f->row_line, "missing required column '%s'", k->cols[c].name);
			missing = true;
		}
	}
	if (missing)
		f->failed = true;	/* no row can be read without them */
}

/* The name of the column field i holds, for messages. */
static const char *
field_column(const struct csv_file *f, int i)
{
	for (int c = 0; c < f->kind->ncols; c++) {
		if (f->col_field[c] == i)
			return f->kind->cols[c].name;
	}
	return "?";
}

static void
read_row(struct csv_file *f)
{
	const struct csv_kind *k = f->kind;
	long line = f->row_line;
	struct kerr err;

	if (f->too_many || f->nfields != f->nheader) {
		report_bad(f, line, "expected %d fields, found %d%s", f->nheader,
		    f->too_many ? CSV_MAX_FIELDS : f->nfields, f->too_many ? " or more" : "");
		return;
	}
	for (int i = 0; i < f->nfields; i++) {
		const char *problem = control_problem(f->field[i]);

		if (!utf8_valid(f->field[i])) {
			report_bad(f, line, "not UTF-8: save it as CSV UTF-8");
			return;
		}
		if (problem != NULL) {
			report_bad(f, line, "%s %s", field_column(f, i), problem);
			return;
		}
	}
	memset(f->row, 0, k->row_size);
	if (k->defaults != NULL)
		k->defaults(f->row);
	for (int c = 0; c < k->ncols; c++) {
		const struct csv_column *col = &k->cols[c];
		const char *text = csv_has(f, c) ? f->field[f->col_field[c]] : "";

		if (*text == '\0') {
			if (col->required) {
				report_bad(f, line, "missing %s", col->name);
				return;
			}
			continue;
		}
		if (col->parse(col, text, (char *)f->row + col->offset, &err) == -1) {
			report_bad(f, line, "%s", err.msg);
			return;
		}
	}
	if (f->on_row(f->ctx, f, line, f->row, &err) == -1) {
		if (err.code == KERR_INPUT) {
			report_bad(f, line, "%s", err.msg);
			return;
		}
		f->fatal = err;
		f->failed = true;
		return;
	}
	f->rows++;
}

static void
on_field(void *data, size_t len, void *ctx)
{
	struct csv_file *f = ctx;
	char *s;

	if (f->nfields >= CSV_MAX_FIELDS) {
		f->too_many = true;
		return;
	}
	/* A NUL byte would silently cut the field short: keep it visible as a control character,
	 * which the row check then refuses. */
	s = xmalloc(len + 1);
	if (len > 0)
		memcpy(s, data, len);
	s[len] = '\0';
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\0')
			s[i] = '\x01';
	}
	f->field[f->nfields++] = s;
}

static void
clear_fields(struct csv_file *f)
{
	for (int i = 0; i < f->nfields; i++)
		free(f->field[i]);
	f->nfields = 0;
	f->too_many = false;
}

static void
on_row(int term, void *ctx)
{
	struct csv_file *f = ctx;

	(void)term;
	if (!f->failed) {
		if (!f->header_done)
			read_header(f);
		else
			read_row(f);
	}
	clear_fields(f);
	f->at_row_start = true;
}

/* Follows the quoting of n bytes as libcsv reads them (see enum quoting); false and reported
 * at the first quoted field with text after its closing quote. */
static bool
follow_quotes(struct csv_file *f, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		bool end = c == f->delim || c == '\n' || c == '\r';

		switch (f->q) {
		case Q_START:
			if (c == '"')
				f->q = Q_QUOTED;
			else if (!end && c != ' ' && c != '\t')
				f->q = Q_PLAIN;
			break;
		case Q_PLAIN:
			if (end)
				f->q = Q_START;
			break;
		case Q_QUOTED:
			if (c == '"')
				f->q = Q_CLOSED;
			break;
		case Q_CLOSED:
			if (c == '"')
				f->q = Q_QUOTED;	/* "" inside a quoted field */
			else if (end)
				f->q = Q_START;
			else if (c != ' ' && c != '\t') {
				report_bad(f, f->row_line, "text after the closing quote of a "
				    "quoted field (a quote inside a quoted field is written \"\")");
				return false;
			}
			break;
		}
	}
	return true;
}

/*
 * The separator, from the first line of the header row (buf, n bytes): ';' when it has ';'
 * and no ',' outside quotes, else ','. Both is a file this cannot read right: refused.
 */
static bool
pick_separator(struct csv_file *f, const char *buf, size_t n)
{
	size_t i = 0;
	int commas = 0, semis = 0;
	bool quoted = false;

	for (; i < n && (quoted || (buf[i] != '\n' && buf[i] != '\r')); i++) {
		if (buf[i] == '"')
			quoted = !quoted;
		else if (!quoted && buf[i] == ',')
			commas++;
		else if (!quoted && buf[i] == ';')
			semis++;
	}
	f->delim = semis > 0 && commas == 0 ? ';' : ',';
	if (semis > 0 && commas > 0) {
		report_bad(f, f->line, "the header row has both ',' and ';' between its columns: "
		    "save the file as CSV UTF-8 with one separator");
		return false;
	}
	return true;
}

/* Feeds one physical line (or the rest of the buffer) to libcsv. */
static bool
feed(struct csv_file *f, struct csv_parser *p, const char *s, size_t len)
{
	if (!follow_quotes(f, s, len))
		return false;
	if (csv_parse(p, s, len, on_field, on_row, f) != len) {
		report_bad(f, f->row_line, "%s", csv_strerror(csv_error(p)));
		return false;
	}
	return true;
}

int
csv_read(FILE *in, const char *name, const struct csv_kind *kind, csv_row_fn on_row_fn,
    void *ctx, csv_report_fn report, void *rctx, long *rows, struct kerr *err)
{
	struct csv_parser parser;
	struct csv_file f;
	char buf[65536];
	size_t n;
	int rc = -1;

	memset(&f, 0, sizeof f);
	f.kind = kind;
	f.name = name;
	f.on_row = on_row_fn;
	f.ctx = ctx;
	f.report = report;
	f.rctx = rctx;
	f.line = 1;
	f.at_row_start = true;
	f.delim = ',';
	f.q = Q_START;
	f.row = xcalloc(1, kind->row_size > 0 ? kind->row_size : 1);
	if (csv_init(&parser, CSV_APPEND_NULL) != 0) {
		free(f.row);
		return kerr_set(err, KERR_INTERNAL, "cannot start the CSV parser");
	}
	while (!f.failed && (n = fread(buf, 1, sizeof buf, in)) > 0) {
		size_t i = 0;

		if (!f.started) {
			f.started = true;
			/* A UTF-8 byte-order mark, as Excel's "CSV UTF-8" writes. */
			if (n >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
				i = 3;
		}
		/* A physical line at a time, so each row knows the line it starts on. */
		while (i < n && !f.failed) {
			size_t j = i, len;
			bool brk;

			/* A line ends at LF, CR LF or a lone CR (old spreadsheet exports). */
			while (j < n && buf[j] != '\n' && buf[j] != '\r')
				j++;
			brk = j < n;
			if (brk && buf[j] == '\r' && j + 1 < n && buf[j + 1] == '\n')
				j++;
			len = brk ? j - i + 1 : n - i;
			/* The LF of a CR LF split across two reads ends no second line. */
			if (f.cr_at_end && buf[i] == '\n') {
				f.cr_at_end = false;
				if (!feed(&f, &parser, buf + i, 1))
					f.failed = true;
				i++;
				continue;
			}
			f.cr_at_end = brk && buf[j] == '\r' && j == n - 1;

			/* A row starts on the first physical line that is not blank. */
			if (f.at_row_start) {
				size_t k = 0;

				while (k < len && (buf[i + k] == '\r' || buf[i + k] == '\n'))
					k++;
				if (k < len) {
					f.row_line = f.line;
					f.at_row_start = false;
				}
				/* The header's first line says which separator the file uses. */
				if (k < len && !f.picked) {
					f.picked = true;
					if (!pick_separator(&f, buf + i + k, len - k)) {
						f.failed = true;
						break;
					}
					csv_set_delim(&parser, f.delim);
				}
			}
			if (!feed(&f, &parser, buf + i, len)) {
				f.failed = true;
				break;
			}
			if (brk)
				f.line++;
			i += len;
		}
	}
	if (ferror(in)) {
		kerr_set(err, KERR_IO, _("%s: read error"), name);
		goto out;
	}
	if (!f.failed && f.q == Q_QUOTED) {
		report_bad(&f, f.row_line, "a quoted field is never closed (an unclosed quote)");
		f.failed = true;
	}
	if (!f.failed)
		csv_fini(&parser, on_field, on_row, &f);
	if (f.fatal.code != KERR_OK) {
		*err = f.fatal;
		goto out;
	}
	if (!f.header_done && f.bad == 0) {
		char hint[200];

		header_hint(kind, hint, sizeof hint);
		kerr_set(err, KERR_INPUT, _("%s: empty file: a header row is required (%s)"), name,
		    hint);
		goto out;
	}
	if (f.bad > 0) {
		kerr_set(err, KERR_INPUT, P_("%s: %ld bad row, nothing imported",
		    "%s: %ld bad rows, nothing imported", (unsigned long)f.bad), name, f.bad);
		goto out;
	}
	if (rows != NULL)
		*rows = f.rows;
	rc = 0;
out:
	clear_fields(&f);
	free(f.row);
	csv_free(&parser);
	return rc;
}

/* ---- column parsers --------------------------------------------------------------------- */

static int
copy_string(const struct csv_column *col, const char *text, void *dst, struct kerr *err)
{
	if (strlen(text) >= col->size)
		return kerr_set(err, KERR_INPUT, "%s too long", col->name);
	memcpy(dst, text, strlen(text) + 1);
	return 0;
}

int
csv_barcode(const struct csv_column *col, const char *text, void *dst, struct kerr *err)
{
	if (barcode_kind(text) == BARCODE_NONE)
		return kerr_set(err, KERR_INPUT, "%s '%s' is not an EAN-13, EAN-8 or UPC-A",
		    col->name, text);
	if (!barcode_valid(text))
		return kerr_set(err, KERR_INPUT, "bad check digit in %s %s (expected %d)",
		    col->name, text, barcode_check_digit(text, (int)strlen(text) - 1));
	return copy_string(col, text, dst, err);
}

int
csv_name(const struct csv_column *col, const char *text, void *dst, struct kerr *err)
{
	char *s = xstrdup(text);
	int rc;

	core_name_clean(s);
	if (*s == '\0')
		rc = kerr_set(err, KERR_INPUT, "missing %s", col->name);
	else
		rc = copy_string(col, s, dst, err);
	free(s);
	return rc;
}

int
csv_text(const struct csv_column *col, const char *text, void *dst, struct kerr *err)
{
	return copy_string(col, text, dst, err);
}

int
csv_qty(const struct csv_column *col, const char *text, void *dst, struct kerr *err)
{
	struct kerr why;

	if (qty_parse(text, dst, &why) == -1)
		return kerr_set(err, KERR_INPUT, "bad %s: %s", col->name, why.msg);
	return 0;
}

int
csv_qty0(const struct csv_column *col, const char *text, void *dst, struct kerr *err)
{
	size_t zeros = strspn(text, "0");

	/* "0", "0.0", "0.000": qty_parse wants more than 0. */
	if (zeros > 0 && (text[zeros] == '\0' || (text[zeros] == '.' && text[zeros + 1] != '\0' &&
	    strspn(text + zeros + 1, "0") == strlen(text + zeros + 1) &&
	    strlen(text + zeros + 1) <= 3))) {
		*(qty_t *)dst = 0;
		return 0;
	}
	return csv_qty(col, text, dst, err);
}

int
csv_money(const struct csv_column *col, const char *text, void *dst, struct kerr *err)
{
	struct kerr why;

	if (money_parse(text, false, dst, &why) == -1)
		return kerr_set(err, KERR_INPUT, "bad %s: %s", col->name, why.msg);
	return 0;
}
