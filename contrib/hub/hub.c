/*
 * kassa-hub: the reference upstream server of protocol v1 (CONTRACT.md section 5): SQLite for
 * one shop, PostgreSQL (--db postgres://...) for a chain; and the real server every sync test
 * talks to.
 *
 *   kassa-hub serve --db PATH --listen HOST:PORT [--webhook URL [--webhook-events T,...]]
 *                   [--threads N] [--max-connections N] [--max-per-address N]
 *                   [--telegram FILE] [--fault KIND:N]...
 *   kassa-hub token add DEVICE --db PATH          prints the device's new bearer token
 *   kassa-hub import products FILE.csv --db PATH  publishes catalogue changes to every till
 *   kassa-hub report --db PATH [--json|--csv] [--from DAY] [--to DAY]
 *                                                 per till and local day, with breakdowns
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
	    "           [--webhook-events TYPE,...] [--telegram FILE] [--threads N]\n"
	    "           [--max-connections N] [--max-per-address N] [--fault KIND:N]\n"
	    "       kassa-hub token add DEVICE --db PATH\n"
	    "       kassa-hub import products FILE.csv --db PATH\n"
	    "       kassa-hub report --db PATH [--json|--csv] [--from YYYY-MM-DD] [--to YYYY-MM-DD]\n"
	    "       kassa-hub fiscal-sim --db SIM.db --listen HOST:PORT [--fault KIND:N]\n"
	    "           (a SIMULATOR of the fiscal gateway, for tests and the demo)\n"
	    "test faults: 503:N 429:N badjson:N drop:N reject:SEQ\n");
	return asked ? 0 : 2;
}

struct hub *
hub_root(struct hub *h)
{
	return h->root != NULL ? h->root : h;
}

/* A count option's value into *v: 1 to max, else false. */
static bool
count_arg(const char *s, unsigned int max, unsigned int *v)
{
	char *end;
	long n = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || n < 1 || n > (long)max)
		return false;
	*v = (unsigned int)n;
	return true;
}

/* YYYY-MM-DD, digits where digits go. */
static bool
is_day(const char *s)
{
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++) {
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	}
	return true;
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
		{ "threads", required_argument, NULL, 't' },
		{ "max-connections", required_argument, NULL, 'm' },
		{ "max-per-address", required_argument, NULL, 'a' },
		{ "telegram", required_argument, NULL, 'T' },
		{ "json", no_argument, NULL, 'J' },
		{ "csv", no_argument, NULL, 'C' },
		{ "from", required_argument, NULL, 'F' },
		{ "to", required_argument, NULL, 'U' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *db = getenv("KASSA_HUB_DB"), *listen_addr = "127.0.0.1:8080";
	const char *telegram = NULL, *format = "text", *from = NULL, *to = NULL;
	struct hub h;
	struct kerr err;
	int c, rc = 1;

	memset(&h, 0, sizeof h);
	kerr_clear(&err);
	h.webhook_types = "shift.closed,stock.low";
	h.threads = 8;
	h.max_connections = 256;
	h.max_per_address = 64;
	while ((c = getopt_long(argc, argv, "d:l:f:w:e:t:m:a:h", opts, NULL)) != -1) {
		if (c == 'd')
			db = optarg;
		else if (c == 'w')
			h.webhook_url = optarg;
		else if (c == 'e')
			h.webhook_types = optarg;
		else if (c == 'T')
			telegram = optarg;
		else if (c == 'J' || c == 'C') {
			if (strcmp(format, "text") != 0)
				return usage(false);
			format = c == 'J' ? "json" : "csv";
		} else if (c == 'F' || c == 'U') {
			if (!is_day(optarg)) {
				fprintf(stderr, "kassa-hub: bad day '%s': use YYYY-MM-DD\n", optarg);
				return 2;
			}
			if (c == 'F')
				from = optarg;
			else
				to = optarg;
		}
		else if (c == 'l')
			listen_addr = optarg;
		else if (c == 'f') {
			if (hub_fault_parse(&h.faults, optarg) == -1)
				return usage(false);
		} else if (c == 't') {
			if (!count_arg(optarg, 64, &h.threads))
				return usage(false);
		} else if (c == 'm') {
			if (!count_arg(optarg, 65536, &h.max_connections))
				return usage(false);
		} else if (c == 'a') {
			if (!count_arg(optarg, 65536, &h.max_per_address))
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
	if (telegram != NULL && hub_telegram_load(&h, telegram, &err) == -1) {
		fprintf(stderr, "kassa-hub: %s\n", err.msg);
		return 1;
	}
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
		rc = hub_report(&h, format, from, to);
	} else {
		hub_db_close(&h);
		return usage(false);
	}
	if (rc != 0 && err.msg[0] != '\0')
		fprintf(stderr, "kassa-hub: %s\n", err.msg);
	hub_db_close(&h);
	return rc;
}
