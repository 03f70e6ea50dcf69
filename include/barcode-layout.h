/*
 * barcode-layout: how a shop's in-store weight barcodes are laid out, as its config says
 * ([barcode] weight). A util module, no dependencies: the config parses it, the core
 * (barcode.h) reads barcodes with it.
 */
#ifndef KASSA_BARCODE_LAYOUT_H
#define KASSA_BARCODE_LAYOUT_H

#include <stdbool.h>

/*
 * In-store weight barcodes: EAN-13 starting with a prefix in [prefix_lo, prefix_hi] (20-29),
 * then the product's PLU, then the weight in grams or the price in minor units, then the check
 * digit. The layout is a config setting ([barcode] weight = "PPCCCCCWWWWWK"):
 *   P prefix (2 digits), C product code, W weight in grams, $ price in minor units, K check.
 */
struct weight_layout {
	int prefix_lo, prefix_hi;  /* e.g. 20 and 29 */
	int code_start, code_len;  /* digits 2..6 by default */
	int value_start, value_len;/* digits 7..11 by default */
	bool value_is_price;       /* W: grams; $: price */
};

/* Parses "PPCCCCCWWWWWK" style layouts. Returns -1 on a malformed layout. */
int barcode_layout_parse(const char *spec, struct weight_layout *out);

/* The default layout: PPCCCCCWWWWWK, prefixes 20-29, weight in grams. */
void barcode_layout_default(struct weight_layout *out);

#endif
