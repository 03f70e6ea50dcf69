/*
 * bench-ui: the figures of issue 3, measured from outside as a cashier would feel them. The
 * real `kassa` runs in a pseudo-terminal (forkpty, 40x120, TERM=xterm); the bench reads what
 * it draws, types the PIN when the PIN prompt shows, and waits for the sale screen. Then it
 * scans 100 products into the cart and times 200 further scans: from writing "CODE\r" (all
 * at once, as a scanner sends it) to the read that brings the new line's name to the terminal
 * (escape sequences and spaces dropped before matching), and to the end of the whole redraw
 * (the last byte before the output goes quiet for QUIET_MS). Peak RSS of the till is its
 * VmHWM from /proc, read as it is stopped. KASSA_BENCH_TRACE=1 prints every timed scan on
 * stderr (to see whether the slow ones are periodic).
 *
 * When the screen is not there yet (the till exits, or never shows a PIN prompt) the rows are
 * skipped with the reason.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "bench.h"
#include "xalloc.h"

#define CART_LINES 100
#define SCANS 200
#define QUIET_MS 25
#define OUT_MAX (1 << 20)

/* What the screens print (src/ui): the PIN prompt and, once logged in with a shift open, the
 * sale screen. Any of the markers will do; matched on the output with escapes removed. */
static const char *const pin_marks[] = { "PIN", NULL };
static const char *const sale_marks[] = { "TOTAL", "F10", NULL };

struct tty {
	int fd;
	pid_t pid;
	char *out;        /* what the till drew, escape sequences removed */
	size_t len;
	double last;      /* when the last byte came */
};

/* Appends what was read, dropping ESC [ ... final and ESC ( x style sequences. */
static void
take(struct tty *t, const char *buf, size_t n)
{
	static int state;   /* 0 text, 1 after ESC, 2 in CSI, 3 one more byte */
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)buf[i];

		switch (state) {
		case 1:
			state = c == '[' ? 2 : (c == '(' || c == ')' || c == '#') ? 3 : 0;
			continue;
		case 2:
			if (c >= 0x40 && c <= 0x7e)
				state = 0;
			continue;
		case 3:
			state = 0;
			continue;
		default:
			break;
		}
		if (c == 0x1b) {
			state = 1;
			continue;
		}
		/* Spaces go too: curses may move the cursor over them instead of writing them. */
		if (c == ' ')
			continue;
		if (t->len + 1 >= OUT_MAX) {
			/* Keep the newer half. */
			memmove(t->out, t->out + OUT_MAX / 2, t->len - OUT_MAX / 2);
			t->len -= OUT_MAX / 2;
		}
		t->out[t->len++] = (char)c;
	}
	t->out[t->len] = '\0';
}

/* Reads for up to ms; returns bytes read, 0 on timeout, -1 when the till is gone. */
static ssize_t
pump(struct tty *t, int ms)
{
	struct pollfd p = { .fd = t->fd, .events = POLLIN };
	char buf[8192];
	ssize_t n;

	if (poll(&p, 1, ms) <= 0)
		return 0;
	n = read(t->fd, buf, sizeof buf);
	if (n <= 0)
		return -1;
	t->last = bench_now();
	take(t, buf, (size_t)n);
	return n;
}

static bool
seen(const struct tty *t, size_t from, const char *const *marks)
{
	int i;

	for (i = 0; marks[i] != NULL; i++) {
		if (strstr(t->out + (from < t->len ? from : t->len), marks[i]) != NULL)
			return true;
	}
	return false;
}

/* Waits until one of marks shows in the output after from, up to timeout seconds. */
static int
wait_for(struct tty *t, size_t from, const char *const *marks, double timeout)
{
	double end = bench_now() + timeout;

	while (!seen(t, from, marks)) {
		if (bench_now() > end || pump(t, 20) == -1)
			return -1;
	}
	return 0;
}

/* Reads until the output has been quiet for QUIET_MS (or timeout); returns the time of the
 * last byte, or -1 when nothing came. When want is not NULL, *seen_at is when it first showed
 * in the output after mark (0 if it did not). */
static double
settle(struct tty *t, double since, double timeout, const char *want, size_t mark,
    double *seen_at)
{
	double end = bench_now() + timeout;

	t->last = 0;
	if (seen_at != NULL)
		*seen_at = 0;
	while (bench_now() < end) {
		ssize_t n = pump(t, QUIET_MS);

		if (n == -1)
			break;
		if (n > 0 && want != NULL && *seen_at == 0 && mark < t->len &&
		    strstr(t->out + mark, want) != NULL)
			*seen_at = t->last;
		if (n == 0 && t->last >= since)
			break;
	}
	return t->last >= since ? t->last : -1;
}

/* The name as it shows once spaces are dropped (see take), cut to 16 bytes. */
static void
squeeze(const char *name, char *out, size_t size)
{
	size_t n = 0;

	for (; *name != '\0' && n + 1 < size && n < 16; name++) {
		if (*name != ' ')
			out[n++] = *name;
	}
	out[n] = '\0';
}

static int
type(struct tty *t, const char *s)
{
	size_t n = strlen(s);

	return write(t->fd, s, n) == (ssize_t)n ? 0 : -1;
}

/* Ends the till; returns its peak RSS (VmHWM, KiB, read before it goes; -1 if unknown). */
static long
stop(struct tty *t)
{
	long peak = bench_proc_kb(t->pid, "VmHWM");
	int status, i;

	close(t->fd);   /* the terminal goes away: SIGHUP */
	for (i = 0; i < 100; i++) {
		if (waitpid(t->pid, &status, WNOHANG) == t->pid)
			return peak;
		usleep(20000);
	}
	kill(t->pid, SIGTERM);
	usleep(200000);
	if (waitpid(t->pid, &status, WNOHANG) != t->pid) {
		kill(t->pid, SIGKILL);
		waitpid(t->pid, &status, 0);
	}
	return peak;
}

int
bench_ui(struct bench_env *env)
{
	struct winsize ws = { .ws_row = 40, .ws_col = 120 };
	struct tty t = { .fd = -1 };
	char code[14], name[96], line[32];
	double t0, t_pin, t_sale, *lat = NULL, *whole = NULL, sent, done, p99;
	long rss, now = -1;
	int i, verified = 0, rc = 0;
	size_t mark;

	printf("till screen (issue 3)\n");
	t.out = xmalloc(OUT_MAX);
	t.out[0] = '\0';
	t0 = bench_now();
	t.pid = forkpty(&t.fd, NULL, NULL, &ws);
	if (t.pid == -1) {
		bench_skip("till start to sale screen", strerror(errno));
		goto out;
	}
	if (t.pid == 0) {
		setenv("TERM", "xterm", 1);
		setenv("LANG", "C.UTF-8", 1);
		setenv("LANGUAGE", "en", 1);
		execl(env->kassa, env->kassa, "-d", env->db, "-c", env->conf, (char *)NULL);
		_exit(127);
	}
	if (wait_for(&t, 0, pin_marks, 5) == -1) {
		rss = stop(&t);
		bench_skip("till start to sale screen", "the till showed no PIN prompt (is the "
		    "screen of src/ui built?)");
		bench_skip("scan latency, 100-line cart", "no till screen");
		bench_skip("till peak RSS", "no till screen");
		goto out;
	}
	t_pin = bench_now();
	mark = t.len;
	snprintf(line, sizeof line, "%s\r", env->pin);
	if (type(&t, line) == -1 || wait_for(&t, mark, sale_marks, 5) == -1) {
		rss = stop(&t);
		bench_skip("till start to sale screen", "no sale screen after the PIN");
		bench_skip("scan latency, 100-line cart", "no sale screen");
		bench_skip("till peak RSS", "no sale screen");
		goto out;
	}
	t_sale = bench_now();
	snprintf(line, sizeof line, "%.1f ms", (t_sale - t0) * 1e3);
	bench_row("till start to sale screen", line, "< 150 ms", NULL, NULL, t_sale - t0 < 0.150);
	bench_note("kassa in a pty: start to PIN prompt %.1f ms, PIN typed to sale screen %.1f ms "
	    "(the PIN check is a deliberately slow yescrypt hash)", (t_pin - t0) * 1e3,
	    (t_sale - t_pin) * 1e3);
	settle(&t, 0, 1, NULL, 0, NULL);

	/* Fill the cart: 100 distinct products, each waited for. */
	for (i = 0; i < CART_LINES; i++) {
		bench_product(2 * ((long)i * 7919 % (env->products / 2)), code, name);
		snprintf(line, sizeof line, "%s\r", code);
		sent = bench_now();
		if (type(&t, line) == -1 || settle(&t, sent, 2, NULL, 0, NULL) < 0) {
			rss = stop(&t);
			bench_skip("scan latency, 100-line cart", "the till stopped answering scans");
			goto rss;
		}
	}
	lat = xcalloc(SCANS, sizeof *lat);
	whole = xcalloc(SCANS, sizeof *whole);
	for (i = 0; i < SCANS; i++) {
		char want[32];
		double seen_at;

		bench_product(2 * ((long)(i + CART_LINES) * 7919 % (env->products / 2)), code, name);
		squeeze(name, want, sizeof want);
		snprintf(line, sizeof line, "%s\r", code);
		mark = t.len;
		sent = bench_now();
		if (type(&t, line) == -1 || (done = settle(&t, sent, 2, want, mark, &seen_at)) < 0) {
			rss = stop(&t);
			bench_skip("scan latency, 100-line cart", "the till stopped answering scans");
			goto rss;
		}
		/* On screen = the new line's name has been drawn; else the redraw's end. */
		whole[i] = done - sent;
		lat[i] = seen_at > 0 ? seen_at - sent : done - sent;
		if (getenv("KASSA_BENCH_TRACE") != NULL)
			fprintf(stderr, "scan %d at %.3f s: %.2f ms\n", i, sent - t0,
			    lat[i] * 1e3);
		if (seen_at > 0)
			verified++;
	}
	p99 = bench_quantile(lat, SCANS, 0.99);
	snprintf(line, sizeof line, "%.2f ms", p99 * 1e3);
	bench_row("scan latency p99, 100-line cart", line, "< 10 ms", NULL, NULL, p99 < 0.010);
	bench_note("%d scans of new products onto a cart of %d-%d lines: from writing CODE\\r to "
	    "the read that brought the new line's name (seen in %d of %d); median %.2f ms", SCANS,
	    CART_LINES, CART_LINES + SCANS - 1, verified, SCANS,
	    bench_quantile(lat, SCANS, 0.5) * 1e3);
	bench_note("the slowest three: %.2f, %.2f, %.2f ms (the machine's other processes show "
	    "here); to the end of the whole redraw (the last byte before %d ms of quiet): median "
	    "%.2f ms, p99 %.2f ms", lat[SCANS - 1] * 1e3, lat[SCANS - 2] * 1e3,
	    lat[SCANS - 3] * 1e3, QUIET_MS, bench_quantile(whole, SCANS, 0.5) * 1e3,
	    bench_quantile(whole, SCANS, 0.99) * 1e3);
	now = bench_proc_kb(t.pid, "VmRSS");
	rss = stop(&t);
rss:
	snprintf(line, sizeof line, "%.1f MB", rss / 1024.0);
	bench_row("till peak RSS", line, "< 20 MB", NULL, NULL, rss > 0 && rss < 20 * 1024);
	bench_note("VmHWM of the till process after the run above (log-in, shift, %d-line cart); "
	    "its VmRSS with the cart on screen: %.1f MB (the peak includes the PIN check: "
	    "yescrypt's scratch memory)", CART_LINES + SCANS, now / 1024.0);
	rc = 0;
out:
	free(lat);
	free(whole);
	free(t.out);
	return rc;
}
