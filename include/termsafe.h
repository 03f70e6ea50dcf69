/*
 * termsafe: text from outside (the hub's replies, what the sync process stored from them)
 * made safe to print on a terminal. A control character in it could move the cursor, clear
 * the screen or retitle the window ("\x1b[2J" reached the terminal through `kassa status`), so
 * every such text passes through termsafe() before it is printed, on any terminal output.
 */
#ifndef KASSA_TERMSAFE_H
#define KASSA_TERMSAFE_H

#include <stddef.h>

/*
 * Writes s into buf (size bytes, NUL-terminated, cut at a whole character when it does not
 * fit) with every C0 control character, DEL and ESC written as \xNN, every C1 control
 * character (U+0080 to U+009F) as \uNNNN, and every byte that is not part of valid UTF-8 as
 * \xNN; all other UTF-8 (Cyrillic, the okina, emoji) is kept. s NULL is taken as "". Returns
 * buf.
 */
char *termsafe(const char *s, char *buf, size_t size);

#endif
