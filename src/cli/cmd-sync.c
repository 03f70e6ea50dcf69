/*
 * cmd-sync.c: `kassa sync [--once]`. The sync process in the foreground: pushes the outbox and
 * pulls changes (CONTRACT.md section 5). With --once, one push and pull; exit 0 only when
 * nothing is left pending. The work is done by the kassa-sync program (the only one that loads
 * libcurl and jansson), which this command becomes with exec; the till starts the same program.
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

static int
cmd_sync_exec(const struct cli_cmd *self, struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "once", no_argument, NULL, '1' },
		{ NULL, 0, NULL, 0 }
	};
	store *st;
	char prog[PATH_MAX], *args[12];
	bool once = false;
	int c, n = 0;

	while ((c = cli_getopt(self, argc, argv, ":", longopts)) != -1) {
		if (c != '1')
			return CLI_USAGE;
		once = true;
	}
	if (optind != argc)
		return cli_usage(self, "sync: unexpected argument '%s'", argv[optind]);
	if (ctx->cfg.sync_url[0] == '\0')
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
	.usage = "sync [--once]",
	.summary = "run the sync process in the foreground",
	.exec = cmd_sync_exec,
};
