/*
 * sync: the outbox worker (protocol v1, CONTRACT.md section 5). The sync process is its own
 * program, kassa-sync (src/sync/ but sync-client.c), the only one of the till's that links
 * libcurl and jansson; the till links only sync-client.c (start it, read its state).
 */
#ifndef KASSA_SYNC_H
#define KASSA_SYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "worker.h"

/* What the status bar shows, parsed from the sync worker's status lines. */
struct sync_status {
	bool configured;          /* [sync] url is set */
	bool online;              /* the last exchange with the hub worked */
	int64_t pending;          /* events waiting */
	int64_t rejected;
	int64_t oldest_age_s;     /* age of the oldest pending event */
	char last_error[256];
	char last_sync_at[32];
};

/* The foreground loop (`kassa sync`), or one push and pull (`kassa sync --once`, returns 0 only
 * when nothing is left pending). */
int sync_run(const struct config *cfg, const char *db_path, bool once, int verbose);

/* `kassa-sync --worker`: the loop of the till's sync process, started by sync_spawn with the
 * wake pipe on WORKER_WAKE_FD and the status pipe on WORKER_STATUS_FD (worker.h). */
int sync_worker(const struct config *cfg, const char *db_path, int wake_fd, int status_fd);

/* The path of the kassa-sync program into buf: beside this program when it is there (0), else
 * the bare name for a PATH search (-1). */
int sync_program(char *buf, size_t size);

/* The till: starts the sync process as a worker (only when cfg->sync_url is set): the
 * kassa-sync program as `kassa-sync -d DB [-c CONF] --worker`, a fresh process. */
int sync_spawn(struct worker *w, const struct config *cfg, const char *db_path,
    struct kerr *err);

/* The till: folds one status line from the sync worker into *st. */
void sync_status_update(struct sync_status *st, const char *line);

#endif
