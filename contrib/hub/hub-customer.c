/*
 * hub-customer.c: the hub's customers (docs/protocol.md, "Customers").
 *
 * Tills make customers (customer.added) and set limits (customer.limit); their sales on
 * credit and with points, returns and repayments name the customer's key. When the hub stores
 * such an event (in the ingest transaction, hub_customer_event), it keeps the customer's row:
 * name, phone, card and limit last-write-wins by the event's updated_at, and the balance and
 * points summed over every till's events, with the last seq of each till's events counted
 * (hub_customer_through). Each change takes the next change number, so /v1/changes serves the
 * customer to every till (hub_customer_change builds the CHANGE's data).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "hub-int.h"
#include "timestamp.h"

/* The sum of a payload's payments of one method. */
static json_int_t
tendered(json_t *payload, const char *method)
{
	json_t *p;
	size_t i;
	json_int_t sum = 0;

	json_array_foreach(json_object_get(payload, "payments"), i, p) {
		const char *m = json_string_value(json_object_get(p, "method"));

		if (m != NULL && strcmp(m, method) == 0)
			sum += json_integer_value(json_object_get(p, "amount"));
	}
	return sum;
}

static json_int_t
int_of(json_t *payload, const char *key)
{
	return json_integer_value(json_object_get(payload, key));
}

/* customer.added and customer.limit: the row, last-write-wins by updated_at. */
static int
upsert(struct hub *h, const char *type, json_t *pl, struct kerr *err)
{
	const char *updated = json_string_value(json_object_get(pl, "updated_at"));
	const char *key = json_string_value(json_object_get(pl, strcmp(type, "customer.added") ==
	    0 ? "key" : "customer"));
	char seq[24], limit[24], canon[TIMESTAMP_SIZE];
	struct kerr why;

	if (key == NULL || updated == NULL || timestamp_canon(updated, canon, &why) == -1)
		return 0;	/* a till's event the hub keeps but cannot use for its customers */
	snprintf(limit, sizeof limit, "%lld", (long long)int_of(pl, "limit"));
	if (hub_next_change_seq(h, seq, sizeof seq, err) == -1)
		return -1;
	if (strcmp(type, "customer.added") == 0) {
		const char *params[7] = { key, json_string_value(json_object_get(pl, "name")),
		    json_string_value(json_object_get(pl, "phone")),
		    json_string_value(json_object_get(pl, "card")), limit, canon, seq };

		if (params[1] == NULL)
			return 0;
		return hub_sql(h, "INSERT INTO hub_customers(key, name, phone, card, credit_limit, "
		    "updated_at, change_seq) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (key) "
		    "DO UPDATE SET name = excluded.name, phone = excluded.phone, card = "
		    "excluded.card, credit_limit = excluded.credit_limit, updated_at = "
		    "excluded.updated_at, change_seq = excluded.change_seq WHERE "
		    "hub_customers.updated_at <= excluded.updated_at", 7, params, NULL, err);
	}
	{
		const char *params[4] = { key, limit, canon, seq };

		return hub_sql(h, "UPDATE hub_customers SET credit_limit = $2, updated_at = $3, "
		    "change_seq = $4 WHERE key = $1 AND updated_at <= $3", 4, params, NULL, err);
	}
}

int
hub_customer_event(struct hub *h, const char *device, const char *type, json_int_t seq,
    const char *payload, struct kerr *err)
{
	json_t *pl;
	json_error_t jerr;
	json_int_t dbal = 0, dpts = 0;
	const char *key;
	char sbal[24], spts[24], sseq[24], change[24], now[32];
	int rc = 0;

	if (strncmp(type, "customer.", 9) != 0 && strcmp(type, "sale.completed") != 0 &&
	    strcmp(type, "sale.returned") != 0)
		return 0;
	if ((pl = json_loads(payload, 0, &jerr)) == NULL)
		return 0;
	if (strcmp(type, "customer.added") == 0 || strcmp(type, "customer.limit") == 0) {
		rc = upsert(h, type, pl, err);
		goto out;
	}
	key = json_string_value(json_object_get(pl, "customer"));
	if (key == NULL)
		goto out;
	/* customer.h: what each event adds to what the customer owes and to their points. */
	if (strcmp(type, "sale.completed") == 0) {
		dbal = tendered(pl, "credit");
		dpts = int_of(pl, "points") - int_of(pl, "points_used");
	} else if (strcmp(type, "sale.returned") == 0) {
		dbal = -tendered(pl, "credit");
		dpts = int_of(pl, "points_back") - int_of(pl, "points");
	} else if (strcmp(type, "customer.paid") == 0) {
		dbal = -int_of(pl, "amount");
	} else {
		goto out;
	}
	snprintf(sbal, sizeof sbal, "%lld", (long long)dbal);
	snprintf(spts, sizeof spts, "%lld", (long long)dpts);
	snprintf(sseq, sizeof sseq, "%lld", (long long)seq);
	if (hub_next_change_seq(h, change, sizeof change, err) == -1) {
		rc = -1;
		goto out;
	}
	{
		/* A customer the hub has not heard of yet (published elsewhere) gets a row by key
		 * alone: the figures must not be lost. */
		const char *p1[6] = { key, sbal, spts, change, store_now(now, sizeof now), "" };
		const char *p2[3] = { key, device, sseq };

		if (hub_sql(h, "INSERT INTO hub_customers(key, name, updated_at, balance, points, "
		    "balance_at, change_seq) VALUES ($1, $1, '1970-01-01T00:00:00.000Z', $2, $3, $5, "
		    "$4) ON CONFLICT (key) DO UPDATE SET balance = hub_customers.balance + "
		    "excluded.balance, points = hub_customers.points + excluded.points, balance_at = "
		    "excluded.balance_at, change_seq = excluded.change_seq", 5, p1, NULL, err) == -1 ||
		    hub_sql(h, "INSERT INTO hub_customer_through(key, device_id, seq) VALUES ($1, $2, "
		    "$3) ON CONFLICT (key, device_id) DO UPDATE SET seq = excluded.seq", 3, p2, NULL,
		    err) == -1)
			rc = -1;
	}
out:
	json_decref(pl);
	return rc;
}

json_t *
hub_customer_data(struct hub *h, const char *key, struct kerr *err)
{
	const char *params[1] = { key };
	struct hub_rows r;
	json_t *data, *through;

	if (hub_sql(h, "SELECT name, phone, card, credit_limit, balance, points, balance_at FROM "
	    "hub_customers WHERE key = $1", 1, params, &r, err) == -1)
		return NULL;
	if (r.nrows != 1) {
		hub_rows_free(&r);
		kerr_set(err, KERR_INTERNAL, "customer %s vanished", key);
		return NULL;
	}
	data = json_pack("{s:s, s:s?, s:s?, s:I, s:I, s:I}", "name", hub_cell(&r, 0, 0), "phone",
	    hub_cell(&r, 0, 1), "card", hub_cell(&r, 0, 2), "limit",
	    (json_int_t)strtoll(hub_cell(&r, 0, 3), NULL, 10), "balance",
	    (json_int_t)strtoll(hub_cell(&r, 0, 4), NULL, 10), "points",
	    (json_int_t)strtoll(hub_cell(&r, 0, 5), NULL, 10));
	if (hub_cell(&r, 0, 6) != NULL && hub_cell(&r, 0, 6)[0] != '\0')
		json_object_set_new(data, "balance_at", json_string(hub_cell(&r, 0, 6)));
	else
		json_object_del(data, "balance");
	hub_rows_free(&r);
	if (json_object_get(data, "balance") == NULL)
		return data;
	if (hub_sql(h, "SELECT device_id, seq FROM hub_customer_through WHERE key = $1", 1, params,
	    &r, err) == -1) {
		json_decref(data);
		return NULL;
	}
	through = json_object();
	for (int i = 0; i < r.nrows; i++)
		json_object_set_new(through, hub_cell(&r, i, 0),
		    json_integer(strtoll(hub_cell(&r, i, 1), NULL, 10)));
	hub_rows_free(&r);
	json_object_set_new(data, "through", through);
	return data;
}
