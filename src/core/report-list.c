/*
 * report-list.c: the completed sales, then the completed returns, one row at a time, for the
 * table `kassa sales` prints (the JSON form is report_sales_json in report.c). Read-only; one
 * query over the sales_completed index and the returns.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "core-int.h"
#include "kerr.h"
#include "report.h"
#include "store.h"

static const char sales_sql[] =
	"SELECT s.id, s.number, s.completed_at, coalesce(u.name, ''),"
	"  (SELECT count(*) FROM sale_lines l WHERE l.sale_id = s.id AND l.voided = 0),"
	"  s.total, s.vat_total, s.discount,"
	"  coalesce((SELECT sum(p.amount) FROM payments p"
	"            WHERE p.sale_id = s.id AND p.method = 'cash'), 0) - s.change,"
	"  coalesce((SELECT sum(p.amount) FROM payments p"
	"            WHERE p.sale_id = s.id AND p.method = 'card'), 0), 0, 0, 0 AS k, s.number AS n"
	" FROM sales s LEFT JOIN users u ON u.id = s.user_id"
	" WHERE s.state = 'completed' AND (?1 IS NULL OR s.completed_at >= ?1)"
	" UNION ALL "
	"SELECT x.id, x.number, x.completed_at, coalesce(u.name, ''),"
	"  (SELECT count(*) FROM return_lines l WHERE l.return_id = x.id),"
	"  x.total, x.vat_total, x.discount,"
	"  coalesce((SELECT sum(p.amount) FROM return_payments p"
	"            WHERE p.return_id = x.id AND p.method = 'cash'), 0),"
	"  coalesce((SELECT sum(p.amount) FROM return_payments p"
	"            WHERE p.return_id = x.id AND p.method = 'card'), 0),"
	"  1, coalesce((SELECT number FROM sales WHERE id = x.sale_id), 0), 1, x.number"
	" FROM returns x LEFT JOIN users u ON u.id = x.user_id"
	" WHERE x.state = 'completed' AND (?1 IS NULL OR x.completed_at >= ?1)"
	" ORDER BY k, n";

int
report_sales_each(store *st, const char *since, report_sale_fn fn, void *ctx,
    struct kerr *err)
{
	sqlite3 *db = store_db(st);
	sqlite3_stmt *stmt = NULL;
	struct report_sale_row row;
	int rc = -1, step;

	if (sqlite3_prepare_v2(db, sales_sql, -1, &stmt, NULL) != SQLITE_OK) {
		store_error(st, err, "listing the sales");
		goto out;
	}
	if (since != NULL)
		sqlite3_bind_text(stmt, 1, since, -1, SQLITE_TRANSIENT);
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		memset(&row, 0, sizeof row);
		row.id = sqlite3_column_int64(stmt, 0);
		row.number = sqlite3_column_int64(stmt, 1);
		core_text(stmt, 2, row.completed_at, sizeof row.completed_at);
		core_text(stmt, 3, row.cashier, sizeof row.cashier);
		row.lines = sqlite3_column_int64(stmt, 4);
		row.total = sqlite3_column_int64(stmt, 5);
		row.vat = sqlite3_column_int64(stmt, 6);
		row.discount = sqlite3_column_int64(stmt, 7);
		row.cash = sqlite3_column_int64(stmt, 8);
		row.card = sqlite3_column_int64(stmt, 9);
		row.is_return = sqlite3_column_int(stmt, 10) != 0;
		row.original = sqlite3_column_int64(stmt, 11);
		if (fn(ctx, &row) == -1) {
			if (err != NULL && err->code == KERR_OK)
				kerr_set(err, KERR_STATE, "stopped");
			goto out;
		}
	}
	if (step != SQLITE_DONE) {
		store_error(st, err, "listing the sales");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(stmt);
	return rc;
}
