/*
 * termsafe.c: text from outside escaped before it reaches a terminal (include/termsafe.h).
 */
#include <stdio.h>
#include <string.h>

#include "termsafe.h"

/* The length of the valid UTF-8 sequence at p (1 to 4), its code point in *cp; 0 when the
 * bytes there are not one (a stray continuation, an overlong form, a surrogate, past
 * U+10FFFF, cut short). */
static size_t
utf8_char(const unsigned char *p, unsigned long *cp)
{
	size_t n;
	unsigned long c, min;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		n = 2; c = p[0] & 0x1f; min = 0x80;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3; c = p[0] & 0x0f; min = 0x800;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4; c = p[0] & 0x07; min = 0x10000;
	} else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;	/* also stops at the NUL */
		c = (c << 6) | (p[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

char *
termsafe(const char *s, char *buf, size_t size)
{
	const unsigned char *p = (const unsigned char *)(s != NULL ? s : "");
	size_t len = 0;

	if (size == 0)
		return buf;
	while (*p != '\0') {
		char esc[8];
		const char *out = esc;
		unsigned long cp;
		size_t n = utf8_char(p, &cp), w;

		if (n == 0) {
			snprintf(esc, sizeof esc, "\\x%02x", *p);
			n = 1;
		} else if (cp < 0x20 || cp == 0x7f)
			snprintf(esc, sizeof esc, "\\x%02lx", cp);
		else if (cp >= 0x80 && cp <= 0x9f)
			snprintf(esc, sizeof esc, "\\u%04lx", cp);
		else
			out = NULL;	/* printable: copied as it is */
		w = out != NULL ? strlen(out) : n;
		if (len + w >= size)
			break;
		memcpy(buf + len, out != NULL ? out : (const char *)p, w);
		len += w;
		p += n;
	}
	buf[len] = '\0';
	return buf;
}
