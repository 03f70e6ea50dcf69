/*
 * cmd-sync.c: `kassa sync [--once]`. The sync process in the foreground (the till forks the
 * same code as a worker): pushes the outbox and pulls changes (CONTRACT.md section 5). With
 * --once, one push and pull; exit 0 only when nothing is left pending.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "store.h"
#include "sync.h"

static int
cmd_sync_exec(const struct cli_cmd *self, struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "once", no_argument, NULL, '1' },
		{ "worker", no_argument, NULL, 'w' },	/* the till's own sync process */
		{ NULL, 0, NULL, 0 }
	};
	store *st;
	bool once = false, worker = false;
	int c, rc;

	while ((c = cli_getopt(self, argc, argv, ":", longopts)) != -1) {
		if (c == '1')
			once = true;
		else if (c == 'w')
			worker = true;
		else
			return CLI_USAGE;
	}
	if (worker)
		return sync_worker(&ctx->cfg, ctx->db_path, WORKER_WAKE_FD, WORKER_STATUS_FD) == 0 ?
		    CLI_OK : CLI_FAIL;
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
	rc = sync_run(&ctx->cfg, ctx->db_path, once, ctx->verbose);
	return rc == 0 ? CLI_OK : CLI_FAIL;
}

const struct cli_cmd cmd_sync = {
	.name = "sync",
	.usage = "sync [--once]",
	.summary = "run the sync process in the foreground",
	.exec = cmd_sync_exec,
};
