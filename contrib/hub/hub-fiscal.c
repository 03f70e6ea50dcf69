/*
 * hub-fiscal.c: `kassa-hub fiscal-sim`, a SIMULATOR of the tax service's fiscal gateway
 * (CONTRACT.md section 8) for the demo and the tests. It is not the tax service: its signs are
 * an HMAC-SHA256 under a test key, worthless outside this project.
 *
 * POST /v1/documents with a bearer token (any non-empty one: the token names the terminal,
 * "SIM" and 9 hex digits of its hash). The document is checked as the real gateway would:
 * every line's MXIK 17 digits, its total price x qty - discount, its VAT the share of the rate
 * in the total, the lines adding up to cash + card + other; a refund citing a sign this
 * simulator gave; times never going back for a terminal. A good document gets the next
 * receipt number of its terminal and a sign, stored; the same id again gets the same reply
 * (checked before anything else). A bad one gets 422 {"error": ...} and nothing is stored.
 * The test faults of `--fault` (503:N 429:N drop:N badjson:N) act as on `serve`.
 *
 * Its own SQLite file (--db PATH, created), one connection used by the server's one thread.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <microhttpd.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sqlite3.h>

#include "fiscal.h"
#include "hub-int.h"
#include "money.h"
#include "xalloc.h"

#define SIM_KEY "kassa fiscal SIMULATOR test key: not a tax service key"
#define SIM_MAX_BODY (1024 * 1024)

struct sim {
	sqlite3 *db;
	struct hub_faults *faults;
};

struct sim_upload {
	char *token;
	char *data;
	size_t len;
	bool too_big;
};

static void
hex(const unsigned char *b, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
	out[2 * n] = '\0';
}

/* The terminal a token stands for: "SIM" and 9 hex digits of its SHA-256, upper case. */
static void
terminal_of(const char *token, char *out, size_t size)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	char h[2 * EVP_MAX_MD_SIZE + 1];

	EVP_Digest(token, strlen(token), md, &n, EVP_sha256(), NULL);
	hex(md, n, h);
	for (char *p = h; *p != '\0'; p++)
		if (*p >= 'a' && *p <= 'f')
			*p = (char)(*p - 'a' + 'A');
	snprintf(out, size, "SIM%.9s", h);
}

static void
set_error(struct hub_answer *a, unsigned int status, const char *msg)
{
	json_t *j = json_pack("{s:s}", "error", msg);
	char *s = json_dumps(j, JSON_COMPACT);

	hub_answer_set(a, status, s != NULL ? s : "{}", 0);
	free(s);
	json_decref(j);
}

/* One SQL step with text binds (NULL-terminated), returning the first column of the first row
 * as malloc'd text (or NULL). */
static char *
sql_text(sqlite3 *db, const char *sql, ...)
{
	sqlite3_stmt *q;
	va_list ap;
	const char *v;
	char *out = NULL;
	int i = 1;

	if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
		return NULL;
	va_start(ap, sql);
	while ((v = va_arg(ap, const char *)) != NULL)
		sqlite3_bind_text(q, i++, v, -1, SQLITE_TRANSIENT);
	va_end(ap);
	if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0) != NULL)
		out = xstrdup((const char *)sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	return out;
}

static bool
is_int(json_t *j)
{
	return json_is_integer(j);
}

/* The rules; NULL when the document keeps them, else why not (into buf). */
static const char *
judge(struct sim *s, const char *terminal, json_t *d, char *buf, size_t size)
{
	json_t *lines = json_object_get(d, "lines"), *l;
	const char *kind = json_string_value(json_object_get(d, "kind"));
	const char *at = json_string_value(json_object_get(d, "at"));
	money_t sum = 0;
	char *last;
	size_t i;

	if (kind == NULL || (strcmp(kind, "sale") != 0 && strcmp(kind, "refund") != 0 &&
	    strcmp(kind, "shift_open") != 0 && strcmp(kind, "shift_close") != 0))
		return "kind must be sale, refund, shift_open or shift_close";
	if (at == NULL || strlen(at) < 20 || at[10] != 'T')
		return "at must be an RFC 3339 UTC time";
	if (!is_int(json_object_get(d, "number")) || !json_is_array(lines) ||
	    !is_int(json_object_get(d, "cash")) || !is_int(json_object_get(d, "card")) ||
	    !is_int(json_object_get(d, "other")))
		return "number, lines, cash, card and other are required";
	json_array_foreach(lines, i, l) {
		const char *mxik = json_string_value(json_object_get(l, "mxik"));
		json_t *qty = json_object_get(l, "qty"), *price = json_object_get(l, "price");
		json_t *disc = json_object_get(l, "discount"), *tot = json_object_get(l, "total");
		json_t *rate = json_object_get(l, "vat_rate"), *vat = json_object_get(l, "vat");
		money_t gross, want_vat, diff;

		if (!json_is_string(json_object_get(l, "barcode")) ||
		    !json_is_string(json_object_get(l, "name")) || !is_int(qty) || !is_int(price) ||
		    !is_int(disc) || !is_int(tot) || !is_int(rate) || !is_int(vat))
			return snprintf(buf, size, "line %zu: barcode, name, mxik, qty, price, "
			    "discount, total, vat_rate and vat are required", i + 1), buf;
		if (mxik == NULL || !fiscal_mxik_valid(mxik))
			return snprintf(buf, size, "line %zu: the MXIK code must be 17 digits",
			    i + 1), buf;
		if (json_integer_value(qty) <= 0 || json_integer_value(price) < 0 ||
		    json_integer_value(rate) < 0 || json_integer_value(rate) > 100)
			return snprintf(buf, size, "line %zu: bad qty, price or vat_rate",
			    i + 1), buf;
		if (!money_times_qty(json_integer_value(price), json_integer_value(qty), &gross))
			return "amount too large";
		/* A refund's line is its share of the sale's line: a tiyin either way. */
		diff = gross - json_integer_value(disc) - json_integer_value(tot);
		if (diff > 1 || diff < -1 || (strcmp(kind, "sale") == 0 && diff != 0))
			return snprintf(buf, size, "line %zu: total is not price x qty - discount",
			    i + 1), buf;
		want_vat = money_vat_included(json_integer_value(tot),
		    (int)json_integer_value(rate) * 100);
		diff = want_vat - json_integer_value(vat);
		if (diff > 1 || diff < -1)
			return snprintf(buf, size, "line %zu: vat is not the %lld%% included in "
			    "the total", i + 1, (long long)json_integer_value(rate)), buf;
		sum += json_integer_value(tot);
	}
	if ((strcmp(kind, "sale") == 0 || strcmp(kind, "refund") == 0) &&
	    sum != json_integer_value(json_object_get(d, "cash")) +
	    json_integer_value(json_object_get(d, "card")) +
	    json_integer_value(json_object_get(d, "other")))
		return "the lines do not add up to cash + card + other";
	if (strcmp(kind, "refund") == 0) {
		json_t *of = json_object_get(d, "refund_of");
		const char *t = json_string_value(json_object_get(of, "terminal_id"));
		const char *sign = json_string_value(json_object_get(of, "fiscal_sign"));
		json_t *seq = json_object_get(of, "receipt_seq");
		char num[24], *known;

		if (t == NULL || sign == NULL || !is_int(seq))
			return "a refund must cite its sale: refund_of {terminal_id, receipt_seq, "
			    "fiscal_sign}";
		snprintf(num, sizeof num, "%lld", (long long)json_integer_value(seq));
		known = sql_text(s->db, "SELECT id FROM sim_documents WHERE terminal = ?1 AND "
		    "receipt_seq = ?2 AND sign = ?3 AND kind = 'sale'", t, num, sign, NULL);
		free(known);
		if (known == NULL)
			return "refund_of cites no receipt this gateway signed";
	}
	last = sql_text(s->db, "SELECT max(at) FROM sim_documents WHERE terminal = ?1", terminal,
	    NULL);
	if (last != NULL && strcmp(at, last) < 0) {
		snprintf(buf, size, "the time goes back: %s is before this terminal's last "
		    "document (%s)", at, last);
		free(last);
		return buf;
	}
	free(last);
	return NULL;
}

/* Signs and stores a good document; its reply into a. */
static void
sign_and_store(struct sim *s, const char *terminal, const char *id, json_t *d, const char *body,
    struct hub_answer *a)
{
	const char *at = json_string_value(json_object_get(d, "at"));
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;
	char msg[512], sign[2 * EVP_MAX_MD_SIZE + 1], url[512], dt[16], num[24], *seqs, *out;
	long long seq;
	json_t *r;
	int k = 0;

	seqs = sql_text(s->db, "SELECT coalesce(max(receipt_seq), 0) + 1 FROM sim_documents "
	    "WHERE terminal = ?1", terminal, NULL);
	seq = seqs != NULL ? atoll(seqs) : 1;
	free(seqs);
	snprintf(msg, sizeof msg, "%s|%lld|%s|%s", terminal, seq, at, id);
	HMAC(EVP_sha256(), SIM_KEY, (int)strlen(SIM_KEY), (const unsigned char *)msg, strlen(msg),
	    mac, &maclen);
	hex(mac, maclen, sign);
	/* c=: the time as YYYYMMDDhhmmss, from the document's own. */
	for (const char *p = at; *p != '\0' && k < 14; p++)
		if (*p >= '0' && *p <= '9')
			dt[k++] = *p;
	dt[k] = '\0';
	snprintf(url, sizeof url, "https://ofd.soliq.uz/check?t=%s&r=%lld&c=%s&s=%s", terminal,
	    seq, dt, sign);
	r = json_pack("{s:s, s:I, s:s, s:s}", "terminal_id", terminal, "receipt_seq",
	    (json_int_t)seq, "fiscal_sign", sign, "qr_url", url);
	out = json_dumps(r, JSON_COMPACT);
	json_decref(r);
	snprintf(num, sizeof num, "%lld", seq);
	{
		sqlite3_stmt *q;

		if (sqlite3_prepare_v2(s->db, "INSERT INTO sim_documents(id, terminal, "
		    "receipt_seq, kind, at, sign, reply, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
		    "?7, ?8)", -1, &q, NULL) != SQLITE_OK) {
			set_error(a, 503, "the simulator's database failed");
			free(out);
			return;
		}
		sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 2, terminal, -1, SQLITE_STATIC);
		sqlite3_bind_int64(q, 3, seq);
		sqlite3_bind_text(q, 4, json_string_value(json_object_get(d, "kind")), -1,
		    SQLITE_STATIC);
		sqlite3_bind_text(q, 5, at, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 6, sign, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 7, out, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 8, body, -1, SQLITE_STATIC);
		if (sqlite3_step(q) != SQLITE_DONE)
			set_error(a, 503, "the simulator's database failed");
		else
			hub_answer_set(a, 200, out, 0);
		sqlite3_finalize(q);
	}
	fprintf(stderr, "kassa-hub fiscal-sim: SIMULATOR signed %s %s as %s #%s\n",
	    json_string_value(json_object_get(d, "kind")), id, terminal, num);
	free(out);
}

static void
post_document(struct sim *s, const struct sim_upload *up, struct hub_answer *a)
{
	char terminal[16], why[256], *old;
	const char *id, *verdict;
	json_error_t jerr;
	json_t *d;

	if (hub_fault_answer(s->faults, HUB_FAULT_BEFORE, a))
		return;
	terminal_of(up->token, terminal, sizeof terminal);
	d = json_loads(up->data != NULL ? up->data : "", 0, &jerr);
	id = json_string_value(json_object_get(d, "id"));
	if (d == NULL || !json_is_object(d) || id == NULL || strlen(id) < 8) {
		set_error(a, 400, "the body must be a document with an id");
		json_decref(d);
		return;
	}
	/* Idempotent by id: the same document again gets the same reply, whatever changed. */
	old = sql_text(s->db, "SELECT reply FROM sim_documents WHERE id = ?1", id, NULL);
	if (old != NULL) {
		hub_answer_set(a, 200, old, 0);
		free(old);
	} else if ((verdict = judge(s, terminal, d, why, sizeof why)) != NULL) {
		fprintf(stderr, "kassa-hub fiscal-sim: SIMULATOR refused %s: %s\n", id, verdict);
		set_error(a, 422, verdict);
	} else
		sign_and_store(s, terminal, id, d, up->data, a);
	json_decref(d);
	if (a->status == 200)
		hub_fault_answer(s->faults, HUB_FAULT_REPLY, a);
}

static enum MHD_Result
sim_handle(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
    const char *version, const char *data, size_t *size, void **con_cls)
{
	struct sim *s = cls;
	struct sim_upload *up = *con_cls;
	struct hub_answer a = { 0 };
	struct MHD_Response *r;
	enum MHD_Result rc;
	const char *body;

	(void)version;
	if (up == NULL) {
		const char *auth = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
		    "Authorization");

		if (auth == NULL || strncmp(auth, "Bearer ", 7) != 0 || auth[7] == '\0')
			set_error(&a, 401, "missing bearer token");
		else if (strcmp(method, "POST") != 0 || strcmp(url, "/v1/documents") != 0)
			set_error(&a, 404, "no such endpoint (this is the fiscal gateway "
			    "SIMULATOR)");
		else {
			up = xcalloc(1, sizeof *up);
			up->token = xstrdup(auth + 7);
			*con_cls = up;
			return MHD_YES;
		}
	} else if (*size > 0) {
		if (up->len + *size > SIM_MAX_BODY)
			up->too_big = true;
		else {
			up->data = xrealloc(up->data, up->len + *size + 1);
			memcpy(up->data + up->len, data, *size);
			up->len += *size;
			up->data[up->len] = '\0';
		}
		*size = 0;
		return MHD_YES;
	} else if (up->too_big)
		set_error(&a, 413, "document too large");
	else
		post_document(s, up, &a);
	if (a.drop) {
		hub_answer_clear(&a);
		return MHD_NO;
	}
	body = a.body != NULL ? a.body : "{}";
	r = MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
	MHD_add_response_header(r, "Content-Type", "application/json");
	if (a.retry_after > 0) {
		char v[24];

		snprintf(v, sizeof v, "%ld", a.retry_after);
		MHD_add_response_header(r, "Retry-After", v);
	}
	rc = MHD_queue_response(conn, a.status, r);
	MHD_destroy_response(r);
	hub_answer_clear(&a);
	return rc;
}

static void
sim_done(void *cls, struct MHD_Connection *conn, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct sim_upload *up = *con_cls;

	(void)cls; (void)conn; (void)toe;
	if (up != NULL) {
		free(up->token);
		free(up->data);
		free(up);
		*con_cls = NULL;
	}
}

int
hub_fiscal_sim(const char *db_path, const char *listen_addr, struct hub_faults *faults,
    struct kerr *err)
{
	struct sim s = { .faults = faults };
	struct sockaddr_in sa;
	struct MHD_Daemon *d;
	const char *colon = strrchr(listen_addr, ':');
	char host[64];
	sigset_t set;
	int sig, port;

	if (colon == NULL || (size_t)(colon - listen_addr) >= sizeof host ||
	    (port = atoi(colon + 1)) <= 0 || port > 65535)
		return kerr_set(err, KERR_INPUT, "--listen wants HOST:PORT, e.g. 127.0.0.1:8090");
	memcpy(host, listen_addr, (size_t)(colon - listen_addr));
	host[colon - listen_addr] = '\0';
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
		return kerr_set(err, KERR_INPUT, "--listen: '%s' is not an IPv4 address", host);
	if (sqlite3_open(db_path, &s.db) != SQLITE_OK ||
	    sqlite3_exec(s.db, "PRAGMA journal_mode = WAL; CREATE TABLE IF NOT EXISTS "
	    "sim_documents (id TEXT PRIMARY KEY, terminal TEXT NOT NULL, receipt_seq INTEGER NOT "
	    "NULL, kind TEXT NOT NULL, at TEXT NOT NULL, sign TEXT NOT NULL, reply TEXT NOT NULL, "
	    "body TEXT NOT NULL, UNIQUE (terminal, receipt_seq))", NULL, NULL, NULL) != SQLITE_OK) {
		kerr_set(err, KERR_IO, "%s: %s", db_path, s.db != NULL ? sqlite3_errmsg(s.db) :
		    "cannot open");
		sqlite3_close(s.db);
		return -1;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* One thread: the documents of a terminal are judged and numbered one at a time. */
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, (uint16_t)port,
	    NULL, NULL, sim_handle, &s, MHD_OPTION_SOCK_ADDR, &sa, MHD_OPTION_NOTIFY_COMPLETED,
	    sim_done, NULL, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30, MHD_OPTION_END);
	if (d == NULL) {
		sqlite3_close(s.db);
		return kerr_set(err, KERR_IO, "cannot listen on %s (in use?)", listen_addr);
	}
	fprintf(stderr, "kassa-hub: fiscal gateway SIMULATOR (test key, not the tax service) "
	    "listening on %s\n", listen_addr);
	sigwait(&set, &sig);
	MHD_stop_daemon(d);
	sqlite3_close(s.db);
	return 0;
}
