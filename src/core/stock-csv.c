/*
 * stock-csv: the column tables of the stock receiving and stock-take files (stock-csv.h).
 */
#include <stddef.h>

#include "stock-csv.h"

#define S(member) offsetof(struct stock_csv_row, member), \
	sizeof ((struct stock_csv_row *)0)->member

/* In enum stock_csv_col's order. */
static const struct csv_column receive_cols[] = {
	{ "barcode", true, csv_barcode, S(barcode) },
	{ "qty", true, csv_qty, S(qty) },
	{ "cost", false, csv_money, S(cost) },
};

static const struct csv_column count_cols[] = {
	{ "barcode", true, csv_barcode, S(barcode) },
	{ "qty", true, csv_qty0, S(qty) },
};

const struct csv_kind stock_csv_receive = { receive_cols, 3, sizeof (struct stock_csv_row),
	NULL };
const struct csv_kind stock_csv_count = { count_cols, 2, sizeof (struct stock_csv_row), NULL };
