/*
 * sync-client.c: the till's side of the sync process: starting it (the kassa-sync program, a
 * fresh process with its own database connection and libcurl) and reading its status lines.
 * Linked into kassa; everything that speaks HTTP lives in kassa-sync, so the till itself never
 * loads libcurl or jansson.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sync.h"
#include "termsafe.h"

int
sync_program(char *buf, size_t size)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	char *slash;

	/* Beside this program (a build tree or the install's bin), else from PATH. */
	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash != NULL) {
			*slash = '\0';
			snprintf(buf, size, "%s/kassa-sync", exe);
			if (access(buf, X_OK) == 0)
				return 0;
		}
	}
	snprintf(buf, size, "kassa-sync");
	return -1;
}

bool
sync_wanted(const struct config *cfg)
{
	return cfg->sync_url[0] != '\0' || config_fiscal(cfg);
}

int
sync_spawn(struct worker *w, const struct config *cfg, const char *db_path, struct kerr *err)
{
	char prog[PATH_MAX], *argv[8];
	int n = 0;

	if (!sync_wanted(cfg))
		return kerr_set(err, KERR_STATE, "sync is not configured");
	if (sync_program(prog, sizeof prog) == -1)
		return kerr_set(err, KERR_STATE, "kassa-sync is not installed beside kassa");
	argv[n++] = (char *)"kassa-sync";
	argv[n++] = (char *)"-d";
	argv[n++] = (char *)db_path;
	if (cfg->path[0] != '\0') {
		argv[n++] = (char *)"-c";
		argv[n++] = (char *)cfg->path;
	}
	argv[n++] = (char *)"--worker";
	argv[n] = NULL;
	return worker_exec(w, "sync", prog, argv, err);
}

void
sync_status_update(struct sync_status *st, const char *line)
{
	char buf[256];

	st->configured = true;
	if (worker_field(line, "online", buf, sizeof buf))
		st->online = strcmp(buf, "1") == 0;
	if (worker_field(line, "pending", buf, sizeof buf))
		st->pending = strtoll(buf, NULL, 10);
	if (worker_field(line, "rejected", buf, sizeof buf))
		st->rejected = strtoll(buf, NULL, 10);
	if (worker_field(line, "oldest_age", buf, sizeof buf))
		st->oldest_age_s = strtoll(buf, NULL, 10);
	/* Text from the hub: escaped before it can reach the terminal. */
	if (worker_field(line, "last_error", buf, sizeof buf))
		termsafe(buf, st->last_error, sizeof st->last_error);
	if (worker_field(line, "hub_reason", buf, sizeof buf))
		termsafe(buf, st->hub_reason, sizeof st->hub_reason);
	if (worker_field(line, "fiscal_pending", buf, sizeof buf))
		st->fiscal_pending = strtoll(buf, NULL, 10);
	if (worker_field(line, "fiscal_rejected", buf, sizeof buf))
		st->fiscal_rejected = strtoll(buf, NULL, 10);
	if (worker_field(line, "fiscal_oldest_age", buf, sizeof buf))
		st->fiscal_oldest_age_s = strtoll(buf, NULL, 10);
	if (worker_field(line, "fiscal_error", buf, sizeof buf))
		termsafe(buf, st->fiscal_error, sizeof st->fiscal_error);
	if (worker_field(line, "halted", buf, sizeof buf))
		st->halted = strcmp(buf, "1") == 0;
	if (worker_field(line, "last_sync", st->last_sync_at, sizeof st->last_sync_at)) {
		/* read straight into the field: a timestamp fits */
	}
}
