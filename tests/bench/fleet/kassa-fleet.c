/*
 * kassa-fleet: a chain's fleet of tills against one kassa-hub on loopback (issue 16).
 *
 *   kassa-fleet --hub BIN [--db sqlite|PGURL] [--tills N] [--seconds S] [--push-every S]
 *               [--pull-every S] [--batch N] [--greedy N]
 *
 * Starts the hub on a database of its own (a SQLite file in a scratch directory, or the
 * PostgreSQL database of --db postgresql://...), registers N devices with a token each straight
 * into hub_devices (as `kassa-hub token add` would: only the SHA-256 of the token is stored),
 * publishes a catalogue of 300 products, then lets every till push a batch of events with a
 * valid hash chain (the core's journal_hash) every --push-every seconds and poll /v1/changes
 * every --pull-every seconds, each at its own random phase, for --seconds. Every request is a
 * new connection (a till runs `kassa sync --once`). libcurl's multi interface drives them all
 * from one thread; the number in flight is bounded by the tills' count.
 *
 * Then the starvation case: a client at another loopback address opens --greedy connections
 * (256) and holds them idle while one well-behaved till pushes and pulls 20 times; its
 * latencies are reported, and how many of the greedy connections the hub kept.
 *
 * Reports requests/s and p50/p99/max latency for push and pull, events stored per second,
 * errors, and the hub's peak RSS (VmHWM). Numbers only: nothing here asserts a target.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <libpq-fe.h>
#include <openssl/evp.h>
#include <sqlite3.h>

#include "journal.h"
#include "xalloc.h"

struct till {
	char device[32], token[49], auth[80];
	char from[32];               /* "host!127.0.1.X": its own source address, or "" */
	int64_t seq;                 /* last event acknowledged */
	char head[JOURNAL_HASH_HEX]; /* its hash */
	char *pending;               /* the batch in flight or to retry (owned) */
	int64_t pending_last;
	char pending_hash[JOURNAL_HASH_HEX];
	double next_push, next_pull;
	char cursor[32];
	bool push_busy, pull_busy;
};

struct lat {
	double *v;
	size_t n, cap;
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
lat_add(struct lat *l, double v)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 1024;
		l->v = xreallocarray(l->v, l->cap, sizeof *l->v);
	}
	l->v[l->n++] = v;
}

static int
cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
pct(struct lat *l, double p)
{
	size_t i;

	if (l->n == 0)
		return 0;
	qsort(l->v, l->n, sizeof *l->v, cmp_d);
	i = (size_t)(p * (double)(l->n - 1) + 0.5);
	return l->v[i] * 1000.0;
}

static void
sha256_hex(const char *s, char out[65])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	EVP_Digest(s, strlen(s), md, &len, EVP_sha256(), NULL);
	for (unsigned int i = 0; i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 0xf];
	}
	out[64] = '\0';
}

/* The response body of a pull, to read its cursor from. */
struct buf {
	char *p;
	size_t n;
};

static size_t
to_buf(char *p, size_t size, size_t n, void *arg)
{
	struct buf *b = arg;

	b->p = xrealloc(b->p, b->n + size * n + 1);
	memcpy(b->p + b->n, p, size * n);
	b->n += size * n;
	b->p[b->n] = '\0';
	return size * n;
}

static pid_t
start_hub(const char *hub, const char *db, const char *listen_addr, const char *log)
{
	pid_t pid = fork();

	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execl(hub, hub, "--db", db, "--listen", listen_addr, "serve", (char *)NULL);
		_exit(127);
	}
	return pid;
}

static bool
port_open(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0), ok;

	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	ok = connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
	close(fd);
	return ok;
}

static long
hub_hwm_kb(pid_t pid)
{
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL)
		if (strncmp(line, "VmHWM:", 6) == 0)
			kb = atol(line + 6);
	fclose(f);
	return kb;
}

/* The tills' devices and token hashes, straight into the hub's database. */
static int
register_tills(const char *db, struct till *t, int n)
{
	char digest[65], now[] = "2026-01-01T00:00:00.000Z";

	if (strncmp(db, "postgres", 8) == 0) {
		PGconn *c = PQconnectdb(db);

		if (PQstatus(c) != CONNECTION_OK) {
			fprintf(stderr, "kassa-fleet: %s", PQerrorMessage(c));
			PQfinish(c);
			return -1;
		}
		PQclear(PQexec(c, "BEGIN"));
		for (int i = 0; i < n; i++) {
			const char *p[3] = { t[i].device, digest, now };

			sha256_hex(t[i].token, digest);
			PQclear(PQexecParams(c, "INSERT INTO hub_devices VALUES ($1, $2, $3)", 3, NULL,
			    p, NULL, NULL, 0));
		}
		PQclear(PQexec(c, "COMMIT"));
		PQfinish(c);
		return 0;
	}
	sqlite3 *s;
	sqlite3_stmt *q;

	if (sqlite3_open(db, &s) != SQLITE_OK)
		return -1;
	sqlite3_busy_timeout(s, 5000);
	sqlite3_exec(s, "BEGIN", NULL, NULL, NULL);
	sqlite3_prepare_v2(s, "INSERT INTO hub_devices VALUES (?, ?, ?)", -1, &q, NULL);
	for (int i = 0; i < n; i++) {
		sha256_hex(t[i].token, digest);
		sqlite3_bind_text(q, 1, t[i].device, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 2, digest, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 3, now, -1, SQLITE_STATIC);
		if (sqlite3_step(q) != SQLITE_DONE)
			fprintf(stderr, "kassa-fleet: %s\n", sqlite3_errmsg(s));
		sqlite3_reset(q);
	}
	sqlite3_finalize(q);
	sqlite3_exec(s, "COMMIT", NULL, NULL, NULL);
	sqlite3_close(s);
	return 0;
}

/* A catalogue of 300 products, published by `kassa-hub import products`. */
static int
publish(const char *hub, const char *db, const char *dir)
{
	char *csv = xasprintf("%s/products.csv", dir), *cmd;
	FILE *f = fopen(csv, "w");
	int rc;

	if (f == NULL)
		return -1;
	fprintf(f, "barcode,name,price\n");
	for (int i = 0; i < 300; i++) {
		char code[14];
		int sum = 0;

		snprintf(code, sizeof code, "478%09d", 1000 + i);
		for (int k = 0; k < 12; k++)
			sum += (code[k] - '0') * (k % 2 ? 3 : 1);
		fprintf(f, "%s%d,Mahsulot %d,%d\n", code, (10 - sum % 10) % 10, i, 1000 + i * 10);
	}
	fclose(f);
	cmd = xasprintf("'%s' --db '%s' import products '%s' > /dev/null", hub, db, csv);
	rc = system(cmd);
	free(cmd);
	free(csv);
	return rc == 0 ? 0 : -1;
}

/* The till's next batch of n events after its acknowledged head, as the push body. */
static void
make_batch(struct till *t, int n)
{
	size_t cap = 256 + (size_t)n * 400, len;
	char prev[JOURNAL_HASH_HEX], hash[JOURNAL_HASH_HEX];
	char *body = xmalloc(cap);

	len = (size_t)snprintf(body, cap, "{\"device_id\":\"%s\",\"events\":[", t->device);
	snprintf(prev, sizeof prev, "%s", t->head);
	for (int k = 0; k < n; k++) {
		int64_t seq = t->seq + 1 + k;
		char id[64], payload[64];
		const char *at = "2026-12-03T10:00:00.000Z";

		snprintf(id, sizeof id, "%s-%lld", t->device, (long long)seq);
		snprintf(payload, sizeof payload, "{\"n\":%lld,\"total\":%d}", (long long)seq, 1000);
		journal_hash(prev, id, seq, "fleet.tick", at, payload, hash);
		len += (size_t)snprintf(body + len, cap - len, "%s{\"id\":\"%s\",\"seq\":%lld,"
		    "\"type\":\"fleet.tick\",\"at\":\"%s\",\"payload\":%s,\"prev_hash\":\"%s\","
		    "\"hash\":\"%s\"}", k > 0 ? "," : "", id, (long long)seq, at, payload, prev,
		    hash);
		snprintf(prev, sizeof prev, "%s", hash);
	}
	snprintf(body + len, cap - len, "]}");
	free(t->pending);
	t->pending = body;
	t->pending_last = t->seq + n;
	snprintf(t->pending_hash, sizeof t->pending_hash, "%s", hash);
}

/* One request in flight. */
struct req {
	struct till *t;
	bool push;
	CURL *e;
	struct curl_slist *hdr;
	struct buf body;
	double started;
	int events;
};

struct stats {
	struct lat push, pull;
	long push_ok, push_err, pull_ok, pull_err, events;
	long refused, http_err;      /* of the failures: no HTTP answer (refused, reset, timeout),
	                              * an HTTP error status */
};

static struct req *
req_new(struct till *t, bool push, const char *base)
{
	struct req *r = xcalloc(1, sizeof *r);
	char url[160];

	r->t = t;
	r->push = push;
	r->e = curl_easy_init();
	if (push)
		snprintf(url, sizeof url, "%s/v1/events", base);
	else
		snprintf(url, sizeof url, "%s/v1/changes?since=%s", base, t->cursor);
	curl_easy_setopt(r->e, CURLOPT_URL, url);
	curl_easy_setopt(r->e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(r->e, CURLOPT_FORBID_REUSE, 1L);
	curl_easy_setopt(r->e, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(r->e, CURLOPT_PRIVATE, r);
	if (t->from[0] != '\0')
		curl_easy_setopt(r->e, CURLOPT_INTERFACE, t->from);
	curl_easy_setopt(r->e, CURLOPT_WRITEFUNCTION, to_buf);
	curl_easy_setopt(r->e, CURLOPT_WRITEDATA, &r->body);
	r->hdr = curl_slist_append(NULL, t->auth);
	if (push) {
		r->hdr = curl_slist_append(r->hdr, "Content-Type: application/json");
		curl_easy_setopt(r->e, CURLOPT_POSTFIELDS, t->pending);
	}
	curl_easy_setopt(r->e, CURLOPT_HTTPHEADER, r->hdr);
	r->started = now_s();
	return r;
}

static void
req_free(struct req *r)
{
	curl_easy_cleanup(r->e);
	curl_slist_free_all(r->hdr);
	free(r->body.p);
	free(r);
}

/* A finished request: its latency and what it tells the till. True when a pull has more. */
static bool
req_done(struct req *r, CURLcode rc, struct stats *s)
{
	struct till *t = r->t;
	double lat = now_s() - r->started;
	long status = 0;
	bool more = false;

	curl_easy_getinfo(r->e, CURLINFO_RESPONSE_CODE, &status);
	if (rc != CURLE_OK)
		s->refused++;
	else if (status != 200)
		s->http_err++;
	if (r->push) {
		t->push_busy = false;
		lat_add(&s->push, lat);
		if (rc == CURLE_OK && status == 200) {
			s->push_ok++;
			s->events += t->pending_last - t->seq;
			t->seq = t->pending_last;
			snprintf(t->head, sizeof t->head, "%s", t->pending_hash);
			free(t->pending);
			t->pending = NULL;
		} else
			s->push_err++;
		return false;
	}
	lat_add(&s->pull, lat);
	if (rc == CURLE_OK && status == 200 && r->body.p != NULL) {
		char *c = strstr(r->body.p, "\"cursor\":\"");

		s->pull_ok++;
		if (c != NULL) {
			c += 10;
			snprintf(t->cursor, sizeof t->cursor, "%.*s", (int)strcspn(c, "\""), c);
		}
		more = strstr(r->body.p, "\"more\":true") != NULL;
	} else
		s->pull_err++;
	t->pull_busy = more;
	return more;
}

static double
frand(void)
{
	return (double)random() / (double)RAND_MAX;
}

static void
fleet_run(struct till *t, int n, const char *base, double seconds, double push_every,
    double pull_every, int batch, struct stats *s)
{
	CURLM *m = curl_multi_init();
	double start = now_s(), end = start + seconds;
	int running = 0, inflight = 0;

	for (int i = 0; i < n; i++) {
		t[i].next_push = start + frand() * push_every;
		t[i].next_pull = start + frand() * pull_every;
	}
	for (;;) {
		double now = now_s();
		CURLMsg *msg;
		int left;

		if (now >= end + 15 || (now >= end && inflight == 0))
			break;
		for (int i = 0; i < n && now < end; i++) {
			if (!t[i].push_busy && now >= t[i].next_push) {
				if (t[i].pending == NULL)
					make_batch(&t[i], batch);
				t[i].push_busy = true;
				t[i].next_push += push_every;
				curl_multi_add_handle(m, req_new(&t[i], true, base)->e);
				inflight++;
			}
			if (!t[i].pull_busy && now >= t[i].next_pull) {
				t[i].pull_busy = true;
				t[i].next_pull += pull_every;
				curl_multi_add_handle(m, req_new(&t[i], false, base)->e);
				inflight++;
			}
		}
		curl_multi_perform(m, &running);
		while ((msg = curl_multi_info_read(m, &left)) != NULL) {
			struct req *r;

			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&r);
			curl_multi_remove_handle(m, r->e);
			inflight--;
			if (req_done(r, msg->data.result, s) && now_s() < end) {
				curl_multi_add_handle(m, req_new(r->t, false, base)->e);
				inflight++;
			}
			req_free(r);
		}
		curl_multi_poll(m, NULL, 0, 5, NULL);
	}
	curl_multi_cleanup(m);
}

/* One request of a till on its own, start to answer: its latency in s, -1 on failure. */
static double
one_request(struct till *t, bool push, const char *base, int batch)
{
	struct stats s;
	struct req *r;
	CURLcode rc;
	double lat;

	memset(&s, 0, sizeof s);
	if (push && t->pending == NULL)
		make_batch(t, batch);
	r = req_new(t, push, base);
	curl_easy_setopt(r->e, CURLOPT_TIMEOUT, 10L);	/* what kassa sync gives a request */
	rc = curl_easy_perform(r->e);
	req_done(r, rc, &s);
	t->pull_busy = false;
	lat = (push ? s.push_ok : s.pull_ok) == 1 ? (push ? s.push.v[0] : s.pull.v[0]) : -1;
	free(s.push.v);
	free(s.pull.v);
	req_free(r);
	return lat;
}

/* G connections from 127.0.0.2, opened and left idle; returns how many the hub let in. */
static const char *greedy_from = "127.0.0.2";
static int greedy_addrs = 1;       /* spread over this many addresses from greedy_from on */

static int
greedy_open(int *fds, int g, int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	struct sockaddr_in me = { .sin_family = AF_INET };

	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	for (int i = 0; i < g; i++) {
		inet_pton(AF_INET, greedy_from, &me.sin_addr);
		me.sin_addr.s_addr = htonl(ntohl(me.sin_addr.s_addr) + (uint32_t)(i % greedy_addrs));
		fds[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		if (fds[i] < 0 || bind(fds[i], (struct sockaddr *)&me, sizeof me) == -1)
			continue;
		connect(fds[i], (struct sockaddr *)&sa, sizeof sa);
	}
	return g;
}

/* How many of the greedy connections the hub still holds open. */
static int
greedy_alive(int *fds, int g)
{
	int alive = 0;

	for (int i = 0; i < g; i++) {
		char c;
		ssize_t n = fds[i] >= 0 ? recv(fds[i], &c, 1, MSG_DONTWAIT) : 0;

		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			alive++;
	}
	return alive;
}

/*
 * Ingest: one till sends `total` events in batches of 500 (what kassa sync sends), one after
 * the other, and the events stored per second are reported; then its last batch once more,
 * which must come back all duplicates (exactly once).
 */
static void
ingest(struct till *t, const char *base, int total)
{
	char url[128], *last = NULL;
	double t0 = now_s(), secs;
	struct buf body = { 0 };
	struct curl_slist *hdr;
	long status = 0;
	int sent = 0, failed = 0;
	CURL *e;

	while (sent < total && failed < 10) {
		int n = total - sent < 500 ? total - sent : 500;

		make_batch(t, n);
		free(last);
		last = xstrdup(t->pending);
		if (one_request(t, true, base, n) < 0)
			failed++;
		else
			sent += n;
	}
	secs = now_s() - t0;
	printf("ingest: one till, %d events in batches of 500: %.1f s, %.0f events/s%s\n", sent,
	    secs, (double)sent / secs, failed > 0 ? " (some batches failed)" : "");
	if (last == NULL)
		return;
	e = curl_easy_init();
	snprintf(url, sizeof url, "%s/v1/events", base);
	hdr = curl_slist_append(NULL, t->auth);
	hdr = curl_slist_append(hdr, "Content-Type: application/json");
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(e, CURLOPT_POSTFIELDS, last);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, to_buf);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &body);
	curl_easy_setopt(e, CURLOPT_TIMEOUT, 30L);
	if (curl_easy_perform(e) == CURLE_OK)
		curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
	printf("  the last batch sent again: HTTP %ld, %s\n", status, body.p != NULL &&
	    strstr(body.p, "\"accepted\":[]") != NULL ? "nothing accepted twice (all duplicates)" :
	    "NOT all duplicates");
	curl_slist_free_all(hdr);
	curl_easy_cleanup(e);
	free(body.p);
	free(last);
}

static void
print_lat(const char *what, struct lat *l, long ok, long err, double seconds)
{
	printf("  %-5s %7ld ok %5ld failed %8.1f req/s   p50 %7.1f ms  p99 %7.1f ms  max %7.1f ms\n",
	    what, ok, err, (double)(ok + err) / seconds, pct(l, 0.5), pct(l, 0.99), pct(l, 1.0));
}

static int
usage(void)
{
	fprintf(stderr, "usage: kassa-fleet --hub BIN [--db sqlite|pg|postgresql://...] "
	    "[--tills N] [--seconds S]\n    [--push-every S] [--pull-every S] [--batch N] "
	    "[--greedy N] [--greedy-from 127.0.0.X] [--greedy-addrs K]\n    [--ingest EVENTS] [--till-addrs K] [--port P]\n");
	return 2;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "hub", required_argument, NULL, 'H' }, { "db", required_argument, NULL, 'd' },
		{ "tills", required_argument, NULL, 'n' }, { "seconds", required_argument, NULL, 's' },
		{ "push-every", required_argument, NULL, 'p' },
		{ "pull-every", required_argument, NULL, 'q' },
		{ "batch", required_argument, NULL, 'b' }, { "greedy", required_argument, NULL, 'g' },
		{ "port", required_argument, NULL, 'P' },
		{ "greedy-from", required_argument, NULL, 'G' },
		{ "greedy-addrs", required_argument, NULL, 'A' },
		{ "ingest", required_argument, NULL, 'I' },
		{ "till-addrs", required_argument, NULL, 'T' }, { NULL, 0, NULL, 0 }
	};
	const char *hub = getenv("KASSA_HUB_BIN"), *dbarg = "sqlite", *top = getenv("KASSA_TOP");
	int n = 1000, batch = 20, ningest = 50000, till_addrs = 1, g = 256, port = 18000 + (int)(getpid() % 2000), c, rc = 1;
	double seconds = 20, push_every = 5, pull_every = 10;
	char dir[] = "/tmp/kassa-fleet-XXXXXX", listen_addr[32], base[48], *db, *log, *pgdir = NULL;
	char *script = xasprintf("%s/tests/bench/pg-cluster", top != NULL ? top : ".");
	struct stats s;
	struct till *t;
	pid_t hp;
	int *fds;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'H') hub = optarg;
		else if (c == 'd') dbarg = optarg;
		else if (c == 'n') n = atoi(optarg);
		else if (c == 's') seconds = atof(optarg);
		else if (c == 'p') push_every = atof(optarg);
		else if (c == 'q') pull_every = atof(optarg);
		else if (c == 'b') batch = atoi(optarg);
		else if (c == 'g') g = atoi(optarg);
		else if (c == 'P') port = atoi(optarg);
		else if (c == 'G') greedy_from = optarg;
		else if (c == 'A') greedy_addrs = atoi(optarg);
		else if (c == 'I') ningest = atoi(optarg);
		else if (c == 'T') till_addrs = atoi(optarg);
		else return usage();
	}
	if (hub == NULL || n < 1 || n > 20000 || seconds <= 0 || seconds > 600 || batch < 1 ||
	    batch > 5000 || till_addrs < 1 || till_addrs > 250 || ningest < 0 || ningest > 10000000 || g < 0 || greedy_addrs < 1 || greedy_addrs > 200 || g > 4096 || push_every <= 0 || pull_every <= 0)
		return usage();
	if (mkdtemp(dir) == NULL)
		return 1;
	signal(SIGPIPE, SIG_IGN);
	srandom(42);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	log = xasprintf("%s/hub.log", dir);
	if (strcmp(dbarg, "sqlite") == 0)
		db = xasprintf("%s/hub.db", dir);
	else if (strcmp(dbarg, "pg") == 0) {
		char cmd[512], url[256];
		FILE *p;

		pgdir = xasprintf("%s/cluster", dir);
		snprintf(cmd, sizeof cmd, "'%s' start '%s' %d", script, pgdir, port + 1);
		p = popen(cmd, "r");
		if (p == NULL || fgets(url, sizeof url, p) == NULL) {
			if (p != NULL)
				pclose(p);
			fprintf(stderr, "kassa-fleet: no PostgreSQL here (tests/bench/pg-cluster)\n");
			return 77;
		}
		pclose(p);
		url[strcspn(url, "\n")] = '\0';
		db = xstrdup(url);
	} else
		db = xstrdup(dbarg);
	snprintf(listen_addr, sizeof listen_addr, "127.0.0.1:%d", port);
	snprintf(base, sizeof base, "http://%s", listen_addr);
	t = xcalloc((size_t)n + 1, sizeof *t);
	for (int i = 0; i <= n; i++) {
		unsigned char raw[24];
		FILE *ur = fopen("/dev/urandom", "r");

		if (ur == NULL || fread(raw, 1, sizeof raw, ur) != sizeof raw)
			return 1;
		fclose(ur);
		for (int k = 0; k < 24; k++)
			snprintf(t[i].token + 2 * k, 3, "%02x", raw[k]);
		snprintf(t[i].device, sizeof t[i].device, "fleet-%05d", i);
		snprintf(t[i].auth, sizeof t[i].auth, "Authorization: Bearer %s", t[i].token);
		memset(t[i].head, '0', 64);
		snprintf(t[i].cursor, sizeof t[i].cursor, "c0");
		/* Tills on addresses of their own (127.0.1.X) when asked; the last till, which the
		 * starvation case times, stays on 127.0.0.1. */
		if (till_addrs > 1 && i < n)
			snprintf(t[i].from, sizeof t[i].from, "host!127.0.1.%d", 1 + i % till_addrs);
	}
	hp = start_hub(hub, db, listen_addr, log);
	for (int i = 0; i < 100 && !port_open(port); i++)
		usleep(100 * 1000);
	if (!port_open(port) || register_tills(db, t, n + 1) == -1 ||
	    publish(hub, db, dir) == -1) {
		fprintf(stderr, "kassa-fleet: the hub did not start (see %s)\n", log);
		goto out;
	}
	memset(&s, 0, sizeof s);
	fleet_run(t, n, base, seconds, push_every, pull_every, batch, &s);
	printf("fleet: %d tills on %s for %.0f s (a batch of %d events every %.0f s, changes every "
	    "%.0f s), from %d address%s\n", n, strcmp(dbarg, "sqlite") == 0 ? "SQLite" :
	    "PostgreSQL", seconds, batch, push_every, pull_every, till_addrs,
	    till_addrs > 1 ? "es" : "");
	print_lat("push", &s.push, s.push_ok, s.push_err, seconds);
	print_lat("pull", &s.pull, s.pull_ok, s.pull_err, seconds);
	printf("  failures: %ld without an HTTP answer (refused over a limit, reset, timed out), "
	    "%ld HTTP errors\n", s.refused, s.http_err);
	printf("  events stored %ld (%.0f/s); hub VmHWM %ld kB\n", s.events,
	    (double)s.events / seconds, hub_hwm_kb(hp));

	/* The starvation case: one client holds g idle connections; one till syncs 20 times. */
	fds = xcalloc((size_t)(g > 0 ? g : 1), sizeof *fds);
	greedy_open(fds, g, port);
	usleep(500 * 1000);
	{
		struct lat pl = { 0 }, ql = { 0 };
		long pe = 0, qe = 0;
		int held = greedy_alive(fds, g);

		for (int k = 0; k < 20; k++) {
			double a = one_request(&t[n], true, base, batch);
			double b = one_request(&t[n], false, base, batch);

			if (a < 0) pe++; else lat_add(&pl, a);
			if (b < 0) qe++; else lat_add(&ql, b);
		}
		printf("starvation: another client (%s, %d address%s) opened %d idle connections, the "
		    "hub holds %d of them\n", greedy_from, greedy_addrs, greedy_addrs > 1 ? "es" : "",
		    g, held);
		print_lat("push", &pl, (long)pl.n, pe, 1);
		print_lat("pull", &ql, (long)ql.n, qe, 1);
		free(pl.v);
		free(ql.v);
	}
	for (int i = 0; i < g; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(fds);
	if (ningest > 0)
		ingest(&t[n], base, ningest);
	printf("  hub VmHWM %ld kB at the end\n", hub_hwm_kb(hp));
	rc = 0;
out:
	kill(hp, SIGTERM);
	waitpid(hp, NULL, 0);
	if (pgdir != NULL) {
		char *cmd = xasprintf("'%s' stop '%s'", script, pgdir);

		if (system(cmd) != 0)
			fprintf(stderr, "kassa-fleet: stopping PostgreSQL failed\n");
		free(cmd);
	}
	if (getenv("KASSA_FLEET_KEEP") == NULL) {
		char *cmd = xasprintf("rm -rf '%s'", dir);

		if (system(cmd) != 0)
			fprintf(stderr, "kassa-fleet: could not remove %s\n", dir);
		free(cmd);
	} else
		printf("kept %s\n", dir);
	for (int i = 0; i <= n; i++)
		free(t[i].pending);
	free(t);
	free(s.push.v);
	free(s.pull.v);
	free(db);
	free(log);
	free(script);
	free(pgdir);
	curl_global_cleanup();
	return rc;
}
