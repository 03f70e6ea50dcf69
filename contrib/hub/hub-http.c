/*
 * hub-http.c: the hub's HTTP side (libmicrohttpd): POST /v1/events and GET /v1/changes of
 * CONTRACT.md section 5.
 *
 * Ingest is idempotent on the event id, checks each device's seq continuity and hash chain,
 * and stores a batch in one transaction. An event the hub refuses on its merits is stored
 * marked rejected, so the chain and the events after it go on. An event the chain cannot take
 * (a seq gap, another prev_hash, a hash that does not match, an id held with other content, an
 * event or payload that cannot be read) is no one event's fault: nothing of the batch is
 * stored and the whole batch is answered 409 with the reason, so the till stops and keeps its
 * events pending instead of having every later event rejected for a gap.
 *
 * One POST /v1/events goes through three steps, each a function: parse the body
 * (ingest_parse), judge each event against the chain (judge), store what the chain takes
 * (store_verdict); post_events runs them and has the one clean-up path. Every handler fills a
 * struct hub_answer, which handle() sends in one place. Test faults act only through
 * hub-fault.c.
 *
 * Requests are served by a pool of worker threads (libmicrohttpd's thread pool, epoll), each
 * with a database connection of its own (worker_hub), so a slow request or a client holding
 * connections holds up no other. What the workers share is behind locks: the faults' counts
 * (hub-fault.c), the changes cache (hub-cache.c), the rate-limited log (hub-log.c) and the
 * count of open connections here (an atomic). The chain of one device is judged by one
 * transaction at a time: SQLite's write lock (BEGIN IMMEDIATE), PostgreSQL's lock on the
 * device's row, so two hub processes on one PostgreSQL database take a till's batch once.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdatomic.h>
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
 * before it is authenticated, so their number is capped (--max-connections, 256, and
 * --max-per-address, 64: behind the TLS proxy every request comes from 127.0.0.1, so the
 * per-address cap must still leave room for a whole shop's tills). A connection idle for
 * IDLE_TIMEOUT seconds is closed: a till's own requests give up after 10 s.
 */
#define IDLE_TIMEOUT 10

/* One request: its device (authenticated before any body is read) and its body. */
struct upload {
	char *device;
	char *data;
	size_t len;
	bool too_big;
};

bool
hub_answer_set(struct hub_answer *a, unsigned int status, const char *body, long retry_after)
{
	free(a->body);
	a->status = status;
	a->body = xstrdup(body);
	a->retry_after = retry_after;
	a->drop = false;
	return true;
}

void
hub_answer_clear(struct hub_answer *a)
{
	free(a->body);
	memset(a, 0, sizeof *a);
}

/* j (consumed) as the answer; JSON jansson cannot write is the hub's own fault: 500. */
static void
answer_json(struct hub_answer *a, unsigned int status, json_t *j)
{
	char *body = j != NULL ? json_dumps(j, JSON_COMPACT) : NULL;

	json_decref(j);
	if (body == NULL) {
		hub_answer_set(a, 500, "{\"error\":\"the hub could not write its reply\"}", 0);
		return;
	}
	free(a->body);
	a->status = status;
	a->body = body;
	a->retry_after = 0;
	a->drop = false;
}

static void
answer_error(struct hub_answer *a, unsigned int status, const char *msg)
{
	answer_json(a, status, json_pack("{s:s}", "error", msg));
}

/*
 * The database failed: 503, which the tills retry, never a verdict. The detail goes to the
 * hub's log only: a database's message can name hosts, roles, tables and columns, which are
 * nobody's business outside.
 */
static void
answer_db_failed(struct hub_answer *a, const char *what, const struct kerr *err)
{
	fprintf(stderr, "kassa-hub: %s: %s\n", what, err->msg);
	answer_error(a, 503, "the hub's database is unavailable: try again later");
}

static enum MHD_Result
send_answer(struct MHD_Connection *conn, const struct hub_answer *a)
{
	const char *body = a->body != NULL ? a->body : "{}";
	struct MHD_Response *r;
	enum MHD_Result rc;

	if (a->drop)
		return MHD_NO;
	r = MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
	MHD_add_response_header(r, "Content-Type", "application/json");
	if (a->retry_after > 0) {
		char v[24];

		snprintf(v, sizeof v, "%ld", a->retry_after);
		MHD_add_response_header(r, "Retry-After", v);
	}
	rc = MHD_queue_response(conn, a->status, r);
	MHD_destroy_response(r);
	return rc;
}

/*
 * The chain's head for a device: seq and hash (0 and zeros when it has no event yet). A failed
 * read is an error, never "no event yet": that would answer a good batch with a seq gap.
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
	/* PostgreSQL: the device's row is locked to the end of the batch's transaction, so that
	 * another hub process taking the same till's batch waits, then reads the head this one
	 * stored (a statement of its own: its snapshot is taken after the wait). */
	if (hub_is_pg(h) && hub_sql(h, "SELECT 1 FROM hub_devices WHERE device_id = $1 FOR UPDATE",
	    1, params, NULL, err) == -1)
		return -1;
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

/*
 * What a batch needs to judge its events without queries per event (PostgreSQL made about
 * four round trips of each): the device's chain head, read once (and locked) and moved along
 * as the batch takes its events; the hashes the hub already holds for the batch's ids, read
 * with one query (PostgreSQL, an array) or one per BATCH_IDS ids (SQLite); and the events this
 * batch takes, stored together once all are judged (store_batch).
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
	json_t **taken;               /* borrowed: the events this batch stores, in order */
	size_t ntaken;
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
	free(b->taken);
	memset(b, 0, sizeof *b);
}

/* The rows of r (id, hash) into b's held list. */
static void
held_add(struct batch *b, const struct hub_rows *r)
{
	if (r->nrows > 0)
		b->held = xreallocarray(b->held, b->nheld + (size_t)r->nrows, sizeof *b->held);
	for (int row = 0; row < r->nrows; row++) {
		b->held[b->nheld].id = xstrdup(hub_cell(r, row, 0));
		b->held[b->nheld].hash = xstrdup(hub_cell(r, row, 1));
		b->nheld++;
	}
}

/* PostgreSQL: the hashes held for the batch's ids in one round trip. */
static int
held_pg(struct hub *h, json_t *events, struct batch *b, struct kerr *err)
{
	struct hub_array ids = { 0 };
	const char *params[1];
	struct hub_rows r;
	json_t *ev;
	size_t i;
	int rc;

	json_array_foreach(events, i, ev) {
		const char *id = json_string_value(json_object_get(ev, "id"));

		if (id != NULL)
			hub_array_add(&ids, id);
	}
	params[0] = hub_array_end(&ids);
	rc = hub_sql(h, "SELECT id, hash FROM hub_events WHERE id = ANY($1::text[])", 1, params,
	    &r, err);
	hub_array_free(&ids);
	if (rc == -1) {
		batch_close(b);
		return -1;
	}
	held_add(b, &r);
	hub_rows_free(&r);
	if (b->nheld > 1)
		qsort(b->held, b->nheld, sizeof *b->held, cmp_held);
	return 0;
}

static int
batch_open(struct hub *h, const char *device, json_t *events, struct batch *b,
    struct kerr *err)
{
	size_t n = json_array_size(events), i = 0;

	memset(b, 0, sizeof *b);
	b->taken = xreallocarray(NULL, n > 0 ? n : 1, sizeof *b->taken);
	if (device_head(h, device, &b->head_seq, b->head_hash, err) == -1) {
		batch_close(b);
		return -1;
	}
	if (hub_is_pg(h))
		return held_pg(h, events, b, err);
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
		held_add(b, &r);
		hub_rows_free(&r);
	}
	if (b->nheld > 1)
		qsort(b->held, b->nheld, sizeof *b->held, cmp_held);
	return 0;
}

/* The hash the hub holds for an id, before this batch or taken by it ("" when none). */
static void
batch_stored_hash(const struct batch *b, const char *id, int64_t seq,
    char out[JOURNAL_HASH_HEX])
{
	struct held key = { .id = (char *)id }, *p = NULL;

	out[0] = '\0';
	if (b->nheld > 0)
		p = bsearch(&key, b->held, b->nheld, sizeof *b->held, cmp_held);
	if (p != NULL) {
		snprintf(out, JOURNAL_HASH_HEX, "%s", p->hash);
		return;
	}
	/* Only an event this very batch has taken can be held without being in the list, and
	 * only one at or below the moved head (an event sent twice in one batch). */
	if (seq > b->head_seq)
		return;
	for (size_t i = 0; i < b->ntaken; i++) {
		if (strcmp(json_string_value(json_object_get(b->taken[i], "id")), id) == 0) {
			snprintf(out, JOURNAL_HASH_HEX, "%s",
			    json_string_value(json_object_get(b->taken[i], "hash")));
			return;
		}
	}
}


/* What the hub makes of one event. */
enum verdict_kind {
	VERDICT_ACCEPT,              /* stored */
	VERDICT_DUPLICATE,           /* held already with this hash: not stored again */
	VERDICT_REFUSE,              /* refused on its merits: stored marked rejected, the chain
	                              * goes on */
	VERDICT_BREAK                /* the chain cannot take it: the batch is answered 409 */
};

struct verdict {
	enum verdict_kind kind;
	char *payload;               /* the canonical payload (owned), for ACCEPT and REFUSE */
	char why[160];               /* for REFUSE and BREAK */
};

static void
verdict_clear(struct verdict *v)
{
	free(v->payload);
	memset(v, 0, sizeof *v);
}

static int
verdict_break(struct verdict *v, const char *why)
{
	v->kind = VERDICT_BREAK;
	snprintf(v->why, sizeof v->why, "%s", why);
	return 0;
}

/*
 * Judges one event against the batch's chain head into *v (cleared by the caller). All it
 * needs was read by batch_open, so judging asks the database nothing; returns 0.
 */
static int
judge(struct hub *h, const struct batch *b, json_t *ev, struct verdict *v)
{
	const char *id = json_string_value(json_object_get(ev, "id"));
	const char *type = json_string_value(json_object_get(ev, "type"));
	const char *at = json_string_value(json_object_get(ev, "at"));
	const char *prev = json_string_value(json_object_get(ev, "prev_hash"));
	const char *hash = json_string_value(json_object_get(ev, "hash"));
	json_t *seqj = json_object_get(ev, "seq");
	char have[JOURNAL_HASH_HEX], mine[JOURNAL_HASH_HEX], why[64];
	const char *bad, *merits;
	int64_t seq;

	if (id == NULL || type == NULL || at == NULL || prev == NULL || hash == NULL ||
	    !json_is_integer(seqj))
		return verdict_break(v, "malformed event: id, seq, type, at, prev_hash and hash "
		    "expected");
	seq = json_integer_value(seqj);
	v->payload = hub_canon_payload(json_object_get(ev, "payload"), &bad);
	if (v->payload == NULL)
		return verdict_break(v, bad);
	batch_stored_hash(b, id, seq, have);
	if (have[0] != '\0') {
		if (strcmp(have, hash) != 0)
			return verdict_break(v, "conflicting content: this id was stored with other "
			    "content");
		v->kind = VERDICT_DUPLICATE;
		return 0;
	}
	if (seq != b->head_seq + 1) {
		snprintf(why, sizeof why, "seq gap: expected %lld", (long long)b->head_seq + 1);
		return verdict_break(v, why);
	}
	if (strcmp(prev, b->head_hash) != 0)
		return verdict_break(v, "prev_hash does not match the previous event");
	journal_hash(prev, id, seq, type, at, v->payload, mine);
	if (strcmp(mine, hash) != 0)
		return verdict_break(v, "hash does not match the event's content");
	merits = hub_fault_verdict(&hub_root(h)->faults, seq);
	if (merits != NULL) {
		v->kind = VERDICT_REFUSE;
		snprintf(v->why, sizeof v->why, "%s", merits);
	} else
		v->kind = VERDICT_ACCEPT;
	return 0;
}

/*
 * What an accepted event moves besides its own row, in the batch's transaction: a customer's
 * figures, the till's stock (hub-stock.c, published to the other tills), the owner's Telegram
 * message, the webhook's forward (each only for the types that concern it).
 */
static int
stored_effects(struct hub *h, const char *device, json_t *ev, const struct verdict *v,
    struct kerr *err)
{
	const char *type = json_string_value(json_object_get(ev, "type"));
	const char *id = json_string_value(json_object_get(ev, "id"));

	if (v->kind != VERDICT_ACCEPT)
		return 0;
	/* A customer's figures move with the event, in the same transaction. */
	if (hub_customer_event(h, device, type, json_integer_value(json_object_get(ev, "seq")),
	    v->payload, err) == -1)
		return -1;
	if (hub_stock_apply(h, device, type, json_object_get(ev, "payload"), err) == -1)
		return -1;
	if (hub_telegram_queue(h, device, id, type, v->payload, err) == -1)
		return kerr_set(err, KERR_IO, "queueing the telegram message of event %s", id);
	if (!hub_webhook_wants(h, type))
		return 0;
	if (hub_webhook_queue(h, device, id, type, v->payload) == -1)
		return kerr_set(err, KERR_IO, "queueing the webhook of event %s", id);
	return 0;
}

/* Stores an accepted or refused event (and queues an accepted one's webhook). */
static int
store_verdict(struct hub *h, const char *device, json_t *ev, const struct verdict *v,
    struct kerr *err)
{
	const char *type = json_string_value(json_object_get(ev, "type"));
	const char *id = json_string_value(json_object_get(ev, "id"));
	bool refused = v->kind == VERDICT_REFUSE;
	char seq[24], now[32];
	const char *params[11];

	snprintf(seq, sizeof seq, "%lld", (long long)json_integer_value(json_object_get(ev,
	    "seq")));
	params[0] = device;
	params[1] = seq;
	params[2] = id;
	params[3] = type;
	params[4] = json_string_value(json_object_get(ev, "at"));
	params[5] = v->payload;
	params[6] = json_string_value(json_object_get(ev, "prev_hash"));
	params[7] = json_string_value(json_object_get(ev, "hash"));
	params[8] = refused ? "rejected" : "accepted";
	params[9] = refused ? v->why : NULL;
	params[10] = store_now(now, sizeof now);
	if (hub_sql(h, "INSERT INTO hub_events(device_id, seq, id, type, at, payload, "
	    "prev_hash, hash, status, error, received_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
	    "$9, $10, $11)", 11, params, NULL, err) == -1)
		return -1;
	return stored_effects(h, device, ev, v, err);
}

/*
 * PostgreSQL: the batch's events in one statement (a round trip per batch, not per event:
 * one till's ingest went from 13 000 to 39 000 events/s in kassa-fleet), the columns as
 * arrays that unnest() turns back into rows. The checks are the same: the primary key
 * (device_id, seq) and the unique id.
 */
static int
store_batch_pg(struct hub *h, const char *device, json_t **evs, const struct verdict *vs,
    size_t n, struct kerr *err)
{
	struct hub_array col[9];
	const char *params[11];
	char now[32];
	int rc;

	memset(col, 0, sizeof col);
	for (size_t k = 0; k < n; k++) {
		json_t *ev = evs[k];
		bool refused = vs[k].kind == VERDICT_REFUSE;
		char seq[24];

		snprintf(seq, sizeof seq, "%lld", (long long)json_integer_value(json_object_get(ev,
		    "seq")));
		hub_array_add(&col[0], seq);
		hub_array_add(&col[1], json_string_value(json_object_get(ev, "id")));
		hub_array_add(&col[2], json_string_value(json_object_get(ev, "type")));
		hub_array_add(&col[3], json_string_value(json_object_get(ev, "at")));
		hub_array_add(&col[4], vs[k].payload);
		hub_array_add(&col[5], json_string_value(json_object_get(ev, "prev_hash")));
		hub_array_add(&col[6], json_string_value(json_object_get(ev, "hash")));
		hub_array_add(&col[7], refused ? "rejected" : "accepted");
		hub_array_add(&col[8], refused ? vs[k].why : NULL);
	}
	params[0] = device;
	params[1] = store_now(now, sizeof now);
	for (int c = 0; c < 9; c++)
		params[2 + c] = hub_array_end(&col[c]);
	rc = hub_sql(h, "INSERT INTO hub_events(device_id, seq, id, type, at, payload, prev_hash, "
	    "hash, status, error, received_at) SELECT $1, u.seq, u.id, u.type, u.at, u.payload, "
	    "u.prev_hash, u.hash, u.status, u.error, $2 FROM unnest($3::bigint[], $4::text[], "
	    "$5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[]) "
	    "AS u(seq, id, type, at, payload, prev_hash, hash, status, error)", 11, params, NULL,
	    err);
	for (int c = 0; c < 9; c++)
		hub_array_free(&col[c]);
	if (rc == -1)
		return -1;
	for (size_t k = 0; k < n; k++)
		if (stored_effects(h, device, evs[k], &vs[k], err) == -1)
			return -1;
	return 0;
}

/* Stores the events a batch takes (b->taken, their verdicts in vs), in its transaction. */
static int
store_batch(struct hub *h, const char *device, const struct batch *b, const struct verdict *vs,
    struct kerr *err)
{
	if (b->ntaken == 0)
		return 0;
	if (hub_is_pg(h))
		return store_batch_pg(h, device, b->taken, vs, b->ntaken, err);
	/* SQLite: a statement is a function call, not a round trip. */
	for (size_t k = 0; k < b->ntaken; k++)
		if (store_verdict(h, device, b->taken[k], &vs[k], err) == -1)
			return -1;
	return 0;
}

/* One POST /v1/events: what it holds, all owned and freed by ingest_free. */
struct ingest {
	json_t *req;                 /* the parsed body */
	json_t *events;              /* borrowed from req */
	struct batch b;              /* held hashes, the moving chain head, the events taken */
	struct verdict *verdicts;    /* verdicts[k]: of b.taken[k]; one slot more for the next */
	json_t *accepted, *duplicates, *rejected;   /* the reply's lists */
	bool in_tx;                  /* a transaction is open (rolled back unless committed) */
};

static void
ingest_free(struct hub *h, struct ingest *in)
{
	if (in->in_tx)
		hub_rollback(h);
	for (size_t k = 0; in->verdicts != NULL && k <= json_array_size(in->events); k++)
		verdict_clear(&in->verdicts[k]);
	free(in->verdicts);
	batch_close(&in->b);
	json_decref(in->accepted);
	json_decref(in->duplicates);
	json_decref(in->rejected);
	json_decref(in->req);
	memset(in, 0, sizeof *in);
}

/* Parses and checks the body's shape; -1 with *a answered (400, 403, 413) when it fails. */
static int
ingest_parse(struct ingest *in, const struct upload *up, struct hub_answer *a)
{
	json_error_t jerr;
	const char *claimed;

	in->req = json_loadb(up->data != NULL ? up->data : "", up->len, 0, &jerr);
	in->events = json_object_get(in->req, "events");
	claimed = json_string_value(json_object_get(in->req, "device_id"));
	if (in->req == NULL || !json_is_array(in->events) || claimed == NULL) {
		answer_error(a, 400, "expected {device_id, events: [...]}");
		return -1;
	}
	if (strcmp(claimed, up->device) != 0) {
		answer_error(a, 403, "this token belongs to another device");
		return -1;
	}
	if (json_array_size(in->events) > MAX_EVENTS) {
		answer_error(a, 413, "batch too large: more than 10000 events");
		return -1;
	}
	in->verdicts = xcalloc(json_array_size(in->events) + 1, sizeof *in->verdicts);
	in->accepted = json_array();
	in->duplicates = json_array();
	in->rejected = json_array();
	return 0;
}

/* The 409 of a chain break: the reason, and which event, so the till can say so. */
static void
answer_break(struct hub_answer *a, json_t *ev, const struct verdict *v)
{
	json_t *seq = json_object_get(ev, "seq");
	char msg[224];

	if (json_is_integer(seq))
		snprintf(msg, sizeof msg, "event %lld: %s", (long long)json_integer_value(seq),
		    v->why);
	else
		snprintf(msg, sizeof msg, "%s", v->why);
	answer_json(a, 409, json_pack("{s:s, s:s?, s:O?}", "error", msg, "id",
	    json_string_value(json_object_get(ev, "id")), "seq", json_is_integer(seq) ? seq :
	    NULL));
}

static void
post_events(struct hub *h, const struct upload *up, struct hub_answer *a)
{
	struct ingest in = { 0 };
	struct kerr err;
	json_t *ev;
	size_t i;

	if (hub_fault_answer(&hub_root(h)->faults, HUB_FAULT_BEFORE, a))
		return;
	if (ingest_parse(&in, up, a) == -1)
		goto out;
	if (hub_begin(h, &err) == -1) {
		answer_db_failed(a, "beginning a batch", &err);
		goto out;
	}
	in.in_tx = true;
	if (batch_open(h, up->device, in.events, &in.b, &err) == -1) {
		answer_db_failed(a, "reading the chain", &err);
		goto out;
	}
	json_array_foreach(in.events, i, ev) {
		const char *id = json_string_value(json_object_get(ev, "id"));
		struct verdict *v = &in.verdicts[in.b.ntaken];	/* the next free slot */

		verdict_clear(v);
		judge(h, &in.b, ev, v);
		if (v->kind == VERDICT_BREAK) {
			answer_break(a, ev, v);
			goto out;
		}
		if (v->kind == VERDICT_DUPLICATE) {
			json_array_append_new(in.duplicates, json_string(id));
			continue;
		}
		if (v->kind == VERDICT_ACCEPT)
			json_array_append_new(in.accepted, json_string(id));
		else
			json_array_append_new(in.rejected, json_pack("{s:s, s:s}", "id", id,
			    "error", v->why));
		/* Taken: the chain's head moves on to it; it is stored with the rest below. */
		in.b.taken[in.b.ntaken++] = ev;
		in.b.head_seq = json_integer_value(json_object_get(ev, "seq"));
		snprintf(in.b.head_hash, sizeof in.b.head_hash, "%s",
		    json_string_value(json_object_get(ev, "hash")));
	}
	if (store_batch(h, up->device, &in.b, in.verdicts, &err) == -1) {
		answer_db_failed(a, "storing a batch", &err);
		goto out;
	}
	in.in_tx = false;		/* a failed commit rolls back itself */
	if (hub_commit(h, &err) == -1) {
		answer_db_failed(a, "committing a batch", &err);
		goto out;
	}
	answer_json(a, 200, json_pack("{s:O, s:O, s:O}", "accepted", in.accepted, "duplicates",
	    in.duplicates, "rejected", in.rejected));
	hub_fault_answer(&hub_root(h)->faults, HUB_FAULT_REPLY, a);
out:
	ingest_free(h, &in);
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

/* One page of the changes after change number `after` (decimal), at most limit of them. */
static void
changes_page(struct hub *h, const char *after, int limit, struct hub_answer *a)
{
	char limit_s[16], cursor[32];
	const char *params[2] = { after, limit_s };
	json_t *changes, *out;
	struct hub_rows r;
	struct kerr err;

	snprintf(limit_s, sizeof limit_s, "%d", limit + 1);
	/* Products, customers and the tills' stock share the change numbers: one feed, in
	 * their order. A till's stock is keyed DEVICE/BARCODE; one without a barcode is not
	 * shown. */
	if (hub_sql(h, "SELECT change_seq, updated_at, deleted, barcode, data, 'product' FROM "
	    "hub_products WHERE change_seq > $1 UNION ALL SELECT change_seq, updated_at, deleted, "
	    "key, NULL, 'customer' FROM hub_customers WHERE change_seq > $1 UNION ALL SELECT "
	    "change_seq, updated_at, 0, device_id || '/' || barcode, data, 'stock' FROM hub_stock "
	    "WHERE change_seq > $1 AND barcode IS NOT NULL ORDER BY 1 LIMIT $2", 2, params, &r,
	    &err) == -1) {
		answer_db_failed(a, "reading the changes", &err);
		return;
	}
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
			answer_db_failed(a, "reading a customer", &err);
			return;
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
	answer_json(a, 200, out);
}

/*
 * GET /v1/changes: the page comes from the cache while no change was published since it was
 * written (hub-cache.c), so a fleet polling an unchanged catalogue costs the hub the token's
 * and the counter's lookups per request.
 */
static void
get_changes(struct hub *h, struct MHD_Connection *conn, struct hub_answer *a)
{
	const char *since = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "since");
	const char *lim = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "limit");
	int limit = lim != NULL ? atoi(lim) : 500;
	char after[24], key[48], *body;
	struct kerr err;
	int64_t gen;

	if (limit <= 0 || limit > 5000)
		limit = 500;
	if (!cursor_parse(since, after, sizeof after)) {
		answer_error(a, 400, "bad cursor");
		return;
	}
	if (hub_change_generation(h, &gen, &err) == -1) {
		answer_db_failed(a, "reading the changes", &err);
		return;
	}
	snprintf(key, sizeof key, "%s/%d", after, limit);
	body = hub_cache_get(key, gen);
	if (body != NULL) {
		hub_answer_clear(a);
		a->status = 200;
		a->body = body;
		return;
	}
	changes_page(h, after, limit, a);
	if (a->status == 200)
		hub_cache_put(key, gen, a->body);
}

/*
 * Each worker thread's own struct hub: the settings of the process's hub and a database
 * connection of its own, opened on the thread's first request and closed when the thread
 * ends (MHD_stop_daemon joins them).
 */
static pthread_key_t worker_key;
static pthread_once_t worker_once = PTHREAD_ONCE_INIT;

static void
worker_free(void *p)
{
	struct hub *w = p;

	hub_db_close(w);
	free(w);
}

static void
worker_key_make(void)
{
	if (pthread_key_create(&worker_key, worker_free) != 0)
		abort();	/* only when the process is out of keys: nothing else could run */
}

/* This thread's hub; NULL with err when its database connection cannot be opened. */
static struct hub *
worker_hub(struct hub *root, struct kerr *err)
{
	struct hub *w;

	pthread_once(&worker_once, worker_key_make);
	w = pthread_getspecific(worker_key);
	if (w != NULL)
		return w;
	w = xmalloc(sizeof *w);
	*w = *root;
	w->root = root;
	w->st = NULL;
	w->pg = NULL;
	w->pg_lost = false;
	w->writing = false;
	w->webhook_running = false;
	if (hub_db_connect(w, root->db_path, err) == -1) {
		hub_db_close(w);
		free(w);
		return NULL;	/* the next request on this thread tries again */
	}
	pthread_setspecific(worker_key, w);
	return w;
}

/* The token's device; a lookup that lost the PostgreSQL connection is tried once more. */
static int
device_for_token(struct hub *h, const char *token, char **device, struct kerr *err)
{
	if (hub_device_for_token(h, token, device, err) == 0)
		return 0;
	return hub_db_reconnected(h) ? hub_device_for_token(h, token, device, err) : -1;
}

/* A request whose body has been read. One whose database connection was lost (a 503 with
 * hub_db_reconnected) runs once more on the new connection: its transaction was rolled back
 * with the old one, so nothing of the first try remains. */
static void
route(struct hub *h, struct MHD_Connection *conn, const struct upload *up, const char *url,
    const char *method, struct hub_answer *a)
{
	for (int tries = 0; tries < 2; tries++) {
		if (up->too_big)
			answer_error(a, 413, "batch too large: more than 4 MiB");
		else if (strcmp(method, "POST") == 0 && strcmp(url, "/v1/events") == 0)
			post_events(h, up, a);
		else if (strcmp(method, "GET") == 0 && strcmp(url, "/v1/changes") == 0)
			get_changes(h, conn, a);
		else
			answer_error(a, 404, "no such endpoint");
		if (a->status != 503 || !hub_db_reconnected(h))
			return;
	}
}

static enum MHD_Result
handle(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
    const char *version, const char *data, size_t *size, void **con_cls)
{
	struct kerr err;
	struct hub *h = worker_hub(cls, &err);
	struct upload *up = *con_cls;
	struct hub_answer a = { 0 };
	const char *auth, *clen;
	char *device = NULL;
	enum MHD_Result rc;

	(void)version;
	if (h == NULL) {
		/* Only a connection's first call can meet this: its thread keeps what it opened. */
		answer_db_failed(&a, "opening a worker's database connection", &err);
	} else if (up == NULL) {
		/*
		 * The first call has the headers only: a request without a valid token, or that
		 * says its body is too large, is answered now, before its body is read (MHD then
		 * closes the connection), so it costs the hub no memory.
		 */
		auth = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
		clen = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
		/* A token the hub cannot look up is its own failure (503, retried), not a 401. */
		if (auth != NULL && strncmp(auth, "Bearer ", 7) == 0 &&
		    device_for_token(h, auth + 7, &device, &err) == -1)
			answer_db_failed(&a, "looking up a token", &err);
		else if (device == NULL)
			answer_error(&a, 401, "missing or unknown bearer token");
		else if (clen != NULL && strtoull(clen, NULL, 10) > MAX_UPLOAD)
			answer_error(&a, 413, "batch too large: more than 4 MiB");
		else {
			up = xcalloc(1, sizeof *up);
			up->device = device;
			*con_cls = up;
			return MHD_YES;
		}
		free(device);
	} else if (*size > 0) {
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
	} else
		route(h, conn, up, url, method, &a);
	rc = send_answer(conn, &a);
	hub_answer_clear(&a);
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

/*
 * The total limit is the hub's own, checked as a connection is accepted: libmicrohttpd's own
 * total limit stops accepting when reached, so connections over it waited in the listen queue
 * (and a till's libcurl gave up after 10 s) instead of being refused. Over the per-address
 * limit libmicrohttpd closes the connection at once itself. Either way the refusal is counted,
 * never logged one line each (hub-log.c).
 */
static atomic_uint open_connections;

static enum MHD_Result
accept_policy(void *cls, const struct sockaddr *addr, socklen_t len)
{
	struct hub *h = cls;

	(void)addr; (void)len;
	if (atomic_load(&open_connections) >= h->max_connections) {
		hub_log_refused();
		return MHD_NO;	/* closed at once */
	}
	return MHD_YES;
}

static void
connection_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
    enum MHD_ConnectionNotificationCode toe)
{
	(void)cls; (void)conn; (void)socket_context;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED)
		atomic_fetch_add(&open_connections, 1);
	else if (toe == MHD_CONNECTION_NOTIFY_CLOSED)
		atomic_fetch_sub(&open_connections, 1);
}

int
hub_serve(struct hub *h, const char *listen_addr, struct kerr *err)
{
	struct sockaddr_in sa;
	struct MHD_Daemon *d;
	struct timespec tick = { .tv_sec = 2 };
	char host[64];
	const char *colon = strrchr(listen_addr, ':');
	sigset_t set;
	int sig, port;
	unsigned int backstop;

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
	/* Signals are taken by sigtimedwait below, not by the server's threads. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* libmicrohttpd's own total limit only as a backstop above the hub's (it splits it among
	 * the workers, and at its limit a worker stops accepting). */
	backstop = 2 * h->max_connections + 16 * h->threads;
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG,
	    (uint16_t)port, accept_policy, h, handle, h,
	    MHD_OPTION_EXTERNAL_LOGGER, hub_log_mhd, NULL, MHD_OPTION_SOCK_ADDR, &sa,
	    MHD_OPTION_THREAD_POOL_SIZE, h->threads, MHD_OPTION_NOTIFY_COMPLETED, done, NULL,
	    MHD_OPTION_NOTIFY_CONNECTION, connection_notify, NULL,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)IDLE_TIMEOUT,
	    MHD_OPTION_CONNECTION_LIMIT, backstop,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, h->max_per_address,
	    MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned int)1024, MHD_OPTION_END);
	if (d == NULL)
		return kerr_set(err, KERR_IO, "cannot listen on %s (in use?)", listen_addr);
	/* The connection opened at start (which created the tables) has done its work: the
	 * workers and the webhook and Telegram senders open their own. */
	hub_db_close(h);
	if (hub_webhook_start(h, err) == -1 || hub_telegram_start(h, err) == -1) {
		MHD_stop_daemon(d);
		hub_webhook_stop(h);
		return -1;
	}
	fprintf(stderr, "kassa-hub: listening on %s (%u threads, at most %u connections, %u per "
	    "address)\n", listen_addr, h->threads, h->max_connections, h->max_per_address);
	/* Every 2 s the counts of a log period that has ended are written. */
	while ((sig = sigtimedwait(&set, NULL, &tick)) == -1)
		hub_log_flush(false);
	MHD_stop_daemon(d);
	hub_webhook_stop(h);
	hub_telegram_stop(h);
	hub_log_flush(true);
	return 0;
}
