/*
 * cmd-report.c: `kassa report x|z|day|audit`. X: the open shift so far; Z: the last closed
 * shift, any closed one by --number, or a range for the accountant (--from/--to, CSV); day: the
 * local day's report (report-day.c); audit: who did what that day. JSON from the core, CSV
 * (RFC 4180, see csv_* below) and plain text for people, in local time. --print queues the
 * report for the till's printer process. Read-only but for --print.
 */
#include <getopt.h>
#include <inttypes.h>
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

/*
 * CSV for spreadsheets: RFC 4180 (CR LF after every record, a field quoted when it holds a
 * comma, a quote, CR or LF, quotes doubled), a header row, UTF-8 with a byte-order mark so
 * that Excel opens Cyrillic and Uzbek names as UTF-8 (LibreOffice and Python's utf-8-sig read
 * it as well), amounts in major units with '.' and two decimals, quantities with three.
 */
static void
csv_field(const char *s, bool last)
{
	if (strpbrk(s, ",\"\r\n") != NULL) {
		putchar('"');
		for (; *s != '\0'; s++) {
			if (*s == '"')
				putchar('"');
			putchar(*s);
		}
		putchar('"');
	} else {
		fputs(s, stdout);
	}
	fputs(last ? "\r\n" : ",", stdout);
}

static void
csv_bom(void)
{
	fputs("\xef\xbb\xbf", stdout);
}

static const char *
csv_money(money_t v, char *buf, size_t size)
{
	uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

	snprintf(buf, size, "%s%" PRIu64 ".%02" PRIu64, v < 0 ? "-" : "", a / MONEY_MINOR,
	    a % MONEY_MINOR);
	return buf;
}

static const char *
csv_qty(int64_t v, char *buf, size_t size)
{
	uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

	snprintf(buf, size, "%s%" PRIu64 ".%03" PRIu64, v < 0 ? "-" : "", a / QTY_ONE,
	    a % QTY_ONE);
	return buf;
}

static const char *
csv_int(int64_t v, char *buf, size_t size)
{
	snprintf(buf, size, "%" PRId64, v);
	return buf;
}

static int
csv_done(void)
{
	if (fflush(stdout) != 0 || ferror(stdout))
		return cli_fail("report: writing the output failed");
	return CLI_OK;
}

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
		line("  to credit or points", r->refunds_other);
	line("cash sales", r->cash_sales);
	line("card sales", r->card_sales);
	if (r->credit_sales != 0)
		line("on credit (nasiya)", r->credit_sales);
	if (r->points_sales != 0)
		line("paid with points", r->points_sales);
	if (r->repaid_cash != 0)
		line("repaid in cash", r->repaid_cash);
	if (r->repaid_card != 0)
		line("repaid by card", r->repaid_card);
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

/* The Z range's columns: one record per closed shift. */
static void
z_csv_header(void)
{
	static const char *const cols[] = { "shift", "opened_at", "closed_at", "opened_by",
	    "closed_by", "sales", "sales_total", "vat_total", "discount_total", "voided_sales",
	    "returns", "returns_no_receipt", "refunds_total", "refunds_vat", "cash_sales",
	    "card_sales", "refunds_cash", "refunds_card", "refunds_credit", "opening_float",
	    "cash_in", "cash_out", "expected_cash", "counted_cash", "variance" };
	size_t i, n = sizeof cols / sizeof cols[0];

	for (i = 0; i < n; i++)
		csv_field(cols[i], i + 1 == n);
}

static void
z_csv_row(const struct shift_report *r)
{
	char b[40], w1[TIMESTAMP_LOCAL_SIZE + 8], w2[TIMESTAMP_LOCAL_SIZE + 8];

	csv_field(csv_int(r->number, b, sizeof b), false);
	/* Local times: the accountant's spreadsheet reads them as they were on the clock. */
	csv_field(timestamp_local(r->opened_at, w1, sizeof w1), false);
	csv_field(timestamp_local(r->closed_at, w2, sizeof w2), false);
	csv_field(r->opened_by, false);
	csv_field(r->closed_by, false);
	csv_field(csv_int(r->sales_count, b, sizeof b), false);
	csv_field(csv_money(r->sales_total, b, sizeof b), false);
	csv_field(csv_money(r->vat_total, b, sizeof b), false);
	csv_field(csv_money(r->discount_total, b, sizeof b), false);
	csv_field(csv_int(r->voids_count, b, sizeof b), false);
	csv_field(csv_int(r->refunds_count, b, sizeof b), false);
	csv_field(csv_int(r->refunds_no_receipt, b, sizeof b), false);
	csv_field(csv_money(r->refunds_total, b, sizeof b), false);
	csv_field(csv_money(r->refunds_vat, b, sizeof b), false);
	csv_field(csv_money(r->cash_sales, b, sizeof b), false);
	csv_field(csv_money(r->card_sales, b, sizeof b), false);
	csv_field(csv_money(r->refunds_cash, b, sizeof b), false);
	csv_field(csv_money(r->refunds_card, b, sizeof b), false);
	csv_field(csv_money(r->refunds_other, b, sizeof b), false);
	csv_field(csv_money(r->opening_float, b, sizeof b), false);
	csv_field(csv_money(r->cash_in, b, sizeof b), false);
	csv_field(csv_money(r->cash_out, b, sizeof b), false);
	csv_field(csv_money(r->expected_cash, b, sizeof b), false);
	csv_field(csv_money(r->counted_cash, b, sizeof b), false);
	csv_field(csv_money(r->variance, b, sizeof b), true);
}

/* The day's rows as CSV records. */
static int
day_csv_row(void *ctx, const struct report_row *row)
{
	char b[40];

	(void)ctx;
	csv_field(row->section, false);
	csv_field(row->key, false);
	csv_field(row->has_count ? csv_int(row->count, b, sizeof b) : "", false);
	csv_field(row->has_qty ? csv_qty(row->qty, b, sizeof b) : "", false);
	csv_field(row->has_amount ? csv_money(row->amount, b, sizeof b) : "", false);
	csv_field(row->has_vat ? csv_money(row->vat, b, sizeof b) : "", false);
	csv_field(row->has_refunds ? csv_money(row->refunds, b, sizeof b) : "", true);
	return ferror(stdout) ? -1 : 0;
}

/* The day's rows as text: a heading per section, then label, count, quantity and amount. */
static int
day_text_row(void *ctx, const struct report_row *row)
{
	char *section = ctx, a[32], q[32], label[64];

	if (strcmp(section, row->section) != 0) {
		snprintf(section, 32, "%s", row->section);
		printf("%s\n", row->section);
	}
	snprintf(label, sizeof label, "%s", row->key[0] != '\0' ? row->key : "(none)");
	printf("  ");
	cli_print_padded(label, 24);
	if (row->has_count)
		printf(" %6" PRId64, row->count);
	else
		printf(" %6s", "");
	printf(" %10s", row->has_qty ? qty_format(row->qty, row->qty % QTY_ONE != 0, q,
	    sizeof q) : "");
	printf(" %16s", row->has_amount ? money_format(row->amount, a, sizeof a) : "");
	if (row->has_refunds && row->refunds != 0)
		printf("  refunds %s", money_format(row->refunds, a, sizeof a));
	printf("\n");
	return ferror(stdout) ? -1 : 0;
}

struct opts {
	bool json, csv, print;
	const char *date;
	int64_t number, from, to;
};

static int
parse_count(const struct cli_cmd *self, const char *opt, const char *s, int64_t *out)
{
	char *end;
	long long v = strtoll(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v <= 0)
		return cli_usage(self, "report: %s wants a shift number (1, 2, ...), not '%s'", opt,
		    s);
	*out = v;
	return 0;
}

static int
report_print(struct cli_ctx *ctx, const char *what, const char *label)
{
	struct kerr err;
	store *st;
	int rc = CLI_OK;

	kerr_clear(&err);
	if (ctx->cfg.printer_device[0] == '\0')
		return cli_fail("report: no printer configured: set device in the [printer] "
		    "section of the config (see kassa.conf(5))");
	if ((st = cli_open_store(ctx, 0)) == NULL)
		return CLI_FAIL;
	if (report_queue_print(st, what, NULL, &err) == -1)
		rc = cli_fail_err("report", &err);
	else
		printf("%s: queued; the till's printer process prints it (`kassa status` shows "
		    "the queue)\n", label);
	store_close(st);
	return rc;
}

static int
report_shift(const struct cli_cmd *self, struct cli_ctx *ctx, bool x, const struct opts *o)
{
	struct shift_report r;
	struct kerr err;
	char *doc, what[32], label[48];
	store *st;
	int rc = CLI_FAIL;

	kerr_clear(&err);
	if (x && (o->number != 0 || o->from != 0 || o->to != 0))
		return cli_usage(self, "report x: --number, --from and --to are for z");
	if ((o->from != 0) != (o->to != 0))
		return cli_usage(self, "report z: --from and --to go together");
	if (o->from != 0 && (o->number != 0 || o->print || o->json))
		return cli_usage(self, "report z: a range (--from N --to M) is --csv or text");
	if (o->from > o->to)
		return cli_usage(self, "report z: --from %" PRId64 " is after --to %" PRId64,
		    o->from, o->to);
	if (o->csv && o->from == 0)
		return cli_usage(self, "report: --csv is for a range of Z reports (--from N --to M) "
		    "and for the day's report");
	st = cli_open_store(ctx, STORE_READONLY);
	if (st == NULL)
		return CLI_FAIL;
	if (o->from != 0) {
		int64_t n, found = 0;

		if (o->csv) {
			csv_bom();
			z_csv_header();
		}
		for (n = o->from; n <= o->to; n++) {
			if (report_shift_by_number(st, n, &r, &err) == -1) {
				if (err.code == KERR_NOTFOUND)
					continue;
				rc = cli_fail_err("report z", &err);
				goto out;
			}
			if (!r.closed)
				continue;
			found++;
			if (o->csv)
				z_csv_row(&r);
			else {
				print_report(&r);
				printf("\n");
			}
		}
		if (found == 0 && !o->csv) {
			rc = cli_fail("report z: no closed shift from %" PRId64 " to %" PRId64,
			    o->from, o->to);
			goto out;
		}
		rc = o->csv ? csv_done() : CLI_OK;
		goto out;
	}
	if (o->number != 0) {
		if (report_shift_by_number(st, o->number, &r, &err) == -1) {
			rc = err.code == KERR_NOTFOUND ? cli_fail("report z: no shift %" PRId64,
			    o->number) : cli_fail_err("report z", &err);
			goto out;
		}
		if (!r.closed) {
			rc = cli_fail("report z: shift %" PRId64 " is still open (`kassa report x` "
			    "shows it so far)", o->number);
			goto out;
		}
	} else if ((x ? shift_report_x(st, &r, &err) : shift_report_z(st, &r, &err)) == -1) {
		if (x && err.code == KERR_STATE)
			rc = cli_fail("report x: no shift is open (open one at the till; "
			    "`kassa report z` shows the last closed one)");
		else if (!x && err.code == KERR_NOTFOUND)
			rc = cli_fail("report z: no shift has been closed yet");
		else
			rc = cli_fail_err(x ? "report x" : "report z", &err);
		goto out;
	}
	if (o->print) {
		store_close(st);
		snprintf(what, sizeof what, "z:%" PRId64, r.id);
		snprintf(label, sizeof label, "%s report of shift %" PRId64, x ? "X" : "Z",
		    r.number);
		return report_print(ctx, what, label);
	}
	if (o->json) {
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

static int
report_day(const struct cli_cmd *self, struct cli_ctx *ctx, const struct opts *o)
{
	char day[REPORT_DATE_SIZE], from[REPORT_TIME_SIZE], to[REPORT_TIME_SIZE];
	char section[32] = "", what[32], label[48];
	struct kerr err;
	char *doc;
	store *st;
	int rc = CLI_FAIL;

	kerr_clear(&err);
	if (o->number != 0 || o->from != 0 || o->to != 0)
		return cli_usage(self, "report day: --number, --from and --to are for z");
	if (o->json && o->csv)
		return cli_usage(self, "report day: --json or --csv, not both");
	if (report_day_bounds(o->date, day, from, to, &err) == -1)
		return cli_usage(self, "report day: %s", err.msg);
	if (o->print) {
		snprintf(what, sizeof what, "day:%s", day);
		snprintf(label, sizeof label, "the report of %s", day);
		return report_print(ctx, what, label);
	}
	if ((st = cli_open_store(ctx, STORE_READONLY)) == NULL)
		return CLI_FAIL;
	if ((doc = report_day_json(st, day, 10, &err)) == NULL) {
		rc = cli_fail_err("report day", &err);
		goto out;
	}
	if (o->json) {
		rc = cli_print_json(doc);
	} else if (o->csv) {
		csv_bom();
		csv_field("section", false);
		csv_field("key", false);
		csv_field("count", false);
		csv_field("qty", false);
		csv_field("amount", false);
		csv_field("vat", false);
		csv_field("refunds", true);
		if (report_doc_rows(st, doc, day_csv_row, NULL, &err) == -1)
			rc = cli_fail("report day: writing the output failed");
		else
			rc = csv_done();
	} else {
		char w1[TIMESTAMP_LOCAL_SIZE + 8], w2[TIMESTAMP_LOCAL_SIZE + 8];

		printf("Day report %s (%s to %s, local time)\n", day, timestamp_local(from, w1,
		    sizeof w1), timestamp_local(to, w2, sizeof w2));
		if (report_doc_rows(st, doc, day_text_row, section, &err) == -1)
			rc = cli_fail("report day: writing the output failed");
		else
			rc = CLI_OK;
	}
	free(doc);
out:
	store_close(st);
	return rc;
}

static int
audit_text_row(void *ctx, const struct report_audit_row *row)
{
	char when[TIMESTAMP_LOCAL_SIZE + 8];

	(void)ctx;
	printf("%s  ", timestamp_local(row->at, when, sizeof when));
	cli_print_padded(row->kind, 18);
	printf(" %s\n", row->text);
	return ferror(stdout) ? -1 : 0;
}

static int
report_audit(const struct cli_cmd *self, struct cli_ctx *ctx, const struct opts *o)
{
	char day[REPORT_DATE_SIZE], from[REPORT_TIME_SIZE], to[REPORT_TIME_SIZE];
	struct kerr err;
	char *doc;
	store *st;
	int rc = CLI_FAIL;

	kerr_clear(&err);
	if (o->number != 0 || o->from != 0 || o->to != 0 || o->csv || o->print)
		return cli_usage(self, "report audit: takes --date and --json only");
	if (report_day_bounds(o->date, day, from, to, &err) == -1)
		return cli_usage(self, "report audit: %s", err.msg);
	if ((st = cli_open_store(ctx, STORE_READONLY)) == NULL)
		return CLI_FAIL;
	if ((doc = report_audit_json(st, day, &err)) == NULL) {
		rc = cli_fail_err("report audit", &err);
		goto out;
	}
	if (o->json) {
		rc = cli_print_json(doc);
	} else {
		printf("Audit %s (local time)\n", day);
		rc = report_audit_rows(st, doc, audit_text_row, NULL, &err) == -1 ?
		    cli_fail_err("report audit", &err) : CLI_OK;
	}
	free(doc);
out:
	store_close(st);
	return rc;
}

static int
cmd_report_exec(const struct cli_cmd *self, struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "csv", no_argument, NULL, 'C' },
		{ "print", no_argument, NULL, 'p' },
		{ "date", required_argument, NULL, 'D' },
		{ "number", required_argument, NULL, 'n' },
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 }
	};
	struct opts o = { 0 };
	const char *which;
	int c;

	while ((c = cli_getopt(self, argc, argv, ":", longopts)) != -1) {
		switch (c) {
		case 'j':
			o.json = true;
			break;
		case 'C':
			o.csv = true;
			break;
		case 'p':
			o.print = true;
			break;
		case 'D':
			o.date = optarg;
			break;
		case 'n':
			if (parse_count(self, "--number", optarg, &o.number) != 0)
				return CLI_USAGE;
			break;
		case 'f':
			if (parse_count(self, "--from", optarg, &o.from) != 0)
				return CLI_USAGE;
			break;
		case 't':
			if (parse_count(self, "--to", optarg, &o.to) != 0)
				return CLI_USAGE;
			break;
		default:
			return CLI_USAGE;
		}
	}
	if (argc - optind != 1)
		return cli_usage(self, "report: wants x (the open shift), z (a closed one), day or "
		    "audit");
	which = argv[optind];
	if (o.json && o.csv)
		return cli_usage(self, "report: --json or --csv, not both");
	if (o.print && (o.json || o.csv))
		return cli_usage(self, "report: --print goes to paper, without --json or --csv");
	if (o.date != NULL && strcmp(which, "day") != 0 && strcmp(which, "audit") != 0)
		return cli_usage(self, "report: --date is for day and audit");
	if (strcmp(which, "x") == 0 || strcmp(which, "X") == 0)
		return report_shift(self, ctx, true, &o);
	if (strcmp(which, "z") == 0 || strcmp(which, "Z") == 0)
		return report_shift(self, ctx, false, &o);
	if (strcmp(which, "day") == 0)
		return report_day(self, ctx, &o);
	if (strcmp(which, "audit") == 0)
		return report_audit(self, ctx, &o);
	return cli_usage(self, "report: unknown report '%s' (x, z, day or audit)", which);
}

const struct cli_cmd cmd_report = {
	.name = "report",
	.usage = "report x|z [--json] [--number N] [--print] | report z --from N --to M [--csv] | "
	    "report day [--date YYYY-MM-DD] [--json|--csv] [--print] | "
	    "report audit [--date YYYY-MM-DD] [--json]",
	.summary = "reports: x the open shift, z a closed one, the day's, the audit trail",
	.exec = cmd_report_exec,
};
