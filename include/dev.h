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

/* The till: forks the printer worker (`kassa print worker`, print.h), only when
 * cfg->printer_device is set. */
int dev_printer_spawn(struct worker *w, const struct config *cfg, const char *db_path,
    struct kerr *err);

/*
 * The receipt printer as a device ([printer] device, baud, bits, flow); the queue it prints is
 * read above dev (src/print). dev_printer_open: NULL with err when the device cannot be
 * opened (or another process holds it). dev_printer_query asks its state with DLE EOT (up to
 * 1 s per question); a plain file, which cannot answer, is fine. dev_printer_write sends all
 * of len or fails. dev_printer_pulse opens the drawer with the real-time pulse (DLE DC4),
 * which works out of paper and with the cover open. Caller frees with dev_printer_close.
 */
enum dev_pstate { PSTATE_OK, PSTATE_OFFLINE, PSTATE_COVER, PSTATE_PAPER };
const char *dev_pstate_name(enum dev_pstate s);

typedef struct dev_printer dev_printer;
dev_printer *dev_printer_open(const struct config *cfg, struct kerr *err);
enum dev_pstate dev_printer_query(dev_printer *p);
int dev_printer_write(dev_printer *p, const void *buf, size_t len, struct kerr *err);
int dev_printer_pulse(dev_printer *p, struct kerr *err);
void dev_printer_close(dev_printer *p);

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
