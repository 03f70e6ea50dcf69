/*
 * receipt: the LAYOUT of a printed receipt as a device-neutral document (a list of items: text
 * rows, left/right pairs, rules, a barcode, a QR code, feed, cut, drawer kick). Built here in the
 * core from a completed sale; src/print/print-doc.c turns it into dev's ESC/POS document
 * (escpos.h).
 */
#ifndef KASSA_RECEIPT_H
#define KASSA_RECEIPT_H

#include <stdbool.h>
#include <stdint.h>

#include "fiscal.h"
#include "kerr.h"
#include "refund.h"
#include "sale.h"
#include "store.h"

enum receipt_kind {
	RECEIPT_TEXT,     /* left (wrapped to the width) */
	RECEIPT_PAIR,     /* left ... right on one row */
	RECEIPT_RULE,     /* a line of '-' */
	RECEIPT_BARCODE,  /* left holds the digits (CODE128) */
	RECEIPT_QR,       /* left holds the URL */
	RECEIPT_FEED,
	RECEIPT_CUT,
	RECEIPT_DRAWER    /* open the cash drawer */
};

#define RECEIPT_BOLD   0x1
#define RECEIPT_DOUBLE 0x2  /* double width and height: half the columns */
#define RECEIPT_CENTER 0x4

struct receipt_item {
	enum receipt_kind kind;
	int style;
	char *left;   /* UTF-8, owned by the receipt; may be NULL */
	char *right;
};

struct receipt {
	struct receipt_item *items;
	int n, cap;
};

/* What a receipt is built from besides the sale. */
struct receipt_opts {
	const char *store;       /* store name for the header ("" for none) */
	bool copy;               /* a reprint: marked COPY, never kicks the drawer */
	const char *fiscal_url;  /* QR code when non-NULL and non-empty */
	/* The sale's customer (customer.h), when customer is non-NULL: named, with what they
	 * owe and their points now. */
	const char *customer;
	money_t balance;
	int64_t points;
	/* [fiscal] (fiscal.h): the gateway's reply, printed with its QR code (qr_url) when not
	 * NULL; else, when fiscal_pending, a line saying the fiscal receipt is pending. */
	const struct fiscal_reply *fiscal;
	bool fiscal_pending;
};

/* A receipt for a completed sale. Caller frees with receipt_free(). */
struct receipt *receipt_from_sale(const sale *s, const struct receipt_opts *o, struct kerr *err);

/* A refund receipt for a completed return: says REFUND, cites the original receipt's number
 * (or that there was none), the lines given back, the refund and where it went, and carries
 * its own barcode, "R<number>" (refund.h). Caller frees with receipt_free(). */
struct receipt *receipt_from_refund(const refund *rf, const struct receipt_opts *o,
    struct kerr *err);

/* A repayment's receipt, from its customer.paid event (event seq): the customer, the amount
 * and how it was paid, what they owed before and owe after. Caller frees. */
struct receipt *receipt_from_repayment(store *st, int64_t seq, const struct receipt_opts *o,
    struct kerr *err);

/* The test page of `kassa print test`: code page sample (Cyrillic, Uzbek), widths, barcode. */
struct receipt *receipt_test_page(const char *store_name, const char *device, int width);

/* Just a drawer kick (a no-sale). */
struct receipt *receipt_drawer(void);

/* Building blocks (also for reports). left/right are copied. */
struct receipt *receipt_new(void);
void receipt_add(struct receipt *r, enum receipt_kind kind, int style, const char *left,
    const char *right);
void receipt_free(struct receipt *r);

/*
 * The print queue (print_jobs, filled by the core on completion, reprint and no-sale; read by
 * the printer worker in id order, drawer jobs first). A job is done only once its bytes were
 * sent and the printer said it was fine afterwards.
 */
struct receipt_job {
	int64_t id;
	char kind[16];       /* "receipt", "copy", "drawer", "test", "report" */
	int64_t sale_id;     /* 0 when none */
	int64_t return_id;   /* a refund receipt (refund.h); 0 when none */
	int64_t repayment_seq; /* a repayment's receipt (its customer.paid event); 0 when none */
	int attempts;
	char what[32];       /* a report: "z:SHIFT_ID" or "day:YYYY-MM-DD" (report.h); else "" */
};

/*
 * The oldest queued document (a receipt, copy, report or test page; drawer jobs are apart):
 * 1 with *job filled, 0 when none is queued, -1 with err.
 */
int receipt_job_next(store *st, struct receipt_job *job, struct kerr *err);

/*
 * The drawer is a job of its own (queued ahead of a cash sale's receipt, and by a no-sale),
 * so it opens for the change even while the receipt waits for paper. A drawer job that could
 * not be sent within max_age seconds (the printer unplugged) is failed by
 * receipt_drawer_expire rather than sent later: a drawer must never spring open minutes after
 * the sale, in front of the next customer. receipt_drawer_next: the oldest queued one, as
 * receipt_job_next. receipt_drawer_expire: how many were failed, or -1 with err.
 */
int receipt_drawer_next(store *st, struct receipt_job *job, struct kerr *err);
int receipt_drawer_expire(store *st, int max_age, struct kerr *err);

/*
 * A receipt (or copy, report) that waited more than max_age seconds for the printer ([printer]
 * max_wait) is failed rather than printed: after a long outage the customers are gone, and a
 * new roll should not be spent on a pile of old slips. The sale keeps it: the menu's Reprint
 * (or kassa print copy) prints it if anyone asks. How many were failed, or -1 with err.
 */
int receipt_jobs_expire(store *st, int max_age, struct kerr *err);

/* The document for a job. The fiscal data of a sale or return (fiscal.h): the gateway's reply
 * and its QR code once stored, else "fiscal receipt pending" while its document waits; a
 * fiscal URL stored by an outside fiscal module in meta 'fiscal_url:SALE_UUID' is printed as
 * a QR code too. Caller frees. NULL with err. */
struct receipt *receipt_for_job(store *st, const struct receipt_job *job, const char *store_name,
    struct kerr *err);

/* Whether the job is a first receipt younger than wait_s seconds whose fiscal document still
 * waits for the gateway's reply: the printer may hold it that long ([fiscal] wait), so that
 * it carries the fiscal sign already. Never longer: the sale itself never waits. */
bool receipt_job_fiscal_wait(store *st, const struct receipt_job *job, int wait_s);

/* Marks a job printed. */
int receipt_job_done(store *st, int64_t id, struct kerr *err);

/* Counts a failed attempt and keeps the job queued, with why. */
int receipt_job_retry(store *st, int64_t id, const char *why, struct kerr *err);

/* Fails a job for good, with why: one that can never be printed (its sale is gone), so it no
 * longer holds up the jobs behind it. */
int receipt_job_fail(store *st, int64_t id, const char *why, struct kerr *err);

/* Queued jobs, or -1 with err. */
long receipt_jobs_queued(store *st, struct kerr *err);

#endif
