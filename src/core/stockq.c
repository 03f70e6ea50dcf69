/*
 * stockq.c: stock on hand (stockq.h).
 */
#include "core-int.h"
#include "i18n.h"
#include "stockq.h"

int
stock_on_hand(store *st, int64_t product_id, qty_t *out, struct kerr *err)
{
	sqlite3_stmt *q;
	int rc;

	if (core_prepare(st, "SELECT " STOCK_ON_HAND_SQL("p") " FROM products p WHERE p.id = ?1", &q, err,
	    N_("reading stock")) == -1)
		return -1;
	sqlite3_bind_int64(q, 1, product_id);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(q, 0);
	else if (rc != SQLITE_DONE)
		store_error(st, err, N_("reading stock"));
	core_release(q);
	if (rc == SQLITE_DONE)
		return kerr_set(err, KERR_NOTFOUND, _("no product %lld"), (long long)product_id);
	return rc == SQLITE_ROW ? 0 : -1;
}
