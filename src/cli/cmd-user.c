/*
 * cmd-user.c: `kassa user add NAME --role cashier|manager|admin`, `kassa user list [--json]`,
 * `kassa user disable|enable NAME` and `kassa user pin NAME`, each change an event. The PIN
 * is the first line of standard input (4-12 digits), so scripts can pipe it in and it never
 * shows in `ps` or the shell history. On a terminal it is asked for twice with echo off.
 * The PIN is never printed.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"
#include "store.h"
#include "text.h"
#include "user.h"

#define PIN_BUF 64

/*
 * Reads one line from stdin into buf without its line ending. On a terminal, prints prompt on
 * stderr and turns echo off while the PIN is typed. Returns 0, -1 at end of input, or -2 when
 * the line is longer than the buffer (so certainly not a PIN).
 */
static int
read_pin(const char *prompt, char *buf, size_t size)
{
	struct termios saved, quiet;
	bool tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0;
	size_t n;
	int rc = -1;
	int ch;

	if (tty) {
		fputs(prompt, stderr);
		fflush(stderr);
		quiet = saved;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		quiet.c_lflag |= ECHONL;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	if (fgets(buf, (int)size, stdin) == NULL)
		goto out;
	n = strlen(buf);
	if (n > 0 && buf[n - 1] == '\n') {
		buf[--n] = '\0';
	} else if (!feof(stdin)) {
		/* Too long to be a PIN: drain the rest of the line so nothing lingers. */
		while ((ch = getchar()) != EOF && ch != '\n')
			;
		rc = -2;
		goto out;
	}
	if (n > 0 && buf[n - 1] == '\r')
		buf[--n] = '\0';
	rc = 0;
out:
	if (tty)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
	return rc;
}

static int
user_add_exec(const struct cli_cmd *self, struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "role", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 }
	};
	const char *name, *role_arg = NULL;
	char pin[PIN_BUF], again[PIN_BUF], prompt[160];
	enum user_role role;
	struct kerr err;
	store *st = NULL;
	bool ok;
	int c, rc = CLI_FAIL;

	kerr_clear(&err);
	memset(pin, 0, sizeof pin);
	memset(again, 0, sizeof again);
	while ((c = cli_getopt(self, argc, argv, ":r:", longopts)) != -1) {
		if (c != 'r')
			return CLI_USAGE;
		role_arg = optarg;
	}
	/* argv[optind] is "add" (checked by the caller), then the name. */
	if (argc - optind != 2)
		return cli_usage(self, "user add: wants exactly one NAME (quote a name with spaces)");
	name = argv[optind + 1];
	if (role_arg == NULL)
		return cli_usage(self, "user add: --role is required (cashier, manager or admin)");
	role = user_role_parse(role_arg, &ok);
	if (!ok)
		return cli_usage(self, "user add: unknown role '%s' (cashier, manager or admin)",
		    role_arg);
	/* A name lands in events: one byte that is not UTF-8 would stop sync for good. */
	if (text_check_line(name, "the user name", &err) == -1)
		return cli_fail_err("user add", &err);

	st = cli_open_store(ctx, 0);
	if (st == NULL)
		return CLI_FAIL;

	snprintf(prompt, sizeof prompt, "PIN for %s (4-12 digits): ", name);
	c = read_pin(prompt, pin, sizeof pin);
	if (c == -1) {
		rc = cli_fail("user add: no PIN: give it as the first line of standard input "
		    "(4-12 digits)");
		goto out;
	}
	if (c == -2 || !user_pin_valid(pin)) {
		rc = cli_fail("user add: a PIN is 4 to 12 digits (0-9) and nothing else");
		goto out;
	}
	if (isatty(STDIN_FILENO)) {
		if (read_pin("The same PIN again: ", again, sizeof again) != 0 ||
		    strcmp(pin, again) != 0) {
			rc = cli_fail("user add: the two PINs differ; nothing was changed");
			goto out;
		}
	}
	if (user_add(st, name, role, pin, &err) == -1) {
		rc = cli_fail_err("user add", &err);
		goto out;
	}
	printf("added %s %s\n", user_role_name(role), name);
	rc = CLI_OK;
out:
	explicit_bzero(pin, sizeof pin);
	explicit_bzero(again, sizeof again);
	store_close(st);
	return rc;
}

static int
print_user(void *ctx, const struct user_info *u)
{
	int *count = ctx;

	if (*count == 0)
		printf("%-24s  %-8s  %s\n", "name", "role", "state");
	cli_print_padded(u->name, 24);
	printf("  %-8s  %s\n", user_role_name(u->role), u->active ? "active" : "disabled");
	(*count)++;
	return 0;
}

static int
user_list_exec(struct cli_ctx *ctx, int argc, char **argv)
{
	/* Its own usage line, so mistakes show the right one. */
	static const struct cli_cmd list = { .name = "user", .usage = "user list [--json]" };
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	const struct cli_cmd *self = &list;
	struct kerr err;
	bool json = false;
	char *doc;
	store *st;
	int c, count = 0, rc = CLI_OK;

	kerr_clear(&err);
	while ((c = cli_getopt(self, argc, argv, ":", longopts)) != -1) {
		if (c != 'j')
			return CLI_USAGE;
		json = true;
	}
	if (argc - optind != 1)
		return cli_usage(self, "user list: takes no arguments");
	st = cli_open_store(ctx, STORE_READONLY);
	if (st == NULL)
		return CLI_FAIL;
	if (json) {
		doc = user_list_json(st, &err);
		rc = doc != NULL ? cli_print_json(doc) : cli_fail_err("user list", &err);
		free(doc);
	} else if (user_list(st, print_user, &count, &err) == -1)
		rc = cli_fail_err("user list", &err);
	else if (count == 0)
		printf("no users: add one with `kassa user add NAME --role admin`\n");
	store_close(st);
	return rc;
}

/* `user disable NAME` and `user enable NAME`. */
static int
user_active_exec(struct cli_ctx *ctx, int argc, char **argv, bool active)
{
	static const struct cli_cmd disable = { .name = "user", .usage = "user disable NAME" };
	static const struct cli_cmd enable = { .name = "user", .usage = "user enable NAME" };
	static const struct option longopts[] = { { NULL, 0, NULL, 0 } };
	const struct cli_cmd *self = active ? &enable : &disable;
	const char *what = active ? "user enable" : "user disable";
	struct kerr err;
	store *st;
	int c, rc = CLI_OK;

	kerr_clear(&err);
	while ((c = cli_getopt(self, argc, argv, ":", longopts)) != -1)
		return CLI_USAGE;
	if (argc - optind != 2)
		return cli_usage(self, "%s: wants exactly one NAME (quote a name with spaces)", what);
	st = cli_open_store(ctx, 0);
	if (st == NULL)
		return CLI_FAIL;
	if (user_set_active(st, argv[optind + 1], active, &err) == -1)
		rc = cli_fail_err(what, &err);
	else
		printf("%s %s\n", active ? "enabled" : "disabled", argv[optind + 1]);
	store_close(st);
	return rc;
}

/* `user pin NAME`: the new PIN from the first line of stdin, as for add. */
static int
user_pin_exec(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct cli_cmd pincmd = { .name = "user", .usage = "user pin NAME" };
	static const struct option longopts[] = { { NULL, 0, NULL, 0 } };
	const struct cli_cmd *self = &pincmd;
	char pin[PIN_BUF], again[PIN_BUF], prompt[160];
	const char *name;
	struct kerr err;
	store *st;
	int c, rc = CLI_FAIL;

	kerr_clear(&err);
	memset(pin, 0, sizeof pin);
	memset(again, 0, sizeof again);
	while ((c = cli_getopt(self, argc, argv, ":", longopts)) != -1)
		return CLI_USAGE;
	if (argc - optind != 2)
		return cli_usage(self, "user pin: wants exactly one NAME (quote a name with spaces)");
	name = argv[optind + 1];
	st = cli_open_store(ctx, 0);
	if (st == NULL)
		return CLI_FAIL;
	snprintf(prompt, sizeof prompt, "New PIN for %s (4-12 digits): ", name);
	c = read_pin(prompt, pin, sizeof pin);
	if (c == -1) {
		rc = cli_fail("user pin: no PIN: give it as the first line of standard input "
		    "(4-12 digits)");
		goto out;
	}
	if (c == -2 || !user_pin_valid(pin)) {
		rc = cli_fail("user pin: a PIN is 4 to 12 digits (0-9) and nothing else");
		goto out;
	}
	if (isatty(STDIN_FILENO) && (read_pin("The same PIN again: ", again, sizeof again) != 0 ||
	    strcmp(pin, again) != 0)) {
		rc = cli_fail("user pin: the two PINs differ; nothing was changed");
		goto out;
	}
	if (user_set_pin(st, name, pin, &err) == -1) {
		rc = cli_fail_err("user pin", &err);
		goto out;
	}
	printf("changed the PIN of %s\n", name);
	rc = CLI_OK;
out:
	explicit_bzero(pin, sizeof pin);
	explicit_bzero(again, sizeof again);
	store_close(st);
	return rc;
}

static int
cmd_user_exec(const struct cli_cmd *self, struct cli_ctx *ctx, int argc, char **argv)
{
	int i;

	/* Find the subcommand: the first word after "user" that is not an option. */
	for (i = 1; i < argc; i++) {
		if (argv[i][0] != '-')
			break;
		if (strcmp(argv[i], "--role") == 0 || strcmp(argv[i], "-r") == 0)
			i++;
	}
	if (i >= argc)
		return cli_usage(self, "user: wants a subcommand (add, list, disable, enable or pin)");
	if (strcmp(argv[i], "add") == 0)
		return user_add_exec(self, ctx, argc, argv);
	if (strcmp(argv[i], "list") == 0)
		return user_list_exec(ctx, argc, argv);
	if (strcmp(argv[i], "disable") == 0)
		return user_active_exec(ctx, argc, argv, false);
	if (strcmp(argv[i], "enable") == 0)
		return user_active_exec(ctx, argc, argv, true);
	if (strcmp(argv[i], "pin") == 0)
		return user_pin_exec(ctx, argc, argv);
	return cli_usage(self, "user: unknown subcommand '%s' (add, list, disable, enable or pin)",
	    argv[i]);
}

const struct cli_cmd cmd_user = {
	.name = "user",
	.usage = "user add NAME --role cashier|manager|admin",
	.summary = "add a user (PIN: first line of stdin); also user list [--json], user "
	    "disable|enable NAME, user pin NAME",
	.exec = cmd_user_exec,
};
