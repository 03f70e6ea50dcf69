/*
 * sync-push.c: one batch of the outbox to POST {url}/v1/events (CONTRACT.md section 5).
 *
 * The batch is read in a short read transaction that ends before the network is touched; the
 * reply is marked in a short write transaction afterwards, so the till is never kept waiting
 * by the network. Accepted and duplicate events leave the outbox (they stay in the journal);
 * rejected ones are kept, marked and never resent by themselves. A reply is only believed about
 * the events of its own batch: any other id, or one id named twice, fails the whole reply, so
 * a confused hub can never make an event leave the outbox unsent.
 *
 * A 409 is the hub refusing the chain itself (a seq gap, another prev_hash, ...): no event's
 * fault, so none is marked. Pushing stops, with the hub's reason kept as the queue's halt
 * (sync-queue.c) and shown, and every event stays pending until `kassa sync
 * --retry-rejected` says the cause is fixed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sqlite3.h>

#include "journal.h"
#include "log.h"
#include "sync-int.h"
#include "sync.h"
#include "xalloc.h"

#define MAX_BODY (1024 * 1024)

/* A growing string for the batch body. */
struct text {
	char *p;
	size_t len, cap;
};

static void
text_add(struct text *t, const char *s, size_t n)
{
	if (t->len + n + 1 > t->cap) {
		t->cap = (t->len + n + 1) * 2;
		t->p = xrealloc(t->p, t->cap);
	}
	memcpy(t->p + t->len, s, n);
	t->len += n;
	t->p[t->len] = '\0';
}

#define text_lit(t, lit) text_add((t), (lit), sizeof(lit) - 1)

/*
 * Appends up to the batch size of pending events after seq `after` (and at most ~1 MiB) to
 * body as a JSON array's elements. SQLite writes each event object itself: the payload goes in
 * as the stored canonical JSON (json() checks it), so no JSON tree of the batch is ever built
 * (it cost ~9 KiB per event of a many-line sale).
 */
static int
read_batch(struct sync_ctx *c, int64_t after, struct text *body, int *count, int64_t *last_seq,
    json_t *ids, struct kerr *err)
{
	sqlite3_stmt *q;
	size_t start = body->len;
	int rc;

	q = store_cached(c->st, "SELECT json_object('id', e.id, 'seq', e.seq, 'type', e.type, "
	    "'at', e.at, 'payload', json(e.payload), 'prev_hash', e.prev_hash, 'hash', e.hash), "
	    "e.seq, e.id FROM outbox o JOIN events e ON e.seq = o.seq WHERE o.state = 'pending' AND "
	    "o.seq > ?2 ORDER BY o.seq LIMIT ?1");
	if (q == NULL)
		return store_error(c->st, err, "reading the outbox");
	sqlite3_bind_int(q, 1, c->cfg->sync_batch);
	sqlite3_bind_int64(q, 2, after);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *ev = (const char *)sqlite3_column_text(q, 0);
		size_t n = (size_t)sqlite3_column_bytes(q, 0);

		if (*count > 0 && body->len - start + n > MAX_BODY)
			break;
		if (*count > 0)
			text_add(body, ",", 1);
		text_add(body, ev, n);
		*last_seq = sqlite3_column_int64(q, 1);
		(*count)++;
		/* The ids sent, each false until the reply names it. */
		if (ids != NULL)
			json_object_set_new(ids, (const char *)sqlite3_column_text(q, 2),
			    json_false());
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		/* json() refuses a payload that is not JSON: name the event after the last good. */
		kerr_set(err, KERR_INTERNAL, "reading the outbox after event %lld: %s",
		    (long long)*last_seq, sqlite3_errmsg(store_db(c->st)));
		store_release(q);
		return -1;
	}
	store_release(q);
	return 0;
}

/* A JSON string literal of s (quoted and escaped by jansson). */
static void
text_add_string(struct text *t, const char *s)
{
	json_t *j = json_string(s);
	char *q = j != NULL ? json_dumps(j, JSON_ENCODE_ANY) : NULL;

	text_add(t, q != NULL ? q : "\"\"", q != NULL ? strlen(q) : 2);
	free(q);
	json_decref(j);
}

/* Marks one id: delivered (removed from the outbox) or rejected with its error. Adds the rows
 * it changed to *changed. */
static int
mark(struct sync_ctx *c, const char *id, const char *error, int *changed, struct kerr *err)
{
	sqlite3_stmt *q;
	char now[32];
	int rc;

	/* Cached: a batch marks up to 500 events in one transaction. */
	if (error == NULL)
		q = store_cached(c->st, "DELETE FROM outbox WHERE seq = (SELECT seq FROM events "
		    "WHERE id = ?1)");
	else
		q = store_cached(c->st, "UPDATE outbox SET state = 'rejected', error = ?2, "
		    "attempts = attempts + 1, updated_at = ?3 WHERE seq = (SELECT seq FROM events "
		    "WHERE id = ?1)");
	if (q == NULL)
		return store_error(c->st, err, "marking the outbox");
	sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
	if (error != NULL) {
		sqlite3_bind_text(q, 2, error, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 3, store_now(now, sizeof now), -1, SQLITE_TRANSIENT);
	}
	rc = sqlite3_step(q);
	if (rc == SQLITE_DONE)
		*changed += sqlite3_changes(store_db(c->st));
	store_release(q);
	if (rc != SQLITE_DONE)
		return store_error(c->st, err, "marking the outbox");
	/* The hub has it: `kassa journal verify` then knows the journal reaches at least here. */
	return error == NULL ? journal_acknowledged(c->st, id, err) : 0;
}

/* The reply names id once, and id was sent in this batch (ids: id -> named yet). */
static int
check_id(json_t *ids, const char *id, struct kerr *err)
{
	json_t *seen = json_object_get(ids, id);

	if (seen == NULL)
		return kerr_set(err, KERR_NET, "the hub's reply names event %s, which was not in "
		    "the batch", id);
	if (json_is_true(seen))
		return kerr_set(err, KERR_NET, "the hub's reply names event %s twice", id);
	json_object_set_new(ids, id, json_true());
	return 0;
}

/* Checks the reply's shape strictly, and that it names only ids of the batch, each once in one
 * list: anything else counts as a failed exchange. */
static int
check_reply(json_t *r, json_t *ids, struct kerr *err)
{
	json_t *acc = json_object_get(r, "accepted"), *dup = json_object_get(r, "duplicates");
	json_t *rej = json_object_get(r, "rejected"), *v;
	size_t i;

	if (!json_is_object(r) || !json_is_array(acc) || !json_is_array(dup) ||
	    !json_is_array(rej))
		return kerr_set(err, KERR_NET, "the hub's reply is not {accepted, duplicates, "
		    "rejected}");
	json_array_foreach(acc, i, v)
		if (!json_is_string(v))
			return kerr_set(err, KERR_NET, "the hub's reply has a bad accepted id");
		else if (check_id(ids, json_string_value(v), err) == -1)
			return -1;
	json_array_foreach(dup, i, v)
		if (!json_is_string(v))
			return kerr_set(err, KERR_NET, "the hub's reply has a bad duplicate id");
		else if (check_id(ids, json_string_value(v), err) == -1)
			return -1;
	json_array_foreach(rej, i, v)
		if (!json_is_string(json_object_get(v, "id")) ||
		    !json_is_string(json_object_get(v, "error")))
			return kerr_set(err, KERR_NET, "the hub's reply has a bad rejection");
		else if (check_id(ids, json_string_value(json_object_get(v, "id")), err) == -1)
			return -1;
	return 0;
}

/* sync_batch_body, and the ids of the batch into ids when not NULL. */
static char *
batch_body(struct sync_ctx *c, int64_t after, int *count, int64_t *last_seq, json_t *ids,
    struct kerr *err)
{
	char head_hash[JOURNAL_HASH_HEX], num[32];
	struct text body = { 0 };
	int64_t head_seq = 0, last = 0;
	int rc;

	*count = 0;
	if (store_begin(c->st, err) == -1)	/* a consistent view of outbox and head */
		return NULL;
	text_lit(&body, "{\"device_id\":");
	text_add_string(&body, c->device_id);
	text_lit(&body, ",\"events\":[");
	rc = read_batch(c, after, &body, count, &last, ids, err);
	if (rc == 0)
		rc = journal_head(c->st, &head_seq, head_hash, err);
	store_rollback(c->st);		/* read only: end it before the network */
	if (rc == -1) {
		free(body.p);
		*count = 0;
		return NULL;
	}
	snprintf(num, sizeof num, "%lld", (long long)head_seq);
	text_lit(&body, "],\"head\":{\"seq\":");
	text_add(&body, num, strlen(num));
	text_lit(&body, ",\"hash\":");
	text_add_string(&body, head_hash);
	text_lit(&body, "}}");
	if (*count > 0 && last_seq != NULL)
		*last_seq = last;
	return body.p;
}

char *
sync_batch_body(struct sync_ctx *c, int64_t after, int *count, int64_t *last_seq,
    struct kerr *err)
{
	return batch_body(c, after, count, last_seq, NULL, err);
}

/* Records a failure of the outbox itself (not of the hub), saying which step it was. */
static int
outbox_failed(struct sync_ctx *c, const char *what, struct kerr *err)
{
	char msg[sizeof err->msg];

	snprintf(msg, sizeof msg, "%s", err->msg[0] != '\0' ? err->msg : "unknown error");
	kerr_set(err, err->code != KERR_OK ? err->code : KERR_INTERNAL, "%s: %s", what, msg);
	sync_failed(c, 0, false, err);
	return -1;
}

/* The hub refused the chain (409 {"error", "id", "seq"}): the halt, kept and shown. */
static void
chain_refused(struct sync_ctx *c, const struct sync_http *reply, struct kerr *err)
{
	json_t *r = json_loads(reply->body, 0, NULL);
	const char *why = json_string_value(json_object_get(r, "error"));
	struct kerr werr;

	kerr_set(err, KERR_STATE, "the hub refused the chain (HTTP 409): %.160s; pushing "
	    "stopped, the events are kept: fix the cause, then run `kassa sync "
	    "--retry-rejected`", why != NULL ? why : "no reason given");
	json_decref(r);
	if (sync_queue_halt(c->st, &sync_queue_events, err->msg, &werr) == -1)
		log_info("sync: keeping the halt: %s", werr.msg);
	sync_failed(c, reply->retry_after, true, err);
}

int
sync_push_batch(struct sync_ctx *c, int *sent, struct kerr *err)
{
	char url[600];
	struct sync_http reply = { 0 };
	json_t *r = NULL, *v, *ids = json_object();
	json_error_t jerr;
	char *body, *halted;
	size_t i;
	int rc = -1, count, changed = 0;

	*sent = 0;
	if (ids == NULL)
		fatal("out of memory");
	halted = sync_queue_halted(c->st, &sync_queue_events);
	if (halted != NULL) {
		/* Stopped by a 409 until someone fixes the cause; the pull still runs. */
		kerr_set(err, KERR_STATE, "%s", halted);
		free(halted);
		sync_failed(c, 0, true, err);
		goto out;
	}
	body = batch_body(c, 0, &count, NULL, ids, err);
	if (body == NULL) {
		outbox_failed(c, "reading the batch to send", err);
		goto out;
	}
	if (count == 0) {
		free(body);
		rc = 0;
		goto out;
	}
	snprintf(url, sizeof url, "%s/v1/events", c->cfg->sync_url);
	if (sync_http_request(c, url, body, &reply, err) == -1) {
		free(body);
		sync_failed(c, 0, false, err);
		goto out;
	}
	free(body);
	if (reply.status == 401 || reply.status == 403) {
		kerr_set(err, KERR_DENIED, "the hub refused the token (HTTP %ld): check [sync] "
		    "token", reply.status);
		sync_failed(c, reply.retry_after, true, err);
		goto out;
	}
	if (reply.status == 409) {
		chain_refused(c, &reply, err);
		goto out;
	}
	if (reply.status != 200) {
		kerr_set(err, KERR_NET, "the hub answered HTTP %ld", reply.status);
		sync_failed(c, reply.retry_after, false, err);
		goto out;
	}
	r = json_loads(reply.body, 0, &jerr);
	if (r == NULL || check_reply(r, ids, err) == -1) {
		if (r == NULL)
			kerr_set(err, KERR_NET, "the hub's reply is not JSON: %s", jerr.text);
		sync_failed(c, 0, false, err);
		goto out;
	}
	if (store_begin(c->st, err) == -1) {
		outbox_failed(c, "marking the hub's reply", err);
		goto out;
	}
	json_array_foreach(json_object_get(r, "accepted"), i, v)
		if (mark(c, json_string_value(v), NULL, &changed, err) == -1)
			goto rollback;
	json_array_foreach(json_object_get(r, "duplicates"), i, v)
		if (mark(c, json_string_value(v), NULL, &changed, err) == -1)
			goto rollback;
	json_array_foreach(json_object_get(r, "rejected"), i, v)
		if (mark(c, json_string_value(json_object_get(v, "id")),
		    json_string_value(json_object_get(v, "error")), &changed, err) == -1)
			goto rollback;
	if (store_commit(c->st, err) == -1) {
		outbox_failed(c, "marking the hub's reply", err);
		goto out;
	}
	/* Rows actually changed, not ids named: a reply that moves nothing is no progress and
	 * must back off like any other failure, or the cycle would post again at once. */
	*sent = changed;
	if (changed == 0) {
		kerr_set(err, KERR_NET, "the hub took none of the batch");
		sync_failed(c, 0, false, err);
		goto out;
	}
	rc = 0;
	goto out;
rollback:
	store_rollback(c->st);
	sync_failed(c, 0, false, err);	/* mark() said which step failed */
out:
	json_decref(ids);
	json_decref(r);
	sync_http_free(&reply);
	return rc;
}
