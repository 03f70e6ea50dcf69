/*
 * bench-sync.c: issue 4's figures for `make bench`. 100,000 events queued on a till are drained
 * to a local kassa-hub by the real `kassa sync --once`, next to a bare libcurl loop posting the
 * same batches (byte for byte, built by the same sync_batch_body) to the same hub in the same
 * run; the peak RSS of the sync process; the hub's ingest rate on SQLite.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>
#include <sqlite3.h>

#include "../../src/sync/sync-int.h"
#include "bench.h"
#include "config.h"
#include "journal.h"
#include "store.h"
#include "xalloc.h"

#define EVENTS 100000

/* A till database named device with EVENTS sale-like events queued. */
static int
make_till(const char *kassa, const char *path, const char *device)
{
	char *argv[] = { (char *)kassa, "-d", (char *)path, "init", "--device-id",
	    (char *)device, NULL };
	struct kerr err;
	store *st;

	if (bench_run(argv, NULL, NULL, NULL, NULL) != 0)
		return -1;
	st = store_open(path, 0, &err);
	if (st == NULL)
		return -1;
	sqlite3_exec(store_db(st), "PRAGMA synchronous = OFF", NULL, NULL, NULL);
	for (int i = 0; i < EVENTS; i += 1000) {
		if (store_begin(st, &err) == -1)
			break;
		for (int k = i; k < i + 1000; k++) {
			char payload[512];

			snprintf(payload, sizeof payload, "{\"cashier\":\"Dilnoza\",\"lines\":[{\"code\":"
			    "\"4780000000015\",\"name\":\"Non\",\"price\":400000,\"qty\":1000,\"total\":"
			    "400000,\"vat\":0}],\"number\":%d,\"payments\":[{\"amount\":400000,\"method\":"
			    "\"cash\"}],\"total\":400000}", k + 1);
			if (journal_append(st, "sale.completed", payload, NULL, &err) == -1)
				break;
		}
		if (store_commit(st, &err) == -1)
			break;
	}
	store_close(st);
	return 0;
}

static pid_t
start_hub(const char *hub, const char *db, const char *listen_addr)
{
	char *argv[] = { (char *)hub, "--db", (char *)db, "--listen", (char *)listen_addr, "serve",
	    NULL };
	pid_t pid = fork();

	if (pid == 0) {
		freopen("/dev/null", "w", stderr);
		execv(hub, argv);
		_exit(127);
	}
	usleep(300 * 1000);
	return pid;
}

static char *
token_for(const char *hub, const char *db, const char *device, const char *dir)
{
	char *out = xasprintf("%s/token-%s", dir, device), *tok = NULL;
	char *argv[] = { (char *)hub, "--db", (char *)db, "token", "add", (char *)device, NULL };
	char buf[128] = "";
	FILE *f;

	if (bench_run(argv, NULL, out, NULL, NULL) == 0 && (f = fopen(out, "r")) != NULL) {
		if (fgets(buf, sizeof buf, f) != NULL) {
			buf[strcspn(buf, "\n")] = '\0';
			tok = xstrdup(buf);
		}
		fclose(f);
	}
	free(out);
	return tok;
}

static size_t
discard(char *p, size_t size, size_t n, void *arg)
{
	(void)p; (void)arg;
	return size * n;
}

/* The baseline: the same batches posted back to back on one keep-alive connection. */
static double
bare_loop(const char *url, const char *token, char **bodies, int nbodies)
{
	CURL *curl = curl_easy_init();
	struct curl_slist *h = NULL;
	char auth[256];
	double t0, secs = -1;

	if (curl == NULL)
		return -1;
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
	h = curl_slist_append(h, auth);
	h = curl_slist_append(h, "Content-Type: application/json");
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
	t0 = bench_now();
	for (int i = 0; i < nbodies; i++) {
		long status = 0;

		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, bodies[i]);
		if (curl_easy_perform(curl) != CURLE_OK)
			goto out;
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
		if (status != 200)
			goto out;
	}
	secs = bench_now() - t0;
out:
	curl_slist_free_all(h);
	curl_easy_cleanup(curl);
	return secs;
}

/*
 * The peak RSS of curl-floor (built beside the bench): a program that links libcurl alone and
 * posts one batch. It shows what Debian's libcurl stack costs before kassa-sync's own code:
 * -1 when it cannot be run.
 */
static long
floor_peak(const char *hub, const char *dir, const char *url, const char *token,
    const char *body)
{
	char *bin = xasprintf("%s", hub), *slash = strrchr(bin, '/');
	char *in = xasprintf("%s/floor-body.json", dir), *out = xasprintf("%s/floor-out", dir);
	char *prog, line[64] = "";
	long kb = -1;
	FILE *f;

	if (slash != NULL)
		*slash = '\0';
	prog = xasprintf("%s/tests/curl-floor", slash != NULL ? bin : ".");
	if ((f = fopen(in, "w")) != NULL) {
		int ok = fputs(body, f) >= 0;

		if (fclose(f) == 0 && ok) {
			char *argv[] = { prog, (char *)url, (char *)token, in, NULL };

			if (bench_run(argv, NULL, out, NULL, NULL) == 0 &&
			    (f = fopen(out, "r")) != NULL) {
				if (fgets(line, sizeof line, f) != NULL)
					kb = strtol(line, NULL, 10);
				fclose(f);
			}
		}
	}
	free(bin); free(in); free(out); free(prog);
	return kb > 0 ? kb : -1;
}

/* The same baseline batches into a hub on PostgreSQL (a private cluster, tests/bench/pg-cluster,
 * fsync on, as a chain would run it). */
static void
pg_ingest(const char *hub, const char *dir, char **bodies, int nbodies, int port)
{
	const char *top = getenv("KASSA_TOP");
	char *script = xasprintf("%s/tests/bench/pg-cluster", top != NULL ? top : ".");
	/* Under /tmp and open to others: the cluster belongs to the postgres user when we are
	 * root, and it must reach its folder. */
	char base[] = "/tmp/kassa-bench-pg-XXXXXX";
	char *pgdir = xasprintf("%s/cluster", mkdtemp(base) != NULL ? base : dir);
	char *urlfile = xasprintf("%s/pg-url", dir);
	char *rm[] = { "/bin/rm", "-rf", base, NULL };
	char portbuf[16], url[512] = "", listen_addr[32], value[64];
	char *start[] = { script, "start", pgdir, portbuf, NULL };
	char *stop[] = { script, "stop", pgdir, NULL };
	char *tok = NULL, *posturl;
	double secs;
	pid_t hp;
	FILE *f;

	chmod(base, 0755);
	snprintf(portbuf, sizeof portbuf, "%d", port + 1);
	if (bench_run(start, NULL, urlfile, NULL, NULL) != 0 || (f = fopen(urlfile, "r")) == NULL) {
		bench_skip("hub ingest (PostgreSQL)", "no PostgreSQL server here (tests/bench/pg-cluster)");
		goto out;
	}
	if (fgets(url, sizeof url, f) != NULL)
		url[strcspn(url, "\n")] = '\0';
	fclose(f);
	tok = token_for(hub, url, "bench-base", dir);
	snprintf(listen_addr, sizeof listen_addr, "127.0.0.1:%d", port);
	hp = start_hub(hub, url, listen_addr);
	posturl = xasprintf("http://%s/v1/events", listen_addr);
	secs = tok != NULL ? bare_loop(posturl, tok, bodies, nbodies) : -1;
	free(posturl);
	kill(hp, SIGTERM);
	waitpid(hp, NULL, 0);
	if (secs <= 0) {
		bench_skip("hub ingest (PostgreSQL)", "the posts to the PostgreSQL hub failed");
	} else {
		snprintf(value, sizeof value, "%.0f events/s", EVENTS / secs);
		bench_row("hub ingest (PostgreSQL)", value, NULL, "", "", true);
		bench_note("the baseline's %d batches into kassa-hub --db postgresql://... (a private "
		    "PostgreSQL on a unix socket, fsync on)", nbodies);
	}
	bench_run(stop, NULL, NULL, NULL, NULL);
out:
	if (base[strlen(base) - 1] != 'X')
		bench_run(rm, NULL, NULL, NULL, NULL);
	free(tok);
	free(script);
	free(pgdir);
	free(urlfile);
}

int
bench_sync(FILE *out)
{
	const char *dir = getenv("KASSA_BENCH_DIR"), *kassa = getenv("KASSA_BIN");
	const char *hub = getenv("KASSA_HUB_BIN");
	char *hubdb, *till, *base, *conf, *url, *tok1 = NULL, *tok2 = NULL, listen_addr[32];
	char value[64], ratio[32];
	char **bodies = NULL, baseline[64];
	int nbodies = 0, port = 20000 + getpid() % 30000, rc = -1;
	double secs = -1, bsecs = -1;
	long rss = 0, priv = 0, floor_kb = -1;
	pid_t hp;
	FILE *f;

	(void)out;
	if (dir == NULL || kassa == NULL || hub == NULL || access(hub, X_OK) != 0) {
		bench_skip("sync drain (issue 4)", "kassa-hub is not built");
		return 0;
	}
	hubdb = xasprintf("%s/hub.db", dir);
	till = xasprintf("%s/till.db", dir);
	base = xasprintf("%s/base.db", dir);
	conf = xasprintf("%s/sync.conf", dir);
	snprintf(listen_addr, sizeof listen_addr, "127.0.0.1:%d", port);
	url = xasprintf("http://%s", listen_addr);
	if (make_till(kassa, till, "bench-till") == -1 || make_till(kassa, base, "bench-base") == -1)
		goto out;
	tok1 = token_for(hub, hubdb, "bench-till", dir);
	tok2 = token_for(hub, hubdb, "bench-base", dir);
	if (tok1 == NULL || tok2 == NULL)
		goto out;
	f = fopen(conf, "w");
	if (f == NULL)
		goto out;
	fprintf(f, "[sync]\nurl = %s\ntoken = %s\n", url, tok1);
	fclose(f);
	chmod(conf, 0600);
	hp = start_hub(hub, hubdb, listen_addr);
	{
		char *argv[] = { (char *)kassa, "-d", till, "-c", conf, "sync", "--once", NULL };
		char *posturl = xasprintf("%s/v1/events", url);

		if (bench_run_peak(argv, NULL, NULL, &secs, &rss, &priv) != 0)
			secs = -1;
	/* The baseline's batches, built by the sync code itself before the clock starts. */
		{
			struct config cfg;
			struct sync_ctx c;
			struct kerr err;
			int64_t after = 0;
			int count = 1;
	
			config_defaults(&cfg);
			memset(&c, 0, sizeof c);
			c.cfg = &cfg;
			snprintf(c.device_id, sizeof c.device_id, "bench-base");
			c.st = store_open(base, STORE_READONLY, &err);
			while (c.st != NULL && count > 0) {
				char *b = sync_batch_body(&c, after, &count, &after, &err);
	
				if (b == NULL)
					break;
				if (count == 0) {
					free(b);
					break;
				}
				bodies = xreallocarray(bodies, (size_t)nbodies + 1, sizeof *bodies);
				bodies[nbodies++] = b;
			}
			store_close(c.st);
		}
			bsecs = bare_loop(posturl, tok2, bodies, nbodies);
		if (nbodies > 0)
			floor_kb = floor_peak(hub, dir, posturl, tok2, bodies[0]);
		free(posturl);
	}
	kill(hp, SIGTERM);
	waitpid(hp, NULL, 0);
	if (secs <= 0 || bsecs <= 0) {
		bench_skip("sync drain (issue 4)", "the drain or the baseline failed");
		goto out;
	}
	snprintf(value, sizeof value, "%.0f events/s", EVENTS / secs);
	snprintf(baseline, sizeof baseline, "%.0f events/s", EVENTS / bsecs);
	snprintf(ratio, sizeof ratio, "%.2fx", bsecs / secs);
	bench_row("sync drain, 100k events", value, ">= 0.8x", baseline, ratio, bsecs / secs >= 0.8);
	bench_note("kassa sync --once on %d queued events to kassa-hub on loopback (batches of 500), "
	    "against a bare libcurl loop posting the same %d batches to the same hub; ratio = "
	    "kassa rate / bare rate", EVENTS, nbodies);
	snprintf(value, sizeof value, "%.1f MB", rss / 1024.0);
	baseline[0] = ratio[0] = '\0';
	if (floor_kb > 0) {
		snprintf(baseline, sizeof baseline, "libcurl alone %.1f MB", floor_kb / 1024.0);
		snprintf(ratio, sizeof ratio, "%.2fx", (double)rss / floor_kb);
	}
	bench_row("sync process peak RSS", value, "< 8 MB", baseline, ratio,
	    rss > 0 && rss < 8 * 1024);
	bench_note("VmHWM of kassa-sync during the drain above, sampled from /proc every 2 ms; "
	    "of it private (not shared with other processes: heap, stack, written pages) at most "
	    "%.1f MB; the rest are pages of shared libraries (libcurl's TLS stack, SQLite, libc)",
	    priv / 1024.0);
	if (floor_kb > 0)
		bench_note("libcurl alone: VmHWM of tests/bench/floor/curl-floor, which links only "
		    "libcurl and posts one of these batches (Debian's libcurl loads two TLS stacks: "
		    "OpenSSL, and GnuTLS for LDAP); above it, kassa-sync adds %.1f MB (SQLite, "
		    "jansson, its batches)", (rss - floor_kb) / 1024.0);
	snprintf(value, sizeof value, "%.0f events/s", EVENTS / bsecs);
	bench_row("hub ingest (SQLite)", value, NULL, "", "", true);
	pg_ingest(hub, dir, bodies, nbodies, tok2 != NULL ? port + 17 : port);
	rc = 0;
out:
	for (int i = 0; i < nbodies; i++)
		free(bodies[i]);
	free(bodies);
	free(hubdb); free(till); free(base); free(conf); free(url); free(tok1); free(tok2);
	return rc;
}
