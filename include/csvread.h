/*
 * csvread: the reader behind every CSV file the till takes in: products (CONTRACT.md section
 * 3), stock received (`barcode,qty[,cost]`) and stock counted (`barcode,qty`, section 7).
 * It turns a file into rows of a struct, one column parser per header name, and needs no
 * database: the caller's row function does the writing, so a fuzzer can drive the parser alone.
 *
 * What every file gets, whatever its kind:
 *   - RFC 4180 (libcsv): quoted fields with commas, "" for a quote, line breaks inside quotes;
 *     LF, CR LF or a lone CR ends a line; blank lines are skipped; lines are counted as the
 *     file has them, so every message is FILE:LINE: reason with the line the row starts on.
 *   - a header row, required; columns by name (any case, any order); an unknown, repeated or
 *     missing required column is named.
 *   - supplier dialects: a UTF-8 byte-order mark (Excel's "CSV UTF-8") is skipped; a quote
 *     inside an unquoted field is a literal character (Monitor 24" LG); ';' is the separator
 *     when the header row uses it (Excel where the decimal point is a comma). Refused: text
 *     after a quoted field's closing quote, an unclosed quote, a header that mixes ',' and
 *     ';', bytes that are not UTF-8 ("not UTF-8: save it as CSV UTF-8": CP1251 from a Russian
 *     Windows), control characters other than tab.
 *   - unquoted spaces around a field are dropped, quoted ones kept (libcsv); a name column
 *     applies the core's name rule on top (see csv_name).
 *   - all-or-nothing is the caller's, made easy: every bad row is reported and counted, and
 *     csv_read() fails when there was any.
 *
 * Declaring a new kind of file (the stock files in stock-csv.c are two short examples):
 *   1. a struct for one row: struct my_row { char barcode[CATALOG_CODE_MAX]; qty_t qty; };
 *   2. a column table: for each header name, whether it is required, a parser and where its
 *      value goes in the row:
 *        static const struct csv_column my_cols[] = {
 *            { "barcode", true, csv_barcode, offsetof(struct my_row, barcode),
 *              sizeof ((struct my_row *)0)->barcode },
 *            { "qty", true, csv_qty, offsetof(struct my_row, qty), 0 },
 *        };
 *      A parser is called only for a field that is there and not empty (an empty optional
 *      field keeps the default); an empty required field is reported as "missing NAME".
 *      The parsers below cover barcodes, quantities, amounts, names and plain text; write
 *      one of the same shape for anything else.
 *   3. the kind: const struct csv_kind my_kind = { my_cols, 2, sizeof (struct my_row),
 *      my_defaults }; (defaults may be NULL: the row starts zeroed).
 *   4. csv_read(in, "file.csv", &my_kind, my_row_fn, ctx, report, rctx, &rows, &err): my_row_fn
 *      gets each good row, writes it and returns 0, or -1 with err: KERR_INPUT makes it a bad
 *      row (reported, reading goes on), anything else stops the file.
 */
#ifndef KASSA_CSVREAD_H
#define KASSA_CSVREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "kerr.h"

/* Most columns a kind may declare, and most fields a row may have. */
#define CSV_MAX_COLUMNS 16
#define CSV_MAX_FIELDS 64

struct csv_column;

/* Parses text (valid UTF-8, not empty) of column col into dst (the row's member; col->size
 * bytes for a string). 0, or -1 with err: KERR_INPUT, the reason without the file and line,
 * naming the column ("bad price: ..."). */
typedef int (*csv_parse_fn)(const struct csv_column *col, const char *text, void *dst,
    struct kerr *err);

struct csv_column {
	const char *name;        /* the header name, lower case */
	bool required;
	csv_parse_fn parse;
	size_t offset;           /* where the value goes: offsetof(struct row, member) */
	size_t size;             /* sizeof that member, for strings */
};

struct csv_kind {
	const struct csv_column *cols;
	int ncols;               /* at most CSV_MAX_COLUMNS */
	size_t row_size;
	void (*defaults)(void *row);   /* after zeroing, before the columns; may be NULL */
};

/* The file being read, as the row function sees it (owned by csv_read). */
struct csv_file;

/* True when column col (index into the kind's table) is in the file's header. */
bool csv_has(const struct csv_file *f, int col);
/* True when column col has a non-empty value in the current row. */
bool csv_given(const struct csv_file *f, int col);

/* Called once per bad row: "FILE:LINE: reason" (file as given to csv_read). */
typedef void (*csv_report_fn)(void *ctx, const char *file, long line, const char *reason);

/* Called once per good row (row points to kind->row_size bytes, valid for the call). */
typedef int (*csv_row_fn)(void *ctx, const struct csv_file *f, long line, void *row,
    struct kerr *err);

/*
 * Reads a file of kind from in; name is what the messages call it. Every bad row goes to report
 * (may be NULL). Returns 0 when the header was good and every row was good and taken by on_row
 * (*rows = how many, rows may be NULL); -1 with err otherwise: KERR_INPUT "NAME: N bad rows,
 * nothing imported" or "NAME: empty file: a header row is required (...)", KERR_IO for a read
 * error, or the error on_row stopped with.
 */
int csv_read(FILE *in, const char *name, const struct csv_kind *kind, csv_row_fn on_row,
    void *ctx, csv_report_fn report, void *rctx, long *rows, struct kerr *err);

/* Parsers for the column tables. Strings must fit col->size ("NAME too long" otherwise). */
int csv_barcode(const struct csv_column *col, const char *text, void *dst, struct kerr *err);
                                    /* an EAN-13, EAN-8 or UPC-A with its check digit */
int csv_name(const struct csv_column *col, const char *text, void *dst, struct kerr *err);
                                    /* the core's name rule (spaces trimmed); not blank */
int csv_text(const struct csv_column *col, const char *text, void *dst, struct kerr *err);
                                    /* as it is */
int csv_qty(const struct csv_column *col, const char *text, void *dst, struct kerr *err);
                                    /* qty_t, more than 0 */
int csv_qty0(const struct csv_column *col, const char *text, void *dst, struct kerr *err);
                                    /* qty_t, 0 or more */
int csv_money(const struct csv_column *col, const char *text, void *dst, struct kerr *err);
                                    /* money_t, 0 or more */

#endif
