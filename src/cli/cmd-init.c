/*
 * cmd-init.c: `kassa init [--device-id ID] [--store NAME]`. Creates the till's database (mode
 * 0600, schema applied by store_open) and records the device id (a fresh UUID unless given)
 * and the store name. Running it again is harmless; it refuses to give an existing till a
 * different device id, because the upstream server knows the till's events by that id.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "journal.h"
#include "store.h"
#include "text.h"
#include "xalloc.h"

/* A device id travels in every upstream batch: printable ASCII, no spaces, not too long. */
static int
device_id_ok(const char *id)
{
	size_t n = strlen(id);
	const char *p;

	if (n == 0 || n > 64)
		return 0;
	for (p = id; *p != '\0'; p++) {
		if (*p <= ' ' || *p > '~')
			return 0;
	}
	return 1;
}

static int
cmd_init_exec(const struct cli_cmd *self, struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "device-id", required_argument, NULL, 'i' },
		{ "store", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 }
	};
	const char *want_id = NULL, *want_store = NULL;
	char uuid[40];
	char *have_id = NULL, *have_store = NULL;
	struct kerr err;
	store *st = NULL;
	int c, rc = CLI_FAIL, created;

	kerr_clear(&err);
	while ((c = cli_getopt(self, argc, argv, ":", longopts)) != -1) {
		switch (c) {
		case 'i':
			want_id = optarg;
			break;
		case 's':
			want_store = optarg;
			break;
		default:
			return CLI_USAGE;
		}
	}
	if (optind != argc)
		return cli_usage(self, "init: unexpected argument '%s'", argv[optind]);
	if (want_id != NULL && !device_id_ok(want_id))
		return cli_usage(self, "init: a device id is 1 to 64 printable characters "
		    "without spaces");
	if (want_store != NULL && (*want_store == '\0' || strlen(want_store) > 120))
		return cli_usage(self, "init: a store name is 1 to 120 bytes");
	if (want_store != NULL && text_check_line(want_store, "the store name", &err) == -1)
		return cli_fail_err("init", &err);

	st = store_open(ctx->db_path, STORE_CREATE, &err);
	if (st == NULL)
		return cli_fail_err(NULL, &err);

	have_id = journal_device_id(st);
	created = (have_id == NULL);
	if (have_id != NULL && want_id != NULL && strcmp(have_id, want_id) != 0) {
		rc = cli_fail("%s is already set up as device %s; refusing to change it to %s "
		    "(its events are known upstream by that id; use a new database for a new "
		    "device)", ctx->db_path, have_id, want_id);
		goto out;
	}
	have_store = store_meta_get(st, "store");

	/* The device id and the store name commit together or not at all. */
	if (store_begin(st, &err) == -1) {
		rc = cli_fail_err("init", &err);
		goto out;
	}
	if (have_id == NULL) {
		have_id = xstrdup(want_id != NULL ? want_id : store_uuid(uuid));
		if (store_meta_set(st, "device_id", have_id, &err) == -1) {
			store_rollback(st);
			rc = cli_fail_err("init", &err);
			goto out;
		}
	}
	if (want_store != NULL &&
	    (have_store == NULL || strcmp(have_store, want_store) != 0)) {
		if (store_meta_set(st, "store", want_store, &err) == -1) {
			store_rollback(st);
			rc = cli_fail_err("init", &err);
			goto out;
		}
	}
	if (store_commit(st, &err) == -1) {
		rc = cli_fail_err("init", &err);
		goto out;
	}

	printf("%s %s: device %s", created ? "created" : "already set up:", ctx->db_path,
	    have_id);
	if (want_store != NULL)
		printf(", store \"%s\"", want_store);
	else if (have_store != NULL)
		printf(", store \"%s\"", have_store);
	printf("\n");
	rc = CLI_OK;
out:
	free(have_id);
	free(have_store);
	if (st != NULL)
		store_close(st);
	return rc;
}

const struct cli_cmd cmd_init = {
	.name = "init",
	.usage = "init [--device-id ID] [--store NAME]",
	.summary = "create the till's database (harmless when it exists)",
	.exec = cmd_init_exec,
};
