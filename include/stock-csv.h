/*
 * stock-csv: the two stock files of CONTRACT.md section 7, declared for the CSV reader
 * (csvread.h): stock received (`barcode,qty[,cost]`) and a stock-take (`barcode,qty` as
 * counted). Parsing only; the commands that write them (kassa stock receive / count) read
 * with csv_read(in, name, &stock_csv_receive, ...) and get a struct stock_csv_row per row.
 */
#ifndef KASSA_STOCK_CSV_H
#define KASSA_STOCK_CSV_H

#include "catalog.h"
#include "csvread.h"
#include "money.h"

enum stock_csv_col { STOCK_CSV_BARCODE, STOCK_CSV_QTY, STOCK_CSV_COST };

struct stock_csv_row {
	char barcode[CATALOG_CODE_MAX];
	qty_t qty;           /* received: more than 0; counted: 0 or more */
	money_t cost;        /* received only, per unit, major units in the file; 0 when absent */
};

extern const struct csv_kind stock_csv_receive;
extern const struct csv_kind stock_csv_count;

#endif
