/*
 * barcode: check digits for EAN-13, EAN-8 and UPC-A, and in-store weight barcodes.
 * Pure functions, no database.
 */
#ifndef KASSA_BARCODE_H
#define KASSA_BARCODE_H

#include <stdbool.h>
#include <stdint.h>

#include "barcode-layout.h"

enum barcode_kind {
	BARCODE_NONE = 0, /* not a GTIN: an SKU or a typo */
	BARCODE_EAN13,
	BARCODE_EAN8,
	BARCODE_UPCA
};

/* The kind of code, if s is all digits of length 8, 12 or 13. Does not check the digit. */
enum barcode_kind barcode_kind(const char *s);

/* True when s is an EAN-13, EAN-8 or UPC-A with a correct check digit. */
bool barcode_valid(const char *s);

/* The check digit (0-9) for the first len digits of s, or -1 if they are not all digits. */
int barcode_check_digit(const char *s, int len);

/* In-store weight barcodes: the layout (barcode-layout.h) is a config setting. */

/* If s is a valid in-store weight barcode for layout, stores the PLU and the value (grams or
 * minor units) and returns true. */
bool barcode_weight_parse(const struct weight_layout *layout, const char *s,
    int64_t *plu, int64_t *value);

#endif
