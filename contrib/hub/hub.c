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
 *   kassa-hub fiscal-sim --db SIM.db --listen HOST:PORT   a fiscal gateway SIMULATOR
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "catalog.h"
#include "hub-int.h"

/* The usage: on stdout with exit 0 when asked for (--help), else on stderr with exit 2. */
static int
usage(bool asked)
{
	fprintf(asked ? stdout : stderr,
	    "usage: kassa-hub serve --db PATH --listen HOST:PORT [--webhook URL]\n"
	    "           [--webhook-events TYPE,...] [--fault KIND:N]\n"
	    "       kassa-hub token add DEVICE --db PATH\n"
	    "       kassa-hub import products FILE.csv --db PATH\n"
	    "       kassa-hub report --db PATH\n"
	    "       kassa-hub fiscal-sim --db SIM.db --listen HOST:PORT [--fault KIND:N]\n"
	    "           (a SIMULATOR of the fiscal gateway, for tests and the demo)\n"
	    "test faults: 503:N 429:N badjson:N drop:N reject:SEQ\n");
	return asked ? 0 : 2;
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

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "listen", required_argument, NULL, 'l' },
		{ "fault", required_argument, NULL, 'f' },
		{ "webhook", required_argument, NULL, 'w' },
		{ "webhook-events", required_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *db = getenv("KASSA_HUB_DB"), *listen_addr = "127.0.0.1:8080";
	struct hub h;
	struct kerr err;
	int c, rc = 1;

	memset(&h, 0, sizeof h);
	kerr_clear(&err);
	h.webhook_types = "shift.closed,stock.low";
	while ((c = getopt_long(argc, argv, "d:l:f:w:e:h", opts, NULL)) != -1) {
		if (c == 'd')
			db = optarg;
		else if (c == 'w')
			h.webhook_url = optarg;
		else if (c == 'e')
			h.webhook_types = optarg;
		else if (c == 'l')
			listen_addr = optarg;
		else if (c == 'f') {
			if (hub_fault_parse(&h.faults, optarg) == -1)
				return usage(false);
		} else if (c == 'h')
			return usage(true);
		else
			return usage(false);
	}
	argc -= optind;
	argv += optind;
	if (argc < 1 || db == NULL)
		return usage(false);
	h.db_path = db;
	/* The gateway SIMULATOR keeps its own SQLite file: never the hub's database. */
	if (strcmp(argv[0], "fiscal-sim") == 0 && argc == 1) {
		rc = hub_fiscal_sim(db, listen_addr, &h.faults, &err) == 0 ? 0 : 1;
		if (rc != 0)
			fprintf(stderr, "kassa-hub: %s\n", err.msg);
		return rc;
	}
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
		rc = hub_import_products(&h, argv[2], &err) == 0 ? 0 : 1;
	} else if (strcmp(argv[0], "report") == 0 && argc == 1) {
		rc = report(&h);
	} else {
		hub_db_close(&h);
		return usage(false);
	}
	if (rc != 0 && err.msg[0] != '\0')
		fprintf(stderr, "kassa-hub: %s\n", err.msg);
	hub_db_close(&h);
	return rc;
}
