/*
 * xalloc: the one out-of-memory policy. These never return NULL: on failure they call the
 * fatal hook (the UI sets one that restores the terminal with endwin()), print a message and
 * abort. Everything they return is freed by the caller with free().
 */
#ifndef KASSA_XALLOC_H
#define KASSA_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
/* realloc for arrays, with an overflow check on nmemb * size. */
void *xreallocarray(void *ptr, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Called before any fatal exit (out of memory, fatal()). Restores whatever must be restored. */
void xalloc_set_fatal_hook(void (*hook)(void));

/* Prints "kassa: MESSAGE" to stderr after running the fatal hook, then exits with status 1. */
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
