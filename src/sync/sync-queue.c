/*
 * sync-queue.c: what the till keeps about a queue of things the sync process sends upstream,
 * for the command line, the status bar and the sync process alike: its rejected rows and their
 * reasons, the halt (why sending stopped), and putting the rejected back (`kassa sync
 * --retry-rejected`). Linked into kassa and kassa-sync; it speaks SQL, never HTTP.
 *
 * A queue is described by a const struct sync_queue of its statements, so a second queue
 * (fiscal documents, CONTRACT.md section 8) gets a descriptor of its own and the same
 * functions: add it to sync_queues[] and the retry, the status and the halt cover it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "sync.h"
#include "xalloc.h"

const struct sync_queue sync_queue_events = {
	.name = "events",
	.retry_sql = "UPDATE outbox SET state = 'pending', error = NULL WHERE state = 'rejected'",
	.rejected_sql = "SELECT o.seq, e.id, coalesce(o.error, '') FROM outbox o JOIN events e "
	    "ON e.seq = o.seq WHERE o.state = 'rejected' ORDER BY o.seq LIMIT ?1",
	.halt_key = "sync_halted",
	.last_error_key = "sync_last_error",
	.json_rejected = "$.rejected",
	.json_halted = "$.sync_halted",
};

/* The fiscal documents (fiscal.h): their rows have no seq, their row id stands in. */
const struct sync_queue sync_queue_fiscal = {
	.name = "fiscal documents",
	.retry_sql = "UPDATE fiscal_documents SET state = 'pending', error = NULL WHERE state = "
	    "'rejected'",
	.rejected_sql = "SELECT id, uuid, coalesce(error, '') FROM fiscal_documents WHERE state = "
	    "'rejected' ORDER BY id LIMIT ?1",
	.halt_key = "fiscal_halted",
	.last_error_key = "fiscal_last_error",
	.json_rejected = "$.fiscal_rejected_documents",
	.json_halted = "$.fiscal_halted",
};

const struct sync_queue *const sync_queues[] = { &sync_queue_events, &sync_queue_fiscal, NULL };

char *
sync_queue_halted(store *st, const struct sync_queue *q)
{
	char *why = store_meta_get(st, q->halt_key);

	if (why != NULL && why[0] == '\0') {
		free(why);
		why = NULL;
	}
	return why;
}

int
sync_queue_halt(store *st, const struct sync_queue *q, const char *why, struct kerr *err)
{
	if (store_begin(st, err) == -1)
		return -1;
	if (store_meta_set(st, q->halt_key, why, err) == -1) {
		store_rollback(st);
		return -1;
	}
	return store_commit(st, err);
}

int
sync_queue_retry(store *st, const struct sync_queue *q, int64_t *count, bool *was_halted,
    struct kerr *err)
{
	sqlite3_stmt *s;
	char *halted;

	*count = 0;
	if (store_begin(st, err) == -1)
		return -1;
	halted = sync_queue_halted(st, q);
	*was_halted = halted != NULL;
	free(halted);
	if (sqlite3_prepare_v2(store_db(st), q->retry_sql, -1, &s, NULL) != SQLITE_OK)
		goto fail;
	if (sqlite3_step(s) != SQLITE_DONE) {
		sqlite3_finalize(s);
		goto fail;
	}
	sqlite3_finalize(s);
	*count = sqlite3_changes(store_db(st));
	/* The halt's message was the last error too: both go, the next exchange says anew. */
	if (*was_halted && (store_meta_set(st, q->halt_key, "", err) == -1 ||
	    store_meta_set(st, q->last_error_key, "", err) == -1)) {
		store_rollback(st);
		return -1;
	}
	return store_commit(st, err);
fail:
	store_error(st, err, "putting the rejected back");
	store_rollback(st);
	return -1;
}

int
sync_queue_rejected(store *st, const struct sync_queue *q, struct sync_rejected *out, int max,
    int *n, struct kerr *err)
{
	sqlite3_stmt *s;
	int rc;

	*n = 0;
	if (sqlite3_prepare_v2(store_db(st), q->rejected_sql, -1, &s, NULL) != SQLITE_OK)
		return store_error(st, err, "reading the rejected");
	sqlite3_bind_int(s, 1, max);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && *n < max) {
		struct sync_rejected *r = &out[(*n)++];

		r->seq = sqlite3_column_int64(s, 0);
		snprintf(r->id, sizeof r->id, "%s", (const char *)sqlite3_column_text(s, 1));
		snprintf(r->error, sizeof r->error, "%s", (const char *)sqlite3_column_text(s, 2));
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		store_error(st, err, "reading the rejected");
		sqlite3_finalize(s);
		return -1;
	}
	sqlite3_finalize(s);
	return 0;
}

/* One statement on doc: json_set(doc, path, value) with value as text (NULL: null), or as JSON
 * when is_json. Returns the new document (caller frees) or NULL with err. */
static char *
json_set_one(store *st, const char *doc, const char *path, const char *value, bool is_json,
    struct kerr *err)
{
	sqlite3_stmt *s;
	char *out = NULL;

	if (sqlite3_prepare_v2(store_db(st), is_json ? "SELECT json_set(?1, ?2, json(?3))" :
	    "SELECT json_set(?1, ?2, ?3)", -1, &s, NULL) != SQLITE_OK) {
		store_error(st, err, "writing the status");
		return NULL;
	}
	sqlite3_bind_text(s, 1, doc, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, path, -1, SQLITE_STATIC);
	if (value != NULL)
		sqlite3_bind_text(s, 3, value, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0) != NULL)
		out = xstrdup((const char *)sqlite3_column_text(s, 0));
	else
		store_error(st, err, "writing the status");
	sqlite3_finalize(s);
	return out;
}

/* The rejected rows as a JSON array [{seq, id, error}], built by SQLite (caller frees). */
static char *
rejected_json(store *st, const struct sync_rejected *r, int n, struct kerr *err)
{
	char *arr = xstrdup("[]");

	for (int i = 0; i < n && arr != NULL; i++) {
		sqlite3_stmt *s;
		char *next = NULL;

		if (sqlite3_prepare_v2(store_db(st), "SELECT json_insert(?1, '$[#]', json_object("
		    "'seq', ?2, 'id', ?3, 'error', ?4))", -1, &s, NULL) == SQLITE_OK) {
			sqlite3_bind_text(s, 1, arr, -1, SQLITE_STATIC);
			sqlite3_bind_int64(s, 2, r[i].seq);
			sqlite3_bind_text(s, 3, r[i].id, -1, SQLITE_STATIC);
			sqlite3_bind_text(s, 4, r[i].error, -1, SQLITE_STATIC);
			if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0) != NULL)
				next = xstrdup((const char *)sqlite3_column_text(s, 0));
			sqlite3_finalize(s);
		}
		if (next == NULL)
			store_error(st, err, "writing the status");
		free(arr);
		arr = next;
	}
	return arr;
}

char *
sync_queue_status_json(store *st, const char *doc, struct kerr *err)
{
	char *out = xstrdup(doc);

	for (int k = 0; sync_queues[k] != NULL && out != NULL; k++) {
		const struct sync_queue *q = sync_queues[k];
		struct sync_rejected r[SYNC_REJECTED_SHOWN];
		char *halted, *arr, *next;
		int n;

		if (sync_queue_rejected(st, q, r, SYNC_REJECTED_SHOWN, &n, err) == -1) {
			free(out);
			return NULL;
		}
		arr = rejected_json(st, r, n, err);
		halted = sync_queue_halted(st, q);
		next = arr != NULL ? json_set_one(st, out, q->json_rejected, arr, true, err) : NULL;
		free(out);
		out = next != NULL ? json_set_one(st, next, q->json_halted, halted, false, err) :
		    NULL;
		free(next);
		free(arr);
		free(halted);
	}
	return out;
}
