/*
 * kassa-bench: the benchmark behind `make bench` (not part of the tests; nothing here asserts
 * a time). It generates a catalogue of 200 000 products, imports it with the real ./kassa,
 * measures the core (bench-core.c), the till screen through a pseudo-terminal (bench-ui.c)
 * and, when bench-sync.c is built in, the sync process and the hub; then prints one table:
 * metric, value, target, baseline, ratio, verdict.
 *
 *   kassa-bench [-k] [-n PRODUCTS] [-s SALES] [-d DIR] [-m MS]
 *
 *   -n PRODUCTS  catalogue size (default 200000)
 *   -s SALES     sales to time (default 1000)
 *   -d DIR       where the scratch directory goes (default $TMPDIR, else /var/tmp: a disk,
 *                since durable commits on tmpfs would measure nothing)
 *   -k           keep the scratch directory and say where it is
 *   -m MS        the slow-disk profile's fsync delay (default 20 ms, an SD card); 0 skips it
 *
 * The kassa binary is the one beside kassa-bench (make bench builds both), or $KASSA_BIN.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "xalloc.h"

#define MAX_ROWS 64

struct row {
	char metric[64];
	char value[48];
	char target[32];
	char baseline[48];
	char ratio[24];
	char verdict[16];
};

static struct row rows[MAX_ROWS];
static int nrows;

double
bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double
bench_quantile(double *v, size_t n, double q)
{
	size_t i;

	if (n == 0)
		return 0;
	qsort(v, n, sizeof *v, cmp_double);
	/* Nearest rank: the smallest value with at least q of the values at or below it. */
	i = (size_t)(q * (double)n + 0.999999);
	if (i > 0)
		i--;
	if (i >= n)
		i = n - 1;
	return v[i];
}

static void
add_row(const char *metric, const char *value, const char *target, const char *baseline,
    const char *ratio, const char *verdict)
{
	const char *relay = getenv("KASSA_BENCH_ROWS");
	struct row *r;
	FILE *f;

	/* In the slow-disk child: the row goes to the parent's table too. */
	if (relay != NULL && *relay != '\0' && (f = fopen(relay, "a")) != NULL) {
		fprintf(f, "%s\t%s\t%s\t%s\t%s\t%s\n", metric, value, target, baseline, ratio,
		    verdict);
		fclose(f);
	}
	printf("  %-36s %-14s target %-10s %s%s%s%s -> %s\n", metric, value, target,
	    *baseline ? "baseline " : "", baseline, *ratio ? ", ratio " : "", ratio, verdict);
	fflush(stdout);
	if (nrows == MAX_ROWS)
		return;
	r = &rows[nrows++];
	snprintf(r->metric, sizeof r->metric, "%s", metric);
	snprintf(r->value, sizeof r->value, "%s", value);
	snprintf(r->target, sizeof r->target, "%s", target);
	snprintf(r->baseline, sizeof r->baseline, "%s", baseline);
	snprintf(r->ratio, sizeof r->ratio, "%s", ratio);
	snprintf(r->verdict, sizeof r->verdict, "%s", verdict);
}

void
bench_row(const char *metric, const char *value, const char *target, const char *baseline,
    const char *ratio, bool meets)
{
	/* No target: a figure shown for context (a median next to its p99). */
	add_row(metric, value, target != NULL ? target : "-", baseline != NULL ? baseline : "",
	    ratio != NULL ? ratio : "", target == NULL ? "-" : meets ? "meets" : "MISSES");
}

void
bench_skip(const char *metric, const char *why)
{
	add_row(metric, "-", "-", "", "", "skipped");
	printf("      skipped: %s\n", why);
}

void
bench_note(const char *fmt, ...)
{
	va_list ap;

	fputs("      ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
}

static void
print_table(void)
{
	int i;

	printf("\n| %-36s | %-14s | %-10s | %-22s | %-8s | %-7s |\n", "metric", "value",
	    "target", "baseline", "ratio", "verdict");
	printf("|%.38s|%.16s|%.12s|%.24s|%.10s|%.9s|\n",
	    "------------------------------------------", "------------------",
	    "--------------", "--------------------------", "------------", "-----------");
	for (i = 0; i < nrows; i++)
		printf("| %-36s | %-14s | %-10s | %-22s | %-8s | %-7s |\n", rows[i].metric,
		    rows[i].value, rows[i].target, rows[i].baseline, rows[i].ratio,
		    rows[i].verdict);
}

/* Starts argv with stdin from in_path and stdout to out_path (NULL: /dev/null). */
static pid_t
spawn(char *const argv[], const char *in_path, const char *out_path)
{
	pid_t pid;
	int fd;

	fflush(stdout);
	if ((pid = fork()) != 0)
		return pid;
	fd = open(in_path != NULL ? in_path : "/dev/null", O_RDONLY);
	if (fd == -1 || dup2(fd, 0) == -1)
		_exit(126);
	close(fd);
	fd = open(out_path != NULL ? out_path : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd == -1 || dup2(fd, 1) == -1)
		_exit(126);
	close(fd);
	execv(argv[0], argv);
	_exit(127);
}

static int
exit_status(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

int
bench_run(char *const argv[], const char *in_path, const char *out_path, double *secs,
    long *rss_kb)
{
	struct rusage ru;
	double t0 = bench_now();
	pid_t pid;
	int status;

	if ((pid = spawn(argv, in_path, out_path)) == -1)
		return -1;
	while (wait4(pid, &status, 0, &ru) == -1) {
		if (errno != EINTR)
			return -1;
	}
	if (secs != NULL)
		*secs = bench_now() - t0;
	if (rss_kb != NULL)
		*rss_kb = ru.ru_maxrss;
	return exit_status(status);
}

long
bench_proc_kb(pid_t pid, const char *field)
{
	char path[64], line[128];
	size_t n = strlen(field);
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL) {
		if (strncmp(line, field, n) == 0 && line[n] == ':') {
			kb = strtol(line + n + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return kb;
}

/* Private_Clean + Private_Dirty of /proc/PID/smaps_rollup: memory no other process shares. */
static long
private_kb(pid_t pid)
{
	char path[64], line[128];
	long kb, sum = -1;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/smaps_rollup", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL) {
		if (sscanf(line, "Private_Clean: %ld", &kb) == 1 ||
		    sscanf(line, "Private_Dirty: %ld", &kb) == 1)
			sum = (sum < 0 ? 0 : sum) + kb;
	}
	fclose(f);
	return sum;
}

int
bench_run_peak(char *const argv[], const char *in_path, const char *out_path, double *secs,
    long *peak_kb, long *private_peak_kb)
{
	double t0 = bench_now();
	long hwm = -1, priv = -1, kb, pk;
	char exe[PATH_MAX] = "", link[PATH_MAX], path[64];
	pid_t pid, r;
	int status;

	if ((pid = spawn(argv, in_path, out_path)) == -1)
		return -1;
	/*
	 * VmHWM belongs to the address space the program exec'd into, unlike wait4's ru_maxrss,
	 * which also counts the forked copy of this process before the exec. The peaks are kept
	 * per program (/proc/PID/exe), so they are those of the last program exec'd (`kassa
	 * sync` execs kassa-sync); a sample taken while the process exits (no exe) is skipped.
	 */
	snprintf(path, sizeof path, "/proc/%d/exe", (int)pid);
	while ((r = waitpid(pid, &status, WNOHANG)) == 0) {
		ssize_t n = readlink(path, link, sizeof link - 1);

		if (n > 0) {
			link[n] = '\0';
			if (strcmp(link, exe) != 0) {
				snprintf(exe, sizeof exe, "%s", link);	/* a new program */
				hwm = priv = -1;
			}
			kb = bench_proc_kb(pid, "VmHWM");
			pk = private_kb(pid);
			if (kb > 0 && pk > 0 && readlink(path, link, sizeof link - 1) == n) {
				hwm = kb > hwm ? kb : hwm;
				priv = pk > priv ? pk : priv;
			}
		}
		usleep(2000);
	}
	if (r == -1)
		return -1;
	if (secs != NULL)
		*secs = bench_now() - t0;
	if (peak_kb != NULL)
		*peak_kb = hwm;
	if (private_peak_kb != NULL)
		*private_peak_kb = priv;
	return exit_status(status);
}

/* The directory kassa-bench lives in, so the kassa beside it is found. */
static char *
exe_dir(void)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
	char *slash;

	if (n <= 0)
		return xstrdup(".");
	buf[n] = '\0';
	if ((slash = strrchr(buf, '/')) != NULL)
		*slash = '\0';
	return xstrdup(buf);
}

static void
remove_tree(const char *dir)
{
	char *argv[] = { "/bin/rm", "-rf", (char *)dir, NULL };

	bench_run(argv, NULL, NULL, NULL, NULL);
}

/* The rows a slow-disk child wrote (tab-separated, as add_row gets them), into the table. */
static void
read_rows(const char *path)
{
	char line[512], *f[6], *p;
	FILE *in = fopen(path, "r");
	int i;

	if (in == NULL)
		return;
	while (fgets(line, sizeof line, in) != NULL && nrows < MAX_ROWS) {
		struct row *r = &rows[nrows];

		line[strcspn(line, "\n")] = '\0';
		for (i = 0, p = line; i < 6; i++) {
			f[i] = p;
			if (p != NULL && (p = strchr(p, '\t')) != NULL)
				*p++ = '\0';
		}
		if (f[5] == NULL)
			continue;
		snprintf(r->metric, sizeof r->metric, "%s", f[0]);
		snprintf(r->value, sizeof r->value, "%s", f[1]);
		snprintf(r->target, sizeof r->target, "%s", f[2]);
		snprintf(r->baseline, sizeof r->baseline, "%s", f[3]);
		snprintf(r->ratio, sizeof r->ratio, "%s", f[4]);
		snprintf(r->verdict, sizeof r->verdict, "%s", f[5]);
		nrows++;
	}
	fclose(in);
}

/*
 * The slow-disk profile: this program again (`-S DIR`) with LD_PRELOAD=slowsync.so beside it
 * (build/tests/slowsync.so), so the parent's own figures are untouched by the slow fsync.
 */
static void
run_disk(const char *bindir, const struct bench_env *env, long ms)
{
	char *self = xasprintf("%s/kassa-bench", bindir);
	char *so = xasprintf("%s/tests/slowsync.so", bindir);
	char *rowsf = xasprintf("%s/disk-rows", env->dir);
	char *outf = xasprintf("%s/disk-out", env->dir);
	char line[1024];
	FILE *f;
	char n[24], s[24], m[24];
	char *argv[] = { self, "-S", (char *)env->dir, "-n", n, "-s", s, NULL };
	const char *old = getenv("LD_PRELOAD");
	char *pre = old != NULL && *old != '\0' ? xasprintf("%s:%s", so, old) : xstrdup(so);
	int rc;

	if (access(so, R_OK) == -1) {
		bench_skip("slow disk (issue 17)", "build/tests/slowsync.so is not built "
		    "(make bench builds it)");
		goto out;
	}
	snprintf(n, sizeof n, "%ld", env->products);
	snprintf(s, sizeof s, "%d", env->sales);
	snprintf(m, sizeof m, "%ld", ms);
	setenv("LD_PRELOAD", pre, 1);
	setenv("KASSA_SLOWSYNC_MS", m, 1);
	setenv("KASSA_BENCH_ROWS", rowsf, 1);
	unlink(rowsf);
	rc = bench_run(argv, NULL, outf, NULL, NULL);
	if ((f = fopen(outf, "r")) != NULL) {
		while (fgets(line, sizeof line, f) != NULL)
			fputs(line, stdout);
		fclose(f);
	}
	unlink(outf);
	if (old != NULL)
		setenv("LD_PRELOAD", old, 1);
	else
		unsetenv("LD_PRELOAD");
	unsetenv("KASSA_BENCH_ROWS");
	if (rc != 0)
		bench_note("the slow-disk child exited %d", rc);
	read_rows(rowsf);
	unlink(rowsf);
out:
	free(self);
	free(so);
	free(rowsf);
	free(outf);
	free(pre);
}

static void
run_sync(const char *bindir, const char *dir)
{
	char *sdir, *hub;
	double t0;

	if (bench_sync == NULL) {
		bench_skip("sync drain (issue 4)", "tests/bench/bench-sync.c is not built in");
		return;
	}
	sdir = xasprintf("%s/sync", dir);
	hub = xasprintf("%s/kassa-hub", bindir);
	if (mkdir(sdir, 0700) == -1) {
		bench_skip("sync drain (issue 4)", strerror(errno));
		goto out;
	}
	setenv("KASSA_HUB_BIN", hub, 1);
	setenv("KASSA_BENCH_DIR", sdir, 1);
	t0 = bench_now();
	if (bench_sync(stdout) == -1)
		bench_note("bench_sync failed (see above)");
	bench_note("the sync part took %.1f s", bench_now() - t0);
	remove_tree(sdir);
out:
	free(sdir);
	free(hub);
}

int
main(int argc, char **argv)
{
	struct bench_env env;
	char *bindir, *dir, *kassa;
	const char *base = getenv("TMPDIR");
	bool keep = false;
	const char *child = NULL;
	long slow_ms = 20;
	int c, rc = 0;
	double t0 = bench_now();

	memset(&env, 0, sizeof env);
	env.products = 200000;
	env.sales = 1000;
	if (base == NULL || *base == '\0')
		base = "/var/tmp";
	while ((c = getopt(argc, argv, "d:km:n:s:S:")) != -1) {
		switch (c) {
		case 'd':
			base = optarg;
			break;
		case 'k':
			keep = true;
			break;
		case 'm':
			slow_ms = atol(optarg);
			break;
		case 'S':	/* the slow-disk child (run_disk): DIR is the parent's scratch */
			child = optarg;
			break;
		case 'n':
			env.products = atol(optarg);
			break;
		case 's':
			env.sales = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: kassa-bench [-k] [-n PRODUCTS] [-s SALES] [-d DIR] "
			    "[-m MS]\n");
			return 2;
		}
	}
	if (env.products < 1000 || env.sales < 10) {
		fprintf(stderr, "kassa-bench: at least 1000 products and 10 sales\n");
		return 2;
	}
	bindir = exe_dir();
	if (getenv("KASSA_BIN") != NULL && *getenv("KASSA_BIN") != '\0')
		kassa = xstrdup(getenv("KASSA_BIN"));
	else
		kassa = xasprintf("%s/kassa", bindir);
	if (access(kassa, X_OK) == -1) {
		fprintf(stderr, "kassa-bench: %s: %s (make bench builds it)\n", kassa,
		    strerror(errno));
		return 1;
	}
	setenv("KASSA_BIN", kassa, 1);
	if (child != NULL) {
		env.dir = child;
		env.kassa = kassa;
		env.pin = "4321";	/* bench_core_setup's user */
		env.db = xasprintf("%s/till.db", child);
		rc = bench_disk(&env) == -1 ? 1 : 0;
		free((char *)env.db);
		free(kassa);
		free(bindir);
		return rc;
	}
	dir = xasprintf("%s/kassa-bench-XXXXXX", base);
	if (mkdtemp(dir) == NULL) {
		fprintf(stderr, "kassa-bench: mkdtemp %s: %s\n", dir, strerror(errno));
		return 1;
	}
	env.dir = dir;
	env.kassa = kassa;
	/* The child processes must not pick up the developer's own till or config. */
	unsetenv("KASSA_DB");
	unsetenv("KASSA_CONFIG");
	unsetenv("KASSA_LOG");

	printf("kassa-bench: %ld products, %d sales, scratch %s, kassa %s\n", env.products,
	    env.sales, dir, kassa);
	printf("reproduce: make bench   (or: %s/kassa-bench -n %ld -s %d)\n\n", bindir,
	    env.products, env.sales);

	if (bench_core_setup(&env) == -1) {
		rc = 1;
		goto out;
	}
	if (bench_core(&env) == -1)
		rc = 1;
	if (bench_ui(&env) == -1)
		rc = 1;
	if (bench_stock(&env) == -1)
		rc = 1;
	if (slow_ms > 0)
		run_disk(bindir, &env, slow_ms);
	run_sync(bindir, dir);

	print_table();
	printf("\n%d rows in %.0f s. Targets: issues 2, 3, 4, 13 and 17. Nothing here is asserted.\n",
	    nrows, bench_now() - t0);
out:
	if (keep)
		printf("kept %s\n", dir);
	else
		remove_tree(dir);
	/* bench_core_setup made these (see bench.h). */
	free((char *)env.csv);
	free((char *)env.db);
	free((char *)env.conf);
	free(dir);
	free(kassa);
	free(bindir);
	return rc;
}
