/*
 * report-print.c: reports on paper. A shift's X/Z report and the day's report as receipt
 * documents (receipt.h), and the print job that asks the till's printer process for one, so a
 * report never fights the till for the device. A report job names what it prints ("z:ID",
 * "day:DATE") and is rendered from the figures when it prints.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "core-int.h"
#include "i18n.h"
#include "receipt.h"
#include "report.h"
#include "timestamp.h"
#include "xalloc.h"

int
report_shift_by_number(store *st, int64_t number, struct shift_report *r, struct kerr *err)
{
	sqlite3_stmt *q;
	int64_t id = 0;

	if (core_prepare(st, "SELECT id FROM shifts WHERE number = ?1", &q, err,
	    N_("reading shifts")) == -1)
		return -1;
	sqlite3_bind_int64(q, 1, number);
	if (sqlite3_step(q) == SQLITE_ROW)
		id = sqlite3_column_int64(q, 0);
	core_release(q);
	if (id == 0)
		return kerr_set(err, KERR_NOTFOUND, _("no shift %lld"), (long long)number);
	return shift_report_get(st, id, r, err);
}

static void
pair(struct receipt *rc, int style, const char *label, money_t amount)
{
	char b[32];

	receipt_add(rc, RECEIPT_PAIR, style, label, money_format(amount, b, sizeof b));
}

static void
count_pair(struct receipt *rc, const char *label, int64_t n)
{
	char b[32];

	snprintf(b, sizeof b, "%" PRId64, n);
	receipt_add(rc, RECEIPT_PAIR, 0, label, b);
}

struct receipt *
report_shift_receipt(const struct shift_report *r, const char *store_name)
{
	struct receipt *rc = receipt_new();
	char buf[96], when[TIMESTAMP_LOCAL_SIZE + 8];
	int i;

	if (store_name != NULL && store_name[0] != '\0')
		receipt_add(rc, RECEIPT_TEXT, RECEIPT_BOLD | RECEIPT_DOUBLE | RECEIPT_CENTER,
		    store_name, NULL);
	snprintf(buf, sizeof buf, r->closed ? _("Z REPORT %lld") : _("X REPORT %lld"),
	    (long long)r->number);
	receipt_add(rc, RECEIPT_TEXT, RECEIPT_BOLD | RECEIPT_DOUBLE | RECEIPT_CENTER, buf, NULL);
	receipt_add(rc, RECEIPT_PAIR, 0, _("Opened"), timestamp_local(r->opened_at, when,
	    sizeof when));
	receipt_add(rc, RECEIPT_PAIR, 0, "", r->opened_by);
	if (r->closed) {
		receipt_add(rc, RECEIPT_PAIR, 0, _("Closed"), timestamp_local(r->closed_at, when,
		    sizeof when));
		receipt_add(rc, RECEIPT_PAIR, 0, "", r->closed_by);
	}
	receipt_add(rc, RECEIPT_RULE, 0, NULL, NULL);
	count_pair(rc, _("Sales"), r->sales_count);
	pair(rc, RECEIPT_BOLD, _("Sales total"), r->sales_total);
	pair(rc, 0, _("of which VAT"), r->vat_total);
	pair(rc, 0, _("Discounts"), r->discount_total);
	for (i = 0; i < r->vat_rates && i < 8; i++) {
		if (r->vat_bp[i] % 100 == 0)
			snprintf(buf, sizeof buf, _("VAT %d%% on"), r->vat_bp[i] / 100);
		else
			snprintf(buf, sizeof buf, _("VAT %d.%02d%% on"), r->vat_bp[i] / 100,
			    r->vat_bp[i] % 100);
		pair(rc, 0, buf, r->vat_gross[i]);
		pair(rc, 0, _("  VAT"), r->vat_amount[i]);
	}
	count_pair(rc, _("Voided sales"), r->voids_count);
	count_pair(rc, _("Returns"), r->refunds_count);
	if (r->refunds_no_receipt > 0)
		count_pair(rc, _("  without a receipt"), r->refunds_no_receipt);
	pair(rc, 0, _("Refunded"), r->refunds_total);
	receipt_add(rc, RECEIPT_RULE, 0, NULL, NULL);
	pair(rc, 0, _("Cash sales"), r->cash_sales);
	pair(rc, 0, _("Card sales"), r->card_sales);
	pair(rc, 0, _("Cash refunds"), r->refunds_cash);
	pair(rc, 0, _("Card refunds"), r->refunds_card);
	pair(rc, 0, _("Opening float"), r->opening_float);
	pair(rc, 0, _("Cash in"), r->cash_in);
	pair(rc, 0, _("Cash out"), r->cash_out);
	pair(rc, RECEIPT_BOLD, _("Expected cash"), r->expected_cash);
	if (r->closed) {
		pair(rc, RECEIPT_BOLD, _("Counted cash"), r->counted_cash);
		pair(rc, RECEIPT_BOLD, _("Variance"), r->variance);
	}
	receipt_add(rc, RECEIPT_FEED, 0, NULL, NULL);
	receipt_add(rc, RECEIPT_CUT, 0, NULL, NULL);
	return rc;
}

struct day_paper {
	struct receipt *rc;
	char section[32];
};

static int
day_row(void *ctx, const struct report_row *row)
{
	struct day_paper *d = ctx;
	char label[96], b[32];

	if (strcmp(d->section, row->section) != 0) {
		snprintf(d->section, sizeof d->section, "%s", row->section);
		receipt_add(d->rc, RECEIPT_RULE, 0, NULL, NULL);
		receipt_add(d->rc, RECEIPT_TEXT, RECEIPT_BOLD, row->section, NULL);
	}
	if (row->has_count && row->has_amount)
		snprintf(label, sizeof label, "%s (%" PRId64 ")", row->key[0] != '\0' ? row->key :
		    "-", row->count);
	else
		snprintf(label, sizeof label, "%s", row->key[0] != '\0' ? row->key : "-");
	if (row->has_amount)
		receipt_add(d->rc, RECEIPT_PAIR, 0, label, money_format(row->amount, b, sizeof b));
	else if (row->has_count) {
		snprintf(b, sizeof b, "%" PRId64, row->count);
		receipt_add(d->rc, RECEIPT_PAIR, 0, label, b);
	} else
		receipt_add(d->rc, RECEIPT_TEXT, 0, label, NULL);
	if (row->has_refunds && row->refunds != 0) {
		snprintf(label, sizeof label, "  %s", _("refunds"));
		receipt_add(d->rc, RECEIPT_PAIR, 0, label, money_format(-row->refunds, b,
		    sizeof b));
	}
	return 0;
}

struct receipt *
report_day_receipt(store *st, const char *date, const char *store_name, struct kerr *err)
{
	char day[REPORT_DATE_SIZE], from[REPORT_TIME_SIZE], to[REPORT_TIME_SIZE];
	struct day_paper d = { 0 };
	char buf[64];
	char *doc;

	if (report_day_bounds(date, day, from, to, err) == -1 ||
	    (doc = report_day_json(st, day, 5, err)) == NULL)
		return NULL;
	d.rc = receipt_new();
	if (store_name != NULL && store_name[0] != '\0')
		receipt_add(d.rc, RECEIPT_TEXT, RECEIPT_BOLD | RECEIPT_DOUBLE | RECEIPT_CENTER,
		    store_name, NULL);
	snprintf(buf, sizeof buf, _("DAY REPORT %s"), day);
	receipt_add(d.rc, RECEIPT_TEXT, RECEIPT_BOLD | RECEIPT_CENTER, buf, NULL);
	if (report_doc_rows(st, doc, day_row, &d, err) == -1) {
		receipt_free(d.rc);
		free(doc);
		return NULL;
	}
	free(doc);
	receipt_add(d.rc, RECEIPT_FEED, 0, NULL, NULL);
	receipt_add(d.rc, RECEIPT_CUT, 0, NULL, NULL);
	return d.rc;
}

struct receipt *
report_receipt_for(store *st, const char *what, const char *store_name, struct kerr *err)
{
	struct shift_report r;
	int64_t id;
	char *end;

	if (strncmp(what, "z:", 2) == 0) {
		id = strtoll(what + 2, &end, 10);
		if (id > 0 && *end == '\0') {
			if (shift_report_get(st, id, &r, err) == -1)
				return NULL;
			return report_shift_receipt(&r, store_name);
		}
	} else if (strncmp(what, "day:", 4) == 0) {
		return report_day_receipt(st, what + 4, store_name, err);
	}
	kerr_set(err, KERR_INTERNAL, "a report print job names '%s': want z:ID or day:DATE", what);
	return NULL;
}

int
report_queue_print(store *st, const char *what, int64_t *job_id, struct kerr *err)
{
	sqlite3_stmt *q;
	char now[32];

	if (core_prepare(st, "INSERT INTO print_jobs(kind, body, created_at) VALUES ('report', ?1, "
	    "?2)", &q, err, N_("queueing the report")) == -1)
		return -1;
	sqlite3_bind_text(q, 1, what, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 2, store_now(now, sizeof now), -1, SQLITE_TRANSIENT);
	if (core_run(st, q, err, N_("queueing the report")) == -1)
		return -1;
	if (job_id != NULL)
		*job_id = sqlite3_last_insert_rowid(store_db(st));
	return 0;
}
