/*
 * worker: forked helper processes (sync, printer, scanner) that the till wakes through one pipe
 * and hears from through another. See include/worker.h for the contract.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "timestamp.h"
#include "worker.h"

#define RESTART_MIN_MS 1000
#define RESTART_MAX_MS 60000

static int
set_flags(int fd, int fl_flags, int fd_flags)
{
	int fl = fcntl(fd, F_GETFL);
	int fdf = fcntl(fd, F_GETFD);

	if (fl == -1 || fdf == -1)
		return -1;
	if (fcntl(fd, F_SETFL, fl | fl_flags) == -1)
		return -1;
	return fcntl(fd, F_SETFD, fdf | fd_flags);
}

/* Closes [lo, hi]: close_range(2) in one call, or one by one on a kernel without it (before
 * 5.9), up to the descriptor limit. */
static void
close_span(unsigned int lo, unsigned int hi)
{
	struct rlimit rl;
	unsigned int max = hi;

	if (lo > hi || close_range(lo, hi, 0) == 0)
		return;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur - 1 < max)
		max = (unsigned int)(rl.rlim_cur - 1);
	for (unsigned int fd = lo; fd <= max && fd <= INT_MAX; fd++)
		close((int)fd);
}

/*
 * In the child: close everything but stdio and the two pipe ends we keep, so no SQLite file,
 * terminal or socket of the parent survives into it (sqlite.org/howtocorrupt.html). Every
 * descriptor, however high: a loop up to a guessed limit left those above it open.
 */
static void
close_inherited(int keep1, int keep2)
{
	int keep[2] = { keep1 < keep2 ? keep1 : keep2, keep1 < keep2 ? keep2 : keep1 };
	unsigned int from = 3;

	for (int i = 0; i < 2; i++) {
		if (keep[i] < (int)from)
			continue;	/* stdio, or the same descriptor twice */
		if ((unsigned int)keep[i] > from)
			close_span(from, (unsigned int)keep[i] - 1);
		from = (unsigned int)keep[i] + 1;
	}
	close_span(from, ~0U);
}

/* The two pipes of a worker: wake (parent -> child) and status (child -> parent). */
static int
open_pipes(const char *name, int wake[2], int status[2], struct kerr *err)
{
	if (pipe(wake) == -1)
		return kerr_set(err, KERR_INTERNAL, "%s: pipe: %s", name, strerror(errno));
	if (pipe(status) == -1) {
		close(wake[0]);
		close(wake[1]);
		return kerr_set(err, KERR_INTERNAL, "%s: pipe: %s", name, strerror(errno));
	}
	return 0;
}

/* In the child: signals back to defaults (but for the till's own), and never the cashier's
 * terminal on stdin, stdout or stderr. */
static void
child_setup(void)
{
	int devnull;

	signal(SIGINT, SIG_IGN);    /* Ctrl-C at the till is not for us */
	signal(SIGHUP, SIG_IGN);    /* the till saves and stops us itself */
	signal(SIGTERM, SIG_DFL);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGWINCH, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	devnull = open("/dev/null", O_RDWR);
	if (devnull != -1) {
		dup2(devnull, STDIN_FILENO);
		if (isatty(STDOUT_FILENO))
			dup2(devnull, STDOUT_FILENO);
		if (isatty(STDERR_FILENO))
			dup2(devnull, STDERR_FILENO);
		if (devnull > STDERR_FILENO)
			close(devnull);
	}
}

/* In the parent after fork: keep our ends, never block on them. */
static int
parent_setup(struct worker *w, const char *name, pid_t pid, int wake[2], int status[2],
    struct kerr *err)
{
	if (pid == -1) {
		close(wake[0]); close(wake[1]); close(status[0]); close(status[1]);
		return kerr_set(err, KERR_INTERNAL, "%s: fork: %s", name, strerror(errno));
	}
	close(wake[0]);
	close(status[1]);
	/* A full wake pipe already means "wake up". */
	set_flags(wake[1], O_NONBLOCK, FD_CLOEXEC);
	set_flags(status[0], O_NONBLOCK, FD_CLOEXEC);
	w->pid = pid;
	w->wake_fd = wake[1];
	w->status_fd = status[0];
	w->len = 0;
	snprintf(w->name, sizeof w->name, "%s", name);
	return 0;
}

int
worker_spawn(struct worker *w, const char *name, worker_fn fn, void *arg, struct kerr *err)
{
	int wake[2], status[2];
	pid_t pid;

	if (open_pipes(name, wake, status, err) == -1)
		return -1;
	pid = fork();
	if (pid == 0) {
		child_setup();
		close_inherited(wake[0], status[1]);
		_exit(fn(arg, wake[0], status[1]) & 0xff);
	}
	return parent_setup(w, name, pid, wake, status, err);
}

int
worker_exec(struct worker *w, const char *name, const char *path, char *const argv[],
    struct kerr *err)
{
	int wake[2], status[2];
	pid_t pid;

	if (open_pipes(name, wake, status, err) == -1)
		return -1;
	pid = fork();
	if (pid == 0) {
		/* Move the pipe ends to fds 3 and 4 without clobbering one with the other. */
		int wr = fcntl(wake[0], F_DUPFD_CLOEXEC, 10);
		int st = fcntl(status[1], F_DUPFD_CLOEXEC, 10);

		if (wr == -1 || st == -1 || dup2(wr, WORKER_WAKE_FD) == -1 ||
		    dup2(st, WORKER_STATUS_FD) == -1)
			_exit(127);
		close_inherited(WORKER_WAKE_FD, WORKER_STATUS_FD);
		child_setup();
		execv(path, argv);
		_exit(127);
	}
	return parent_setup(w, name, pid, wake, status, err);
}

void
worker_wake(struct worker *w)
{
	char c = 'w';

	if (w->pid <= 0 || w->wake_fd < 0)
		return;
	if (write(w->wake_fd, &c, 1) == -1) {
		/* EAGAIN: a wake-up is already pending. EPIPE: the child died; worker_read sees it. */
	}
}

int
worker_read(struct worker *w, void (*line_fn)(void *ctx, const char *line), void *ctx)
{
	ssize_t n;
	char *nl;

	if (w->pid <= 0 || w->status_fd < 0)
		return -1;
	for (;;) {
		if (w->len >= sizeof w->buf - 1)
			w->len = 0;	/* an over-long line is garbage: drop it */
		n = read(w->status_fd, w->buf + w->len, sizeof w->buf - 1 - w->len);
		if (n == 0)
			return -1;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			return -1;
		}
		w->len += (size_t)n;
		w->buf[w->len] = '\0';
		while ((nl = memchr(w->buf, '\n', w->len)) != NULL) {
			size_t used = (size_t)(nl - w->buf) + 1;

			*nl = '\0';
			if (line_fn != NULL)
				line_fn(ctx, w->buf);
			memmove(w->buf, w->buf + used, w->len - used);
			w->len -= used;
			w->buf[w->len] = '\0';
		}
	}
}

static void
close_fds(struct worker *w)
{
	if (w->wake_fd >= 0)
		close(w->wake_fd);
	if (w->status_fd >= 0)
		close(w->status_fd);
	w->wake_fd = w->status_fd = -1;
	w->len = 0;
}

void
worker_stop(struct worker *w, int timeout_ms)
{
	long long deadline;
	int status;

	if (w->pid <= 0)
		return;
	kill(w->pid, SIGTERM);
	deadline = timestamp_monotonic_ms() + timeout_ms;
	for (;;) {
		pid_t r = waitpid(w->pid, &status, WNOHANG);

		if (r == w->pid || (r == -1 && errno == ECHILD))
			break;
		if (timestamp_monotonic_ms() >= deadline) {
			kill(w->pid, SIGKILL);
			waitpid(w->pid, &status, 0);
			break;
		}
		poll(NULL, 0, 10);
	}
	w->pid = 0;
	close_fds(w);
}

void
worker_finish(struct worker *w, int grace_ms, int timeout_ms)
{
	long long deadline = timestamp_monotonic_ms() + grace_ms;
	int status;

	if (w->pid <= 0)
		return;
	if (w->wake_fd >= 0)
		close(w->wake_fd);
	w->wake_fd = -1;
	for (;;) {
		pid_t r = waitpid(w->pid, &status, WNOHANG);

		if (r == w->pid || (r == -1 && errno == ECHILD)) {
			w->pid = 0;
			close_fds(w);
			return;
		}
		if (timestamp_monotonic_ms() >= deadline)
			break;
		poll(NULL, 0, 10);
	}
	worker_stop(w, timeout_ms);
}

bool
worker_parent_gone(int wake_fd, int timeout_ms)
{
	struct pollfd pfd = { .fd = wake_fd, .events = POLLIN };
	char buf[64];
	ssize_t n;
	int rc;

	rc = poll(&pfd, 1, timeout_ms);
	if (rc != 1)	/* a time-out, or a signal: as a wake-up */
		return false;
	n = read(wake_fd, buf, sizeof buf);
	return n == 0 || (n == -1 && errno != EAGAIN && errno != EINTR);
}

bool
worker_reap(struct worker *w)
{
	long long delay;
	int status;
	pid_t r;

	if (w->pid <= 0)
		return false;
	r = waitpid(w->pid, &status, WNOHANG);
	if (r == 0)
		return false;
	w->pid = 0;
	close_fds(w);
	delay = RESTART_MIN_MS;
	for (int i = 0; i < w->restarts && delay < RESTART_MAX_MS; i++)
		delay *= 2;
	if (delay > RESTART_MAX_MS)
		delay = RESTART_MAX_MS;
	w->restarts++;
	w->next_start_ms = timestamp_monotonic_ms() + delay;
	return true;
}

bool
worker_may_restart(const struct worker *w)
{
	return w->pid <= 0 && timestamp_monotonic_ms() >= w->next_start_ms;
}

static void
encode(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c <= ' ' || c == '=' || c == '%' || c == 0x7f)
			fprintf(f, "%%%02X", c);
		else
			fputc(c, f);
	}
}

void
worker_report(int status_fd, ...)
{
	char *line = NULL;
	size_t len = 0, off = 0;
	const char *key, *value;
	FILE *f;
	va_list ap;

	f = open_memstream(&line, &len);
	if (f == NULL)
		return;
	va_start(ap, status_fd);
	while ((key = va_arg(ap, const char *)) != NULL) {
		value = va_arg(ap, const char *);
		if (off++ > 0)
			fputc(' ', f);
		fputs(key, f);
		fputc('=', f);
		encode(f, value != NULL ? value : "");
	}
	va_end(ap);
	fputc('\n', f);
	if (fclose(f) != 0) {
		free(line);
		return;
	}
	/* Lines are far below PIPE_BUF, so each write is atomic. A parent that is gone is fine. */
	for (off = 0; off < len;) {
		ssize_t n = write(status_fd, line + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	free(line);
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

bool
worker_field(const char *line, const char *key, char *buf, size_t size)
{
	size_t klen = strlen(key), o = 0;
	const char *p = line;

	if (size == 0)
		return false;
	while (*p != '\0') {
		while (*p == ' ')
			p++;
		if (strncmp(p, key, klen) == 0 && p[klen] == '=') {
			p += klen + 1;
			while (*p != '\0' && *p != ' ' && o + 1 < size) {
				int hi, lo;

				if (*p == '%' && (hi = hexval(p[1])) >= 0 && (lo = hexval(p[2])) >= 0) {
					buf[o++] = (char)(hi * 16 + lo);
					p += 3;
				} else
					buf[o++] = *p++;
			}
			buf[o] = '\0';
			return true;
		}
		while (*p != '\0' && *p != ' ')
			p++;
	}
	buf[0] = '\0';
	return false;
}
