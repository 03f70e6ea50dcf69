/*
 * cli.h: private to src/cli. The command line of CONTRACT.md section 2, tmux style: every
 * command is a const struct cli_cmd in its own cmd-*.c file; main.c holds the table, parses the
 * global options, loads the config and dispatches.
 *
 * Exit status of every command: CLI_OK (0), CLI_FAIL (1: bad input, refused, not found),
 * CLI_USAGE (2: the command line itself was wrong). Messages go to stderr as "kassa: ..." and
 * say what was wrong and what to do. The command line never runs SQL: it calls the core.
 */
#ifndef KASSA_CLI_H
#define KASSA_CLI_H

#include <stdbool.h>

#include "config.h"
#include "kerr.h"
#include "store.h"

#ifndef KASSA_VERSION
#define KASSA_VERSION "0.1.0"
#endif

enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

/* What main.c has worked out before a command runs. Owned by main.c. */
struct cli_ctx {
	const char *db_opt;       /* -d, or NULL */
	const char *conf_opt;     /* -c, or NULL */
	int verbose;              /* number of -v */
	struct config cfg;        /* loaded (or the defaults) */
	char *db_path;            /* resolved database path (malloc'd by main.c) */
};

struct cli_cmd {
	const char *name;         /* first word: "init", "import", ... */
	const char *usage;        /* everything after "kassa " for the usage line */
	const char *summary;      /* one line for `kassa --help` */
	/* argv[0] is the command name; getopt-style parsing of the rest is up to the command. */
	int (*exec)(const struct cli_cmd *self, struct cli_ctx *ctx, int argc, char **argv);
};

extern const struct cli_cmd cmd_init;
extern const struct cli_cmd cmd_import;
extern const struct cli_cmd cmd_user;
extern const struct cli_cmd cmd_sales;
extern const struct cli_cmd cmd_report;
extern const struct cli_cmd cmd_status;
extern const struct cli_cmd cmd_sync;
extern const struct cli_cmd cmd_journal;
extern const struct cli_cmd cmd_print;
extern const struct cli_cmd cmd_customer;
extern const struct cli_cmd cmd_stock;

/* Prints "kassa: MESSAGE" and "usage: kassa USAGE" to stderr; returns CLI_USAGE. */
int cli_usage(const struct cli_cmd *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Prints "kassa: MESSAGE" to stderr; returns CLI_FAIL. */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints "kassa: WHAT: err->msg" (or just err->msg when what is NULL); returns CLI_FAIL. */
int cli_fail_err(const char *what, const struct kerr *err);

/*
 * Opens the till's database for a command (flags as store_open; never STORE_CREATE: only init
 * creates). A missing file gets "no database at PATH: run `kassa init` first". NULL after
 * printing the message; the caller returns CLI_FAIL. Caller closes with store_close().
 */
store *cli_open_store(struct cli_ctx *ctx, int flags);

/*
 * Parses the options of a command with getopt_long (GNU permutation, so options may follow
 * positional words); shortopts must start with ':'. main.c has reset getopt's state. Returns
 * the option or -1 at the end; '?' after printing the usage (the caller returns CLI_USAGE).
 */
struct option;
int cli_getopt(const struct cli_cmd *cmd, int argc, char **argv, const char *shortopts,
    const struct option *longopts);

/* Prints s on stdout in exactly width columns: cut at a character boundary (never in the
 * middle of a UTF-8 sequence) or padded with spaces. One column per character. */
void cli_print_padded(const char *s, int width);

/* Writes s and a newline to stdout; CLI_FAIL (with a message) if stdout failed (disk full,
 * closed pipe). */
int cli_print_json(const char *s);

#endif
