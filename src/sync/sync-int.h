/*
 * sync-int.h: what the files of the sync process share (private to src/sync).
 *
 * The sync process owns its own store connection and its own libcurl handle; nothing here is
 * ever used in the till's process. One cycle pushes the outbox until it is empty or a push
 * fails, then pulls the catalogue changes once.
 */
#ifndef KASSA_SYNC_INT_H
#define KASSA_SYNC_INT_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "kerr.h"
#include "store.h"

/* Retry-After is honoured up to an hour: a hub may ask for longer than our own back-off cap
 * (it knows its load), but a broken or hostile header must not park the sales for days. */
#define SYNC_RETRY_AFTER_MAX 3600

struct sync_http {
	long status;            /* HTTP status, 0 when no reply (connection failed) */
	long retry_after;       /* seconds from Retry-After (at most SYNC_RETRY_AFTER_MAX), 0 when
	                         * none */
	char *body;             /* reply body, NUL-terminated (owned; sync_http_free) */
	size_t len;
};

struct sync_ctx {
	const struct config *cfg;
	const char *url;        /* the server of this queue: [sync] url or [fiscal] url */
	const char *token;      /* its bearer token */
	long timeout_s;         /* the most one request may take */
	store *st;
	void *curl;             /* CURL * */
	char device_id[64];
	int failures;           /* consecutive failed exchanges, for the back-off */
	long wait_s;            /* how long to wait before the next try (0: at once) */
	long last_status;       /* the last exchange: HTTP status, 0 no answer, -1 none made */
	long last_retry_after;  /* its Retry-After (seconds, 0 when none) */
	bool online;
	char last_error[256];
	int verbose;
};

/* sync-http.c: one request with the timeouts, TLS and bearer token of the config.
 * body NULL means GET. Returns 0 when a reply (any status) came back, -1 with err when not.
 * Either way c->last_status and c->last_retry_after say how it went. */
int sync_http_request(struct sync_ctx *c, const char *url, const char *body,
    struct sync_http *reply, struct kerr *err);
void sync_http_free(struct sync_http *reply);

/* sync-push.c: the JSON body of the next batch: pending events with seq > after, read in a
 * short read transaction. *count = events in it (0: nothing pending), *last_seq = the last
 * one's seq (may be NULL). Caller frees; NULL with err on failure. */
char *sync_batch_body(struct sync_ctx *c, int64_t after, int *count, int64_t *last_seq,
    struct kerr *err);

/* sync-push.c: posts one batch of the outbox. *sent = outbox rows the reply delivered or
 * rejected (0: nothing pending). Returns 0 when the hub answered with a valid reply about this
 * batch that changed at least one row, else -1 with err, recorded by sync_failed (c->wait_s
 * set from Retry-After or the kind of failure). A 409 (the hub refused the chain) halts the
 * events queue (sync_queue_halt) and marks nothing; while it is halted nothing is posted and
 * -1 is returned with the halt's reason. */
int sync_push_batch(struct sync_ctx *c, int *sent, struct kerr *err);

/* sync-pull.c: pulls and applies catalogue changes from the stored cursor until "more" is
 * false. Returns 0, or -1 with err. */
int sync_pull(struct sync_ctx *c, struct kerr *err);

/* sync-loop.c: records a failure: the back-off (exponential, full jitter, capped; Retry-After
 * honoured) goes into c->wait_s and the message into c->last_error and meta. */
void sync_failed(struct sync_ctx *c, long retry_after, bool slow, const struct kerr *err);

/* sync-fiscal.c: sends the fiscal documents (CONTRACT.md section 8) one at a time, in order,
 * until none is ready or one fails: 0 when every ready one was signed or refused, -1 with err
 * (recorded by sync_failed) when the gateway failed or asked us to wait. */
int sync_fiscal_send(struct sync_ctx *c, struct kerr *err);

/* sync-fiscal.c: keeps c->last_error as meta fiscal_last_error ("" after a good pass). */
void sync_fiscal_record(struct sync_ctx *c);

/* sync-fiscal.c: the fiscal sender's own process (forked by the sync process before either
 * opens anything): its own store, libcurl and back-off, woken through wake_fd (EOF: the sync
 * process is gone), reporting fiscal_* fields on status_fd (-1: none). */
int sync_fiscal_main(const struct config *cfg, const char *db_path, int wake_fd, int status_fd,
    int verbose);

/* sync-loop.c, shared with sync-fiscal.c. */
enum sync_wake { SYNC_WAKE_TIME, SYNC_WAKE_TILL, SYNC_WAKE_STOP };
enum sync_wake sync_wait_until(int fd, int64_t deadline, int forward_fd);
extern volatile sig_atomic_t sync_stopping;

/* Opens a queue's context: its own store connection and libcurl handle, never inherited
 * across fork. fiscal: the gateway of [fiscal] (url, token, requests bounded to
 * SYNC_FISCAL_TIMEOUT seconds), else the hub of [sync]. 0, or -1 with err. */
#define SYNC_FISCAL_TIMEOUT 15
int sync_ctx_open(struct sync_ctx *c, const struct config *cfg, const char *db_path,
    int verbose, bool fiscal, struct kerr *err);
void sync_ctx_close(struct sync_ctx *c);

#endif
