/*
 * fuzz_escpos: libFuzzer target for the ESC/POS encoder (src/dev/escpos.c), which prints text
 * that comes from outside the till: product and store names from the upstream catalogue,
 * customer names, the cashier's name.
 *
 *   make fuzz && build-fuzz/fuzz_escpos -max_total_time=60 tests/fuzz/corpus-escpos
 *
 * The input is split at newlines into texts. Each is converted for several code pages and put
 * in a document (escpos.h: as a text line and as pairs, as the receipts lay them out) rendered
 * at 32, 42 and 48 columns. Beyond not crashing it checks what must hold for any name: the
 * converted text is one byte per column with no control byte, and a document without a drawer
 * or cut line never carries the bytes that open the drawer (ESC p, DLE DC4) or cut the paper
 * (GS V), whatever a name contains.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "escpos.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool
has(const struct dev_buf *b, unsigned char c0, unsigned char c1)
{
	for (size_t i = 0; i + 1 < b->len; i++) {
		if ((unsigned char)b->p[i] == c0 && (unsigned char)b->p[i + 1] == c1)
			return true;
	}
	return false;
}

static void
check_text(const char *s)
{
	static const int pages[] = { 17, 0, 46, 59 };

	for (size_t k = 0; k < sizeof pages / sizeof pages[0]; k++) {
		struct dev_buf b = { 0 };
		size_t cols = escpos_text(s, pages[k], &b);

		if (cols != b.len)
			abort();
		for (size_t i = 0; i < b.len; i++) {
			unsigned char c = (unsigned char)b.p[i];

			if (c < 0x20 || c == 0x7F)
				abort();
		}
		dev_buf_free(&b);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct escpos_doc *d = escpos_doc_new();
	char *line, *save = NULL;
	static const int widths[] = { 32, 42, 48 };

	if (text == NULL || size > 4096) {
		free(text);
		escpos_doc_free(d);
		return 0;
	}
	memcpy(text, data, size);
	text[size] = '\0';
	for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		check_text(line);
		escpos_doc_add(d, ESCPOS_TEXT, ESCPOS_BOLD | ESCPOS_CENTER, line, NULL);
		escpos_doc_add(d, ESCPOS_PAIR, 0, line, line);
		escpos_doc_add(d, ESCPOS_PAIR, ESCPOS_DOUBLE, "TOTAL", line);
	}
	for (size_t w = 0; w < sizeof widths / sizeof widths[0]; w++) {
		struct dev_buf out = { 0 };

		escpos_render(d, widths[w], 17, &out);
		if (has(&out, 0x1B, 0x70) || has(&out, 0x10, 0x14) || has(&out, 0x1D, 0x56))
			abort();
		dev_buf_free(&out);
	}
	escpos_doc_free(d);
	free(text);
	return 0;
}
