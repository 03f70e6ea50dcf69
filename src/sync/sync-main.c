/*
 * kassa-sync: the sync process as a program of its own, so only it loads libcurl and jansson.
 * `kassa sync [--once]` runs it in the foreground and the till starts it with --worker.
 *
 *   kassa-sync [-v] [-d DB] [-c CONF] [--once | --worker]
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "sync.h"
#include "worker.h"
#include "xalloc.h"

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "once", no_argument, NULL, '1' },
		{ "worker", no_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 }
	};
	const char *db = NULL, *conf = NULL;
	struct config cfg;
	struct kerr err;
	bool once = false, worker = false;
	char *db_path;
	int c, verbose = 0, rc;

	while ((c = getopt_long(argc, argv, "vd:c:", opts, NULL)) != -1) {
		switch (c) {
		case 'v': verbose++; break;
		case 'd': db = optarg; break;
		case 'c': conf = optarg; break;
		case '1': once = true; break;
		case 'w': worker = true; break;
		default:
			fprintf(stderr, "usage: kassa-sync [-v] [-d DB] [-c CONF] [--once | --worker]\n");
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "usage: kassa-sync [-v] [-d DB] [-c CONF] [--once | --worker]\n");
		return 2;
	}
	if (config_load(conf, &cfg, &err) == -1) {
		fprintf(stderr, "kassa: %s\n", err.msg);
		return 1;
	}
	db_path = config_db_path(db, &err);
	if (db_path == NULL) {
		fprintf(stderr, "kassa: %s\n", err.msg);
		return 1;
	}
	if (verbose > 0)
		log_open(verbose, getenv("KASSA_LOG"));
	if (worker)
		rc = sync_worker(&cfg, db_path, WORKER_WAKE_FD, WORKER_STATUS_FD);
	else
		rc = sync_run(&cfg, db_path, once, verbose);
	free(db_path);
	return rc == 0 ? 0 : 1;
}
