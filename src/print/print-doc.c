/*
 * print-doc.c: the core's printed documents (struct receipt: sale, copy, refund, repayment,
 * report, test page, drawer kick) as dev's ESC/POS document. Kinds and styles are mapped one
 * by one rather than cast, so neither enum has to follow the other's numbering.
 */
#include "escpos.h"
#include "print.h"
#include "receipt.h"

static enum escpos_kind
kind_of(enum receipt_kind k)
{
	switch (k) {
	case RECEIPT_TEXT: return ESCPOS_TEXT;
	case RECEIPT_PAIR: return ESCPOS_PAIR;
	case RECEIPT_RULE: return ESCPOS_RULE;
	case RECEIPT_BARCODE: return ESCPOS_BARCODE;
	case RECEIPT_QR: return ESCPOS_QR;
	case RECEIPT_FEED: return ESCPOS_FEED;
	case RECEIPT_CUT: return ESCPOS_CUT;
	case RECEIPT_DRAWER: return ESCPOS_DRAWER;
	}
	return ESCPOS_TEXT;  /* not reached: every kind is above (-Wswitch) */
}

static int
style_of(int style)
{
	return ((style & RECEIPT_BOLD) ? ESCPOS_BOLD : 0) |
	    ((style & RECEIPT_DOUBLE) ? ESCPOS_DOUBLE : 0) |
	    ((style & RECEIPT_CENTER) ? ESCPOS_CENTER : 0);
}

struct escpos_doc *
print_doc_from_receipt(const struct receipt *r)
{
	struct escpos_doc *d = escpos_doc_new();

	for (int i = 0; i < r->n; i++) {
		const struct receipt_item *it = &r->items[i];

		escpos_doc_add(d, kind_of(it->kind), style_of(it->style), it->left, it->right);
	}
	return d;
}
