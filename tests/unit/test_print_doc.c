/*
 * test_print_doc: the core's receipt as dev's ESC/POS document (src/print/print-doc.c) and the
 * bytes dev renders from it (src/dev/escpos.c). The printer layer's split must not change a
 * byte on paper: the translation keeps every line's kind, style and texts, and the renderer
 * keeps the commands a printer is driven by.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "escpos.h"
#include "print.h"
#include "receipt.h"

/* Whether the len bytes of want occur in b. */
static int
has(const struct dev_buf *b, const void *want, size_t len)
{
	for (size_t i = 0; i + len <= b->len; i++) {
		if (memcmp(b->p + i, want, len) == 0)
			return 1;
	}
	return 0;
}

static void
test_line_for_line(void **state)
{
	struct receipt *r = receipt_new();
	struct escpos_doc *d;
	static const struct { enum receipt_kind rk; enum escpos_kind ek; } kinds[] = {
		{ RECEIPT_TEXT, ESCPOS_TEXT }, { RECEIPT_PAIR, ESCPOS_PAIR },
		{ RECEIPT_RULE, ESCPOS_RULE }, { RECEIPT_BARCODE, ESCPOS_BARCODE },
		{ RECEIPT_QR, ESCPOS_QR }, { RECEIPT_FEED, ESCPOS_FEED },
		{ RECEIPT_CUT, ESCPOS_CUT }, { RECEIPT_DRAWER, ESCPOS_DRAWER },
	};
	int n = (int)(sizeof kinds / sizeof kinds[0]);

	(void)state;
	for (int i = 0; i < n; i++)
		receipt_add(r, kinds[i].rk, i, i % 2 ? "Сок" : NULL, i % 3 ? "12 000,00" : NULL);
	receipt_add(r, RECEIPT_TEXT, RECEIPT_BOLD | RECEIPT_DOUBLE | RECEIPT_CENTER, "ИТОГО", NULL);
	d = print_doc_from_receipt(r);
	assert_int_equal(d->n, n + 1);
	for (int i = 0; i < n; i++) {
		assert_int_equal(d->lines[i].kind, kinds[i].ek);
		assert_int_equal(d->lines[i].style, (i & RECEIPT_BOLD ? ESCPOS_BOLD : 0) |
		    (i & RECEIPT_DOUBLE ? ESCPOS_DOUBLE : 0) | (i & RECEIPT_CENTER ? ESCPOS_CENTER : 0));
		if (i % 2)
			assert_string_equal(d->lines[i].left, "Сок");
		else
			assert_null(d->lines[i].left);
		if (i % 3)
			assert_string_equal(d->lines[i].right, "12 000,00");
		else
			assert_null(d->lines[i].right);
	}
	assert_int_equal(d->lines[n].style, ESCPOS_BOLD | ESCPOS_DOUBLE | ESCPOS_CENTER);
	/* The document owns copies: the receipt can go first. */
	receipt_free(r);
	assert_string_equal(d->lines[n].left, "ИТОГО");
	escpos_doc_free(d);
}

static void
test_bytes(void **state)
{
	struct escpos_doc *d = escpos_doc_new();
	struct dev_buf b = { 0 };
	/* Cyrillic in CP866 (ESC t 17): С = 0x91, о = 0xAE, к = 0xAA. */
	static const unsigned char init[] = { 0x1B, 0x40, 0x1B, 0x74, 17 };
	static const unsigned char pair[] = "\x91\xAE\xAA        12 000,00\n";
	static const unsigned char centre_bold[] = { 0x1B, 0x61, 1, 0x1B, 0x45, 1, 'H', 'i', '\n',
	    0x1B, 0x45, 0, 0x1B, 0x61, 0 };
	static const unsigned char dbl[] = { 0x1D, 0x21, 0x11, '-', '-', '-', '-', '-', '-', '-',
	    '-', '-', '-', '\n', 0x1D, 0x21, 0x00 };
	static const unsigned char barcode[] = { 0x1D, 0x6B, 73, 8, '{', 'B', '0', '0', '0', '1',
	    '2', '3', '\n' };
	static const unsigned char cut[] = { 0x1B, 0x64, 4, 0x1D, 0x56, 0x42, 0x00 };
	static const unsigned char drawer[] = { 0x1B, 0x70, 0x00, 0x19, 0xFA };

	(void)state;
	escpos_doc_add(d, ESCPOS_PAIR, 0, "Сок", "12 000,00");
	escpos_doc_add(d, ESCPOS_TEXT, ESCPOS_CENTER | ESCPOS_BOLD, "Hi", NULL);
	escpos_doc_add(d, ESCPOS_RULE, ESCPOS_DOUBLE, NULL, NULL);
	escpos_doc_add(d, ESCPOS_BARCODE, 0, "000123", NULL);
	escpos_doc_add(d, ESCPOS_FEED, 0, NULL, NULL);
	escpos_doc_add(d, ESCPOS_CUT, 0, NULL, NULL);
	escpos_render(d, 20, 17, &b);
	assert_memory_equal(b.p, init, sizeof init);
	assert_true(has(&b, pair, sizeof pair - 1));
	assert_true(has(&b, centre_bold, sizeof centre_bold));
	assert_true(has(&b, dbl, sizeof dbl));
	assert_true(has(&b, barcode, sizeof barcode));
	assert_true(has(&b, cut, sizeof cut));
	assert_false(has(&b, drawer, 2));  /* no drawer line, no kick */
	dev_buf_free(&b);
	escpos_doc_add(d, ESCPOS_DRAWER, 0, NULL, NULL);
	escpos_render(d, 20, 17, &b);
	assert_true(has(&b, drawer, sizeof drawer));
	dev_buf_free(&b);
	escpos_doc_free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_line_for_line),
		cmocka_unit_test(test_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
