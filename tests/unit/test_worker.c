/* Unit tests for worker: fork, wake, status lines, percent-encoding, stop and reap. */
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include <cmocka.h>

#include "worker.h"

/* Child: reports "ready", then echoes a count for every wake-up until its wake pipe closes. */
static int
echo_child(void *arg, int wake_fd, int status_fd)
{
	char c, n[16];
	int wakes = 0;

	(void)arg;
	worker_report(status_fd, "state", "ready", "msg", "paper out = 100%", (char *)NULL);
	while (read(wake_fd, &c, 1) == 1) {
		snprintf(n, sizeof n, "%d", ++wakes);
		worker_report(status_fd, "wakes", n, (char *)NULL);
	}
	return 3;
}

struct seen {
	char last[256];
	int lines;
};

static void
on_line(void *ctx, const char *line)
{
	struct seen *s = ctx;

	snprintf(s->last, sizeof s->last, "%s", line);
	s->lines++;
}

static void
wait_lines(struct worker *w, struct seen *s, int want)
{
	struct pollfd p = { .fd = w->status_fd, .events = POLLIN };

	for (int i = 0; i < 200 && s->lines < want; i++) {
		poll(&p, 1, 50);
		assert_int_equal(worker_read(w, on_line, s), 0);
	}
	assert_int_equal(s->lines, want);
}

static void
test_spawn_report_wake_stop(void **state)
{
	struct worker w = { .wake_fd = -1, .status_fd = -1 };
	struct seen s = { .lines = 0 };
	char buf[64];

	(void)state;
	assert_int_equal(worker_spawn(&w, "test", echo_child, NULL, NULL), 0);
	assert_true(w.pid > 0);
	wait_lines(&w, &s, 1);
	assert_true(worker_field(s.last, "state", buf, sizeof buf));
	assert_string_equal(buf, "ready");
	/* Spaces, '=' and '%' survive the trip. */
	assert_true(worker_field(s.last, "msg", buf, sizeof buf));
	assert_string_equal(buf, "paper out = 100%");
	assert_false(worker_field(s.last, "nope", buf, sizeof buf));

	worker_wake(&w);
	wait_lines(&w, &s, 2);
	assert_true(worker_field(s.last, "wakes", buf, sizeof buf));
	assert_string_equal(buf, "1");

	worker_stop(&w, 1000);
	assert_int_equal(w.pid, 0);
	assert_int_equal(w.status_fd, -1);
}

static void
test_reap_and_backoff(void **state)
{
	struct worker w = { .wake_fd = -1, .status_fd = -1 };
	struct seen s = { .lines = 0 };
	int rc = 0;

	(void)state;
	assert_int_equal(worker_spawn(&w, "test", echo_child, NULL, NULL), 0);
	wait_lines(&w, &s, 1);
	/* Closing the wake pipe ends the child; the parent sees EOF, reaps it and backs off. */
	close(w.wake_fd);
	w.wake_fd = -1;
	for (int i = 0; i < 200 && rc == 0; i++) {
		poll(NULL, 0, 10);
		rc = worker_read(&w, on_line, &s);
	}
	assert_int_equal(rc, -1);
	for (int i = 0; i < 200 && !worker_reap(&w); i++)
		poll(NULL, 0, 10);
	assert_int_equal(w.pid, 0);
	assert_int_equal(w.restarts, 1);
	assert_false(worker_may_restart(&w));	/* at least 1 s of back-off */
}

static void
test_field_parsing(void **state)
{
	char buf[8];

	(void)state;
	assert_true(worker_field("a=1 bb=%41%42 c=", "bb", buf, sizeof buf));
	assert_string_equal(buf, "AB");
	assert_true(worker_field("a=1 bb=2 c=", "c", buf, sizeof buf));
	assert_string_equal(buf, "");
	assert_false(worker_field("ab=1", "a", buf, sizeof buf));
	/* Truncated to the buffer, never overflowing it. */
	assert_true(worker_field("k=0123456789", "k", buf, sizeof buf));
	assert_string_equal(buf, "0123456");
}

/* The descriptors this process has, ascending, "0,1,2,...", into buf. */
static void
list_fds(char *buf, size_t size)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int fds[256], n = 0;
	size_t off = 0;

	buf[0] = '\0';
	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL && n < 256) {
		if (e->d_name[0] != '.' && atoi(e->d_name) != dirfd(d))
			fds[n++] = atoi(e->d_name);
	}
	closedir(d);
	for (int i = 0; i < n; i++)	/* sorted: /proc lists in order, but say so */
		for (int j = i + 1; j < n; j++)
			if (fds[j] < fds[i]) {
				int t = fds[i]; fds[i] = fds[j]; fds[j] = t;
			}
	for (int i = 0; i < n && off < size; i++)
		off += (size_t)snprintf(buf + off, size - off, "%s%d", i > 0 ? "," : "", fds[i]);
}

static int
fds_child(void *arg, int wake_fd, int status_fd)
{
	char fds[512], want[64];

	(void)arg;
	list_fds(fds, sizeof fds);
	snprintf(want, sizeof want, "0,1,2,%d,%d", wake_fd < status_fd ? wake_fd : status_fd,
	    wake_fd < status_fd ? status_fd : wake_fd);
	worker_report(status_fd, "fds", fds, "want", want, (char *)NULL);
	/* Stays until stopped: a child that is gone already reads as EOF to worker_read. */
	while (read(wake_fd, want, 1) == 1)
		;
	return 0;
}

static char *self_path;

/*
 * The parent holds descriptors a worker must never see (a database, a socket: here /dev/null
 * at a low number and at a high one): the child, forked or executed, has stdio and its two
 * pipe ends and nothing else. The high one sits above the soft limit, lowered after it was
 * opened (as a process may inherit descriptors from a parent with a higher limit): a loop that
 * closes up to the limit never reaches it.
 */
static void
test_child_has_only_its_fds(void **state)
{
	struct worker w = { .wake_fd = -1, .status_fd = -1 };
	struct seen s = { .lines = 0 };
	struct rlimit rl, low_rl;
	char fds[512], want[64], *argv[] = { self_path, "--list-fds", NULL };
	int low, high;

	(void)state;
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	low = open("/dev/null", O_RDONLY);
	assert_true(low >= 3);
	high = dup2(low, (int)(rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < 5001 ?
	    rl.rlim_cur - 1 : 5000));
	assert_true(high > 64);
	low_rl = rl;
	low_rl.rlim_cur = 64;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low_rl), 0);

	assert_int_equal(worker_spawn(&w, "fds", fds_child, NULL, NULL), 0);
	wait_lines(&w, &s, 1);
	assert_true(worker_field(s.last, "fds", fds, sizeof fds));
	assert_true(worker_field(s.last, "want", want, sizeof want));
	assert_string_equal(fds, want);
	worker_stop(&w, 1000);

	s.lines = 0;
	assert_int_equal(worker_exec(&w, "fds", self_path, argv, NULL), 0);
	wait_lines(&w, &s, 1);
	assert_true(worker_field(s.last, "fds", fds, sizeof fds));
	assert_string_equal(fds, "0,1,2,3,4");
	worker_stop(&w, 1000);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
	close(high);
	close(low);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spawn_report_wake_stop),
		cmocka_unit_test(test_reap_and_backoff),
		cmocka_unit_test(test_field_parsing),
		cmocka_unit_test(test_child_has_only_its_fds),
	};

	/* Run by worker_exec in test_child_has_only_its_fds: say what we were given. */
	if (argc == 2 && strcmp(argv[1], "--list-fds") == 0) {
		char fds[512];

		list_fds(fds, sizeof fds);
		worker_report(WORKER_STATUS_FD, "fds", fds, (char *)NULL);
		while (read(WORKER_WAKE_FD, fds, 1) == 1)
			;
		return 0;
	}
	self_path = argv[0];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
