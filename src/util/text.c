/*
 * text: UTF-8 and control-character checks for text entering the till (include/text.h).
 * A hand-written decoder of a few lines: the libraries we link validate UTF-8 only inside
 * their own parsers, not as a function we can call on a C string.
 */
#include <stdint.h>

#include "i18n.h"
#include "text.h"

/* Decodes one code point at *p; returns its length (1-4), or 0 when the bytes there are not
 * well-formed UTF-8. */
static int
decode(const unsigned char *p, uint32_t *cp)
{
	uint32_t c = p[0], min;
	int len;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		c &= 0x1f;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		c &= 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		c &= 0x07;
		min = 0x10000;
	} else
		return 0;	/* a continuation byte, 0xc0/0xc1 (overlong) or 0xf5.. */
	for (int i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;	/* also stops at the NUL */
		c = (c << 6) | (p[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

static bool
walk(const char *s, bool no_controls)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p != '\0') {
		uint32_t cp;
		int n = decode(p, &cp);

		if (n == 0)
			return false;
		if (no_controls && (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)))
			return false;
		p += n;
	}
	return true;
}

bool
text_valid_utf8(const char *s)
{
	return s != NULL && walk(s, false);
}

bool
text_valid_line(const char *s)
{
	return s != NULL && walk(s, true);
}

int
text_check_line(const char *s, const char *what, struct kerr *err)
{
	if (s == NULL)
		return kerr_set(err, KERR_INPUT, _("%s is missing"), _(what));
	if (!text_valid_utf8(s))
		return kerr_set(err, KERR_INPUT, _("%s is not valid UTF-8 text: type it again or "
		    "save the file as UTF-8"), _(what));
	if (!text_valid_line(s))
		return kerr_set(err, KERR_INPUT, _("%s holds a control character (a tab, a newline "
		    "or an escape): remove it"), _(what));
	return 0;
}
