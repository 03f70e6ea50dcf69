/* Unit tests for worker: fork, wake, status lines, percent-encoding, stop and reap. */
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spawn_report_wake_stop),
		cmocka_unit_test(test_reap_and_backoff),
		cmocka_unit_test(test_field_parsing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
