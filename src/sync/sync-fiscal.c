/*
 * sync-fiscal.c: the fiscal documents' queue (CONTRACT.md section 8): POST {url}/v1/documents
 * with [fiscal] token, one document at a time in id order (fiscal.h says why), each reply
 * stored by the core as the event fiscal.signed.
 *
 * Exactly once: the document's id is the gateway's idempotency key and the same id gets the
 * same reply, so a lost reply, a time-out or a killed process only means sending it again; a
 * document leaves the queue only in the transaction that stores its reply. 429, 5xx, time-outs
 * and connection errors back off as the events do (sync_failed: exponential, full jitter,
 * Retry-After); 401/403 are retried at the cap; any other 4xx rejects the document, kept and
 * shown until `kassa sync --retry-rejected`, and the next one goes.
 *
 * It runs in a process of its own (sync_fiscal_main, forked by the sync process), with its own
 * store connection, libcurl handle, back-off and timer, and every request bounded to
 * SYNC_FISCAL_TIMEOUT seconds: a gateway that hangs never holds up the events, nor the hub the
 * documents.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "fiscal.h"
#include "log.h"
#include "sync-int.h"
#include "sync.h"
#include "timestamp.h"
#include "worker.h"

/* The reply of 200: {terminal_id, receipt_seq, fiscal_sign, qr_url}, strictly. */
static int
parse_reply(const char *body, struct fiscal_reply *r, struct kerr *err)
{
	json_error_t jerr;
	json_t *j = json_loads(body, 0, &jerr);
	json_t *t = json_object_get(j, "terminal_id"), *n = json_object_get(j, "receipt_seq");
	json_t *sg = json_object_get(j, "fiscal_sign"), *u = json_object_get(j, "qr_url");
	int rc = -1;

	if (j == NULL)
		kerr_set(err, KERR_NET, "the gateway's reply is not JSON: %s", jerr.text);
	else if (!json_is_string(t) || !json_is_integer(n) || !json_is_string(sg) ||
	    !json_is_string(u) || json_string_length(t) == 0 || json_string_length(sg) == 0 ||
	    json_string_length(t) >= sizeof r->terminal_id ||
	    json_string_length(sg) >= sizeof r->fiscal_sign ||
	    json_string_length(u) >= sizeof r->qr_url)
		kerr_set(err, KERR_NET, "the gateway's reply is not {terminal_id, receipt_seq, "
		    "fiscal_sign, qr_url}");
	else {
		snprintf(r->terminal_id, sizeof r->terminal_id, "%s", json_string_value(t));
		r->receipt_seq = json_integer_value(n);
		snprintf(r->fiscal_sign, sizeof r->fiscal_sign, "%s", json_string_value(sg));
		snprintf(r->qr_url, sizeof r->qr_url, "%s", json_string_value(u));
		rc = 0;
	}
	json_decref(j);
	return rc;
}

/* The gateway's words for a refusal: its {"error": ...}, else the status. */
static void
refusal(const struct sync_http *reply, char *buf, size_t size)
{
	json_t *j = json_loads(reply->body, 0, NULL);
	const char *why = json_string_value(json_object_get(j, "error"));

	snprintf(buf, size, "HTTP %ld: %.200s", reply->status, why != NULL ? why :
	    "no reason given");
	json_decref(j);
}

int
sync_fiscal_send(struct sync_ctx *c, struct kerr *err)
{
	int64_t after = 0, id;
	char url[600], why[256];

	snprintf(url, sizeof url, "%s/v1/documents", c->url);
	while (!sync_stopping) {
		struct sync_http reply = { 0 };
		struct fiscal_reply r;
		char *uuid, *body;
		int rc = fiscal_next(c->st, after, &id, &uuid, &body, err);

		if (rc <= 0) {
			if (rc == -1)
				sync_failed(c, 0, false, err);
			return rc;
		}
		after = id;
		if (fiscal_attempted(c->st, uuid, err) == -1 ||
		    sync_http_request(c, url, body, &reply, err) == -1) {
			sync_failed(c, 0, false, err);
			goto fail;
		}
		if (reply.status == 200) {
			if (parse_reply(reply.body, &r, err) == -1 ||
			    fiscal_signed(c->st, uuid, &r, err) == -1) {
				sync_failed(c, 0, false, err);
				goto fail;
			}
			log_info("fiscal: document %s signed: %s #%lld", uuid, r.terminal_id,
			    (long long)r.receipt_seq);
		} else if (reply.status == 401 || reply.status == 403) {
			kerr_set(err, KERR_DENIED, "the fiscal gateway refused the token (HTTP "
			    "%ld): check [fiscal] token", reply.status);
			sync_failed(c, reply.retry_after, true, err);
			goto fail;
		} else if (reply.status >= 400 && reply.status < 500 && reply.status != 408 &&
		    reply.status != 429) {
			refusal(&reply, why, sizeof why);
			if (fiscal_refused(c->st, uuid, why, err) == -1) {
				sync_failed(c, 0, false, err);
				goto fail;
			}
			log_info("fiscal: document %s rejected: %s", uuid, why);
		} else {
			kerr_set(err, KERR_NET, "the fiscal gateway answered HTTP %ld",
			    reply.status);
			sync_failed(c, reply.retry_after, false, err);
			goto fail;
		}
		sync_http_free(&reply);
		free(uuid);
		free(body);
		continue;
fail:
		sync_http_free(&reply);
		free(uuid);
		free(body);
		return -1;
	}
	return 0;
}

void
sync_fiscal_record(struct sync_ctx *c)
{
	struct kerr err;

	if (store_begin(c->st, &err) == 0) {
		if (store_meta_set(c->st, "fiscal_last_error", c->last_error, &err) == 0)
			store_commit(c->st, &err);
		else
			store_rollback(c->st);
	}
}

/* Keeps the last error in meta (`kassa status`) and tells the till. */
static void
report(struct sync_ctx *c, int status_fd)
{
	struct fiscal_state fs;
	struct kerr err;
	char pending[24], rejected[24], age[24];

	sync_fiscal_record(c);
	if (status_fd < 0 || fiscal_state_get(c->st, &fs, &err) == -1)
		return;
	snprintf(pending, sizeof pending, "%lld", (long long)fs.pending);
	snprintf(rejected, sizeof rejected, "%lld", (long long)fs.rejected);
	snprintf(age, sizeof age, "%lld", (long long)fs.oldest_age_s);
	worker_report(status_fd, "fiscal_pending", pending, "fiscal_rejected", rejected,
	    "fiscal_oldest_age", age, "fiscal_error", c->last_error, (char *)NULL);
}

int
sync_fiscal_main(const struct config *cfg, const char *db_path, int wake_fd, int status_fd,
    int verbose)
{
	struct sync_ctx c;
	struct kerr err;

	if (sync_ctx_open(&c, cfg, db_path, verbose, true, &err) == -1) {
		log_info("fiscal: %s", err.msg);
		if (status_fd >= 0)
			worker_report(status_fd, "fiscal_error", err.msg, (char *)NULL);
		else
			fprintf(stderr, "kassa: sync: fiscal: %s\n", err.msg);
		return 1;
	}
	while (!sync_stopping) {
		enum sync_wake w;
		int64_t deadline;

		c.wait_s = 0;
		if (sync_fiscal_send(&c, &err) == 0) {
			c.failures = 0;
			c.online = true;
			c.last_error[0] = '\0';
		}
		report(&c, status_fd);
		deadline = timestamp_monotonic_ms() + (c.wait_s > 0 ? c.wait_s :
		    cfg->sync_interval) * 1000;
		/* As the events: a commit during a back-off only refreshes the counts. */
		while ((w = sync_wait_until(wake_fd, deadline, -1)) == SYNC_WAKE_TILL &&
		    c.wait_s > 0)
			report(&c, status_fd);
		if (w == SYNC_WAKE_STOP)
			break;
	}
	sync_ctx_close(&c);
	return 0;
}
