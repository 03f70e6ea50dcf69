/*
 * cmd-sales.c: `kassa sales [--json] [--since DATE]`. The completed sales and returns, as the
 * JSON array of CONTRACT.md sections 2 and 7 (report_sales_json: every object has a `kind`) or
 * as a table for people (report_sales_each: a return's number is R<number>, its total < 0).
 * Opens the database read-only: it may run while the till is selling.
 */
#include <ctype.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "money.h"
#include "report.h"
#include "store.h"
#include "timestamp.h"

/* Digits at s[0..n-1]. */
static bool
digits(const char *s, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
	}
	return true;
}

/*
 * "2026-11-25", "2026-11-25T09:30", "2026-11-25T09:30:00", with optional ".mmm" and "Z".
 * Times are UTC, as the database stores them.
 */
static bool
since_valid(const char *s)
{
	size_t n = strlen(s);

	if (n < 10 || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' ||
	    !digits(s + 8, 2))
		return false;
	if (n == 10)
		return true;
	s += 10;
	if (*s != 'T' || !digits(s + 1, 2) || s[3] != ':' || !digits(s + 4, 2))
		return false;
	s += 6;
	if (s[0] == ':') {
		if (!digits(s + 1, 2))
			return false;
		s += 3;
		if (s[0] == '.') {
			s++;
			while (isdigit((unsigned char)*s))
				s++;
		}
	}
	if (*s == 'Z')
		s++;
	return *s == '\0';
}

struct table {
	long count;
	long returns;                  /* of count */
	money_t total;                 /* sales less refunds */
	bool failed;
};

static int
print_row(void *arg, const struct report_sale_row *r)
{
	struct table *t = arg;
	char total[32], when[TIMESTAMP_LOCAL_SIZE + 8];
	const char *paid;

	if (t->count == 0)
		printf("%8s  %-19s  %-16s  %5s  %14s  %s\n", "number", "completed",
		    "cashier", "lines", "total", "paid");
	/* "2026-11-25T09:30:00.000Z" -> "2026-11-25 14:30:00" in Tashkent: people read local
	 * time; --json keeps UTC. */
	timestamp_local(r->completed_at, when, sizeof when);
	if (r->cash > 0 && r->card > 0)
		paid = "cash+card";
	else if (r->card > 0)
		paid = "card";
	else
		paid = "cash";
	/* A return: its own number as its receipt prints it (R3), the refund negative. */
	if (r->is_return) {
		char num[24];

		snprintf(num, sizeof num, "R%lld", (long long)r->number);
		printf("%8s  %-19s  ", num, when);
	} else
		printf("%8lld  %-19s  ", (long long)r->number, when);
	cli_print_padded(r->cashier, 16);
	printf("  %5lld  %14s  %s", (long long)r->lines,
	    money_format(r->is_return ? -r->total : r->total, total, sizeof total), paid);
	if (r->is_return && r->original > 0)
		printf("  (return of %lld)", (long long)r->original);
	else if (r->is_return)
		printf("  (without a receipt)");
	printf("\n");
	t->count++;
	if (r->is_return)
		t->returns++;
	if (!(r->is_return ? money_sub(t->total, r->total, &t->total) :
	    money_add(t->total, r->total, &t->total)))
		t->failed = true;
	return 0;
}

static int
cmd_sales_exec(const struct cli_cmd *self, struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "since", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 }
	};
	const char *since = NULL;
	struct table t;
	struct kerr err;
	bool json = false;
	char *doc, total[32];
	store *st;
	int c, rc = CLI_FAIL;

	kerr_clear(&err);
	memset(&t, 0, sizeof t);
	while ((c = cli_getopt(self, argc, argv, ":", longopts)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 's':
			since = optarg;
			break;
		default:
			return CLI_USAGE;
		}
	}
	if (optind != argc)
		return cli_usage(self, "sales: unexpected argument '%s'", argv[optind]);
	if (since != NULL && !since_valid(since))
		return cli_usage(self, "sales: --since wants a UTC date like 2026-11-25 or "
		    "2026-11-25T09:30:00Z, not '%s'", since);

	st = cli_open_store(ctx, STORE_READONLY);
	if (st == NULL)
		return CLI_FAIL;
	if (json) {
		doc = report_sales_json(st, since, &err);
		if (doc == NULL) {
			rc = cli_fail_err("sales", &err);
			goto out;
		}
		rc = cli_print_json(doc);
		free(doc);
		goto out;
	}
	if (report_sales_each(st, since, print_row, &t, &err) == -1) {
		rc = cli_fail_err("sales", &err);
		goto out;
	}
	if (t.count == 0)
		printf("no completed sales%s%s\n", since != NULL ? " since " : "",
		    since != NULL ? since : "");
	else if (t.failed)
		printf("%ld sales\n", t.count);
	else if (t.returns == 0)
		printf("%ld %s, %s in all\n", t.count, t.count == 1 ? "sale" : "sales",
		    money_format(t.total, total, sizeof total));
	else
		printf("%ld %s and %ld %s, %s in all after refunds\n", t.count - t.returns,
		    t.count - t.returns == 1 ? "sale" : "sales", t.returns,
		    t.returns == 1 ? "return" : "returns",
		    money_format(t.total, total, sizeof total));
	rc = CLI_OK;
out:
	store_close(st);
	return rc;
}

const struct cli_cmd cmd_sales = {
	.name = "sales",
	.usage = "sales [--json] [--since DATE]",
	.summary = "list completed sales",
	.exec = cmd_sales_exec,
};
