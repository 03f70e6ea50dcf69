/*
 * ui: the till screen (ncursesw). `kassa` with no command runs ui_run().
 */
#ifndef KASSA_UI_H
#define KASSA_UI_H

#include "config.h"

/* Runs the till until the cashier quits or the terminal goes away. Returns the exit status
 * (0, or 1 with a message on stderr after the terminal was restored). */
int ui_run(const struct config *cfg, const char *db_path, int verbose);

#endif
