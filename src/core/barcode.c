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
