/*
 * hub-http.c: the hub's HTTP side (libmicrohttpd): POST /v1/events and GET /v1/changes of
 * CONTRACT.md section 5.
 *
 * Ingest is idempotent on the event id (the same id with other content is rejected, never
 * stored), checks each device's seq continuity and hash chain, and stores a batch in one
 * transaction. An event the hub refuses on its merits (not its chain) is stored marked
 * rejected, so the chain and the events after it go on. One polling thread serves every
 * connection, so the database connection is used by one thread only.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <microhttpd.h>

#include "hub-int.h"
#include "journal.h"
#include "xalloc.h"

/*
 * Limits on one request, far above what a till sends ([sync] batch <= 5000 events in about
 * 1 MiB, src/sync/sync-push.c), so that a client holding a token cannot make the one thread
 * judge millions of events (8 MiB of {} took 2 GB and 13 s). The count is known only once the
 * body is parsed, and jansson's tree of tiny values is up to ~80 times the body's size, so the
 * body is kept small too.
 */
#define MAX_UPLOAD (4 * 1024 * 1024)  /* the 413 messages below name both */
#define MAX_EVENTS 10000

/*
 * Connections: an idle or slow connection costs a file descriptor and MHD's memory pool even
 * before it is authenticated, so their number is capped. Behind the TLS proxy every request
 * comes from 127.0.0.1, so the per-address cap must still leave room for a whole shop's tills.
 */
#define MAX_CONNECTIONS 256
#define MAX_CONNECTIONS_PER_IP 64

/* One request: its device (authenticated before any body is read) and its body. */
struct upload {
	char *device;
	char *data;
	size_t len;
	bool too_big;
};

static enum MHD_Result
reply(struct MHD_Connection *conn, unsigned int status, const char *body, long retry_after)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body), (void *)body,
	    MHD_RESPMEM_MUST_COPY);
	enum MHD_Result rc;

	MHD_add_response_header(r, "Content-Type", "application/json");
	if (retry_after > 0) {
		char v[24];

		snprintf(v, sizeof v, "%ld", retry_after);
		MHD_add_response_header(r, "Retry-After", v);
	}
	rc = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return rc;
}

/* Sends j (consumed) as the body; JSON jansson cannot write is the hub's own fault: 500. */
static enum MHD_Result
reply_json(struct MHD_Connection *conn, unsigned int status, json_t *j)
{
	char *body = j != NULL ? json_dumps(j, JSON_COMPACT) : NULL;
	enum MHD_Result rc;

	json_decref(j);
	if (body == NULL)
		return reply(conn, 500, "{\"error\":\"the hub could not write its reply\"}", 0);
	rc = reply(conn, status, body, 0);
	free(body);
	return rc;
}

static enum MHD_Result
reply_error(struct MHD_Connection *conn, unsigned int status, const char *msg)
{
	json_t *j = json_pack("{s:s}", "error", msg);

	/* A database message may quote bytes that are not UTF-8: keep the status at least. */
	if (j == NULL)
		j = json_pack("{s:s}", "error", "(an error message that is not UTF-8)");
	return reply_json(conn, status, j);
}

/*
 * The chain's head for a device: seq and hash (0 and zeros when it has no event yet). A failed
 * read is an error, never "no event yet": that would answer a good batch with a seq gap the
 * till does not resend.
 */
static int
device_head(struct hub *h, const char *device, int64_t *seq, char hash[JOURNAL_HASH_HEX],
    struct kerr *err)
{
	const char *params[1] = { device };
	struct hub_rows r;

	*seq = 0;
	memset(hash, '0', 64);
	hash[64] = '\0';
	if (hub_sql(h, "SELECT seq, hash FROM hub_events WHERE device_id = $1 ORDER BY seq DESC "
	    "LIMIT 1", 1, params, &r, err) == -1)
		return -1;
	if (r.nrows == 1) {
		*seq = strtoll(hub_cell(&r, 0, 0), NULL, 10);
		snprintf(hash, JOURNAL_HASH_HEX, "%s", hub_cell(&r, 0, 1));
	}
	hub_rows_free(&r);
	return 0;
}

/* The stored hash of an event id ("" when unknown) into out; -1 when it cannot be read. */
static int
stored_hash(struct hub *h, const char *id, char out[JOURNAL_HASH_HEX], struct kerr *err)
{
	const char *params[1] = { id };
	struct hub_rows r;

	out[0] = '\0';
	if (hub_sql(h, "SELECT hash FROM hub_events WHERE id = $1", 1, params, &r, err) == -1)
		return -1;
	if (r.nrows == 1)
		snprintf(out, JOURNAL_HASH_HEX, "%s", hub_cell(&r, 0, 0));
	hub_rows_free(&r);
	return 0;
}

static int
store_event(struct hub *h, const char *device, json_t *ev, const char *payload,
    const char *error)
{
	char seq[24], now[32];
	const char *params[11];
	struct kerr err;

	snprintf(seq, sizeof seq, "%lld", (long long)json_integer_value(json_object_get(ev,
	    "seq")));
	params[0] = device;
	params[1] = seq;
	params[2] = json_string_value(json_object_get(ev, "id"));
	params[3] = json_string_value(json_object_get(ev, "type"));
	params[4] = json_string_value(json_object_get(ev, "at"));
	params[5] = payload;
	params[6] = json_string_value(json_object_get(ev, "prev_hash"));
	params[7] = json_string_value(json_object_get(ev, "hash"));
	params[8] = error == NULL ? "accepted" : "rejected";
	params[9] = error;
	params[10] = store_now(now, sizeof now);
	return hub_sql(h, "INSERT INTO hub_events(device_id, seq, id, type, at, payload, "
	    "prev_hash, hash, status, error, received_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
	    "$9, $10, $11)", 11, params, NULL, &err);
}

/*
 * What a batch needs to judge its events without queries per event (PostgreSQL made about
 * four round trips of each): the hashes the hub already holds for the batch's ids, read with
 * one query per BATCH_IDS ids, and the device's chain head, read once and moved along as the
 * batch stores its events.
 */
#define BATCH_IDS 500

struct held {
	char *id, *hash;
};

struct batch {
	struct held *held;            /* sorted by id */
	size_t nheld;
	int64_t head_seq;
	char head_hash[JOURNAL_HASH_HEX];
};

static int
cmp_held(const void *a, const void *b)
{
	return strcmp(((const struct held *)a)->id, ((const struct held *)b)->id);
}

static void
batch_close(struct batch *b)
{
	for (size_t i = 0; i < b->nheld; i++) {
		free(b->held[i].id);
		free(b->held[i].hash);
	}
	free(b->held);
	memset(b, 0, sizeof *b);
}

static int
batch_open(struct hub *h, const char *device, json_t *events, struct batch *b,
    struct kerr *err)
{
	size_t n = json_array_size(events), i = 0;

	memset(b, 0, sizeof *b);
	while (i < n) {
		const char *params[BATCH_IDS];
		char sql[64 + BATCH_IDS * 8];
		struct hub_rows r;
		size_t len = (size_t)snprintf(sql, sizeof sql, "SELECT id, hash FROM hub_events "
		    "WHERE id IN (");
		int k = 0;

		for (; i < n && k < BATCH_IDS; i++) {
			const char *id = json_string_value(json_object_get(json_array_get(events, i),
			    "id"));

			if (id == NULL)
				continue;	/* judged malformed later */
			params[k++] = id;
			len += (size_t)snprintf(sql + len, sizeof sql - len, "%s$%d",
			    k > 1 ? ", " : "", k);
		}
		if (k == 0)
			break;
		snprintf(sql + len, sizeof sql - len, ")");
		memset(&r, 0, sizeof r);
		if (hub_sql(h, sql, k, params, &r, err) == -1) {
			batch_close(b);
			return -1;
		}
		if (r.nrows > 0)
			b->held = xreallocarray(b->held, b->nheld + (size_t)r.nrows, sizeof *b->held);
		for (int row = 0; row < r.nrows; row++) {
			b->held[b->nheld].id = xstrdup(hub_cell(&r, row, 0));
			b->held[b->nheld].hash = xstrdup(hub_cell(&r, row, 1));
			b->nheld++;
		}
		hub_rows_free(&r);
	}
	if (b->nheld > 1)
		qsort(b->held, b->nheld, sizeof *b->held, cmp_held);
	if (device_head(h, device, &b->head_seq, b->head_hash, err) == -1) {
		batch_close(b);
		return -1;
	}
	return 0;
}

/* The stored hash of an id ("" when the hub does not hold it) into out. */
static int
batch_stored_hash(struct hub *h, const struct batch *b, const char *id, int64_t seq,
    char out[JOURNAL_HASH_HEX], struct kerr *err)
{
	struct held key = { .id = (char *)id }, *p = NULL;

	if (b->nheld > 0)
		p = bsearch(&key, b->held, b->nheld, sizeof *b->held, cmp_held);
	if (p != NULL)
		snprintf(out, JOURNAL_HASH_HEX, "%s", p->hash);
	else if (seq <= b->head_seq)
		return stored_hash(h, id, out, err); /* only an id this very batch has stored */
	else
		out[0] = '\0';
	return 0;
}

/*
 * Judges one event: *why is NULL when it is accepted or a duplicate (*dup), else why it is
 * rejected; *keep is set when a rejected event is still stored (it is in the chain). Returns
 * -1 when the database could not be read (nothing is judged then).
 */
static int
judge(struct hub *h, struct batch *b, json_t *ev, char **payload, const char **why, bool *dup,
    bool *keep, struct kerr *err)
{
	static char gap[128];
	const char *id = json_string_value(json_object_get(ev, "id"));
	const char *type = json_string_value(json_object_get(ev, "type"));
	const char *at = json_string_value(json_object_get(ev, "at"));
	const char *prev = json_string_value(json_object_get(ev, "prev_hash"));
	const char *hash = json_string_value(json_object_get(ev, "hash"));
	json_t *seqj = json_object_get(ev, "seq"), *pl = json_object_get(ev, "payload");
	char have[JOURNAL_HASH_HEX], mine[JOURNAL_HASH_HEX];
	int64_t seq;

	*why = NULL;
	*dup = *keep = false;
	if (id == NULL || type == NULL || at == NULL || prev == NULL || hash == NULL ||
	    !json_is_integer(seqj) || !json_is_object(pl)) {
		*why = "malformed event";
		return 0;
	}
	seq = json_integer_value(seqj);
	/* The payload as canonical JSON: compact, keys sorted (include/journal.h). */
	*payload = json_dumps(pl, JSON_COMPACT | JSON_SORT_KEYS);
	if (*payload == NULL) {
		*why = "malformed payload";
		return 0;
	}
	if (batch_stored_hash(h, b, id, seq, have, err) == -1)
		return -1;
	if (have[0] != '\0') {
		if (strcmp(have, hash) == 0)
			*dup = true;
		else
			*why = "conflicting content: this id was stored with other content";
	} else if (seq != b->head_seq + 1) {
		snprintf(gap, sizeof gap, "seq gap: expected %lld", (long long)b->head_seq + 1);
		*why = gap;
	} else if (strcmp(prev, b->head_hash) != 0)
		*why = "prev_hash does not match the previous event";
	else {
		journal_hash(prev, id, seq, type, at, *payload, mine);
		if (strcmp(mine, hash) != 0)
			*why = "hash does not match the event's content";
		else if (h->faults.reject_seq == seq) {
			*keep = true;
			*why = "rejected by the hub (test fault)";
		}
	}
	return 0;
}

static enum MHD_Result
post_events(struct hub *h, struct MHD_Connection *conn, const char *device,
    struct upload *up)
{
	json_t *req, *events, *ev, *acc, *dup, *rej, *out;
	json_error_t jerr;
	struct kerr err;
	const char *claimed;
	struct batch b;
	size_t i;

	if (h->faults.fail503 > 0) {
		h->faults.fail503--;
		return reply_error(conn, 503, "unavailable (test fault)");
	}
	if (h->faults.fail429 > 0) {
		h->faults.fail429--;
		return reply(conn, 429, "{\"error\":\"slow down (test fault)\"}", 1);
	}
	req = json_loadb(up->data != NULL ? up->data : "", up->len, 0, &jerr);
	events = json_object_get(req, "events");
	claimed = json_string_value(json_object_get(req, "device_id"));
	if (req == NULL || !json_is_array(events) || claimed == NULL) {
		json_decref(req);
		return reply_error(conn, 400, "expected {device_id, events: [...]}");
	}
	if (strcmp(claimed, device) != 0) {
		json_decref(req);
		return reply_error(conn, 403, "this token belongs to another device");
	}
	if (json_array_size(events) > MAX_EVENTS) {
		json_decref(req);
		return reply_error(conn, 413, "batch too large: more than 10000 events");
	}
	if (hub_begin(h, &err) == -1) {
		json_decref(req);
		return reply_error(conn, 503, err.msg);
	}
	if (batch_open(h, device, events, &b, &err) == -1) {
		hub_rollback(h);
		json_decref(req);
		return reply_error(conn, 503, err.msg);
	}
	acc = json_array();
	dup = json_array();
	rej = json_array();
	json_array_foreach(events, i, ev) {
		char *payload = NULL;
		bool is_dup, keep;
		const char *why, *id = json_string_value(json_object_get(ev, "id"));

		if (judge(h, &b, ev, &payload, &why, &is_dup, &keep, &err) == -1) {
			/* 503, which the till retries: not a verdict on the event. */
			free(payload);
			batch_close(&b);
			hub_rollback(h);
			json_decref(acc); json_decref(dup); json_decref(rej); json_decref(req);
			return reply_error(conn, 503, err.msg);
		}
		if (why == NULL && is_dup)
			json_array_append_new(dup, json_string(id));
		else if (((why == NULL || keep) && store_event(h, device, ev, payload, why) == -1) ||
		    (why == NULL && hub_customer_event(h, device, json_string_value(
		    json_object_get(ev, "type")), json_integer_value(json_object_get(ev, "seq")),
		    payload, &err) == -1) ||
		    (why == NULL && hub_webhook_wants(h, json_string_value(json_object_get(ev,
		    "type"))) && hub_webhook_queue(h, device, id, json_string_value(
		    json_object_get(ev, "type")), payload) == -1)) {
			free(payload);
			batch_close(&b);
			hub_rollback(h);
			json_decref(acc); json_decref(dup); json_decref(rej); json_decref(req);
			return reply_error(conn, 503, "the hub could not store the batch");
		} else if (why == NULL)
			json_array_append_new(acc, json_string(id));
		else
			json_array_append_new(rej, json_pack("{s:s?, s:s}", "id", id, "error", why));
		if ((why == NULL && !is_dup) || keep) {
			/* Stored: the chain's head moves on to it. */
			b.head_seq = json_integer_value(json_object_get(ev, "seq"));
			snprintf(b.head_hash, sizeof b.head_hash, "%s",
			    json_string_value(json_object_get(ev, "hash")));
		}
		free(payload);
	}
	batch_close(&b);
	if (hub_commit(h, &err) == -1) {
		json_decref(acc); json_decref(dup); json_decref(rej); json_decref(req);
		return reply_error(conn, 503, err.msg);
	}
	json_decref(req);
	out = json_pack("{s:o, s:o, s:o}", "accepted", acc, "duplicates", dup, "rejected", rej);
	if (h->faults.drop > 0) {
		/* The batch is stored, but the answer never reaches the till. */
		h->faults.drop--;
		json_decref(out);
		return MHD_NO;
	}
	if (h->faults.badjson > 0) {
		h->faults.badjson--;
		json_decref(out);
		return reply(conn, 200, "<html>proxy error</html>", 0);
	}
	return reply_json(conn, 200, out);
}

/*
 * The cursor is "c" and the change_seq of the last change sent (the hub's own count, which
 * the clock cannot move back); the till sends it back as is. A cursor of the older shape
 * "updated_at|id" is served from the start: a change published under a clock that had stepped
 * back sits behind such a cursor, so only the whole feed is sure to hold it, and a till applies
 * what it already has as a no-op (last-write-wins by updated_at).
 * Only these shapes are taken (so the cursor sent back is plain ASCII, which jansson writes).
 */
static bool
cursor_parse(const char *since, char *after, size_t size)
{
	const char *bar;
	size_t n;

	snprintf(after, size, "0");
	if (since == NULL || *since == '\0')
		return true;
	if (since[0] == 'c') {
		n = strlen(since + 1);
		if (n == 0 || n > 18 || strspn(since + 1, "0123456789") != n)
			return false;
		snprintf(after, size, "%lld", atoll(since + 1));
		return true;
	}
	bar = strchr(since, '|');
	return bar != NULL && bar > since && bar - since < 64 &&
	    strspn(since, "0123456789-:.TZ+") == (size_t)(bar - since) && bar[1] != '\0' &&
	    strlen(bar + 1) <= 18 && strspn(bar + 1, "0123456789") == strlen(bar + 1);
}

static enum MHD_Result
get_changes(struct hub *h, struct MHD_Connection *conn)
{
	const char *since = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "since");
	const char *lim = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "limit");
	char after[24], limit_s[16], cursor[32];
	const char *params[2] = { after, limit_s };
	int limit = lim != NULL ? atoi(lim) : 500;
	json_t *changes, *out;
	struct hub_rows r;
	struct kerr err;

	if (limit <= 0 || limit > 5000)
		limit = 500;
	snprintf(limit_s, sizeof limit_s, "%d", limit + 1);
	if (!cursor_parse(since, after, sizeof after))
		return reply_error(conn, 400, "bad cursor");
	/* Products and customers share the change numbers: one feed, in their order. */
	if (hub_sql(h, "SELECT change_seq, updated_at, deleted, barcode, data, 'product' FROM "
	    "hub_products WHERE change_seq > $1 UNION ALL SELECT change_seq, updated_at, deleted, "
	    "key, NULL, 'customer' FROM hub_customers WHERE change_seq > $1 ORDER BY 1 LIMIT $2", 2,
	    params, &r, &err) == -1)
		return reply_error(conn, 503, err.msg);
	/* Nothing new: the position the till holds, in the current shape. */
	snprintf(cursor, sizeof cursor, "c%s", after);
	changes = json_array();
	for (int i = 0; i < r.nrows && i < limit; i++) {
		json_error_t jerr;
		bool customer = strcmp(hub_cell(&r, i, 5), "customer") == 0;
		json_t *data = customer ? hub_customer_data(h, hub_cell(&r, i, 3), &err) :
		    json_loads(hub_cell(&r, i, 4), 0, &jerr);

		if (data == NULL && customer) {
			json_decref(changes);
			hub_rows_free(&r);
			return reply_error(conn, 503, err.msg);
		}
		json_array_append_new(changes, json_pack("{s:s, s:s, s:s, s:b, s:o}", "entity",
		    hub_cell(&r, i, 5), "key", hub_cell(&r, i, 3), "updated_at", hub_cell(&r, i, 1),
		    "deleted", atoi(hub_cell(&r, i, 2)) != 0, "data",
		    data != NULL ? data : json_object()));
		snprintf(cursor, sizeof cursor, "c%s", hub_cell(&r, i, 0));
	}
	out = json_pack("{s:o, s:s, s:b}", "changes", changes, "cursor", cursor, "more",
	    r.nrows > limit);
	hub_rows_free(&r);
	return reply_json(conn, 200, out);
}

static enum MHD_Result
handle(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
    const char *version, const char *data, size_t *size, void **con_cls)
{
	struct hub *h = cls;
	struct upload *up = *con_cls;
	const char *auth, *clen;
	char *device;
	struct kerr err;
	enum MHD_Result rc;

	(void)version;
	if (up == NULL) {
		/*
		 * The first call has the headers only: a request without a valid token, or that
		 * says its body is too large, is answered now, before its body is read (MHD then
		 * closes the connection), so it costs the hub no memory.
		 */
		auth = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
		device = NULL;
		/* A token the hub cannot look up is its own failure (503, retried), not a 401. */
		if (auth != NULL && strncmp(auth, "Bearer ", 7) == 0 &&
		    hub_device_for_token(h, auth + 7, &device, &err) == -1)
			return reply_error(conn, 503, err.msg);
		if (device == NULL)
			return reply_error(conn, 401, "missing or unknown bearer token");
		clen = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
		if (clen != NULL && strtoull(clen, NULL, 10) > MAX_UPLOAD) {
			free(device);
			return reply_error(conn, 413, "batch too large: more than 4 MiB");
		}
		up = xcalloc(1, sizeof *up);
		up->device = device;
		*con_cls = up;
		return MHD_YES;
	}
	if (*size > 0) {
		if (up->len + *size > MAX_UPLOAD)
			up->too_big = true;
		else {
			up->data = xrealloc(up->data, up->len + *size + 1);
			memcpy(up->data + up->len, data, *size);
			up->len += *size;
			up->data[up->len] = '\0';
		}
		*size = 0;
		return MHD_YES;
	}
	if (up->too_big)
		rc = reply_error(conn, 413, "batch too large: more than 4 MiB");
	else if (strcmp(method, "POST") == 0 && strcmp(url, "/v1/events") == 0)
		rc = post_events(h, conn, up->device, up);
	else if (strcmp(method, "GET") == 0 && strcmp(url, "/v1/changes") == 0)
		rc = get_changes(h, conn);
	else
		rc = reply_error(conn, 404, "no such endpoint");
	return rc;
}

static void
done(void *cls, struct MHD_Connection *conn, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct upload *up = *con_cls;

	(void)cls; (void)conn; (void)toe;
	if (up != NULL) {
		free(up->device);
		free(up->data);
		free(up);
		*con_cls = NULL;
	}
}

int
hub_serve(struct hub *h, const char *listen_addr, struct kerr *err)
{
	struct sockaddr_in sa;
	struct MHD_Daemon *d;
	char host[64];
	const char *colon = strrchr(listen_addr, ':');
	sigset_t set;
	int sig, port;

	if (colon == NULL || (size_t)(colon - listen_addr) >= sizeof host ||
	    (port = atoi(colon + 1)) <= 0 || port > 65535)
		return kerr_set(err, KERR_INPUT, "--listen wants HOST:PORT, e.g. 127.0.0.1:8080");
	memcpy(host, listen_addr, (size_t)(colon - listen_addr));
	host[colon - listen_addr] = '\0';
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
		return kerr_set(err, KERR_INPUT, "--listen: '%s' is not an IPv4 address", host);
	/* Signals are taken by sigwait below, not by the server's thread. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, (uint16_t)port,
	    NULL, NULL, handle, h, MHD_OPTION_SOCK_ADDR, &sa, MHD_OPTION_NOTIFY_COMPLETED, done,
	    NULL, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30, MHD_OPTION_CONNECTION_LIMIT,
	    (unsigned int)MAX_CONNECTIONS, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
	    (unsigned int)MAX_CONNECTIONS_PER_IP, MHD_OPTION_END);
	if (d == NULL)
		return kerr_set(err, KERR_IO, "cannot listen on %s (in use?)", listen_addr);
	if (hub_webhook_start(h, err) == -1) {
		MHD_stop_daemon(d);
		return -1;
	}
	fprintf(stderr, "kassa-hub: listening on %s\n", listen_addr);
	sigwait(&set, &sig);
	MHD_stop_daemon(d);
	hub_webhook_stop(h);
	return 0;
}
