/*
 * sync-pull.c: GET {url}/v1/changes from the stored cursor and apply catalogue, customer and
 * user changes last-write-wins by updated_at, each page in one transaction with its new cursor, so
 * a crash never applies a change without remembering it (or the reverse). An open cart keeps
 * the prices it was rung up at: sale lines hold their own price.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <jansson.h>

#include "catalog.h"
#include "customer.h"
#include "log.h"
#include "stock.h"
#include "sync-int.h"
#include "timestamp.h"
#include "user.h"
#include "xalloc.h"

static void
copy_str(json_t *data, const char *key, char *buf, size_t size)
{
	const char *s = json_string_value(json_object_get(data, key));

	snprintf(buf, size, "%s", s != NULL ? s : "");
}

/* A key the change does not carry (absent or null) keeps what the till has. */
static bool
carries(json_t *data, const char *key)
{
	json_t *v = json_object_get(data, key);

	return v != NULL && !json_is_null(v);
}

/* The till's product the change is about: by its barcode, else (another barcode of it) by
 * its SKU; old->id 0 when there is none. -1 with err on a database error. */
static int
find_product(struct sync_ctx *c, const char *barcode, const char *sku, struct product *old,
    struct kerr *err)
{
	const char *code[2] = { barcode, sku };
	struct kerr why;
	qty_t qty;

	for (int i = 0; i < 2; i++) {
		memset(old, 0, sizeof *old);
		if (code[i] == NULL || code[i][0] == '\0')
			continue;
		if (catalog_lookup(c->st, NULL, code[i], old, &qty, &why) == 0) {
			/* The code named this very product, not a weight label or another's SKU. */
			if (strcmp(i == 0 ? old->barcode : old->sku, code[i]) == 0)
				return 0;
		} else if (why.code != KERR_NOTFOUND && why.code != KERR_INPUT)
			return kerr_set(err, why.code, "product change %s: %s", barcode, why.msg);
	}
	memset(old, 0, sizeof *old);
	return 0;
}

/* at: the change's updated_at, already canonical (timestamp_canon). */
static int
apply_product(struct sync_ctx *c, json_t *ch, const char *at, struct kerr *err)
{
	json_t *data = json_object_get(ch, "data"), *vat;
	const char *key = json_string_value(json_object_get(ch, "key"));
	const char *unit;
	struct product p, old;

	if (json_is_true(json_object_get(ch, "deleted")))
		return catalog_delete(c->st, key, at, err);
	if (!json_is_object(data) || !json_is_integer(json_object_get(data, "price")))
		return kerr_set(err, KERR_NET, "product change %s has no price", key);
	memset(&p, 0, sizeof p);
	copy_str(data, "barcode", p.barcode, sizeof p.barcode);
	if (p.barcode[0] == '\0')
		snprintf(p.barcode, sizeof p.barcode, "%s", key);
	/*
	 * What the change does not carry keeps the till's value, as the till's own import keeps
	 * a column its file lacks: a hub publishing a file of barcodes and prices must not reset
	 * the VAT to 12 % or clear the SKU and MXIK. A new product starts from the defaults.
	 */
	if (find_product(c, p.barcode, json_string_value(json_object_get(data, "sku")), &old,
	    err) == -1)
		return -1;
	if (old.id > 0) {
		snprintf(p.sku, sizeof p.sku, "%s", old.sku);
		snprintf(p.mxik, sizeof p.mxik, "%s", old.mxik);
		snprintf(p.category, sizeof p.category, "%s", old.category);
		p.vat_bp = old.vat_bp;
		p.by_weight = old.by_weight;
		p.plu = old.plu;
		p.min = old.min;
	} else
		p.vat_bp = 1200;
	copy_str(data, "name", p.name, sizeof p.name);
	if (carries(data, "sku"))
		copy_str(data, "sku", p.sku, sizeof p.sku);
	if (carries(data, "mxik"))
		copy_str(data, "mxik", p.mxik, sizeof p.mxik);
	if (carries(data, "category"))
		copy_str(data, "category", p.category, sizeof p.category);
	p.price = json_integer_value(json_object_get(data, "price"));
	/* The vat is range-checked before it is scaled to basis points: a cast first would
	 * truncate a huge value into a plausible one (4294967308 into 12 %). */
	vat = json_object_get(data, "vat");
	if (vat == NULL || json_is_null(vat))
		;	/* kept, or the default of a new product */
	else if (json_is_integer(vat) && json_integer_value(vat) >= 0 &&
	    json_integer_value(vat) <= 100)
		p.vat_bp = (int)json_integer_value(vat) * 100;
	else if (json_is_real(vat) && json_real_value(vat) >= 0 && json_real_value(vat) <= 100)
		p.vat_bp = (int)(json_real_value(vat) * 100 + 0.5);
	else
		return kerr_set(err, KERR_NET, "product change %s has a bad vat (a percent "
		    "from 0 to 100 expected)", key);
	unit = json_string_value(json_object_get(data, "unit"));
	if (unit != NULL)
		p.by_weight = strcmp(unit, "kg") == 0;
	if (json_object_get(data, "plu") != NULL)
		p.plu = json_integer_value(json_object_get(data, "plu"));	/* null: none */
	/* The low-stock threshold, thousandths (stock.h); kept when the change has none. */
	if (carries(data, "min")) {
		if (!json_is_integer(json_object_get(data, "min")) ||
		    json_integer_value(json_object_get(data, "min")) < 0)
			return kerr_set(err, KERR_NET, "product change %s has a bad min (a "
			    "quantity in thousandths, 0 or more)", key);
		p.min = json_integer_value(json_object_get(data, "min"));
	}
	if (p.name[0] == '\0' || p.price < 0 || p.vat_bp < 0 || p.vat_bp > 10000)
		return kerr_set(err, KERR_NET, "product change %s is not valid", key);
	return catalog_upsert(c->st, &p, at, err);
}

/*
 * The balance and points the hub confirmed (docs/protocol.md): balance, points, balance_at and
 * through, the last seq of each till's events the hub had counted; this till's own entry says
 * which of its events are in the figures already. Never last-write-wins by updated_at: the
 * newest balance_at wins. Absent: nothing to apply (an older hub).
 */
static int
apply_balance(struct sync_ctx *c, const char *key, json_t *data, struct kerr *err)
{
	json_t *bal = json_object_get(data, "balance"), *pts = json_object_get(data, "points");
	json_t *through = json_object_get(data, "through"), *seq;
	const char *at = json_string_value(json_object_get(data, "balance_at"));

	if (bal == NULL && at == NULL)
		return 0;
	if (!json_is_integer(bal) || at == NULL || (pts != NULL && !json_is_integer(pts)) ||
	    (through != NULL && !json_is_object(through)))
		return kerr_set(err, KERR_NET, "customer change %s has a bad balance (integer "
		    "balance and points, balance_at and a through object expected)", key);
	seq = json_object_get(through, c->device_id);
	if (seq != NULL && (!json_is_integer(seq) || json_integer_value(seq) < 0))
		return kerr_set(err, KERR_NET, "customer change %s: through.%s is not a seq", key,
		    c->device_id);
	return customer_apply_hub(c->st, key, json_integer_value(bal), json_integer_value(pts),
	    seq != NULL ? json_integer_value(seq) : 0, at, err);
}

static int
apply_customer(struct sync_ctx *c, json_t *ch, const char *at, struct kerr *err)
{
	json_t *data = json_object_get(ch, "data");
	struct customer cu;

	memset(&cu, 0, sizeof cu);
	copy_str(ch, "key", cu.key, sizeof cu.key);
	copy_str(data, "name", cu.name, sizeof cu.name);
	copy_str(data, "phone", cu.phone, sizeof cu.phone);
	copy_str(data, "card", cu.card, sizeof cu.card);
	if (cu.name[0] == '\0')
		snprintf(cu.name, sizeof cu.name, "%s", cu.key);
	/* No limit in the change: the till's stays. */
	cu.limit = -1;
	if (json_is_integer(json_object_get(data, "limit")))
		cu.limit = json_integer_value(json_object_get(data, "limit"));
	if (cu.limit < -1)
		return kerr_set(err, KERR_NET, "customer change %s has a negative limit", cu.key);
	if (customer_upsert(c->st, &cu, at, json_is_true(json_object_get(ch, "deleted")),
	    err) == -1) {
		/* Two tills offline can give one card to two customers: this till keeps the card
		 * with the one it has, and the other customer without it, rather than stopping
		 * every later change behind this one. */
		if (err->code != KERR_INPUT || cu.card[0] == '\0')
			return -1;
		log_info("customer %s: card %s is another customer's here; kept without it",
		    cu.key, cu.card);
		cu.card[0] = '\0';
		if (customer_upsert(c->st, &cu, at, json_is_true(json_object_get(ch, "deleted")),
		    err) == -1)
			return -1;
	}
	return apply_balance(c, cu.key, data, err);
}

/* A user the till has: name, role, disabled (a deleted user is disabled), last-write-wins. */
static int
apply_user(struct sync_ctx *c, json_t *ch, const char *at, struct kerr *err)
{
	json_t *data = json_object_get(ch, "data"), *dis = json_object_get(data, "disabled");
	int disabled = -1;

	if (json_is_true(json_object_get(ch, "deleted")) || json_is_true(dis))
		disabled = 1;
	else if (json_is_false(dis))
		disabled = 0;
	return user_apply_change(c->st, json_string_value(json_object_get(ch, "key")),
	    json_string_value(json_object_get(data, "name")),
	    json_string_value(json_object_get(data, "role")), disabled, at, err);
}

/*
 * Another branch's stock (entity "stock", key DEVICE/BARCODE, data: barcode, branch, device,
 * qty in thousandths): kept apart in remote_stock (stock.h), never added to this till's own.
 * The hub publishes this till's stock too; that is skipped.
 */
static int
apply_stock(struct sync_ctx *c, json_t *ch, const char *at, struct kerr *err)
{
	json_t *data = json_object_get(ch, "data");
	const char *key = json_string_value(json_object_get(ch, "key"));
	const char *device = json_string_value(json_object_get(data, "device"));
	const char *barcode = json_string_value(json_object_get(data, "barcode"));
	const char *branch = json_string_value(json_object_get(data, "branch"));
	json_t *qty = json_object_get(data, "qty");
	bool deleted = json_is_true(json_object_get(ch, "deleted"));

	if (device != NULL && strcmp(device, c->device_id) == 0)
		return 0;
	if (!deleted && (barcode == NULL || branch == NULL || !json_is_integer(qty)))
		return kerr_set(err, KERR_NET, "stock change %.64s has no barcode, branch or qty",
		    key);
	if (strlen(key) >= 200 || (barcode != NULL && strlen(barcode) >= CATALOG_CODE_MAX))
		return kerr_set(err, KERR_NET, "stock change %.64s: key or barcode too long", key);
	return stock_remote_set(c->st, key, barcode != NULL ? barcode : "", branch != NULL ?
	    branch : "", json_integer_value(qty), at, deleted, err);
}

/* One page: applies its changes and stores its cursor in one transaction. */
static int
apply_page(struct sync_ctx *c, json_t *page, struct kerr *err)
{
	json_t *changes = json_object_get(page, "changes"), *ch;
	const char *cursor = json_string_value(json_object_get(page, "cursor"));
	size_t i;

	if (!json_is_array(changes) || cursor == NULL)
		return kerr_set(err, KERR_NET, "the hub's changes are not {changes, cursor, more}");
	if (store_begin(c->st, err) == -1)
		return -1;
	json_array_foreach(changes, i, ch) {
		const char *entity = json_string_value(json_object_get(ch, "entity"));
		const char *key = json_string_value(json_object_get(ch, "key"));
		char at[TIMESTAMP_SIZE];
		struct kerr why;
		int rc = 0;

		if (entity == NULL || key == NULL ||
		    !json_is_string(json_object_get(ch, "updated_at"))) {
			rc = kerr_set(err, KERR_NET, "a change without entity, key or updated_at");
		} else if (strcmp(entity, "product") != 0 && strcmp(entity, "customer") != 0 &&
		    strcmp(entity, "user") != 0 && strcmp(entity, "stock") != 0) {
			/* Entities this till does not know yet are skipped, not fatal. */
		} else if (timestamp_canon(json_string_value(json_object_get(ch, "updated_at")),
		    at, &why) == -1) {
			/* Checked and made canonical UTC before anything compares it: raw strings
			 * do not order as times ("...00.500Z" < "...00Z", offsets), and one bad
			 * value stored ("9999") would win every later comparison. */
			rc = kerr_set(err, KERR_NET, "%s change %.64s has a bad updated_at: %s",
			    entity, key, why.msg);
		} else if (strcmp(entity, "product") == 0)
			rc = apply_product(c, ch, at, err);
		else if (strcmp(entity, "user") == 0)
			rc = apply_user(c, ch, at, err);
		else if (strcmp(entity, "stock") == 0)
			rc = apply_stock(c, ch, at, err);
		else
			rc = apply_customer(c, ch, at, err);
		if (rc == -1) {
			store_rollback(c->st);
			return -1;
		}
	}
	if (store_meta_set(c->st, "sync_cursor", cursor, err) == -1) {
		store_rollback(c->st);
		return -1;
	}
	return store_commit(c->st, err);
}

int
sync_pull(struct sync_ctx *c, struct kerr *err)
{
	struct sync_http reply;
	json_error_t jerr;
	json_t *page;
	bool more = true;

	for (int pages = 0; more && pages < 1000; pages++) {
		char *cursor = store_meta_get(c->st, "sync_cursor");
		char *esc = curl_easy_escape(c->curl, cursor != NULL ? cursor : "", 0);
		char url[1200];
		int rc;

		snprintf(url, sizeof url, "%s/v1/changes?since=%s&limit=500", c->cfg->sync_url,
		    esc != NULL ? esc : "");
		curl_free(esc);
		free(cursor);
		if (sync_http_request(c, url, NULL, &reply, err) == -1)
			return -1;
		if (reply.status != 200) {
			c->wait_s = reply.retry_after;
			kerr_set(err, reply.status == 401 || reply.status == 403 ? KERR_DENIED :
			    KERR_NET, "changes: the hub answered HTTP %ld", reply.status);
			sync_http_free(&reply);
			return -1;
		}
		page = json_loads(reply.body, 0, &jerr);
		sync_http_free(&reply);
		if (page == NULL)
			return kerr_set(err, KERR_NET, "changes: the reply is not JSON: %s", jerr.text);
		rc = apply_page(c, page, err);
		more = json_is_true(json_object_get(page, "more"));
		json_decref(page);
		if (rc == -1)
			return -1;
	}
	return 0;
}
