/*
 * print: the printer process and the test page (src/print). Above dev and the core: reads the
 * core's print queue (receipt.h) and prints its documents on dev's printer (dev.h).
 */
#ifndef KASSA_PRINT_H
#define KASSA_PRINT_H

#include "config.h"
#include "kerr.h"

struct escpos_doc;
struct receipt;

/* `kassa print test`: prints a test receipt now, in the foreground. */
int print_test(const struct config *cfg, const char *db_path, struct kerr *err);

/*
 * The printer process itself (`kassa print worker`, started by dev_printer_spawn through
 * worker_exec): prints the queue until the till closes wake_fd, then finishes the job in hand
 * and returns (the rest stay queued). Returns the exit status.
 */
int print_worker_main(const struct config *cfg, const char *db_path, int wake_fd,
    int status_fd);

/*
 * The core's document r (receipt.h: a sale's receipt, a copy, a refund, a repayment, a report,
 * the test page, a drawer kick) as the ESC/POS document dev prints (escpos.h): line for line,
 * the same kinds, styles and texts. Caller frees with escpos_doc_free.
 */
struct escpos_doc *print_doc_from_receipt(const struct receipt *r);

#endif
