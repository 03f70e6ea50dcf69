/*
 * kassa-hub: the reference upstream server of protocol v1 (CONTRACT.md section 5), for one shop
 * or a small chain, and the real server every sync test talks to.
 *
 *   kassa-hub serve --db PATH --listen HOST:PORT [--webhook URL [--webhook-events T,...]]
 *                   [--fault KIND:N]...
 *   kassa-hub token add DEVICE --db PATH          prints the device's new bearer token
 *   kassa-hub import products FILE.csv --db PATH  publishes catalogue changes to every till
 *   kassa-hub report --db PATH                    sales per till and day
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	sqlite3_stmt *q;

	if (sqlite3_prepare_v2(store_db(h->st), "SELECT device_id, substr(at, 1, 10), count(*), "
	    "sum(json_extract(payload, '$.total')) FROM hub_events WHERE type = 'sale.completed' "
	    "AND status = 'accepted' GROUP BY 1, 2 ORDER BY 2, 1", -1, &q, NULL) != SQLITE_OK)
		return 1;
	printf("%-38s %-10s %6s %16s\n", "till", "day", "sales", "total");
	while (sqlite3_step(q) == SQLITE_ROW) {
		char total[40];

		money_format(sqlite3_column_int64(q, 3), total, sizeof total);
		printf("%-38s %-10s %6lld %16s\n", (const char *)sqlite3_column_text(q, 0),
		    (const char *)sqlite3_column_text(q, 1), (long long)sqlite3_column_int64(q, 2),
		    total);
	}
	sqlite3_finalize(q);
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
		{ NULL, 0, NULL, 0 }
	};
	const char *db = getenv("KASSA_HUB_DB"), *listen_addr = "127.0.0.1:8080";
	struct hub h;
	struct kerr err;
	int c, rc = 1;

	memset(&h, 0, sizeof h);
	kerr_clear(&err);
	h.webhook_types = "shift.closed";
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
	if (hub_db_open(&h, db, &err) == -1 || hub_webhook_init(&h, &err) == -1) {
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
		FILE *in = strcmp(argv[2], "-") == 0 ? stdin : fopen(argv[2], "r");
		long n = 0;

		if (in == NULL) {
			kerr_set(&err, KERR_INPUT, "cannot read %s", argv[2]);
		} else {
			/* The same validation as every till's import. */
			rc = catalog_import_csv(h.st, in, argv[2], on_bad_row, NULL, &n, &err) == 0 ?
			    0 : 1;
			if (in != stdin)
				fclose(in);
			if (rc == 0)
				printf("published %ld products\n", n);
		}
	} else if (strcmp(argv[0], "report") == 0 && argc == 1) {
		rc = report(&h);
	} else {
		store_close(h.st);
		return usage();
	}
	if (rc != 0 && err.msg[0] != '\0')
		fprintf(stderr, "kassa-hub: %s\n", err.msg);
	store_close(h.st);
	return rc;
}
