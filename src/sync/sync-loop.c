/*
 * sync-loop.c: the sync process. `kassa sync` runs the loop in the foreground, `kassa sync
 * --once` one cycle, and the till forks it as a worker (sync_spawn) that it wakes after each
 * commit and that reports its state back for the status bar.
 *
 * A cycle: push batches until the outbox is empty or a push fails, then pull the catalogue
 * (also after a failed push, when the hub answered and did not ask us to wait). Failures back
 * off exponentially with full jitter (base and cap from the config), honouring Retry-After up
 * to SYNC_RETRY_AFTER_MAX; a refused token is retried at the cap. The next try is a deadline on
 * the monotonic clock: a wake from the till during a back-off does not cut it short. The state
 * (last sync, last error) is kept in meta so `kassa status` shows it too.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/wait.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <sqlite3.h>

#include "fiscal.h"
#include "journal.h"
#include "log.h"
#include "sync-int.h"
#include "sync.h"
#include "termsafe.h"
#include "timestamp.h"
#include "xalloc.h"

volatile sig_atomic_t sync_stopping;

static void
on_stop(int sig)
{
	(void)sig;
	sync_stopping = 1;
}

void
sync_failed(struct sync_ctx *c, long retry_after, bool slow, const struct kerr *err)
{
	long cap = c->cfg->sync_backoff_cap, base = c->cfg->sync_backoff_base, ceiling;
	char safe[sizeof err->msg * 4];

	c->failures++;
	c->online = false;
	snprintf(c->last_error, sizeof c->last_error, "%s", err->msg);
	/* Full jitter: a random wait up to base * 2^failures, so many tills coming back online
	 * at once do not all knock on the hub together. */
	ceiling = base;
	for (int i = 1; i < c->failures && ceiling < cap; i++)
		ceiling *= 2;
	if (ceiling > cap || slow)
		ceiling = cap;
	c->wait_s = slow ? cap : (long)(random() % (ceiling + 1));
	if (c->wait_s < 1)
		c->wait_s = 1;
	if (retry_after > SYNC_RETRY_AFTER_MAX)
		retry_after = SYNC_RETRY_AFTER_MAX;
	if (retry_after > c->wait_s)
		c->wait_s = retry_after;
	log_info("sync: %s (next try in %ld s)", termsafe(err->msg, safe, sizeof safe), c->wait_s);
}

static int64_t
count_outbox(store *st, const char *state)
{
	sqlite3_stmt *q;
	int64_t n = 0;

	if (sqlite3_prepare_v2(store_db(st), "SELECT count(*) FROM outbox WHERE state = ?1", -1,
	    &q, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(q, 1, state, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW)
		n = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return n;
}

/* Seconds since the oldest pending event was written (0 when none). */
static int64_t
oldest_age(store *st)
{
	sqlite3_stmt *q;
	int64_t age = 0;

	if (sqlite3_prepare_v2(store_db(st), "SELECT CAST((julianday('now') - julianday(e.at)) * "
	    "86400 AS INTEGER) FROM outbox o JOIN events e ON e.seq = o.seq WHERE o.state = "
	    "'pending' ORDER BY o.seq LIMIT 1", -1, &q, NULL) != SQLITE_OK)
		return 0;
	if (sqlite3_step(q) == SQLITE_ROW)
		age = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return age > 0 ? age : 0;
}

/* Keeps the outcome of a cycle in meta, for `kassa status` and the next start. */
static void
record(struct sync_ctx *c, bool ok)
{
	struct kerr err;
	char now[32];

	if (store_begin(c->st, &err) == -1)
		return;
	if ((ok && store_meta_set(c->st, "sync_last_at", store_now(now, sizeof now), &err) == -1) ||
	    store_meta_set(c->st, "sync_last_error", ok ? "" : c->last_error, &err) == -1) {
		store_rollback(c->st);
		return;
	}
	store_commit(c->st, &err);
}

/*
 * Whether to pull after a failed push: one batch the hub will not take must not freeze the
 * catalogue's prices. Not when the hub did not answer (the pull would time out too), refused
 * the token (it would refuse the pull too) or asked us to wait (429, 503, Retry-After).
 */
static bool
pull_after_failed_push(const struct sync_ctx *c)
{
	long s = c->last_status;

	return s != 0 && s != 401 && s != 403 && s != 429 && s != 503 &&
	    c->last_retry_after == 0;
}

/* One cycle. Returns 0 when everything went through, -1 on a failure (c->wait_s set). */
static int
cycle(struct sync_ctx *c)
{
	struct kerr err;
	bool pushed = true;
	int sent = 0;

	kerr_clear(&err);
	c->wait_s = 0;
	c->last_status = -1;
	c->last_retry_after = 0;
	do {
		if (sync_push_batch(c, &sent, &err) == -1) {
			pushed = false;
			break;
		}
	} while (sent > 0 && !sync_stopping);
	if (!pushed && !pull_after_failed_push(c)) {
		record(c, false);
		return -1;
	}
	kerr_clear(&err);
	if (sync_pull(c, &err) == -1) {
		/* After a failed push, that failure stays the one shown and backed off from. */
		if (pushed)
			sync_failed(c, c->wait_s, err.code == KERR_DENIED, &err);
		else
			log_info("sync: %s", err.msg);
		record(c, false);
		return -1;
	}
	if (!pushed) {
		record(c, false);
		return -1;
	}
	c->failures = 0;
	c->online = true;
	c->last_error[0] = '\0';
	record(c, true);
	return 0;
}

/* The hub's reason the till should show: why the chain was refused (halted), else why the
 * first rejected event was; "" for none. */
static void
hub_reason(struct sync_ctx *c, bool *halted, char *buf, size_t size)
{
	char *why = sync_queue_halted(c->st, &sync_queue_events);
	struct sync_rejected r;
	struct kerr err;
	int n = 0;

	*halted = why != NULL;
	buf[0] = '\0';
	if (why != NULL)
		snprintf(buf, size, "%s", why);
	else if (sync_queue_rejected(c->st, &sync_queue_events, &r, 1, &n, &err) == 0 && n == 1)
		snprintf(buf, size, "event %lld: %.200s", (long long)r.seq, r.error);
	free(why);
}

static void
report(struct sync_ctx *c, int status_fd)
{
	char pending[24], rejected[24], age[24], reason[256], *last;
	bool halted;

	snprintf(pending, sizeof pending, "%lld", (long long)count_outbox(c->st, "pending"));
	snprintf(rejected, sizeof rejected, "%lld", (long long)count_outbox(c->st, "rejected"));
	snprintf(age, sizeof age, "%lld", (long long)oldest_age(c->st));
	hub_reason(c, &halted, reason, sizeof reason);
	last = store_meta_get(c->st, "sync_last_at");
	worker_report(status_fd, "online", c->online ? "1" : "0", "pending", pending, "rejected",
	    rejected, "oldest_age", age, "last_error", c->last_error, "last_sync",
	    last != NULL ? last : "", "halted", halted ? "1" : "0", "hub_reason", reason,
	    (char *)NULL);
	free(last);
}

int
sync_ctx_open(struct sync_ctx *c, const struct config *cfg, const char *db_path, int verbose,
    bool fiscal, struct kerr *err)
{
	char *device;

	memset(c, 0, sizeof *c);
	c->cfg = cfg;
	c->verbose = verbose;
	c->url = fiscal ? cfg->fiscal_url : cfg->sync_url;
	c->token = fiscal ? cfg->fiscal_token : cfg->sync_token;
	c->timeout_s = fiscal ? SYNC_FISCAL_TIMEOUT : 60;
	if (!fiscal && cfg->sync_url[0] == '\0')
		return kerr_set(err, KERR_STATE, "no [sync] url in the config: the till works "
		    "offline only");
	if (fiscal && cfg->fiscal_url[0] == '\0')
		return kerr_set(err, KERR_STATE, "[fiscal] mode = http but no [fiscal] url in the "
		    "config: the fiscal documents wait");
	c->st = store_open(db_path, STORE_SMALL_CACHE, err);
	if (c->st == NULL)
		return -1;
	device = journal_device_id(c->st);
	if (device == NULL) {
		store_close(c->st);
		return kerr_set(err, KERR_STATE, "the till has no device id: run `kassa init`");
	}
	snprintf(c->device_id, sizeof c->device_id, "%s", device);
	free(device);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	c->curl = curl_easy_init();
	if (c->curl == NULL) {
		store_close(c->st);
		return kerr_set(err, KERR_INTERNAL, "cannot start libcurl");
	}
	srandom((unsigned)(time(NULL) ^ getpid()));
	return 0;
}

void
sync_ctx_close(struct sync_ctx *c)
{
	if (c->curl != NULL)
		curl_easy_cleanup(c->curl);
	curl_global_cleanup();
	store_close(c->st);
}

/* The deadline of the next cycle: the back-off after a failure, else the interval. */
static int64_t
next_deadline(const struct sync_ctx *c)
{
	int64_t s = c->wait_s > 0 ? c->wait_s : c->cfg->sync_interval;

	return timestamp_monotonic_ms() + s * 1000;
}

enum sync_wake
sync_wait_until(int fd, int64_t deadline, int forward_fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char buf[64];

	while (!sync_stopping) {
		int64_t left = deadline - timestamp_monotonic_ms();
		ssize_t n;

		if (left <= 0)
			return SYNC_WAKE_TIME;
		/* Steps of at most a minute: poll() takes an int of milliseconds. */
		if (poll(&p, fd >= 0 ? 1 : 0, left > 60000 ? 60000 : (int)left) <= 0)
			continue;	/* the step ended, or a signal */
		if (p.revents & POLLNVAL)
			return SYNC_WAKE_STOP;
		n = read(fd, buf, sizeof buf);
		/* The fiscal sender is woken by every commit too (non-blocking: a full pipe
		 * already holds a wake). */
		if (n > 0 && forward_fd >= 0 && write(forward_fd, "w", 1) < 0)
			log_debug("sync: the fiscal sender's wake pipe is full");
		if (n > 0)
			return SYNC_WAKE_TILL;
		if (n == 0 || (errno != EINTR && errno != EAGAIN))
			return SYNC_WAKE_STOP;	/* the till closed or broke the pipe */
	}
	return SYNC_WAKE_STOP;
}

/*
 * The fiscal documents go from a process of their own (sync-fiscal.c), forked here before
 * anything is opened: a gateway that hangs holds up its own requests only, never the events,
 * and a hub that hangs never holds up the documents. Its wake pipe's write end into *wake_wr;
 * its pid, or 0 when fiscal mode is off, -1 when it could not start (said on stderr).
 */
static pid_t
fiscal_start(const struct config *cfg, const char *db_path, int status_fd, int till_fd,
    int verbose, int *wake_wr)
{
	int p[2];
	pid_t pid;

	*wake_wr = -1;
	if (!config_fiscal(cfg))
		return 0;
	if (pipe(p) == -1) {
		log_info("sync: cannot start the fiscal sender: %s", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid == -1) {
		log_info("sync: cannot start the fiscal sender: %s", strerror(errno));
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		close(p[1]);
		if (till_fd >= 0)
			close(till_fd);
		_exit(sync_fiscal_main(cfg, db_path, p[0], status_fd, verbose) == 0 ? 0 : 1);
	}
	close(p[0]);
	fcntl(p[1], F_SETFL, O_NONBLOCK);
	fcntl(p[1], F_SETFD, FD_CLOEXEC);
	*wake_wr = p[1];
	return pid;
}

/* Stops the fiscal sender: EOF on its wake pipe and SIGTERM; one that is still inside a
 * request to a hanging gateway after a second is killed (safe at any moment: a document
 * leaves the queue only with its reply, and the same id gets the same reply). */
static void
fiscal_stop(pid_t pid, int wake_wr)
{
	if (wake_wr >= 0)
		close(wake_wr);
	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	for (int i = 0; i < 20; i++) {
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return;
		usleep(50 * 1000);
	}
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) == -1 && errno == EINTR)
		;
}

/* `kassa sync --once`: the fiscal documents once, in this process. Returns how many still
 * wait (pending), -1 when the sender could not start. */
static int64_t
fiscal_once(const struct config *cfg, const char *db_path, int verbose)
{
	struct sync_ctx c;
	struct kerr err;
	struct fiscal_state fs;
	char safe[sizeof c.last_error * 4];
	int64_t left = -1;

	if (sync_ctx_open(&c, cfg, db_path, verbose, true, &err) == -1) {
		fprintf(stderr, "kassa: sync: fiscal: %s\n", err.msg);
		return -1;
	}
	if (sync_fiscal_send(&c, &err) == -1)
		fprintf(stderr, "kassa: sync: fiscal: %s\n", termsafe(c.last_error, safe,
		    sizeof safe));
	sync_fiscal_record(&c);
	if (fiscal_state_get(c.st, &fs, &err) == 0) {
		left = fs.pending;
		if (fs.rejected > 0)
			fprintf(stderr, "kassa: sync: %lld fiscal documents were rejected by the "
			    "gateway: see `kassa status`\n", (long long)fs.rejected);
		if (fs.pending > 0)
			fprintf(stderr, "kassa: sync: %lld fiscal documents still waiting\n",
			    (long long)fs.pending);
	}
	sync_ctx_close(&c);
	return left;
}

int
sync_run(const struct config *cfg, const char *db_path, bool once, int verbose)
{
	struct sync_ctx c;
	struct kerr err;
	int64_t pending = 0, rejected;
	char safe[sizeof c.last_error * 4];
	bool events = cfg->sync_url[0] != '\0';
	int rc = 0, wake_wr;
	pid_t fiscal;

	if (!events && !config_fiscal(cfg)) {
		fprintf(stderr, "kassa: sync: no [sync] url in the config: the till works offline "
		    "only\n");
		return 1;
	}
	signal(SIGTERM, on_stop);
	signal(SIGINT, on_stop);
	if (once) {
		if (events) {
			if (sync_ctx_open(&c, cfg, db_path, verbose, false, &err) == -1) {
				fprintf(stderr, "kassa: sync: %s\n", err.msg);
				return 1;
			}
			rc = cycle(&c);
			pending = count_outbox(c.st, "pending");
			rejected = count_outbox(c.st, "rejected");
			if (rc == -1)
				fprintf(stderr, "kassa: sync: %s\n", termsafe(c.last_error, safe,
				    sizeof safe));
			if (rejected > 0)
				fprintf(stderr, "kassa: sync: %lld events were rejected by the "
				    "hub: see `kassa status`\n", (long long)rejected);
			if (pending > 0)
				fprintf(stderr, "kassa: sync: %lld events still waiting\n",
				    (long long)pending);
			sync_ctx_close(&c);
		}
		if (config_fiscal(cfg)) {
			int64_t left = fiscal_once(cfg, db_path, verbose);

			if (left != 0)
				rc = -1;
		}
		return rc == 0 && pending == 0 ? 0 : 1;
	}
	fiscal = fiscal_start(cfg, db_path, -1, -1, verbose, &wake_wr);
	if (!events) {
		while (!sync_stopping && fiscal > 0) {
			if (waitpid(fiscal, NULL, WNOHANG) == fiscal)
				fiscal = 0;	/* it ended by itself: said on stderr */
			else
				sync_wait_until(-1, timestamp_monotonic_ms() + 500, -1);
		}
		fiscal_stop(fiscal, wake_wr);
		return 0;
	}
	if (sync_ctx_open(&c, cfg, db_path, verbose, false, &err) == -1) {
		fprintf(stderr, "kassa: sync: %s\n", err.msg);
		fiscal_stop(fiscal, wake_wr);
		return 1;
	}
	while (!sync_stopping) {
		cycle(&c);
		if (sync_wait_until(-1, next_deadline(&c), -1) == SYNC_WAKE_STOP)
			break;
	}
	sync_ctx_close(&c);
	fiscal_stop(fiscal, wake_wr);
	return 0;
}

int
sync_worker(const struct config *cfg, const char *db_path, int wake_fd, int status_fd)
{
	struct sync_ctx c;
	struct kerr err;
	int wake_wr;
	pid_t fiscal;

	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, on_stop);
	fiscal = fiscal_start(cfg, db_path, status_fd, wake_fd, 0, &wake_wr);
	if (cfg->sync_url[0] == '\0') {
		/* Fiscal documents only: pass the till's wakes on until it is gone. */
		while (!sync_stopping && sync_wait_until(wake_fd, INT64_MAX, wake_wr) !=
		    SYNC_WAKE_STOP)
			;
		fiscal_stop(fiscal, wake_wr);
		return 0;
	}
	if (sync_ctx_open(&c, cfg, db_path, 0, false, &err) == -1) {
		worker_report(status_fd, "online", "0", "last_error", err.msg, (char *)NULL);
		fiscal_stop(fiscal, wake_wr);
		return 1;
	}
	while (!sync_stopping) {
		int64_t deadline;
		enum sync_wake w;

		cycle(&c);
		report(&c, status_fd);
		deadline = next_deadline(&c);
		/* Woken at every commit of the till, or by the timer; gone with the till. After a
		 * good cycle a commit is sent at once; during a back-off it only updates the status
		 * bar's count and waits for the deadline, or a busy shop would ignore the hub's
		 * Retry-After and the back-off altogether. */
		while ((w = sync_wait_until(wake_fd, deadline, wake_wr)) == SYNC_WAKE_TILL &&
		    c.wait_s > 0)
			report(&c, status_fd);
		if (w == SYNC_WAKE_STOP)
			break;
	}
	sync_ctx_close(&c);
	fiscal_stop(fiscal, wake_wr);
	return 0;
}
