/*
 * escpos.c: turns a device-level document (escpos.h) into ESC/POS bytes: ESC @ init, ESC t code
 * page, text converted from UTF-8 with iconv (Uzbek oʻ gʻ as o' g', '?' for what the code page
 * lacks), left/right rows by columns, bold (ESC E), double size (GS !), centring (ESC a), a
 * CODE128 barcode (GS k), a QR code (GS ( k), feed (ESC d), cut (GS V) and the drawer kick
 * (ESC p).
 */
#include <iconv.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "dev-int.h"
#include "xalloc.h"

void
dev_buf_add(struct dev_buf *b, const void *data, size_t len)
{
	if (len == 0)
		return;		/* data may be an empty buffer's NULL: memcpy must not see it */
	if (b->len + len > b->cap) {
		b->cap = (b->len + len) * 2 + 64;
		b->p = xrealloc(b->p, b->cap);
	}
	memcpy(b->p + b->len, data, len);
	b->len += len;
}

void
dev_buf_free(struct dev_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

struct escpos_doc *
escpos_doc_new(void)
{
	return xcalloc(1, sizeof(struct escpos_doc));
}

void
escpos_doc_add(struct escpos_doc *d, enum escpos_kind kind, int style, const char *left,
    const char *right)
{
	struct escpos_line *ln;

	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 32;
		d->lines = xreallocarray(d->lines, (size_t)d->cap, sizeof *d->lines);
	}
	ln = &d->lines[d->n++];
	ln->kind = kind;
	ln->style = style;
	ln->left = left ? xstrdup(left) : NULL;
	ln->right = right ? xstrdup(right) : NULL;
}

void
escpos_doc_free(struct escpos_doc *d)
{
	if (d == NULL)
		return;
	for (int i = 0; i < d->n; i++) {
		free(d->lines[i].left);
		free(d->lines[i].right);
	}
	free(d->lines);
	free(d);
}

static void
add_bytes(struct dev_buf *b, int n, ...)
{
	unsigned char tmp[16];
	va_list ap;

	va_start(ap, n);
	for (int i = 0; i < n && i < (int)sizeof tmp; i++)
		tmp[i] = (unsigned char)va_arg(ap, int);
	va_end(ap);
	dev_buf_add(b, tmp, (size_t)n);
}

/* The iconv name of an ESC t code page number (Epson's table). */
static const char *
codepage_name(int n)
{
	switch (n) {
	case 0: return "CP437";
	case 2: return "CP850";
	case 16: return "CP1252";
	case 17: return "CP866";
	case 46: return "CP1251";
	default: return NULL;
	}
}

/* One code point from s; returns its length in bytes (1 for a bad byte, cp = 0xFFFD). */
static size_t
utf8_next(const unsigned char *s, unsigned *cp)
{
	size_t n;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	} else if ((s[0] & 0xE0) == 0xC0) {
		*cp = s[0] & 0x1F;
		n = 2;
	} else if ((s[0] & 0xF0) == 0xE0) {
		*cp = s[0] & 0x0F;
		n = 3;
	} else if ((s[0] & 0xF8) == 0xF0) {
		*cp = s[0] & 0x07;
		n = 4;
	} else {
		*cp = 0xFFFD;
		return 1;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80) {
			*cp = 0xFFFD;
			return 1;
		}
		*cp = (*cp << 6) | (s[i] & 0x3F);
	}
	return n;
}

size_t
escpos_text(const char *utf8, int codepage, struct dev_buf *out)
{
	const unsigned char *s = (const unsigned char *)utf8;
	const char *name = codepage_name(codepage);
	iconv_t cd = name ? iconv_open(name, "UTF-8") : (iconv_t)-1;
	size_t cols = 0;

	while (*s != '\0') {
		unsigned cp;
		size_t n = utf8_next(s, &cp);
		char in[4], outc[8], *ip = in, *op = outc;
		size_t il = n, ol = sizeof outc;

		if (cp < 0x20 || cp == 0x7F) {
			/* A control byte would be a printer command: never pass it on. */
			dev_buf_add(out, "?", 1);
		} else if (cp < 0x80) {
			dev_buf_add(out, s, 1);
		} else if (cp == 0x02BB || cp == 0x2018 || cp == 0x2019 || cp == 0x02BC) {
			/* Uzbek oʻ gʻ: the apostrophe every code page has. */
			dev_buf_add(out, "'", 1);
		} else {
			memcpy(in, s, n);
			if (cd != (iconv_t)-1 && iconv(cd, &ip, &il, &op, &ol) != (size_t)-1 &&
			    op - outc == 1)
				dev_buf_add(out, outc, 1);
			else
				dev_buf_add(out, "?", 1);
			if (cd != (iconv_t)-1)
				iconv(cd, NULL, NULL, NULL, NULL);  /* reset after a failure */
		}
		cols++;
		s += n;
	}
	if (cd != (iconv_t)-1)
		iconv_close(cd);
	return cols;
}

static void
spaces(struct dev_buf *b, size_t n)
{
	while (n-- > 0)
		dev_buf_add(b, " ", 1);
}

/* Text wrapped to cols columns (converted first: one code page byte is one column). */
static void
put_text(struct dev_buf *out, const char *utf8, int codepage, size_t cols)
{
	struct dev_buf t = { 0 };

	escpos_text(utf8, codepage, &t);
	for (size_t i = 0; i < t.len; i += cols) {
		size_t n = t.len - i < cols ? t.len - i : cols;

		dev_buf_add(out, t.p + i, n);
		dev_buf_add(out, "\n", 1);
	}
	if (t.len == 0)
		dev_buf_add(out, "\n", 1);
	dev_buf_free(&t);
}

/* left ... right in cols columns; a left too long gets its own row(s). */
static void
put_pair(struct dev_buf *out, const char *left, const char *right, int codepage, size_t cols)
{
	struct dev_buf l = { 0 }, r = { 0 };

	escpos_text(left ? left : "", codepage, &l);
	escpos_text(right ? right : "", codepage, &r);
	if (r.len > cols)
		r.len = cols;
	if (l.len + 1 + r.len > cols) {
		put_text(out, left ? left : "", codepage, cols);
		spaces(out, cols - r.len);
	} else {
		dev_buf_add(out, l.p, l.len);
		spaces(out, cols - l.len - r.len);
	}
	dev_buf_add(out, r.p, r.len);
	dev_buf_add(out, "\n", 1);
	dev_buf_free(&l);
	dev_buf_free(&r);
}

static void
put_qr(struct dev_buf *out, const char *url)
{
	size_t len = strlen(url) + 3;

	if (len > 7000)
		return;  /* beyond what a QR holds: the receipt prints without it */
	/* Model 2, module size 6, error correction M, store the data, print it. */
	add_bytes(out, 9, 0x1D, 0x28, 0x6B, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00);
	add_bytes(out, 8, 0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x43, 0x06);
	add_bytes(out, 8, 0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x45, 0x31);
	add_bytes(out, 8, 0x1D, 0x28, 0x6B, (int)(len & 0xFF), (int)(len >> 8), 0x31, 0x50, 0x30);
	dev_buf_add(out, url, len - 3);
	add_bytes(out, 8, 0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30);
	dev_buf_add(out, "\n", 1);
}

static void
put_barcode(struct dev_buf *out, const char *digits)
{
	size_t len = strlen(digits);

	if (len == 0 || len > 60)
		return;
	/* Height 60 dots, module 2, digits printed below; CODE128 set B ("{B"). */
	add_bytes(out, 3, 0x1D, 0x68, 60);
	add_bytes(out, 3, 0x1D, 0x77, 2);
	add_bytes(out, 3, 0x1D, 0x48, 2);
	add_bytes(out, 4, 0x1D, 0x6B, 73, (int)len + 2);
	dev_buf_add(out, "{B", 2);
	dev_buf_add(out, digits, len);
	dev_buf_add(out, "\n", 1);
}

void
escpos_render(const struct escpos_doc *d, int width, int codepage, struct dev_buf *out)
{
	add_bytes(out, 2, 0x1B, 0x40);                 /* ESC @ */
	add_bytes(out, 3, 0x1B, 0x74, codepage & 0xFF); /* ESC t n */
	for (int i = 0; i < d->n; i++) {
		const struct escpos_line *it = &d->lines[i];
		size_t cols = (size_t)((it->style & ESCPOS_DOUBLE) ? width / 2 : width);

		if (it->style & ESCPOS_CENTER)
			add_bytes(out, 3, 0x1B, 0x61, 1);
		if (it->style & ESCPOS_BOLD)
			add_bytes(out, 3, 0x1B, 0x45, 1);
		if (it->style & ESCPOS_DOUBLE)
			add_bytes(out, 3, 0x1D, 0x21, 0x11);
		switch (it->kind) {
		case ESCPOS_TEXT:
			put_text(out, it->left ? it->left : "", codepage, cols);
			break;
		case ESCPOS_PAIR:
			put_pair(out, it->left, it->right, codepage, cols);
			break;
		case ESCPOS_RULE:
			for (size_t k = 0; k < cols; k++)
				dev_buf_add(out, "-", 1);
			dev_buf_add(out, "\n", 1);
			break;
		case ESCPOS_BARCODE:
			put_barcode(out, it->left ? it->left : "");
			break;
		case ESCPOS_QR:
			put_qr(out, it->left ? it->left : "");
			break;
		case ESCPOS_FEED:
			add_bytes(out, 3, 0x1B, 0x64, 4);   /* ESC d 4 */
			break;
		case ESCPOS_CUT:
			add_bytes(out, 4, 0x1D, 0x56, 0x42, 0x00);  /* GS V 66 0: feed and cut */
			break;
		case ESCPOS_DRAWER:
			add_bytes(out, 5, 0x1B, 0x70, 0x00, 0x19, 0xFA);  /* ESC p pin 2, 50/500 ms */
			break;
		}
		if (it->style & ESCPOS_DOUBLE)
			add_bytes(out, 3, 0x1D, 0x21, 0x00);
		if (it->style & ESCPOS_BOLD)
			add_bytes(out, 3, 0x1B, 0x45, 0);
		if (it->style & ESCPOS_CENTER)
			add_bytes(out, 3, 0x1B, 0x61, 0);
	}
}
