/*
 * cmd-print.c: `kassa print test` prints a test receipt on the configured printer now, in the
 * foreground, so an installer sees at once whether the device, baud rate and code page are
 * right. `kassa print copy NUMBER` queues a copy of a receipt (a customer's lost one, asked
 * for over the phone; R<n> a refund receipt) for the till's printer process, like the till's menu does.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "dev.h"
#include "print.h"
#include "refund.h"
#include "sale.h"

static int
print_copy(struct cli_ctx *ctx, const char *number)
{
	struct kerr err;
	long long n;
	int64_t id;
	char *end;
	store *st;
	int rc = CLI_OK;
	bool refund_copy;

	/* R<n>: a refund receipt, as printed after "Refund" and in its barcode. */
	refund_copy = number[0] == 'R' || number[0] == 'r';
	n = strtoll(number + refund_copy, &end, 10);
	if (number[refund_copy] < '0' || number[refund_copy] > '9' || *end != '\0' || n <= 0)
		return cli_fail("print copy: '%s' is not a receipt number (as printed: 1, 2, ...; "
		    "R1, R2, ... for a refund)", number);
	if (ctx->cfg.printer_device[0] == '\0')
		return cli_fail("print copy: no printer configured: set device in the [printer] "
		    "section of the config (see kassa.conf(5))");
	if ((st = cli_open_store(ctx, 0)) == NULL)
		return CLI_FAIL;
	if (refund_copy) {
		if ((id = refund_by_number(st, n)) == 0)
			rc = cli_fail("print copy: no completed refund has number R%lld", n);
		else if (refund_reprint(st, id, &err) == -1)
			rc = cli_fail_err("print copy", &err);
		else
			printf("refund receipt R%lld: a copy is queued; the till's printer process "
			    "prints it (`kassa status` shows the queue)\n", n);
	} else if ((id = sale_by_number(st, n)) == 0)
		rc = cli_fail("print copy: no completed sale has receipt number %lld", n);
	else if (sale_reprint(st, id, &err) == -1)
		rc = cli_fail_err("print copy", &err);
	else
		printf("receipt %lld: a copy is queued; the till's printer process prints it "
		    "(`kassa status` shows the queue)\n", n);
	store_close(st);
	return rc;
}

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
		return print_worker_main(&ctx->cfg, ctx->db_path, WORKER_WAKE_FD,
		    WORKER_STATUS_FD) == 0 ? CLI_OK : CLI_FAIL;
	if (argc - optind == 2 && strcmp(argv[optind], "copy") == 0)
		return print_copy(ctx, argv[optind + 1]);
	if (argc - optind != 1 || strcmp(argv[optind], "test") != 0)
		return cli_usage(self, "print: 'test', or 'copy NUMBER'");
	if (ctx->cfg.printer_device[0] == '\0')
		return cli_fail("print test: no printer configured: set device in the [printer] "
		    "section of %s (see kassa.conf(5))", ctx->cfg.path[0] != '\0' ?
		    ctx->cfg.path : "the config file");
	if (print_test(&ctx->cfg, ctx->db_path, &err) == -1)
		return cli_fail_err("print test", &err);
	printf("printed a test receipt on %s\n", ctx->cfg.printer_device);
	return CLI_OK;
}

const struct cli_cmd cmd_print = {
	.name = "print",
	.usage = "print test | print copy NUMBER|R<n>",
	.summary = "print a test receipt; queue a copy of receipt NUMBER",
	.exec = cmd_print_exec,
};
