/*
 * print-worker.c: the printer process (`kassa print worker`, started by the till with
 * dev_printer_spawn, since it opens the database) prints print_jobs in id order; `kassa print
 * test` prints a test page in the foreground. It sits above dev and the core: it reads the
 * core's queue and documents and sends them through dev's printer.
 *
 * Status comes from DLE EOT (dev_printer_query) before and after each job. Offline, cover
 * open or paper out: the job stays queued, the state goes to the till (status line
 * "state=paper%20out queued=N") and to meta 'printer_state', and the worker retries every 2 s. A job is marked done only after its bytes were written and the status
 * after them is fine. A printer unplugged mid-job therefore loses no receipt: the job is
 * printed again whole when the printer is back, which may duplicate the part that came out
 * before (accepted: a duplicate paper slip is better than a lost receipt).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dev.h"
#include "escpos.h"
#include "i18n.h"
#include "log.h"
#include "print.h"
#include "receipt.h"
#include "store.h"

/* Writes r to the printer as dev's ESC/POS document; -1 with err when the bytes did not all
 * go. */
static int
write_doc(dev_printer *c, const struct receipt *r, const struct config *cfg, struct kerr *err)
{
	struct escpos_doc *d = print_doc_from_receipt(r);
	struct dev_buf b = { 0 };
	int rc;

	escpos_render(d, cfg->printer_width, cfg->printer_codepage, &b);
	escpos_doc_free(d);
	rc = dev_printer_write(c, b.p, b.len, err);
	dev_buf_free(&b);
	return rc;
}

/* Sends r; -1 with err when the bytes did not all go or the printer complained after. */
static int
send_doc(dev_printer *c, const struct receipt *r, const struct config *cfg,
    enum dev_pstate *after, struct kerr *err)
{
	int rc = write_doc(c, r, cfg, err);

	if (rc == -1) {
		*after = PSTATE_OFFLINE;
		return -1;
	}
	*after = dev_printer_query(c);
	if (*after != PSTATE_OK)
		return kerr_set(err, KERR_DEVICE, "%s: %s after printing", cfg->printer_device,
		    dev_pstate_name(*after));
	return 0;
}

int
print_test(const struct config *cfg, const char *db_path, struct kerr *err)
{
	dev_printer *c;
	struct receipt *r;
	enum dev_pstate s;
	int rc = -1;

	(void)db_path;
	if ((c = dev_printer_open(cfg, err)) == NULL)
		return -1;
	if ((s = dev_printer_query(c)) != PSTATE_OK) {
		kerr_set(err, KERR_DEVICE, "%s: %s", cfg->printer_device,
		    s == PSTATE_PAPER ? "the printer is out of paper: put in a new roll" :
		    s == PSTATE_COVER ? "the printer's cover is open: close it" :
		    "the printer does not answer: check the cable, the power and the baud rate");
		goto out;
	}
	r = receipt_test_page(cfg->store, cfg->printer_device, cfg->printer_width);
	rc = send_doc(c, r, cfg, &s, err);
	receipt_free(r);
out:
	dev_printer_close(c);
	return rc;
}

/* Tells the till and the database the printer's state, when it changed. */
static void
publish(store *st, int status_fd, const char *state, long queued, char *last, size_t lastsz)
{
	char q[32], key[96];
	struct kerr err;

	snprintf(q, sizeof q, "%ld", queued);
	snprintf(key, sizeof key, "%s/%ld", state, queued);
	if (strcmp(key, last) == 0)
		return;
	snprintf(last, lastsz, "%s", key);
	worker_report(status_fd, "state", state, "queued", q, (char *)NULL);
	kerr_clear(&err);
	if (store_meta_set(st, "printer_state", state, &err) == -1)
		log_info("printer: %s", err.msg);
}

/* A drawer job not sent within this many seconds is dropped (receipt_drawer_expire). */
#define DRAWER_MAX_AGE 60

/* The printer process's state between passes. */
struct pctx {
	store *st;
	dev_printer *c;          /* NULL while closed */
	const struct config *cfg;
	const char *store_name;
	int wake_fd;
	/* A job whose bytes went out but whose marking as done failed (a busy or full disk):
	 * marked before anything else is sent, so it is never printed or kicked twice. */
	int64_t unmarked;
	bool till_gone;      /* the wake pipe hit EOF: stop after the job in hand */
};

/* Marks job id done, or keeps it in p->unmarked to mark later. 0, or -1 when it must wait. */
static int
mark_done(struct pctx *p, int64_t id)
{
	struct kerr err;

	kerr_clear(&err);
	if (receipt_job_done(p->st, id, &err) == -1) {
		log_info("printer: job %lld printed, not yet marked: %s", (long long)id, err.msg);
		p->unmarked = id;
		return -1;
	}
	p->unmarked = 0;
	return 0;
}

/*
 * Opens the drawer for each queued drawer job. With the printer fine, ESC p in a document of
 * its own; out of paper or with the cover open (it answers, but prints nothing) the
 * real-time pulse DLE DC4 1 0 5 (pin 2, 500 ms), which the printer carries out at once
 * whatever waits in its buffer. A kick needs no paper, so a job is done once its bytes went.
 * Returns -1 when the printer could not be written to.
 */
static int
open_drawers(struct pctx *p, enum dev_pstate s)
{
	dev_printer *c = p->c;
	struct receipt_job job;
	struct kerr err, e2;
	int rc;

	for (;;) {
		kerr_clear(&err);
		if ((rc = receipt_drawer_next(p->st, &job, &err)) != 1) {
			if (rc == -1)
				log_info("printer: %s", err.msg);
			return 0;
		}
		if (s == PSTATE_OK) {
			struct receipt *r = receipt_for_job(p->st, &job, "", &err);

			if (r == NULL) {
				log_info("printer: drawer job %lld: %s", (long long)job.id, err.msg);
				return 0;	/* left queued; it expires */
			}
			rc = write_doc(c, r, p->cfg, &err);
			receipt_free(r);
		} else {
			rc = dev_printer_pulse(c, &err);
		}
		kerr_clear(&e2);
		if (rc == -1) {
			log_info("printer: drawer job %lld stays queued: %s", (long long)job.id,
			    err.msg);
			receipt_job_retry(p->st, job.id, err.msg, &e2);
			return -1;
		}
		if (mark_done(p, job.id) == -1)
			return 0;
	}
}

/*
 * One pass: the drawers first (even without paper), then the documents while the printer is
 * fine, looking at the drawers again before each (a cash sale's drawer does not wait behind a
 * backlog of receipts). After each document it stops if the till has gone. Returns the
 * printer's state.
 */
static enum dev_pstate
drain(struct pctx *p)
{
	const struct config *cfg = p->cfg;
	struct receipt_job job;
	struct kerr err;
	enum dev_pstate s;
	int n;

	if (p->unmarked != 0 && mark_done(p, p->unmarked) == -1)
		return PSTATE_OFFLINE;	/* print nothing until the last job is marked */
	kerr_clear(&err);
	if ((n = receipt_drawer_expire(p->st, DRAWER_MAX_AGE, &err)) > 0)
		log_info("printer: %d drawer job(s) dropped: not sent within %d s", n,
		    DRAWER_MAX_AGE);
	else if (n == -1)
		log_info("printer: %s", err.msg);
	if (cfg->printer_max_wait > 0) {
		kerr_clear(&err);
		if ((n = receipt_jobs_expire(p->st, cfg->printer_max_wait, &err)) > 0)
			log_info("printer: %d receipt(s) waited more than %d s: left for a reprint",
			    n, cfg->printer_max_wait);
		else if (n == -1)
			log_info("printer: %s", err.msg);
	}
	if (p->c == NULL) {
		kerr_clear(&err);
		if ((p->c = dev_printer_open(cfg, &err)) == NULL) {
			log_debug("printer: %s", err.msg);
			return PSTATE_OFFLINE;
		}
	}
	s = dev_printer_query(p->c);
	for (;;) {
		struct receipt *r;
		int rc;

		if (s != PSTATE_OFFLINE && open_drawers(p, s) == -1)
			s = PSTATE_OFFLINE;
		if (s != PSTATE_OK || p->unmarked != 0)
			break;
		kerr_clear(&err);
		if ((rc = receipt_job_next(p->st, &job, &err)) != 1) {
			if (rc == -1)
				log_info("printer: %s", err.msg);
			break;
		}
		/* [fiscal] wait: a fresh receipt waits a moment for the gateway's reply, so the
		 * customer's first receipt already carries the fiscal sign and QR code. */
		if (config_fiscal(cfg))
			while (receipt_job_fiscal_wait(p->st, &job, cfg->fiscal_wait))
				usleep(100 * 1000);
		if ((r = receipt_for_job(p->st, &job, p->store_name, &err)) == NULL) {
			struct kerr e2;

			/* A sale that is gone or damaged can never print: failed, so it does not
			 * hold up the queue. A busy database is only a reason to try again. */
			log_info("printer: job %lld: %s", (long long)job.id, err.msg);
			kerr_clear(&e2);
			if (err.code == KERR_BUSY || err.code == KERR_IO) {
				receipt_job_retry(p->st, job.id, err.msg, &e2);
				break;
			}
			receipt_job_fail(p->st, job.id, err.msg, &e2);
			continue;
		}
		rc = send_doc(p->c, r, cfg, &s, &err);
		receipt_free(r);
		if (rc == -1) {
			struct kerr e2;

			kerr_clear(&e2);
			log_info("printer: job %lld stays queued: %s", (long long)job.id, err.msg);
			receipt_job_retry(p->st, job.id, err.msg, &e2);
			break;
		}
		if (mark_done(p, job.id) == -1)
			break;
		if (worker_parent_gone(p->wake_fd, 0)) {
			p->till_gone = true;
			break;
		}
	}
	if (s == PSTATE_OFFLINE) {
		dev_printer_close(p->c);  /* unplugged: open it afresh next time */
		p->c = NULL;
	}
	return s;
}

int
print_worker_main(const struct config *cfg, const char *db_path, int wake_fd, int status_fd)
{
	struct pctx p = { .c = NULL, .cfg = cfg, .wake_fd = wake_fd };
	struct kerr err;
	char last[96] = "", name[128];
	char *v;

	signal(SIGPIPE, SIG_IGN);  /* a printer that goes away is an error, not our death */
	i18n_init(cfg->language);  /* receipts in the till's language */
	kerr_clear(&err);
	if ((p.st = store_open(db_path, 0, &err)) == NULL) {
		worker_report(status_fd, "state", "error", "error", err.msg, (char *)NULL);
		return 1;
	}
	/* As the till's screen: the config names the store when it says so, else kassa init did. */
	v = store_meta_get(p.st, "store");
	snprintf(name, sizeof name, "%s", strcmp(cfg->store, "kassa") != 0 || v == NULL ?
	    cfg->store : v);
	free(v);
	p.store_name = name;
	while (!p.till_gone) {
		enum dev_pstate s = drain(&p);
		long queued;

		kerr_clear(&err);
		queued = receipt_jobs_queued(p.st, &err);
		publish(p.st, status_fd, dev_pstate_name(s), queued < 0 ? 0 : queued, last,
		    sizeof last);
		/* Fine and idle: look at the printer now and then; else retry soon. */
		if (!p.till_gone && worker_parent_gone(wake_fd, s == PSTATE_OK && queued == 0 ?
		    5000 : 2000))
			break;
	}
	dev_printer_close(p.c);
	store_close(p.st);
	return 0;
}
