/*
 * cmd-status.c: `kassa status [--json]`. What a support engineer asks first: how many events
 * wait for upstream, how many were rejected, when the last sync was and what went wrong, the
 * printer, the open shift. Read-only and quick (no full scans: report_status reads counters and
 * indexes), so it can run every few seconds from a monitoring script.
 *
 * Text that came from the hub (the last error, a halt, the reasons of rejected events) goes
 * through termsafe() before it is printed: a reply carrying "\x1b[2J" must not clear the
 * support engineer's screen. The JSON output is escaped as JSON.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fiscal.h"
#include "report.h"
#include "store.h"
#include "sync.h"
#include "termsafe.h"
#include "timestamp.h"

static const char *
or_never(const char *s, const char *dflt)
{
	return s[0] != '\0' ? s : dflt;
}

/* Text from the database, which may have come from the hub: escaped for the terminal. */
static const char *
safe(const char *s, char *buf, size_t size)
{
	return termsafe(s, buf, size);
}

/* Every queue's halt and first rejected rows, with the hub's reasons. */
static int
print_queues(store *st, struct kerr *err)
{
	for (int k = 0; sync_queues[k] != NULL; k++) {
		const struct sync_queue *q = sync_queues[k];
		struct sync_rejected r[SYNC_REJECTED_SHOWN];
		char buf[1024], *halted = sync_queue_halted(st, q);
		int n;

		if (halted != NULL)
			printf("stopped         sending %s: %s\n", q->name, safe(halted, buf,
			    sizeof buf));
		free(halted);
		if (sync_queue_rejected(st, q, r, SYNC_REJECTED_SHOWN, &n, err) == -1)
			return -1;
		for (int i = 0; i < n; i++)
			printf("rejected        %s %lld %s: %s\n", q->name, (long long)r[i].seq,
			    r[i].id, safe(r[i].error, buf, sizeof buf));
	}
	return 0;
}

static void
print_status(const struct cli_ctx *ctx, const struct till_status *s)
{
	char buf[1024], when[TIMESTAMP_LOCAL_SIZE + 8];

	printf("database        %s\n", ctx->db_path);
	printf("upstream        %s\n", ctx->cfg.sync_url[0] != '\0' ? ctx->cfg.sync_url :
	    "none (offline only)");
	printf("outbox pending  %lld", (long long)s->outbox_pending);
	/* Times in local time for people; --json keeps UTC. */
	if (s->outbox_pending > 0 && s->oldest_pending_at[0] != '\0')
		printf(" (oldest %s)", timestamp_local(s->oldest_pending_at, when, sizeof when));
	printf("\n");
	printf("outbox rejected %lld%s\n", (long long)s->outbox_rejected,
	    s->outbox_rejected > 0 ? " (not resent: see the hub's reasons)" : "");
	printf("last sync       %s\n", or_never(timestamp_local(s->last_sync_at, when,
	    sizeof when), "never"));
	printf("last error      %s\n", safe(or_never(s->last_error, "none"), buf, sizeof buf));
	printf("events          %lld\n", (long long)s->events);
	if (ctx->cfg.printer_device[0] == '\0')
		printf("printer         none configured (%lld receipts kept for a reprint)\n",
		    (long long)s->print_queued);
	else
		printf("printer         %s, %lld queued\n", safe(or_never(s->printer_state,
		    "unknown"), buf, sizeof buf), (long long)s->print_queued);
	if (s->shift_id != 0)
		printf("shift           open (id %lld)\n", (long long)s->shift_id);
	else
		printf("shift           none open\n");
	printf("parked sales    %lld\n", (long long)s->parked_sales);
	printf("products        %lld\n", (long long)s->products);
}

/* The fiscal documents: what waits, since when, and the warning before offline_days. */
static int
print_fiscal(const struct cli_ctx *ctx, store *st, struct kerr *err)
{
	struct fiscal_state fs;
	char when[TIMESTAMP_LOCAL_SIZE + 8], buf[1024], *last;

	if (fiscal_state_get(st, &fs, err) == -1)
		return -1;
	if (!fiscal_on() && fs.pending == 0 && fs.rejected == 0)
		return 0;
	printf("fiscal          %s\n", fiscal_on() ? ctx->cfg.fiscal_url : "off ([fiscal] mode = "
	    "none)");
	printf("fiscal pending  %lld", (long long)fs.pending);
	if (fs.pending > 0)
		printf(" (oldest %s, %lld h ago)", timestamp_local(fs.oldest_at, when,
		    sizeof when), (long long)(fs.oldest_age_s / 3600));
	printf("\n");
	printf("fiscal rejected %lld%s\n", (long long)fs.rejected, fs.rejected > 0 ?
	    " (not resent: see the gateway's reasons)" : "");
	last = store_meta_get(st, "fiscal_last_error");
	printf("fiscal error    %s\n", safe(or_never(last != NULL ? last : "", "none"), buf,
	    sizeof buf));
	free(last);
	if (fiscal_state_warn(&fs, ctx->cfg.fiscal_offline_days))
		printf("WARNING         fiscal receipts unsent since %s: the tax service allows "
		    "%d days offline; connect the till to the internet\n", timestamp_local(
		    fs.oldest_at, when, sizeof when), ctx->cfg.fiscal_offline_days);
	return 0;
}

static int
cmd_status_exec(const struct cli_cmd *self, struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	struct till_status s;
	struct kerr err;
	bool json = false;
	char *doc;
	store *st;
	int c, rc = CLI_FAIL;

	kerr_clear(&err);
	memset(&s, 0, sizeof s);
	while ((c = cli_getopt(self, argc, argv, ":", longopts)) != -1) {
		if (c != 'j')
			return CLI_USAGE;
		json = true;
	}
	if (optind != argc)
		return cli_usage(self, "status: unexpected argument '%s'", argv[optind]);

	st = cli_open_store(ctx, STORE_READONLY);
	if (st == NULL)
		return CLI_FAIL;
	if (json) {
		char *full;

		doc = report_status_json(st, &err);
		full = doc != NULL ? sync_queue_status_json(st, doc, &err) : NULL;
		free(doc);
		doc = full;
		full = doc != NULL ? fiscal_status_json(st, doc, ctx->cfg.fiscal_offline_days,
		    &err) : NULL;
		free(doc);
		if (full == NULL) {
			rc = cli_fail_err("status", &err);
			goto out;
		}
		rc = cli_print_json(full);
		free(full);
		goto out;
	}
	if (report_status(st, &s, &err) == -1) {
		rc = cli_fail_err("status", &err);
		goto out;
	}
	print_status(ctx, &s);
	if (print_fiscal(ctx, st, &err) == -1) {
		rc = cli_fail_err("status", &err);
		goto out;
	}
	rc = print_queues(st, &err) == 0 ? CLI_OK : cli_fail_err("status", &err);
out:
	store_close(st);
	return rc;
}

const struct cli_cmd cmd_status = {
	.name = "status",
	.usage = "status [--json]",
	.summary = "queues, last sync, last error, printer",
	.exec = cmd_status_exec,
};
