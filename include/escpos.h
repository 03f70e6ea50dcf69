/*
 * escpos: the ESC/POS encoder (src/dev/escpos.c). Turns a printed document into the bytes a
 * receipt printer takes; sending them is dev.h's dev_printer_write.
 */
#ifndef KASSA_ESCPOS_H
#define KASSA_ESCPOS_H

#include <stddef.h>

struct receipt;

/* Bytes to send; starts zeroed, grows as needed. The owner frees with dev_buf_free. */
struct dev_buf {
	unsigned char *p;
	size_t len, cap;
};
void dev_buf_add(struct dev_buf *b, const void *data, size_t len);
void dev_buf_free(struct dev_buf *b);

/* r laid out in width columns, text in ESC t code page codepage, appended to out. */
void escpos_render(const struct receipt *r, int width, int codepage, struct dev_buf *out);
/* UTF-8 text in the printer's code page ('?' for what it lacks); returns the columns. */
size_t escpos_text(const char *utf8, int codepage, struct dev_buf *out);

#endif
