/*
 * barcode-layout: the layout of a shop's in-store weight barcodes, a config value
 * ([barcode] weight = PPCCCCCWWWWWK). Here, below the core, because the config reads it; the
 * core's barcode.c decodes barcodes with it.
 */
#include <string.h>

#include "barcode-layout.h"

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
