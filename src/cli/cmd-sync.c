/*
 * cmd-sync.c: `kassa sync [--once] [--retry-rejected]`. The sync process in the foreground:
 * pushes the outbox and pulls changes (CONTRACT.md section 5). With --once, one push and pull;
 * exit 0 only when nothing is left pending. The work is done by the kassa-sync program (the
 * only one that loads libcurl and jansson), which this command becomes with exec; the till
 * starts the same program.
 *
 * --retry-rejected is for the support engineer who fixed why the hub refused: every rejected
 * event is pending again and a halt (the hub refused the chain) is lifted, for every queue in
 * sync_queues[]; it prints how many, then runs the exchange when --once is given too.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "store.h"
#include "sync.h"

/* Puts every queue's rejected rows back to pending and lifts its halt, saying what it did. */
static int
retry_rejected(struct cli_ctx *ctx)
{
	struct kerr err;
	store *st = cli_open_store(ctx, 0);
	int rc = CLI_OK;

	if (st == NULL)
		return CLI_FAIL;
	for (int k = 0; sync_queues[k] != NULL; k++) {
		const struct sync_queue *q = sync_queues[k];
		int64_t n;
		bool halted;

		if (sync_queue_retry(st, q, &n, &halted, &err) == -1) {
			rc = cli_fail_err("sync --retry-rejected", &err);
			break;
		}
		printf("%lld rejected %s pending again%s\n", (long long)n, q->name,
		    halted ? "; the halt is lifted: sending resumes" : "");
	}
	store_close(st);
	return rc;
}

static int
cmd_sync_exec(const struct cli_cmd *self, struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "once", no_argument, NULL, '1' },
		{ "retry-rejected", no_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 }
	};
	store *st;
	char prog[PATH_MAX], *args[12];
	bool once = false, retry = false;
	int c, n = 0;

	while ((c = cli_getopt(self, argc, argv, ":", longopts)) != -1) {
		if (c == '1')
			once = true;
		else if (c == 'r')
			retry = true;
		else
			return CLI_USAGE;
	}
	if (optind != argc)
		return cli_usage(self, "sync: unexpected argument '%s'", argv[optind]);
	if (retry) {
		/* Needs no upstream: the till may be offline while support fixes it. */
		if (retry_rejected(ctx) != CLI_OK)
			return CLI_FAIL;
		if (!once)
			return CLI_OK;
		fflush(stdout);
	}
	if (!sync_wanted(&ctx->cfg))
		return cli_fail("sync: no upstream configured: set url in the [sync] section of "
		    "%s (see kassa.conf(5))", ctx->cfg.path[0] != '\0' ? ctx->cfg.path :
		    "the config file");
	/* The sync code opens its own connection; this only names a missing database clearly. */
	st = cli_open_store(ctx, STORE_READONLY);
	if (st == NULL)
		return CLI_FAIL;
	store_close(st);
	sync_program(prog, sizeof prog);
	args[n++] = (char *)"kassa-sync";
	for (int i = 0; i < ctx->verbose && i < 3; i++)
		args[n++] = (char *)"-v";
	args[n++] = (char *)"-d";
	args[n++] = ctx->db_path;
	if (ctx->cfg.path[0] != '\0') {
		args[n++] = (char *)"-c";
		args[n++] = ctx->cfg.path;
	}
	if (once)
		args[n++] = (char *)"--once";
	args[n] = NULL;
	fflush(NULL);
	execvp(prog, args);
	return cli_fail("sync: cannot run %s: %s (install kassa-sync beside kassa)", prog,
	    strerror(errno));
}

const struct cli_cmd cmd_sync = {
	.name = "sync",
	.usage = "sync [--once] [--retry-rejected]",
	.summary = "run the sync process in the foreground",
	.exec = cmd_sync_exec,
};
