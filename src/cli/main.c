/*
 * main.c: the `kassa` program. Parses the global options (-d DB, -c CONF, -v, -h, --version),
 * loads the config, resolves the database path and runs either the till (no command: ui_run)
 * or one command from the table below (CONTRACT.md section 2). The commands live in cmd-*.c.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "customer.h"
#include "config.h"
#include "fiscal.h"
#include "kerr.h"
#include "log.h"
#include "store.h"
#include "ui.h"
#include "xalloc.h"

static const struct cli_cmd *const commands[] = {
	&cmd_init,
	&cmd_import,
	&cmd_user,
	&cmd_sales,
	&cmd_report,
	&cmd_status,
	&cmd_sync,
	&cmd_journal,
	&cmd_print,
	&cmd_customer,
	&cmd_stock,
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void
usage_all(FILE *f)
{
	size_t i;

	fprintf(f, "usage: kassa [-v] [-d DB] [-c CONF] [COMMAND [ARGS]]\n"
	    "       kassa -h | --help | --version\n\n"
	    "With no command, runs the till on DB. Commands:\n");
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  kassa %s\n        %s\n", commands[i]->usage, commands[i]->summary);
	fprintf(f, "\nOptions:\n"
	    "  -d DB    the database (default $KASSA_DB, else $XDG_DATA_HOME/kassa/kassa.db)\n"
	    "  -c CONF  the config file (default $KASSA_CONFIG, else $XDG_CONFIG_HOME/kassa/kassa.conf,\n"
	    "           else /etc/kassa/kassa.conf)\n"
	    "  -v       more log output on stderr (repeat for more; $KASSA_LOG=FILE logs to a file)\n"
	    "See kassa(1) and kassa.conf(5).\n");
}

int
cli_usage(const struct cli_cmd *cmd, const char *fmt, ...)
{
	va_list ap;

	if (fmt != NULL) {
		fputs("kassa: ", stderr);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
	if (cmd != NULL) {
		fprintf(stderr, "usage: kassa %s\n", cmd->usage);
	} else {
		size_t i;

		fprintf(stderr, "usage: kassa [-v] [-d DB] [-c CONF] [COMMAND [ARGS]]\n"
		    "commands:");
		for (i = 0; i < NCOMMANDS; i++)
			fprintf(stderr, " %s", commands[i]->name);
		fprintf(stderr, "; `kassa --help` says more\n");
	}
	return CLI_USAGE;
}

int
cli_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("kassa: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return CLI_FAIL;
}

int
cli_fail_err(const char *what, const struct kerr *err)
{
	const char *msg = err->msg[0] != '\0' ? err->msg : kerr_name(err->code);

	if (what != NULL)
		return cli_fail("%s: %s", what, msg);
	return cli_fail("%s", msg);
}

store *
cli_open_store(struct cli_ctx *ctx, int flags)
{
	struct stat sb;
	struct kerr err;
	store *st;

	kerr_clear(&err);
	/* Only `kassa init` creates a till; everything else names the fix. */
	if (stat(ctx->db_path, &sb) == -1) {
		if (errno == ENOENT)
			cli_fail("no database at %s: run `kassa init` first (or give -d DB)",
			    ctx->db_path);
		else
			cli_fail("%s: %s", ctx->db_path, strerror(errno));
		return NULL;
	}
	st = store_open(ctx->db_path, flags & ~STORE_CREATE, &err);
	if (st == NULL)
		cli_fail_err(NULL, &err);
	return st;
}

int
cli_getopt(const struct cli_cmd *cmd, int argc, char **argv, const char *shortopts,
    const struct option *longopts)
{
	int c;

	c = getopt_long(argc, argv, shortopts, longopts, NULL);
	if (c == '?') {
		if (optopt != 0)
			cli_usage(cmd, "%s: unknown option -%c", cmd->name, optopt);
		else
			cli_usage(cmd, "%s: unknown option %s", cmd->name, argv[optind - 1]);
	} else if (c == ':') {
		cli_usage(cmd, "%s: option %s needs a value", cmd->name, argv[optind - 1]);
		c = '?';
	}
	return c;
}

void
cli_print_padded(const char *s, int width)
{
	const unsigned char *p = (const unsigned char *)s;
	int cols = 0;

	while (*p != '\0' && cols < width) {
		/* Copy one character: a lead byte and its continuation bytes (10xxxxxx). */
		putchar(*p++);
		while ((*p & 0xc0) == 0x80)
			putchar(*p++);
		cols++;
	}
	for (; cols < width; cols++)
		putchar(' ');
}

int
cli_print_json(const char *s)
{
	fputs(s, stdout);
	fputc('\n', stdout);
	if (fflush(stdout) != 0 || ferror(stdout))
		return cli_fail("cannot write the output: %s", strerror(errno));
	return CLI_OK;
}

static const struct cli_cmd *
find_command(const char *name)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++) {
		if (strcmp(commands[i]->name, name) == 0)
			return commands[i];
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct cli_ctx ctx;
	struct kerr err;
	const struct cli_cmd *cmd = NULL;
	const char *logpath;
	int c, rc = CLI_FAIL;

	memset(&ctx, 0, sizeof ctx);
	kerr_clear(&err);
	opterr = 0;
	/* '+': stop at the command name; the command parses its own options. */
	while ((c = getopt_long(argc, argv, "+:c:d:hv", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			ctx.conf_opt = optarg;
			break;
		case 'd':
			ctx.db_opt = optarg;
			break;
		case 'h':
			usage_all(stdout);
			return CLI_OK;
		case 'v':
			ctx.verbose++;
			break;
		case 'V':
			printf("kassa %s\n", KASSA_VERSION);
			return CLI_OK;
		case ':':
			return cli_usage(NULL, "option -%c needs a value", optopt);
		default:
			if (optopt != 0)
				return cli_usage(NULL, "unknown option -%c", optopt);
			return cli_usage(NULL, "unknown option %s", argv[optind - 1]);
		}
	}
	argc -= optind;
	argv += optind;

	if (argc > 0) {
		if (strcmp(argv[0], "help") == 0) {
			usage_all(stdout);
			return CLI_OK;
		}
		cmd = find_command(argv[0]);
		if (cmd == NULL)
			return cli_usage(NULL, "unknown command '%s'", argv[0]);
	}

	/* The till's screen owns the terminal: its log goes to $KASSA_LOG only (ui_run decides). */
	logpath = getenv("KASSA_LOG");
	if (logpath != NULL && *logpath == '\0')
		logpath = NULL;
	if (cmd != NULL || logpath != NULL) {
		if (log_open(ctx.verbose > 0 ? ctx.verbose : (logpath != NULL), logpath) == -1)
			return cli_fail("cannot open the log %s: %s", logpath, strerror(errno));
	}

	config_defaults(&ctx.cfg);
	if (config_load(ctx.conf_opt, &ctx.cfg, &err) == -1) {
		rc = cli_fail_err(NULL, &err);
		goto out;
	}
	{
		/* Credit and points follow the config in every command and on the screen. */
		struct customer_rules cr = { .earn_bp = ctx.cfg.loyalty_earn_bp,
			.offline_cap = ctx.cfg.credit_offline_cap };

		customer_rules_set(&cr);
	}
	fiscal_set_mode(config_fiscal(&ctx.cfg));	/* the core's hooks (fiscal.h) */
	ctx.db_path = config_db_path(ctx.db_opt, &err);
	if (ctx.db_path == NULL) {
		rc = cli_fail_err(NULL, &err);
		goto out;
	}
	log_info("database %s, config %s", ctx.db_path,
	    ctx.cfg.path[0] != '\0' ? ctx.cfg.path : "(defaults)");

	if (cmd == NULL) {
		struct stat sb;

		if (stat(ctx.db_path, &sb) == -1) {
			rc = cli_fail("no database at %s: run `kassa init` first (or give -d DB)",
			    ctx.db_path);
			goto out;
		}
		rc = ui_run(&ctx.cfg, ctx.db_path, ctx.verbose);
	} else {
		/* Each command parses its own options; getopt starts afresh. */
		optind = 0;
		opterr = 0;
		rc = cmd->exec(cmd, &ctx, argc, argv);
	}
out:
	if (fflush(stdout) != 0 && rc == CLI_OK)
		rc = cli_fail("cannot write the output: %s", strerror(errno));
	free(ctx.db_path);
	log_close();
	return rc;
}
