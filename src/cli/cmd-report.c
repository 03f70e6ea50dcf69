/*
 * cmd-report.c: `kassa report x|z [--json]`. X: the open shift so far; Z: the last closed
 * shift. JSON from report_shift_json, or a plain text report for people. Read-only.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fiscal.h"
#include "money.h"
#include "report.h"
#include "shift.h"
#include "store.h"
#include "timestamp.h"

static void
line(const char *label, money_t amount)
{
	char buf[32];

	printf("  %-22s %16s\n", label, money_format(amount, buf, sizeof buf));
}

static void
print_report(const struct shift_report *r)
{
	char label[32], when[TIMESTAMP_LOCAL_SIZE + 8];
	int i;

	printf("%s report, shift %lld\n", r->closed ? "Z" : "X", (long long)r->number);
	/* Local time for people; --json keeps UTC. */
	printf("  %-22s %s (%s)\n", "opened", timestamp_local(r->opened_at, when, sizeof when),
	    r->opened_by);
	if (r->closed)
		printf("  %-22s %s (%s)\n", "closed", timestamp_local(r->closed_at, when,
		    sizeof when), r->closed_by);
	printf("  %-22s %16lld\n", "sales", (long long)r->sales_count);
	line("sales total", r->sales_total);
	line("  of which VAT", r->vat_total);
	line("discounts", r->discount_total);
	for (i = 0; i < r->vat_rates && i < 8; i++) {
		if (r->vat_bp[i] % 100 == 0)
			snprintf(label, sizeof label, "VAT %d%% on", r->vat_bp[i] / 100);
		else
			snprintf(label, sizeof label, "VAT %d.%02d%% on", r->vat_bp[i] / 100,
			    r->vat_bp[i] % 100);
		line(label, r->vat_gross[i]);
		line("  VAT", r->vat_amount[i]);
	}
	printf("  %-22s %16lld\n", "voided sales", (long long)r->voids_count);
	printf("  %-22s %16lld\n", "returns", (long long)r->refunds_count);
	if (r->refunds_no_receipt > 0)
		printf("  %-22s %16lld\n", "  without a receipt", (long long)r->refunds_no_receipt);
	line("refunded", r->refunds_total);
	line("  of which VAT", r->refunds_vat);
	line("  in cash", r->refunds_cash);
	line("  to card", r->refunds_card);
	if (r->refunds_other != 0)
		line("  to credit", r->refunds_other);
	line("cash sales", r->cash_sales);
	line("card sales", r->card_sales);
	line("opening float", r->opening_float);
	line("cash in", r->cash_in);
	line("cash out", r->cash_out);
	line("expected cash", r->expected_cash);
	if (r->closed) {
		line("counted cash", r->counted_cash);
		line("variance", r->variance);
	}
}

/* The shift's fiscal documents (fiscal.h): each one's reply, or that it waits. */
static int
print_fiscal(store *st, const struct shift_report *r, struct kerr *err)
{
	static const struct { const char *kind, *label; } docs[] = {
		{ "shift_open", "fiscal opening" }, { "shift_close", "fiscal closing" } };

	for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
		struct fiscal_reply f;
		bool exists;
		int rc = fiscal_reply_of(st, docs[i].kind, r->id, &f, &exists, err);

		if (rc == -1)
			return -1;
		if (rc == 1)
			printf("  %-22s %s #%lld sign %s\n", docs[i].label, f.terminal_id,
			    (long long)f.receipt_seq, f.fiscal_sign);
		else if (exists)
			printf("  %-22s %s\n", docs[i].label, "pending (not yet signed)");
	}
	return 0;
}

static int
cmd_report_exec(const struct cli_cmd *self, struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	struct shift_report r;
	struct kerr err;
	bool json = false, x;
	char *doc;
	store *st;
	int c, rc = CLI_FAIL;

	kerr_clear(&err);
	memset(&r, 0, sizeof r);
	while ((c = cli_getopt(self, argc, argv, ":", longopts)) != -1) {
		if (c != 'j')
			return CLI_USAGE;
		json = true;
	}
	if (argc - optind != 1)
		return cli_usage(self, "report: wants x (the open shift) or z (the last closed one)");
	if (strcmp(argv[optind], "x") == 0 || strcmp(argv[optind], "X") == 0)
		x = true;
	else if (strcmp(argv[optind], "z") == 0 || strcmp(argv[optind], "Z") == 0)
		x = false;
	else
		return cli_usage(self, "report: unknown report '%s' (x or z)", argv[optind]);

	st = cli_open_store(ctx, STORE_READONLY);
	if (st == NULL)
		return CLI_FAIL;
	if ((x ? shift_report_x(st, &r, &err) : shift_report_z(st, &r, &err)) == -1) {
		if (x && err.code == KERR_STATE)
			rc = cli_fail("report x: no shift is open (open one at the till; "
			    "`kassa report z` shows the last closed one)");
		else if (!x && err.code == KERR_NOTFOUND)
			rc = cli_fail("report z: no shift has been closed yet");
		else
			rc = cli_fail_err(x ? "report x" : "report z", &err);
		goto out;
	}
	if (json) {
		doc = report_shift_json(st, &r, &err);
		if (doc != NULL) {
			char *full = fiscal_shift_json(st, doc, r.id, &err);

			free(doc);
			doc = full;
		}
		if (doc == NULL) {
			rc = cli_fail_err("report", &err);
			goto out;
		}
		rc = cli_print_json(doc);
		free(doc);
	} else {
		print_report(&r);
		rc = print_fiscal(st, &r, &err) == 0 ? CLI_OK : cli_fail_err("report", &err);
	}
out:
	store_close(st);
	return rc;
}

const struct cli_cmd cmd_report = {
	.name = "report",
	.usage = "report x|z [--json]",
	.summary = "shift report: x the open shift, z the last closed one",
	.exec = cmd_report_exec,
};
