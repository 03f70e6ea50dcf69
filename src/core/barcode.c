/*
 * barcode: GTIN check digits (EAN-13, EAN-8, UPC-A) and in-store weight barcodes whose layout
 * a shop sets in its config ([barcode] weight = PPCCCCCWWWWWK).
 */
#include <ctype.h>
#include <string.h>

#include "barcode.h"

static bool
all_digits(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
	}
	return true;
}

enum barcode_kind
barcode_kind(const char *s)
{
	size_t len = strlen(s);

	if (!all_digits(s, len))
		return BARCODE_NONE;
	switch (len) {
	case 13: return BARCODE_EAN13;
	case 12: return BARCODE_UPCA;
	case 8: return BARCODE_EAN8;
	default: return BARCODE_NONE;
	}
}

int
barcode_check_digit(const char *s, int len)
{
	int sum = 0;

	if (len <= 0 || !all_digits(s, (size_t)len))
		return -1;
	/* GS1: weights 3 and 1 alternate from the rightmost data digit, which weighs 3. */
	for (int i = 0; i < len; i++) {
		int d = s[len - 1 - i] - '0';

		sum += (i % 2 == 0) ? 3 * d : d;
	}
	return (10 - sum % 10) % 10;
}

bool
barcode_valid(const char *s)
{
	int len;

	if (barcode_kind(s) == BARCODE_NONE)
		return false;
	len = (int)strlen(s);
	return barcode_check_digit(s, len - 1) == s[len - 1] - '0';
}

void
barcode_layout_default(struct weight_layout *out)
{
	out->prefix_lo = 20;
	out->prefix_hi = 29;
	out->code_start = 2;
	out->code_len = 5;
	out->value_start = 7;
	out->value_len = 5;
	out->value_is_price = false;
}

int
barcode_layout_parse(const char *spec, struct weight_layout *out)
{
	struct weight_layout l;
	int code_end = -1, value_end = -1;
	char value_kind = 0;

	if (strlen(spec) != 13 || strncmp(spec, "PP", 2) != 0 || spec[12] != 'K')
		return -1;
	barcode_layout_default(&l);
	l.code_start = l.value_start = -1;
	for (int i = 2; i < 12; i++) {
		char c = spec[i];

		if (c == 'C') {
			if (l.code_start < 0)
				l.code_start = i;
			else if (code_end != i - 1)
				return -1;	/* the code must be one run of digits */
			code_end = i;
		} else if (c == 'W' || c == '$') {
			if (value_kind != 0 && value_kind != c)
				return -1;
			value_kind = c;
			if (l.value_start < 0)
				l.value_start = i;
			else if (value_end != i - 1)
				return -1;
			value_end = i;
		} else if (c != '0' && c != 'X')
			return -1;	/* 0 or X: a digit the layout ignores (e.g. a price check) */
	}
	if (l.code_start < 0 || l.value_start < 0)
		return -1;
	l.code_len = code_end - l.code_start + 1;
	l.value_len = value_end - l.value_start + 1;
	l.value_is_price = value_kind == '$';
	*out = l;
	return 0;
}

static int64_t
digits_value(const char *s, int start, int len)
{
	int64_t v = 0;

	for (int i = start; i < start + len; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

bool
barcode_weight_parse(const struct weight_layout *layout, const char *s, int64_t *plu,
    int64_t *value)
{
	struct weight_layout def;
	int prefix;

	if (layout == NULL) {
		barcode_layout_default(&def);
		layout = &def;
	}
	if (barcode_kind(s) != BARCODE_EAN13 || !barcode_valid(s))
		return false;
	prefix = (s[0] - '0') * 10 + (s[1] - '0');
	if (prefix < layout->prefix_lo || prefix > layout->prefix_hi)
		return false;
	*plu = digits_value(s, layout->code_start, layout->code_len);
	*value = digits_value(s, layout->value_start, layout->value_len);
	return *value > 0;
}
