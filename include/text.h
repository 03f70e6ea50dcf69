/*
 * text: the one check for text that enters the till from people, files, the hub or the config
 * before it can reach an event. Events are UTF-8 JSON (journal.h), and the hub refuses a batch
 * holding a byte that is not UTF-8, so a bad name would stop delivery for good: such text is
 * refused where it enters, with a message, and nothing changes.
 */
#ifndef KASSA_TEXT_H
#define KASSA_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "kerr.h"

/* True when s is well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing above
 * U+10FFFF). */
bool text_valid_utf8(const char *s);

/* True when s is well-formed UTF-8 with no control character (C0, DEL, C1): a name, a reason,
 * a store name, one line of text. */
bool text_valid_line(const char *s);

/* text_valid_line as an error: KERR_INPUT "WHAT is not valid UTF-8 text ..." or "... holds a
 * control character". what names the field ("the user name"); returns 0 or -1. */
int text_check_line(const char *s, const char *what, struct kerr *err);

#endif
