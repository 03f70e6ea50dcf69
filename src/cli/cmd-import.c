/*
 * cmd-import.c: `kassa import products FILE|-`. Imports a product CSV (CONTRACT.md section 3)
 * through catalog_import_csv: all or nothing, every bad row named as FILE:LINE: reason on
 * stderr.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "catalog.h"
#include "cli.h"
#include "fiscal.h"
#include "store.h"

/* Called by the importer for each bad row. */
static void
report_row(void *ctx, const char *file, long line, const char *reason)
{
	long *bad = ctx;

	(*bad)++;
	fprintf(stderr, "%s:%ld: %s\n", file, line, reason);
}

static int
cmd_import_exec(const struct cli_cmd *self, struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = { { NULL, 0, NULL, 0 } };
	const char *path, *name;
	struct kerr err;
	FILE *in = NULL;
	store *st = NULL;
	long imported = 0, bad = 0;
	int c, rc = CLI_FAIL;

	kerr_clear(&err);
	while ((c = cli_getopt(self, argc, argv, ":", longopts)) != -1)
		return CLI_USAGE;
	if (argc - optind != 2)
		return cli_usage(self, "import: wants what to import and a file");
	if (strcmp(argv[optind], "products") != 0)
		return cli_usage(self, "import: cannot import '%s' (only 'products')",
		    argv[optind]);
	path = argv[optind + 1];

	if (strcmp(path, "-") == 0) {
		in = stdin;
		name = "stdin";
	} else {
		in = fopen(path, "r");
		if (in == NULL)
			return cli_fail("cannot open %s: %s", path, strerror(errno));
		name = path;
	}
	st = cli_open_store(ctx, 0);
	if (st == NULL)
		goto out;
	if (catalog_import_csv(st, in, name, report_row, &bad, &imported, &err) == -1) {
		if (bad > 0)
			rc = cli_fail("%s: %ld bad %s; nothing was imported (fix them and run "
			    "the import again)", name, bad, bad == 1 ? "row" : "rows");
		else
			rc = cli_fail("%s: %s; nothing was imported", name, err.msg);
		goto out;
	}
	printf("imported %ld %s from %s; %lld in the catalog\n", imported,
	    imported == 1 ? "product" : "products", name, (long long)catalog_count(st));
	rc = CLI_OK;
	/* A fiscal till refuses a product without its MXIK at the scan: say so now, once. */
	if (fiscal_on()) {
		char example[256];
		int64_t n;

		if (fiscal_missing_mxik(st, &n, example, sizeof example, &err) == -1)
			rc = cli_fail_err("import", &err);
		else if (n > 0)
			fprintf(stderr, "warning: %lld %s no valid 17-digit MXIK code ([fiscal] mode "
			    "= http refuses them at the scan), e.g. %s\n", (long long)n,
			    n == 1 ? "product has" : "products have", example);
	}
out:
	if (st != NULL)
		store_close(st);
	if (in != NULL && in != stdin)
		fclose(in);
	return rc;
}

const struct cli_cmd cmd_import = {
	.name = "import",
	.usage = "import products FILE|-",
	.summary = "import a product CSV (all or nothing)",
	.exec = cmd_import_exec,
};
