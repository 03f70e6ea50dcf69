/*
 * hub-webhook.c: forwards chosen events (shift.closed by default) to a webhook, such as a
 * Telegram bot URL, with the tills' retry discipline: the forward is queued in the same
 * transaction that stores the event, and a sender thread with its own database connection posts
 * it, backing off exponentially with full jitter (capped at 5 minutes) and honouring
 * Retry-After, until the webhook answers 2xx. Nothing is sent twice once it was answered.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <sqlite3.h>

#include "hub-int.h"
#include "xalloc.h"

#define BACKOFF_CAP 300

static const char webhook_schema[] =
	"CREATE TABLE IF NOT EXISTS hub_webhooks ("
	"  id INTEGER PRIMARY KEY, event_id TEXT NOT NULL UNIQUE, body TEXT NOT NULL,"
	"  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent')),"
	"  attempts INTEGER NOT NULL DEFAULT 0, next_at INTEGER NOT NULL DEFAULT 0,"
	"  error TEXT, sent_at TEXT);";

int
hub_webhook_init(struct hub *h, struct kerr *err)
{
	if (sqlite3_exec(store_db(h->st), webhook_schema, NULL, NULL, NULL) != SQLITE_OK)
		return store_error(h->st, err, "creating the webhook queue");
	return 0;
}

bool
hub_webhook_wants(const struct hub *h, const char *type)
{
	size_t len = strlen(type);
	const char *p = h->webhook_types;

	if (h->webhook_url == NULL)
		return false;
	/* A comma-separated list of event types. */
	while (p != NULL && *p != '\0') {
		const char *end = strchr(p, ',');
		size_t n = end != NULL ? (size_t)(end - p) : strlen(p);

		if (n == len && strncmp(p, type, len) == 0)
			return true;
		p = end != NULL ? end + 1 : NULL;
	}
	return false;
}

int
hub_webhook_queue(struct hub *h, const char *device, const char *event_id, const char *type,
    const char *payload)
{
	sqlite3_stmt *q;
	int rc;

	/* The message: the till, the event type and its payload, as JSON built by SQLite. */
	if (sqlite3_prepare_v2(store_db(h->st), "INSERT OR IGNORE INTO hub_webhooks(event_id, "
	    "body) VALUES (?1, json_object('device_id', ?2, 'type', ?3, 'id', ?1, 'payload', "
	    "json(?4)))", -1, &q, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(q, 1, event_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, device, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, type, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, payload, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? 0 : -1;
}

static size_t
discard(char *p, size_t size, size_t n, void *arg)
{
	(void)p; (void)arg;
	return size * n;
}

/* Posts one body; 0 on a 2xx answer, else -1 with *retry_after (seconds, 0 if none). */
static int
post(CURL *curl, const char *url, const char *body, long *retry_after, char *why, size_t size)
{
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
	curl_off_t ra = 0;
	long status = 0;
	CURLcode rc;

	curl_easy_reset(curl);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 5L);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	rc = curl_easy_perform(curl);
	curl_slist_free_all(h);
	*retry_after = 0;
	if (rc != CURLE_OK) {
		snprintf(why, size, "%s", curl_easy_strerror(rc));
		return -1;
	}
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	if (curl_easy_getinfo(curl, CURLINFO_RETRY_AFTER, &ra) == CURLE_OK && ra > 0)
		*retry_after = (long)ra;
	if (status >= 200 && status < 300)
		return 0;
	snprintf(why, size, "HTTP %ld", status);
	return -1;
}

/* Sends what is due; returns the seconds until the next pending one is due (or 1 s). */
static long
send_due(struct hub *h, store *st, CURL *curl)
{
	sqlite3_stmt *q, *u;
	long now = (long)time(NULL), next = 5;
	char why[256];

	if (sqlite3_prepare_v2(store_db(st), "SELECT id, body, attempts, next_at FROM "
	    "hub_webhooks WHERE state = 'pending' ORDER BY id LIMIT 50", -1, &q, NULL) != SQLITE_OK)
		return 5;
	while (sqlite3_step(q) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(q, 0);
		int attempts = sqlite3_column_int(q, 2);
		long due = (long)sqlite3_column_int64(q, 3), retry_after, wait, ceiling = 1;
		char *body;
		int ok;

		if (due > now) {
			if (due - now < next)
				next = due - now;
			continue;
		}
		body = xstrdup((const char *)sqlite3_column_text(q, 1));
		ok = post(curl, h->webhook_url, body, &retry_after, why, sizeof why);
		free(body);
		for (int i = 0; i < attempts && ceiling < BACKOFF_CAP; i++)
			ceiling *= 2;
		if (ceiling > BACKOFF_CAP)
			ceiling = BACKOFF_CAP;
		wait = 1 + random() % ceiling;	/* full jitter */
		if (retry_after > wait)
			wait = retry_after;
		if (sqlite3_prepare_v2(store_db(st), ok == 0 ? "UPDATE hub_webhooks SET state = "
		    "'sent', attempts = attempts + 1, sent_at = datetime('now') WHERE id = ?1" :
		    "UPDATE hub_webhooks SET attempts = attempts + 1, next_at = ?2, error = ?3 WHERE "
		    "id = ?1", -1, &u, NULL) == SQLITE_OK) {
			sqlite3_bind_int64(u, 1, id);
			if (ok != 0) {
				sqlite3_bind_int64(u, 2, now + wait);
				sqlite3_bind_text(u, 3, why, -1, SQLITE_TRANSIENT);
				if (wait < next)
					next = wait;
			}
			sqlite3_step(u);
			sqlite3_finalize(u);
		}
	}
	sqlite3_finalize(q);
	return next > 0 ? next : 1;
}

static void *
sender(void *arg)
{
	struct hub *h = arg;
	struct kerr err;
	store *st = store_open(h->db_path, 0, &err);	/* this thread's own connection */
	CURL *curl = curl_easy_init();

	if (st == NULL || curl == NULL) {
		fprintf(stderr, "kassa-hub: webhook sender: %s\n", st == NULL ? err.msg :
		    "cannot start libcurl");
		store_close(st);
		return NULL;
	}
	srandom((unsigned)time(NULL));
	while (!h->stopping) {
		long next = send_due(h, st, curl);

		for (long i = 0; i < next * 10 && !h->stopping; i++)
			usleep(100 * 1000);
	}
	curl_easy_cleanup(curl);
	store_close(st);
	return NULL;
}

int
hub_webhook_start(struct hub *h, struct kerr *err)
{
	if (h->webhook_url == NULL)
		return 0;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (pthread_create(&h->webhook_thread, NULL, sender, h) != 0)
		return kerr_set(err, KERR_INTERNAL, "cannot start the webhook sender");
	h->webhook_running = true;
	return 0;
}

void
hub_webhook_stop(struct hub *h)
{
	if (!h->webhook_running)
		return;
	h->stopping = 1;
	pthread_join(h->webhook_thread, NULL);
	h->webhook_running = false;
	curl_global_cleanup();
}
