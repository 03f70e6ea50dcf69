/*
 * bench.h: what the parts of kassa-bench (`make bench`) share. bench.c has main(), the table
 * and the process helpers; bench-core.c measures the core (issue 2), bench-ui.c the till
 * screen through a pseudo-terminal (issue 3), and bench-sync.c, when it exists, the sync
 * process and the hub (issue 4).
 *
 * Each part prints its figures with bench_row() (one row of the final table) and says how it
 * measured them with bench_note(). Times are never asserted: the verdict is printed, not
 * enforced, and `make bench` is not part of the tests.
 */
#ifndef KASSA_BENCH_H
#define KASSA_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

/* What the parts share: the generated catalogue, the database it was imported into. */
struct bench_env {
	const char *dir;          /* scratch directory (on disk, not tmpfs, where possible) */
	const char *kassa;        /* the real ./kassa binary */
	const char *db;           /* the till database with the catalogue imported */
	const char *conf;         /* an empty kassa.conf */
	const char *csv;          /* the generated catalogue */
	long products;            /* rows in the catalogue (200 000 by default) */
	const char *pin;          /* a cashier's PIN (user "bench"), set up by bench-core */
	int sales;                /* sales to time */
};

/* Monotonic time in seconds. */
double bench_now(void);

/* The q-quantile (0..1) of n values, which it sorts in place. */
double bench_quantile(double *v, size_t n, double q);

/*
 * One row of the table: metric, value with unit, target, baseline (or "" when none), ratio
 * (or ""), and whether the target is met. target NULL: a figure for context, no verdict.
 * Printed at once and again in the final table.
 */
void bench_row(const char *metric, const char *value, const char *target,
    const char *baseline, const char *ratio, bool meets);

/* A line under the rows: how a figure was measured. printf-style. */
void bench_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A row that could not be measured (a part missing): shown as skipped with the reason. */
void bench_skip(const char *metric, const char *why);

/*
 * Runs argv (argv[0] a path) with stdin from in_path (NULL: /dev/null) and stdout to
 * out_path (NULL: /dev/null), stderr inherited. Returns the exit status (128 + signal when
 * killed, -1 when it could not run) and the wall time and peak RSS (KiB, from wait4) of the
 * child in *secs and *rss_kb (either may be NULL).
 */
int bench_run(char *const argv[], const char *in_path, const char *out_path, double *secs,
    long *rss_kb);

/*
 * As bench_run, but *peak_kb is the peak of the program the child ran last (VmHWM from
 * /proc, sampled every 2 ms while it runs, so the last 2 ms may be missed; -1 when it ended
 * before the first sample), and *private_peak_kb the most of it that no other process
 * shared at a sample (Private_Clean + Private_Dirty: its heap, stacks and written pages, not
 * the shared libraries' pages). The sampling costs the timing up to 2 ms: for runs of seconds.
 */
int bench_run_peak(char *const argv[], const char *in_path, const char *out_path, double *secs,
    long *peak_kb, long *private_peak_kb);

/* A "VmRSS" or "VmHWM" line of /proc/PID/status in KiB, or -1. */
long bench_proc_kb(pid_t pid, const char *field);

/* The generated catalogue's product i (0 <= i < env->products): its EAN-13 (14 bytes) and
 * name (at least 96 bytes). Names of even i are ASCII (the screen bench matches them). */
void bench_product(long i, char *code, char *name);

/* The parts. Each returns 0, or -1 after printing why it could not go on. */
/* catalogue, import, user: fills env (csv, db and conf are malloc'd; main frees them) */
int bench_core_setup(struct bench_env *env);
int bench_core(struct bench_env *env);
int bench_ui(struct bench_env *env);
/* bench-stock.c (issue 13): receiving and a stock-take on env->db, after the others (it adds
 * an admin and moves stock). */
int bench_stock(struct bench_env *env);
/*
 * The slow-disk profile (issue 17): sales with every keystroke timed, the idle work between
 * them, and the same commits as bare INSERTs. Runs in a child `kassa-bench -S DIR` that
 * kassa-bench starts under LD_PRELOAD=tests/preload/slowsync.so; the child's rows come back
 * to the parent's table through the file named by KASSA_BENCH_ROWS.
 */
int bench_disk(struct bench_env *env);

/*
 * Issue 4 (bench-sync.c, by the sync helper): drains queued events to a local hub and prints
 * its rows through bench_row(). Declared weak: when bench-sync.c is not there the symbol is
 * NULL and the bench says so instead. Before the call the environment holds KASSA_BIN and
 * KASSA_HUB_BIN (absolute paths of the binaries beside kassa-bench) and KASSA_BENCH_DIR (a
 * scratch directory of its own, removed afterwards).
 */
int bench_sync(FILE *out) __attribute__((weak));

#endif
