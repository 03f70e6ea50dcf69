/*
 * cmd-print.c: `kassa print test`. Prints a test receipt on the configured printer now, in the
 * foreground, so an installer sees at once whether the device, baud rate and code page are
 * right.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "dev.h"

static int
cmd_print_exec(const struct cli_cmd *self, struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = { { NULL, 0, NULL, 0 } };
	struct kerr err;
	int c;

	kerr_clear(&err);
	while ((c = cli_getopt(self, argc, argv, ":", longopts)) != -1)
		return CLI_USAGE;
	/* The till's printer process (dev_printer_spawn), its pipes on fds 3 and 4. */
	if (argc - optind == 1 && strcmp(argv[optind], "worker") == 0)
		return dev_printer_main(&ctx->cfg, ctx->db_path, WORKER_WAKE_FD,
		    WORKER_STATUS_FD) == 0 ? CLI_OK : CLI_FAIL;
	if (argc - optind != 1 || strcmp(argv[optind], "test") != 0)
		return cli_usage(self, "print: the only thing to print is 'test'");
	if (ctx->cfg.printer_device[0] == '\0')
		return cli_fail("print test: no printer configured: set device in the [printer] "
		    "section of %s (see kassa.conf(5))", ctx->cfg.path[0] != '\0' ?
		    ctx->cfg.path : "the config file");
	if (dev_print_test(&ctx->cfg, ctx->db_path, &err) == -1)
		return cli_fail_err("print test", &err);
	printf("printed a test receipt on %s\n", ctx->cfg.printer_device);
	return CLI_OK;
}

const struct cli_cmd cmd_print = {
	.name = "print",
	.usage = "print test",
	.summary = "print a test receipt on the configured printer",
	.exec = cmd_print_exec,
};
