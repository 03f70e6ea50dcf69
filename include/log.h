/*
 * log: a debug log that is silent until -v (or KASSA_LOG=FILE). While the till's screen is up,
 * nothing may be written to the terminal, so the log goes to a file then.
 */
#ifndef KASSA_LOG_H
#define KASSA_LOG_H

/* level 0: silent; 1: -v; 2: -vv. path NULL means stderr. Returns -1 if path cannot be opened. */
int log_open(int level, const char *path);
void log_close(void);
int log_level(void);

void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));   /* level >= 1 */
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));  /* level >= 2 */

#endif
