/*
 * cmd-stock.c: `kassa stock list|receive|adjust|count` (CONTRACT.md section 7, include/stock.h).
 *
 * A change of stock names who made it. The command line acts as the shop's admin (user_admin:
 * the first active admin; whoever runs kassa on the till's file administers it), so receive,
 * adjust and count need one: `kassa user add NAME --role admin`. Files are all-or-nothing,
 * every bad row named as FILE:LINE: reason on stderr, as `kassa import products`.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "money.h"
#include "stock.h"
#include "store.h"
#include "user.h"

static void
report_row(void *ctx, const char *file, long line, const char *reason)
{
	long *bad = ctx;

	(*bad)++;
	fprintf(stderr, "%s:%ld: %s\n", file, line, reason);
}

/* ---- list --------------------------------------------------------------------------------- */

struct list_ctx {
	store *st;
	long n;
};

static int
print_branch(void *ctx, const struct stock_remote *r)
{
	const struct stock_item *it = ctx;
	char q[32];

	printf("  %s: %s", r->branch, qty_format(r->qty, it->by_weight, q, sizeof q));
	return 0;
}

static int
print_item(void *ctx, const struct stock_item *it)
{
	struct list_ctx *lc = ctx;
	struct kerr err;
	char q[32], m[32];

	if (lc->n++ == 0)
		printf("%-14s  %-32s  %10s  %10s\n", "barcode", "name", "qty", "threshold");
	printf("%-14s  ", it->barcode);
	cli_print_padded(it->name, 32);
	printf("  %10s  %10s%s", qty_format(it->qty, it->by_weight, q, sizeof q),
	    qty_format(it->min, it->by_weight, m, sizeof m), it->qty <= it->min ? "  LOW" : "");
	/* Other branches beside, never added in. */
	if (it->barcode[0] != '\0' && stock_remote_list(lc->st, it->barcode, print_branch,
	    (void *)it, &err) == -1)
		return -1;
	putchar('\n');
	return 0;
}

static int
stock_list_exec(const struct cli_cmd *self, struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "low", no_argument, NULL, 'l' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	struct list_ctx lc = { 0 };
	bool low = false, json = false;
	struct kerr err;
	int c, rc = CLI_FAIL;

	while ((c = cli_getopt(self, argc, argv, ":", longopts)) != -1) {
		if (c == 'l')
			low = true;
		else if (c == 'j')
			json = true;
		else
			return CLI_USAGE;
	}
	if (argc - optind != 1)
		return cli_usage(self, "stock list: takes only --low and --json");
	lc.st = cli_open_store(ctx, STORE_READONLY);
	if (lc.st == NULL)
		return CLI_FAIL;
	if (json) {
		char *doc = stock_list_json(lc.st, low, &err);

		if (doc == NULL)
			rc = cli_fail_err("stock list", &err);
		else
			rc = cli_print_json(doc);
		free(doc);
	} else if (stock_list(lc.st, low, print_item, &lc, &err) == -1) {
		rc = cli_fail_err("stock list", &err);
	} else {
		if (lc.n == 0)
			printf(low ? "no product is at or below its threshold\n" :
			    "no products: import some with `kassa import products FILE`\n");
		rc = CLI_OK;
	}
	store_close(lc.st);
	return rc;
}

/* ---- receive, count ----------------------------------------------------------------------- */

/* Opens FILE or stdin ("-"); NULL after a message. */
static FILE *
open_input(const char *path, const char **name)
{
	FILE *in;

	if (strcmp(path, "-") == 0) {
		*name = "stdin";
		return stdin;
	}
	in = fopen(path, "r");
	if (in == NULL)
		cli_fail("cannot open %s: %s", path, strerror(errno));
	*name = path;
	return in;
}

static int
stock_file_exec(const struct cli_cmd *self, struct cli_ctx *ctx, int argc, char **argv,
    bool receive)
{
	static const struct option recv_opts[] = {
		{ "supplier", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct option count_opts[] = {
		{ "category", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	const char *word = receive ? "receive" : "count", *opt = NULL, *name = NULL;
	struct stock_delivery_done dd;
	struct stock_take_done td;
	struct user admin;
	struct kerr err;
	FILE *in = NULL;
	store *st = NULL;
	long bad = 0;
	int c, rc = CLI_FAIL;

	kerr_clear(&err);
	while ((c = cli_getopt(self, argc, argv, ":", receive ? recv_opts : count_opts)) != -1) {
		if (c == 's' || c == 'c')
			opt = optarg;
		else
			return CLI_USAGE;
	}
	if (argc - optind != 2)
		return cli_usage(self, "stock %s: wants one file (or - for stdin)", word);
	in = open_input(argv[optind + 1], &name);
	if (in == NULL)
		return CLI_FAIL;
	st = cli_open_store(ctx, 0);
	if (st == NULL)
		goto out;
	if (user_admin(st, &admin, &err) == -1) {
		rc = cli_fail_err(NULL, &err);
		goto out;
	}
	if (receive)
		c = stock_receive_csv(st, &admin, in, name, opt, report_row, &bad, &dd, &err);
	else
		c = stock_count_csv(st, &admin, in, name, opt, report_row, &bad, &td, &err);
	if (c == -1) {
		if (bad > 0)
			rc = cli_fail("%s: %ld bad %s; nothing was %s (fix them and run it again)",
			    name, bad, bad == 1 ? "row" : "rows", receive ? "received" : "counted");
		else
			rc = cli_fail("%s: %s; nothing was %s", name, err.msg,
			    receive ? "received" : "counted");
		goto out;
	}
	if (receive) {
		char cost[40];

		printf("received delivery %lld: %ld %s, cost %s\n", (long long)dd.number, dd.lines,
		    dd.lines == 1 ? "line" : "lines", money_format(dd.cost_total, cost,
		    sizeof cost));
	} else {
		char g[32], l[32];

		printf("counted %ld %s: %ld changed (+%s, -%s)\n", td.counted,
		    td.counted == 1 ? "product" : "products", td.changed,
		    qty_format(td.gain, true, g, sizeof g), qty_format(td.loss, true, l, sizeof l));
	}
	rc = CLI_OK;
out:
	if (st != NULL)
		store_close(st);
	if (in != NULL && in != stdin)
		fclose(in);
	return rc;
}

/* ---- adjust ------------------------------------------------------------------------------- */

/* A signed quantity: "-2", "+1.5", "3". */
static int
parse_signed_qty(const char *s, qty_t *out, struct kerr *err)
{
	bool neg = s[0] == '-';

	if (s[0] == '-' || s[0] == '+')
		s++;
	if (qty_parse(s, out, err) == -1)
		return -1;
	if (neg)
		*out = -*out;
	return 0;
}

/* Parsed by hand: QTY may be "-2", which getopt would take for an option. */
static int
stock_adjust_exec(const struct cli_cmd *self, struct cli_ctx *ctx, int argc, char **argv)
{
	const char *pos[2] = { NULL, NULL }, *reason_s = NULL;
	enum stock_reason reason;
	struct product p;
	struct user admin;
	struct kerr err;
	qty_t delta;
	store *st;
	int npos = 0, rc;
	char q[32];

	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--reason") == 0 && i + 1 < argc)
			reason_s = argv[++i];
		else if (strncmp(argv[i], "--reason=", 9) == 0)
			reason_s = argv[i] + 9;
		else if (strcmp(argv[i], "--") == 0)
			continue;
		else if (argv[i][0] == '-' && argv[i][1] == '-')
			return cli_usage(self, "stock adjust: unknown option %s", argv[i]);
		else if (npos < 2)
			pos[npos++] = argv[i];
		else
			return cli_usage(self, "stock adjust: wants CODE QTY --reason R");
	}
	if (npos != 2)
		return cli_usage(self, "stock adjust: wants CODE QTY --reason R");
	if (reason_s == NULL)
		return cli_usage(self, "stock adjust: --reason is required (damage, theft, "
		    "expired or correction)");
	if (stock_reason_parse(reason_s, &reason) == -1)
		return cli_usage(self, "stock adjust: unknown reason '%s' (damage, theft, expired "
		    "or correction)", reason_s);
	if (parse_signed_qty(pos[1], &delta, &err) == -1)
		return cli_usage(self, "stock adjust: bad quantity '%s': %s", pos[1], err.msg);
	st = cli_open_store(ctx, 0);
	if (st == NULL)
		return CLI_FAIL;
	if (user_admin(st, &admin, &err) == -1 ||
	    stock_adjust(st, &admin, NULL, pos[0], delta, reason, &p, NULL, &err) == -1) {
		rc = cli_fail_err("stock adjust", &err);
	} else {
		printf("%s (%s): %s on hand\n", p.name, pos[0],
		    qty_format(p.stock, p.by_weight, q, sizeof q));
		rc = CLI_OK;
	}
	store_close(st);
	return rc;
}

static int
cmd_stock_exec(const struct cli_cmd *self, struct cli_ctx *ctx, int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : "";

	if (strcmp(sub, "list") == 0)
		return stock_list_exec(self, ctx, argc, argv);
	if (strcmp(sub, "receive") == 0)
		return stock_file_exec(self, ctx, argc, argv, true);
	if (strcmp(sub, "count") == 0)
		return stock_file_exec(self, ctx, argc, argv, false);
	if (strcmp(sub, "adjust") == 0)
		return stock_adjust_exec(self, ctx, argc, argv);
	return cli_usage(self, "stock: list, receive, adjust or count");
}

const struct cli_cmd cmd_stock = {
	.name = "stock",
	.usage = "stock list [--low] [--json] | receive FILE|- [--supplier NAME] |\n"
	    "        adjust CODE QTY --reason damage|theft|expired|correction |\n"
	    "        count FILE|- [--category NAME]",
	.summary = "stock on hand, goods received, adjustments, stock-takes (all or nothing)",
	.exec = cmd_stock_exec,
};
