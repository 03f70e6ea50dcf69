/*
 * dev: receipt printer, cash drawer, scanner and customer display. The only layer that links
 * libserialport. Printing never blocks a sale: jobs are queued in print_jobs (by the core) and
 * printed by the printer worker.
 */
#ifndef KASSA_DEV_H
#define KASSA_DEV_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "kerr.h"
#include "money.h"
#include "worker.h"

/* `kassa print test`: prints a test receipt now, in the foreground. */
int dev_print_test(const struct config *cfg, const char *db_path, struct kerr *err);

/* The till: forks the printer worker (only when cfg->printer_device is set). */
int dev_printer_spawn(struct worker *w, const struct config *cfg, const char *db_path,
    struct kerr *err);

/*
 * The printer process itself (`kassa print worker`, started by dev_printer_spawn through
 * worker_exec): prints the queue until the till closes wake_fd, then finishes the job in hand
 * and returns (the rest stay queued). Returns the exit status.
 */
int dev_printer_main(const struct config *cfg, const char *db_path, int wake_fd, int status_fd);

/* What the status bar shows: "ok", "paper out", "cover open", "offline", "not configured". */
struct dev_printer_status {
	char state[64];
	long queued;
};
void dev_printer_status_update(struct dev_printer_status *st, const char *line);

/*
 * The serial scanner ([scanner] device = serial:/dev/ttyACM0, baud): the till forks its worker
 * (only when cfg->scanner_device is set), polls w->status_fd like the printer's, and for each
 * line where dev_scanner_code() finds a code, handles the code exactly as typed input + Enter.
 * Other lines are "state=ok" or "state=offline error=MESSAGE" (the scanner unplugged).
 */
int dev_scanner_spawn(struct worker *w, const struct config *cfg, struct kerr *err);

/* The code in a scanner worker's status line into buf; false for other lines. */
bool dev_scanner_code(const char *line, char *buf, size_t size);

/*
 * The customer pole display ([display] device, baud; 2x20, ESC/POS-compatible): the UI opens it
 * once and calls dev_display_show after each change of the cart (the last item and its price,
 * and the total; item "" shows only the total). Never waits more than 200 ms; on a failure the
 * next call opens the device again. dev_display_open returns NULL (KERR_STATE) when no display
 * is configured. Caller frees with dev_display_close.
 */
typedef struct dev_display dev_display;
dev_display *dev_display_open(const struct config *cfg, struct kerr *err);
int dev_display_show(dev_display *d, const char *item, money_t price, money_t total,
    struct kerr *err);
void dev_display_close(dev_display *d);

#endif
