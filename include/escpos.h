/*
 * escpos: the ESC/POS encoder (src/dev/escpos.c). Renders a device-level document (lines of
 * text, left/right pairs, rules, a barcode, a QR code, feed, cut, drawer kick) into the bytes
 * a receipt printer takes; sending them is dev.h's dev_printer_write. The document knows
 * nothing of sales or receipts: src/print fills it from the core's struct receipt.
 */
#ifndef KASSA_ESCPOS_H
#define KASSA_ESCPOS_H

#include <stddef.h>

/* Bytes to send; starts zeroed, grows as needed. The owner frees with dev_buf_free. */
struct dev_buf {
	unsigned char *p;
	size_t len, cap;
};
void dev_buf_add(struct dev_buf *b, const void *data, size_t len);
void dev_buf_free(struct dev_buf *b);

enum escpos_kind {
	ESCPOS_TEXT,     /* left, wrapped to the width */
	ESCPOS_PAIR,     /* left ... right on one row (a left too long gets its own rows) */
	ESCPOS_RULE,     /* a row of '-' */
	ESCPOS_BARCODE,  /* left holds the data (CODE128, up to 60 characters) */
	ESCPOS_QR,       /* left holds the data (a URL; dropped beyond what a QR holds) */
	ESCPOS_FEED,     /* feed 4 rows */
	ESCPOS_CUT,      /* feed and cut */
	ESCPOS_DRAWER    /* kick the cash drawer (ESC p, pin 2) */
};

/* A line's style: flags or'ed together; 0 is plain and left-aligned. */
#define ESCPOS_BOLD   0x1
#define ESCPOS_DOUBLE 0x2  /* double width and height: half the columns */
#define ESCPOS_CENTER 0x4

struct escpos_line {
	enum escpos_kind kind;
	int style;
	char *left;   /* UTF-8, owned by the document; may be NULL */
	char *right;
};

struct escpos_doc {
	struct escpos_line *lines;
	int n, cap;
};

/* An empty document; caller frees with escpos_doc_free (which takes NULL). */
struct escpos_doc *escpos_doc_new(void);
/* Appends a line; left and right (either may be NULL) are copied. */
void escpos_doc_add(struct escpos_doc *d, enum escpos_kind kind, int style, const char *left,
    const char *right);
void escpos_doc_free(struct escpos_doc *d);

/*
 * d laid out in width columns, text in ESC t code page codepage (Epson's numbers: 0, 2, 16,
 * 17, 46), appended to out: ESC @ and ESC t first, then each line.
 */
void escpos_render(const struct escpos_doc *d, int width, int codepage, struct dev_buf *out);
/* UTF-8 text in the printer's code page ('?' for what it lacks); returns the columns. */
size_t escpos_text(const char *utf8, int codepage, struct dev_buf *out);

#endif
