/*
 * cmd-journal.c: `kassa journal verify`. Recomputes the hash chain of every event
 * (journal_verify) and names the first one that does not match, then rebuilds the sales,
 * payments, shift totals and stock from the events and names the first figure of the tables
 * that differs (journal_reconcile), so a support engineer knows the database was edited behind
 * the till's back or damaged. Read-only.
 */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "journal.h"
#include "store.h"

static int
cmd_journal_exec(const struct cli_cmd *self, struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = { { NULL, 0, NULL, 0 } };
	struct kerr err;
	int64_t count = 0, bad_seq = 0;
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
	} else if (journal_reconcile(st, &bad_seq, &err) == -1) {
		/* "sale 2 (event 7): sales.total is 1 in the table but 12500 by the events" */
		fprintf(stderr, "journal: %s\n", err.msg[0] != '\0' ? err.msg :
		    kerr_name(err.code));
		fprintf(stderr, "journal: the chain of %lld %s is intact, but the tables disagree "
		    "with it: the database was changed outside kassa or is damaged; keep a copy "
		    "and call support\n", (long long)count, count == 1 ? "event" : "events");
		rc = CLI_FAIL;
	} else {
		printf("journal: %lld %s, chain intact\n", (long long)count,
		    count == 1 ? "event" : "events");
		printf("journal: sales, payments, shifts and stock agree with the events\n");
		rc = CLI_OK;
	}
	store_close(st);
	return rc;
}

const struct cli_cmd cmd_journal = {
	.name = "journal",
	.usage = "journal verify",
	.summary = "check the hash chain, and the tables against the events",
	.exec = cmd_journal_exec,
};
