/*
 * cmd-customer.c: `kassa customer add|list|pay|show|limit` (CONTRACT.md section 7).
 *
 *   customer add NAME [--phone P] [--card CODE] [--limit AMOUNT]
 *   customer list [--json] [--debtors]
 *   customer pay PHONE|CARD AMOUNT [--method cash|card]
 *   customer show PHONE|CARD [--json]
 *   customer limit PHONE|CARD AMOUNT
 *
 * The command line has no login: it runs as the shop's admin (whoever may run it can read and
 * write the database anyway), so it may set a credit limit. A repayment is money in the
 * drawer or on the card terminal, so it needs the shift open at the till, and is counted in
 * it. Amounts are major units as typed; --json carries minor units.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "customer.h"
#include "money.h"
#include "store.h"

static const struct cli_cmd add_cmd = { .name = "customer", .usage = "customer add NAME "
	"[--phone P] [--card CODE] [--limit AMOUNT]" };
static const struct cli_cmd list_cmd = { .name = "customer", .usage = "customer list [--json] "
	"[--debtors]" };
static const struct cli_cmd pay_cmd = { .name = "customer", .usage = "customer pay PHONE|CARD "
	"AMOUNT [--method cash|card]" };
static const struct cli_cmd show_cmd = { .name = "customer", .usage = "customer show "
	"PHONE|CARD [--json]" };
static const struct cli_cmd limit_cmd = { .name = "customer", .usage = "customer limit "
	"PHONE|CARD AMOUNT" };

/* An amount typed on the command line, in minor units; prints why not and returns -1. */
static int
amount_arg(const char *what, const char *s, money_t *out)
{
	struct kerr err;

	if (money_parse(s, false, out, &err) == -1) {
		cli_fail("%s: %s is not an amount like 50000 or 50000.50", what, s);
		return -1;
	}
	return 0;
}

/* The customer whose phone or card is code; prints why not. */
static int
find(store *st, const char *what, const char *code, struct customer *c)
{
	struct kerr err;
	int rc = customer_find(st, code, c, &err);

	if (rc == -1)
		cli_fail_err(what, &err);
	else if (rc == 0)
		cli_fail("%s: no customer has the phone or card %s (see `kassa customer list`)",
		    what, code);
	return rc == 1 ? 0 : -1;
}

static int
add_exec(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "phone", required_argument, NULL, 'p' },
		{ "card", required_argument, NULL, 'c' },
		{ "limit", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 }
	};
	const char *phone = NULL, *card = NULL;
	money_t limit = 0;
	struct kerr err;
	int64_t id;
	store *st;
	int c, rc = CLI_OK;

	while ((c = cli_getopt(&add_cmd, argc, argv, ":", longopts)) != -1) {
		switch (c) {
		case 'p': phone = optarg; break;
		case 'c': card = optarg; break;
		case 'l':
			if (amount_arg("customer add: --limit", optarg, &limit) == -1)
				return CLI_USAGE;
			break;
		default: return CLI_USAGE;
		}
	}
	if (argc - optind != 2)
		return cli_usage(&add_cmd, "customer add: wants exactly one NAME (quote a name "
		    "with spaces)");
	if ((st = cli_open_store(ctx, 0)) == NULL)
		return CLI_FAIL;
	if (customer_add(st, NULL, NULL, argv[optind + 1], phone, card, limit, NULL, &id,
	    &err) == -1)
		rc = cli_fail_err("customer add", &err);
	else
		printf("added customer %lld %s\n", (long long)id, argv[optind + 1]);
	store_close(st);
	return rc;
}

struct list_ctx {
	int count;
};

static int
print_row(void *vctx, const struct customer_row *r)
{
	struct list_ctx *lc = vctx;
	char bal[32], lim[32], since[32];

	if (lc->count++ == 0)
		printf("%-5s  %-24s  %-14s  %-12s  %14s  %14s  %8s  %s\n", "id", "name", "phone",
		    "card", "balance", "limit", "points", "owed since");
	printf("%-5lld  ", (long long)r->c.id);
	cli_print_padded(r->c.name, 24);
	snprintf(since, sizeof since, "%.10s", r->owed_since);
	printf("  %-14s  %-12s  %14s  %14s  %8lld  %s\n", r->c.phone, r->c.card,
	    money_format(r->balance, bal, sizeof bal), money_format(r->c.limit, lim, sizeof lim),
	    (long long)r->points, since);
	return 0;
}

static int
list_exec(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "debtors", no_argument, NULL, 'D' },
		{ NULL, 0, NULL, 0 }
	};
	struct list_ctx lc = { 0 };
	bool json = false, debtors = false;
	struct kerr err;
	char *doc;
	store *st;
	int c, rc = CLI_OK;

	while ((c = cli_getopt(&list_cmd, argc, argv, ":", longopts)) != -1) {
		if (c == 'j')
			json = true;
		else if (c == 'D')
			debtors = true;
		else
			return CLI_USAGE;
	}
	if (argc - optind != 1)
		return cli_usage(&list_cmd, "customer list: takes no arguments");
	if ((st = cli_open_store(ctx, STORE_READONLY)) == NULL)
		return CLI_FAIL;
	if (json) {
		doc = customer_list_json(st, debtors, &err);
		rc = doc != NULL ? cli_print_json(doc) : cli_fail_err("customer list", &err);
		free(doc);
	} else if (customer_list(st, debtors, print_row, &lc, NULL, &err) == -1)
		rc = cli_fail_err("customer list", &err);
	else if (lc.count == 0)
		printf(debtors ? "nobody owes anything\n" : "no customers: add one with `kassa "
		    "customer add NAME --phone P`\n");
	store_close(st);
	return rc;
}

static int
pay_exec(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "method", required_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 }
	};
	const char *method = "cash";
	struct customer cu;
	money_t amount, before, after;
	char a[32], b[32], d[32];
	struct kerr err;
	store *st;
	int c, rc = CLI_OK;

	while ((c = cli_getopt(&pay_cmd, argc, argv, ":", longopts)) != -1) {
		if (c != 'm')
			return CLI_USAGE;
		method = optarg;
	}
	if (strcmp(method, "cash") != 0 && strcmp(method, "card") != 0)
		return cli_usage(&pay_cmd, "customer pay: --method is cash or card");
	if (argc - optind != 3)
		return cli_usage(&pay_cmd, "customer pay: wants the customer's PHONE or CARD and "
		    "an AMOUNT");
	if (amount_arg("customer pay", argv[optind + 2], &amount) == -1)
		return CLI_USAGE;
	if ((st = cli_open_store(ctx, 0)) == NULL)
		return CLI_FAIL;
	if (find(st, "customer pay", argv[optind + 1], &cu) == -1)
		rc = CLI_FAIL;
	else if (customer_pay(st, NULL, cu.id, method, amount, &before, &after, &err) == -1)
		rc = cli_fail_err("customer pay", &err);
	else
		printf("%s paid %s (%s): owed %s, now %s\n", cu.name,
		    money_format(amount, a, sizeof a), method, money_format(before, b, sizeof b),
		    money_format(after, d, sizeof d));
	store_close(st);
	return rc;
}

static int
show_exec(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	struct customer_figures f;
	struct customer cu;
	char a[32], b[32], l[32];
	struct kerr err;
	bool json = false;
	char *doc;
	store *st;
	int c, rc = CLI_OK;

	while ((c = cli_getopt(&show_cmd, argc, argv, ":", longopts)) != -1) {
		if (c != 'j')
			return CLI_USAGE;
		json = true;
	}
	if (argc - optind != 2)
		return cli_usage(&show_cmd, "customer show: wants the customer's PHONE or CARD");
	if ((st = cli_open_store(ctx, STORE_READONLY)) == NULL)
		return CLI_FAIL;
	if (find(st, "customer show", argv[optind + 1], &cu) == -1) {
		rc = CLI_FAIL;
	} else if (json) {
		doc = customer_history_json(st, cu.id, &err);
		rc = doc != NULL ? cli_print_json(doc) : cli_fail_err("customer show", &err);
		free(doc);
	} else if (customer_figures(st, cu.id, &f, &err) == -1) {
		rc = cli_fail_err("customer show", &err);
	} else {
		printf("%s  %s  %s\nowes %s (limit %s, %s left), %lld points%s%s\n", cu.name,
		    cu.phone, cu.card, money_format(f.balance, a, sizeof a),
		    money_format(f.limit, l, sizeof l), money_format(f.credit_left, b, sizeof b),
		    (long long)f.points, f.owed_since[0] != '\0' ? ", owed since " : "",
		    f.owed_since);
		printf("the history: kassa customer show %s --json\n", argv[optind + 1]);
	}
	store_close(st);
	return rc;
}

static int
limit_exec(struct cli_ctx *ctx, int argc, char **argv)
{
	struct customer cu;
	struct kerr err;
	money_t limit;
	char a[32];
	store *st;
	int rc = CLI_OK;

	if (cli_getopt(&limit_cmd, argc, argv, ":", (const struct option[]){ { NULL, 0, NULL,
	    0 } }) != -1)
		return CLI_USAGE;
	if (argc - optind != 3)
		return cli_usage(&limit_cmd, "customer limit: wants the customer's PHONE or CARD "
		    "and an AMOUNT");
	if (amount_arg("customer limit", argv[optind + 2], &limit) == -1)
		return CLI_USAGE;
	if ((st = cli_open_store(ctx, 0)) == NULL)
		return CLI_FAIL;
	if (find(st, "customer limit", argv[optind + 1], &cu) == -1)
		rc = CLI_FAIL;
	else if (customer_set_limit(st, NULL, NULL, cu.id, limit, NULL, &err) == -1)
		rc = cli_fail_err("customer limit", &err);
	else
		printf("%s may owe up to %s\n", cu.name, money_format(limit, a, sizeof a));
	store_close(st);
	return rc;
}

static int
customer_exec(const struct cli_cmd *self, struct cli_ctx *ctx, int argc, char **argv)
{
	int i;

	/* The subcommand: the first word after "customer" that is not an option (or its
	 * value). */
	for (i = 1; i < argc; i++) {
		if (argv[i][0] != '-')
			break;
		if (strchr(argv[i], '=') == NULL && (strcmp(argv[i], "--phone") == 0 ||
		    strcmp(argv[i], "--card") == 0 || strcmp(argv[i], "--limit") == 0 ||
		    strcmp(argv[i], "--method") == 0))
			i++;
	}
	if (i >= argc)
		return cli_usage(self, "customer: wants a subcommand (add, list, pay, show or "
		    "limit)");
	if (strcmp(argv[i], "add") == 0)
		return add_exec(ctx, argc, argv);
	if (strcmp(argv[i], "list") == 0)
		return list_exec(ctx, argc, argv);
	if (strcmp(argv[i], "pay") == 0)
		return pay_exec(ctx, argc, argv);
	if (strcmp(argv[i], "show") == 0)
		return show_exec(ctx, argc, argv);
	if (strcmp(argv[i], "limit") == 0)
		return limit_exec(ctx, argc, argv);
	return cli_usage(self, "customer: unknown subcommand '%s' (add, list, pay, show or "
	    "limit)", argv[i]);
}

const struct cli_cmd cmd_customer = {
	.name = "customer",
	.usage = "customer add NAME [--phone P] [--card CODE] [--limit AMOUNT]",
	.summary = "customers and their credit: also customer list [--json] [--debtors], "
	    "customer pay PHONE|CARD AMOUNT [--method cash|card], customer show PHONE|CARD "
	    "[--json], customer limit PHONE|CARD AMOUNT",
	.exec = customer_exec,
};
