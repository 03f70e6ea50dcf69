/*
 * worker: a forked helper process (the sync process, the printer process) that the till wakes
 * through a pipe and that reports its state back through another, one text line per report:
 *     "key=value key2=value2\n"   (values percent-encoded: no space, '=', '%' or newline)
 * The till's poll() loop watches worker.status_fd; nothing the cashier does waits on a worker.
 *
 * Fork hygiene: the child closes every descriptor it does not need, restores default signals
 * and runs the worker. A worker that uses SQLite must be started with worker_exec (a fresh
 * program): SQLite's process-wide state, copied by fork from a parent that has the database
 * open, points at the parent's descriptors, and a forked child's new connection fails on them
 * (seen: EBADF on the -shm locks). worker_spawn runs fn in the forked child and suits workers
 * that touch no database.
 */
#ifndef KASSA_WORKER_H
#define KASSA_WORKER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "kerr.h"

struct worker {
	pid_t pid;           /* 0 when not running */
	int wake_fd;         /* parent writes a byte here to wake the child */
	int status_fd;       /* parent reads status lines here (non-blocking) */
	char name[16];       /* "sync", "printer" for messages */
	char buf[1024];      /* partial status line */
	size_t len;
	int restarts;        /* times restarted after dying */
	long long next_start_ms; /* when a dead worker may be restarted (back-off) */
};

/* In the child: wake_fd to poll/read for wake-ups, status_fd to write lines with
 * worker_report(). Returns the child's exit status. */
typedef int (*worker_fn)(void *arg, int wake_fd, int status_fd);

/* Forks a child that runs fn(arg, ...) and exits with its result. */
int worker_spawn(struct worker *w, const char *name, worker_fn fn, void *arg, struct kerr *err);

/*
 * Forks and executes the program at path with argv, giving the child the read end
 * of the wake pipe as fd 3 and the write end of the status pipe as fd 4 (WORKER_WAKE_FD and
 * WORKER_STATUS_FD). Use this for a worker that opens SQLite: a forked copy of a process that
 * has the database open must not use SQLite at all (its global state points at the parent's
 * descriptors), so the worker starts afresh.
 */
#define WORKER_WAKE_FD 3
#define WORKER_STATUS_FD 4
int worker_exec(struct worker *w, const char *name, const char *path, char *const argv[],
    struct kerr *err);

/* Parent: wakes the child (never blocks; a full pipe already means "wake up"). */
void worker_wake(struct worker *w);

/*
 * Parent: reads what is available on status_fd and calls line_fn for each complete line.
 * Returns 0, or -1 when the child has gone (EOF): the caller then calls worker_reap() and may
 * restart it after worker_restart_delay_ms().
 */
int worker_read(struct worker *w, void (*line_fn)(void *ctx, const char *line), void *ctx);

/* Parent: stops the child (SIGTERM, then waits up to timeout_ms, then SIGKILL) and closes fds. */
void worker_stop(struct worker *w, int timeout_ms);

/*
 * Parent: lets the child finish what it is doing: closes the wake pipe (the child's sign that
 * the till has gone), waits up to grace_ms for it to exit, then worker_stop(w, timeout_ms).
 * For the printer process, so closing the till never cuts a receipt in half.
 */
void worker_finish(struct worker *w, int grace_ms, int timeout_ms);

/* Parent: collects a dead child without blocking, closes fds, sets the restart back-off
 * (1 s doubling to 60 s). Returns true if it was reaped. */
bool worker_reap(struct worker *w);

/* Parent: true when a reaped worker's back-off has passed. */
bool worker_may_restart(const struct worker *w);

/* Child: waits up to timeout_ms (0: just looks) for a wake-up, which it consumes. True when
 * the till has gone instead (EOF on the wake pipe, or it broke). */
bool worker_parent_gone(int wake_fd, int timeout_ms);

/* Child: writes one status line "key=value ..." built from pairs (NULL-terminated list of
 * key, value strings); values are percent-encoded. Never blocks for long: the pipe is small
 * and the parent drains it. */
void worker_report(int status_fd, ...);

/* Parses the value of key in a status line into buf (decoded). False if absent. */
bool worker_field(const char *line, const char *key, char *buf, size_t size);

#endif
