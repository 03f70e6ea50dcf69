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
#include <jansson.h>

#include "hub-int.h"
#include "xalloc.h"

#define BACKOFF_CAP 300

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
	json_error_t jerr;
	json_t *msg = json_pack("{s:s, s:s, s:s, s:o}", "device_id", device, "type", type, "id",
	    event_id, "payload", json_loads(payload, 0, &jerr));
	char *body = msg != NULL ? json_dumps(msg, JSON_COMPACT) : NULL;
	const char *params[2] = { event_id, body };
	struct kerr err;
	int rc = -1;

	if (body != NULL)
		rc = hub_sql(h, "INSERT INTO hub_webhooks(event_id, body) VALUES ($1, $2) ON CONFLICT "
		    "(event_id) DO NOTHING", 2, params, NULL, &err);
	free(body);
	json_decref(msg);
	return rc;
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

/* Sends what is due over h's connection; returns the seconds until the next one is due. */
static long
send_due(struct hub *h, CURL *curl)
{
	long now = (long)time(NULL), next = 5;
	struct hub_rows r;
	struct kerr err;
	char why[256];

	if (hub_sql(h, "SELECT id, body, attempts, next_at FROM hub_webhooks WHERE state = "
	    "'pending' ORDER BY id LIMIT 50", 0, NULL, &r, &err) == -1) {
		hub_db_reconnected(h);	/* after a restart of PostgreSQL: ready for the next round */
		return 5;
	}
	for (int i = 0; i < r.nrows; i++) {
		long due = atol(hub_cell(&r, i, 3)), retry_after, wait, ceiling = 1;
		int attempts = atoi(hub_cell(&r, i, 2)), ok;
		char next_at[24], stamp[32];
		const char *params[3] = { hub_cell(&r, i, 0), next_at, why };

		if (due > now) {
			if (due - now < next)
				next = due - now;
			continue;
		}
		ok = post(curl, h->webhook_url, hub_cell(&r, i, 1), &retry_after, why, sizeof why);
		for (int k = 0; k < attempts && ceiling < BACKOFF_CAP; k++)
			ceiling *= 2;
		if (ceiling > BACKOFF_CAP)
			ceiling = BACKOFF_CAP;
		wait = 1 + random() % ceiling;	/* full jitter */
		if (retry_after > wait)
			wait = retry_after;
		if (ok == 0) {
			params[1] = store_now(stamp, sizeof stamp);
			hub_sql(h, "UPDATE hub_webhooks SET state = 'sent', attempts = attempts + 1, "
			    "sent_at = $2 WHERE id = $1", 2, params, NULL, &err);
		} else {
			snprintf(next_at, sizeof next_at, "%ld", now + wait);
			hub_sql(h, "UPDATE hub_webhooks SET attempts = attempts + 1, next_at = $2, "
			    "error = $3 WHERE id = $1", 3, params, NULL, &err);
			if (wait < next)
				next = wait;
		}
	}
	hub_rows_free(&r);
	return next > 0 ? next : 1;
}

static void *
sender(void *arg)
{
	struct hub *h = arg, mine = *h;		/* the same settings, a connection of its own */
	struct kerr err;
	CURL *curl = curl_easy_init();

	if (hub_db_connect(&mine, h->db_path, &err) == -1 || curl == NULL) {
		fprintf(stderr, "kassa-hub: webhook sender: %s\n", curl == NULL ?
		    "cannot start libcurl" : err.msg);
		if (curl != NULL)
			curl_easy_cleanup(curl);
		return NULL;
	}
	srandom((unsigned)time(NULL));
	while (!h->stopping) {
		long next = send_due(&mine, curl);

		for (long i = 0; i < next * 10 && !h->stopping; i++)
			usleep(100 * 1000);
	}
	curl_easy_cleanup(curl);
	hub_db_close(&mine);
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
