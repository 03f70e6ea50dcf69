/*
 * hub-stock.c: each till's stock per product, kept from its accepted events, and published to
 * the other tills as changes of entity "stock" (hub-int.h says the shape).
 *
 * The hub knows a till's products by the till's product_id (ids are the till's own), and
 * names them by barcode for the others: the barcode an event gives (a delivery, an adjustment,
 * a count), or the code a sale line was scanned with when it is a plain EAN/UPC. A product
 * whose barcode the hub has not learnt yet is kept but not published.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "hub-int.h"
#include "xalloc.h"

/* A scanned code that is a plain product barcode (8, 12 or 13 digits, not an in-store
 * weight or price label, which start with 2). */
static bool
plain_barcode(const char *code)
{
	size_t n;

	if (code == NULL)
		return false;
	n = strlen(code);
	return (n == 8 || n == 12 || n == 13) && strspn(code, "0123456789") == n &&
	    code[0] != '2';
}

/* Moves product pid of device by delta; barcode and branch may be NULL (kept as they were). */
static int
move(struct hub *h, const char *device, json_int_t pid, json_int_t delta, const char *barcode,
    const char *branch, struct kerr *err)
{
	char pid_s[24], qty_s[24], seq[24], now[32];
	const char *params[8];
	struct hub_rows r;
	json_int_t qty = 0;
	char *old_barcode = NULL, *old_branch = NULL, *data = NULL;
	json_t *d;
	int rc = -1;

	snprintf(pid_s, sizeof pid_s, "%lld", (long long)pid);
	params[0] = device;
	params[1] = pid_s;
	if (hub_sql(h, "SELECT qty, barcode, branch FROM hub_stock WHERE device_id = $1 AND "
	    "product_id = $2", 2, params, &r, err) == -1)
		return -1;
	if (r.nrows == 1) {
		qty = strtoll(hub_cell(&r, 0, 0), NULL, 10);
		if (hub_cell(&r, 0, 1) != NULL)
			old_barcode = xstrdup(hub_cell(&r, 0, 1));
		if (hub_cell(&r, 0, 2) != NULL)
			old_branch = xstrdup(hub_cell(&r, 0, 2));
	}
	hub_rows_free(&r);
	qty += delta;
	if (barcode == NULL)
		barcode = old_barcode;
	if (branch == NULL || branch[0] == '\0')
		branch = old_branch != NULL ? old_branch : device;
	d = json_pack("{s:s?, s:s, s:s, s:I}", "barcode", barcode, "branch", branch, "device",
	    device, "qty", qty);
	data = d != NULL ? json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(d);
	if (data == NULL) {
		kerr_set(err, KERR_INTERNAL, "writing the stock of %s", device);
		goto out;
	}
	if (hub_next_change_seq(h, seq, sizeof seq, err) == -1)
		goto out;
	snprintf(qty_s, sizeof qty_s, "%lld", (long long)qty);
	params[2] = barcode;
	params[3] = branch;
	params[4] = qty_s;
	params[5] = data;
	params[6] = store_now(now, sizeof now);
	params[7] = seq;
	rc = hub_sql(h, "INSERT INTO hub_stock(device_id, product_id, barcode, branch, qty, data, "
	    "updated_at, change_seq) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT "
	    "(device_id, product_id) DO UPDATE SET barcode = excluded.barcode, branch = "
	    "excluded.branch, qty = excluded.qty, data = excluded.data, updated_at = "
	    "excluded.updated_at, change_seq = excluded.change_seq", 8, params, NULL, err);
out:
	free(data);
	free(old_barcode);
	free(old_branch);
	return rc;
}

int
hub_stock_apply(struct hub *h, const char *device, const char *type, json_t *payload,
    struct kerr *err)
{
	const char *branch = json_string_value(json_object_get(payload, "branch"));
	const char *list, *key;
	json_int_t sign = 1;
	json_t *item;
	size_t i;

	if (type == NULL)
		return 0;
	if (strcmp(type, "stock.adjusted") == 0) {
		json_t *pid = json_object_get(payload, "product_id");
		json_t *delta = json_object_get(payload, "delta");

		if (!json_is_integer(pid) || !json_is_integer(delta))
			return 0;
		return move(h, device, json_integer_value(pid), json_integer_value(delta),
		    json_string_value(json_object_get(payload, "barcode")), branch, err);
	}
	if (strcmp(type, "sale.completed") == 0) {
		list = "lines", key = "qty", sign = -1;
	} else if (strcmp(type, "sale.returned") == 0 || strcmp(type, "stock.received") == 0) {
		list = "lines", key = "qty";
	} else if (strcmp(type, "stock.counted") == 0) {
		list = "counts", key = "delta";
	} else
		return 0;
	json_array_foreach(json_object_get(payload, list), i, item) {
		json_t *pid = json_object_get(item, "product_id"), *q = json_object_get(item, key);
		const char *barcode = json_string_value(json_object_get(item, "barcode"));

		if (!json_is_integer(pid) || !json_is_integer(q) ||
		    json_is_true(json_object_get(item, "voided")))
			continue;
		if (barcode == NULL && plain_barcode(json_string_value(json_object_get(item,
		    "code"))))
			barcode = json_string_value(json_object_get(item, "code"));
		if (move(h, device, json_integer_value(pid), sign * json_integer_value(q), barcode,
		    branch, err) == -1)
			return -1;
	}
	return 0;
}
