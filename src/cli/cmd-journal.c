/*
 * cmd-journal.c: `kassa journal verify`. Recomputes the hash chain of every event
 * (journal_verify) and names the first one that does not match, so a support engineer knows
 * the database was edited behind the till's back or damaged; then rebuilds every product's
 * stock from the events (stock_verify) and names the first that does not agree. Read-only.
 */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "journal.h"
#include "stock.h"
#include "store.h"

static int
cmd_journal_exec(const struct cli_cmd *self, struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = { { NULL, 0, NULL, 0 } };
	struct kerr err;
	int64_t count = 0, bad_seq = 0, products = 0;
	store *st;
	int c, rc;

	kerr_clear(&err);
	while ((c = cli_getopt(self, argc, argv, ":", longopts)) != -1)
		return CLI_USAGE;
	if (argc - optind != 1 || strcmp(argv[optind], "verify") != 0)
		return cli_usage(self, "journal: the only subcommand is 'verify'");

	st = cli_open_store(ctx, STORE_READONLY);
	if (st == NULL)
		return CLI_FAIL;
	if (journal_verify(st, &count, &bad_seq, &err) == -1) {
		/* The core's message names the event: "event 17 (sale.completed, id ...) ..." */
		fprintf(stderr, "journal: %s\n", err.msg[0] != '\0' ? err.msg :
		    kerr_name(err.code));
		if (bad_seq > 0)
			fprintf(stderr, "journal: the chain is broken from event %lld on: the "
			    "database was changed outside kassa or is damaged; keep a copy and "
			    "call support\n", (long long)bad_seq);
		rc = CLI_FAIL;
	} else {
		printf("journal: %lld %s, chain intact\n", (long long)count,
		    count == 1 ? "event" : "events");
		/* The chain holds; the stock on hand must agree with it too (stock.h). */
		if (stock_verify(st, &products, &err) != 0) {
			fprintf(stderr, "journal: stock does not agree with the events: %s: the "
			    "database was changed outside kassa; keep a copy and call support\n",
			    err.msg);
			rc = CLI_FAIL;
		} else {
			printf("stock: %lld %s, agrees with the events\n", (long long)products,
			    products == 1 ? "product" : "products");
			rc = CLI_OK;
		}
	}
	store_close(st);
	return rc;
}

const struct cli_cmd cmd_journal = {
	.name = "journal",
	.usage = "journal verify",
	.summary = "check the hash chain of all events",
	.exec = cmd_journal_exec,
};
