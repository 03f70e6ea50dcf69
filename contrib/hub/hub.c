/*
 * kassa-hub: the reference upstream server of protocol v1 (CONTRACT.md section 5): SQLite for
 * one shop, PostgreSQL (--db postgres://...) for a chain; and the real server every sync test
 * talks to.
 *
 *   kassa-hub serve --db PATH --listen HOST:PORT [--webhook URL [--webhook-events T,...]]
 *                   [--fault KIND:N]...
 *   kassa-hub token add DEVICE --db PATH          prints the device's new bearer token
 *   kassa-hub import products FILE.csv --db PATH  publishes catalogue changes to every till
 *   kassa-hub report --db PATH                    sales and returns per till and day
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "catalog.h"
#include "hub-int.h"

static int
usage(void)
{
	fprintf(stderr, "usage: kassa-hub serve --db PATH --listen HOST:PORT [--webhook URL]\n"
	    "           [--webhook-events TYPE,...] [--fault KIND:N]\n"
	    "       kassa-hub token add DEVICE --db PATH\n"
	    "       kassa-hub import products FILE.csv --db PATH\n"
	    "       kassa-hub report --db PATH\n"
	    "test faults: 503:N 429:N badjson:N drop:N reject:SEQ\n");
	return 2;
}

static int
parse_fault(struct hub_faults *f, const char *spec)
{
	const char *colon = strchr(spec, ':');
	long n;

	if (colon == NULL)
		return -1;
	n = atol(colon + 1);
	if (strncmp(spec, "503:", 4) == 0)
		f->fail503 = (int)n;
	else if (strncmp(spec, "429:", 4) == 0)
		f->fail429 = (int)n;
	else if (strncmp(spec, "badjson:", 8) == 0)
		f->badjson = (int)n;
	else if (strncmp(spec, "drop:", 5) == 0)
		f->drop = (int)n;
	else if (strncmp(spec, "reject:", 7) == 0)
		f->reject_seq = n;
	else
		return -1;
	return 0;
}

static void
on_bad_row(void *ctx, const char *file, long line, const char *reason)
{
	(void)ctx;
	fprintf(stderr, "%s:%ld: %s\n", file, line, reason);
}

static int
report(struct hub *h)
{
	struct hub_rows r;
	struct kerr err;

	/* The one place the two engines differ: reading a number out of a JSON payload. Sales
	 * and returns (sale.returned: total is the refund, positive) per till and day. */
	if (hub_sql(h, h->pg != NULL ?
	    "SELECT device_id, substr(at, 1, 10), "
	    "count(*) FILTER (WHERE type = 'sale.completed'), "
	    "coalesce(sum((payload::json->>'total')::bigint) FILTER (WHERE type = "
	    "'sale.completed'), 0), count(*) FILTER (WHERE type = 'sale.returned'), "
	    "coalesce(sum((payload::json->>'total')::bigint) FILTER (WHERE type = "
	    "'sale.returned'), 0) "
	    "FROM hub_events WHERE type IN ('sale.completed', 'sale.returned') AND status = "
	    "'accepted' GROUP BY 1, 2 ORDER BY 2, 1" :
	    "SELECT device_id, substr(at, 1, 10), sum(type = 'sale.completed'), "
	    "coalesce(sum(CASE WHEN type = 'sale.completed' THEN json_extract(payload, '$.total') "
	    "END), 0), sum(type = 'sale.returned'), coalesce(sum(CASE WHEN type = "
	    "'sale.returned' THEN json_extract(payload, '$.total') END), 0) "
	    "FROM hub_events WHERE type IN ('sale.completed', 'sale.returned') AND status = "
	    "'accepted' GROUP BY 1, 2 ORDER BY 2, 1", 0, NULL, &r, &err) == -1) {
		fprintf(stderr, "kassa-hub: %s\n", err.msg);
		return 1;
	}
	printf("%-38s %-10s %6s %16s %7s %16s\n", "till", "day", "sales", "total", "returns",
	    "refunded");
	for (int i = 0; i < r.nrows; i++) {
		char total[40], refunded[40];

		money_format(strtoll(hub_cell(&r, i, 3), NULL, 10), total, sizeof total);
		money_format(strtoll(hub_cell(&r, i, 5), NULL, 10), refunded, sizeof refunded);
		printf("%-38s %-10s %6s %16s %7s %16s\n", hub_cell(&r, i, 0), hub_cell(&r, i, 1),
		    hub_cell(&r, i, 2), total, hub_cell(&r, i, 4), refunded);
	}
	hub_rows_free(&r);
	return 0;
}

/*
 * Publishes a product CSV: checked by the tills' own import (all or nothing, every bad row
 * named) into a scratch SQLite store, then written to hub_products, where /v1/changes finds
 * it, in one transaction; each row gets the next change_seq, which is what orders the feed.
 */
static int
import_products(struct hub *h, const char *file, struct kerr *err)
{
	char dir[] = "/tmp/kassa-hub-import-XXXXXX", path[64], now[32];
	FILE *in = strcmp(file, "-") == 0 ? stdin : fopen(file, "r");
	sqlite3_stmt *q;
	store *scratch = NULL;
	long n = 0, published = 0;
	int rc = -1;

	if (in == NULL)
		return kerr_set(err, KERR_INPUT, "cannot read %s", file);
	if (mkdtemp(dir) == NULL) {
		kerr_set(err, KERR_IO, "no scratch folder for the import");
		goto out;
	}
	snprintf(path, sizeof path, "%s/check.db", dir);
	scratch = store_open(path, STORE_CREATE, err);
	if (scratch == NULL ||
	    catalog_import_csv(scratch, in, file, on_bad_row, NULL, &n, err) == -1)
		goto out;
	if (sqlite3_prepare_v2(store_db(scratch), "SELECT b.code, json_object('barcode', b.code, "
	    "'name', p.name, 'price', p.price, 'vat', CASE WHEN p.vat_bp % 100 = 0 THEN p.vat_bp / "
	    "100 ELSE p.vat_bp / 100.0 END, 'unit', p.unit, 'sku', p.sku, 'mxik', p.mxik, "
	    "'category', p.category, 'plu', p.plu) FROM products p JOIN barcodes b ON "
	    "b.product_id = p.id ORDER BY p.id", -1, &q, NULL) != SQLITE_OK) {
		store_error(scratch, err, "reading the checked catalogue");
		goto out;
	}
	if (hub_begin(h, err) == -1) {
		sqlite3_finalize(q);
		goto out;
	}
	/* Taken under the write lock; still only for last-write-wins, never for the order. */
	store_now(now, sizeof now);
	while (sqlite3_step(q) == SQLITE_ROW) {
		char seq[24];
		const char *params[4] = { (const char *)sqlite3_column_text(q, 0),
		    (const char *)sqlite3_column_text(q, 1), now, seq };

		if (hub_next_change_seq(h, seq, sizeof seq, err) == -1 ||
		    hub_sql(h, "INSERT INTO hub_products(barcode, data, updated_at, deleted, "
		    "change_seq) VALUES ($1, $2, $3, 0, $4) ON CONFLICT (barcode) DO UPDATE SET data "
		    "= excluded.data, updated_at = excluded.updated_at, deleted = 0, change_seq = "
		    "excluded.change_seq", 4, params, NULL, err) == -1) {
			sqlite3_finalize(q);
			hub_rollback(h);
			goto out;
		}
		published++;
	}
	sqlite3_finalize(q);
	if (hub_commit(h, err) == -1)
		goto out;
	printf("published %ld products\n", published);
	rc = 0;
out:
	if (in != stdin)
		fclose(in);
	store_close(scratch);
	if (scratch != NULL || dir[strlen(dir) - 1] != 'X') {
		unlink(path);
		snprintf(path, sizeof path, "%s/check.db-wal", dir);
		unlink(path);
		snprintf(path, sizeof path, "%s/check.db-shm", dir);
		unlink(path);
		rmdir(dir);
	}
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "listen", required_argument, NULL, 'l' },
		{ "fault", required_argument, NULL, 'f' },
		{ "webhook", required_argument, NULL, 'w' },
		{ "webhook-events", required_argument, NULL, 'e' },
		{ NULL, 0, NULL, 0 }
	};
	const char *db = getenv("KASSA_HUB_DB"), *listen_addr = "127.0.0.1:8080";
	struct hub h;
	struct kerr err;
	int c, rc = 1;

	memset(&h, 0, sizeof h);
	kerr_clear(&err);
	h.webhook_types = "shift.closed,stock.low";
	while ((c = getopt_long(argc, argv, "d:l:f:w:e:", opts, NULL)) != -1) {
		if (c == 'd')
			db = optarg;
		else if (c == 'w')
			h.webhook_url = optarg;
		else if (c == 'e')
			h.webhook_types = optarg;
		else if (c == 'l')
			listen_addr = optarg;
		else if (c == 'f') {
			if (parse_fault(&h.faults, optarg) == -1)
				return usage();
		} else
			return usage();
	}
	argc -= optind;
	argv += optind;
	if (argc < 1 || db == NULL)
		return usage();
	h.db_path = db;
	if (hub_db_connect(&h, db, &err) == -1) {
		fprintf(stderr, "kassa-hub: %s\n", err.msg);
		return 1;
	}
	if (strcmp(argv[0], "serve") == 0 && argc == 1) {
		rc = hub_serve(&h, listen_addr, &err) == 0 ? 0 : 1;
	} else if (strcmp(argv[0], "token") == 0 && argc == 3 && strcmp(argv[1], "add") == 0) {
		char token[64];

		rc = hub_token_add(&h, argv[2], token, sizeof token, &err) == 0 ? 0 : 1;
		if (rc == 0)
			printf("%s\n", token);
	} else if (strcmp(argv[0], "import") == 0 && argc == 3 &&
	    strcmp(argv[1], "products") == 0) {
		rc = import_products(&h, argv[2], &err) == 0 ? 0 : 1;
	} else if (strcmp(argv[0], "report") == 0 && argc == 1) {
		rc = report(&h);
	} else {
		hub_db_close(&h);
		return usage();
	}
	if (rc != 0 && err.msg[0] != '\0')
		fprintf(stderr, "kassa-hub: %s\n", err.msg);
	hub_db_close(&h);
	return rc;
}
