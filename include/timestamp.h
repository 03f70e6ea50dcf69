/*
 * timestamp: RFC 3339 times as the store keeps them, and the monotonic clock for deadlines. Every updated_at the till stores is in
 * the canonical form YYYY-MM-DDTHH:MM:SS.mmmZ (UTC, milliseconds; what store_now writes), so
 * comparing two of them as strings compares the times they name (last-write-wins).
 */
#ifndef KASSA_TIMESTAMP_H
#define KASSA_TIMESTAMP_H

#include <stddef.h>
#include <stdint.h>

#include "kerr.h"

/* "YYYY-MM-DDTHH:MM:SS.mmmZ" and its NUL. */
#define TIMESTAMP_SIZE 25

/*
 * Parses an RFC 3339 date-time (date, 'T' or 't', time, an optional fraction of any length,
 * then 'Z', 'z' or a numeric offset +HH:MM / -HH:MM), converts it to UTC and writes the
 * canonical form into out (fraction truncated to milliseconds). Refuses anything else: an
 * impossible date (month 13, Feb 30, Feb 29 of a common year), hour > 23, minute or second
 * > 59 (leap seconds are not accepted), a missing zone, trailing text, or a UTC year outside
 * 0000-9999. Returns 0, or -1 with KERR_INPUT and the reason in err (out is then "").
 * in and out may be the same buffer.
 */
int timestamp_canon(const char *in, char out[TIMESTAMP_SIZE], struct kerr *err);

/*
 * Last-write-wins against what is stored: <0 when the canonical time incoming is older than
 * stored, else >=0. stored may be anything an older till wrote: it is parsed first, and one
 * that does not parse (or is empty) loses to any valid incoming time.
 */
int timestamp_cmp_stored(const char *incoming, const char *stored);

/* Local time for people ("2026-12-03 13:24:52" in Tashkent for "2026-12-03T08:24:52.542Z"),
 * by the TZ of the process, into out (20 bytes suffice); returns out. An RFC 3339 time in any
 * form is taken; anything else ("" or text) is copied as it is. JSON keeps UTC: this is only
 * for what the command line and the screen show. */
#define TIMESTAMP_LOCAL_SIZE 20
char *timestamp_local(const char *utc, char *out, size_t size);

/* Milliseconds on the monotonic clock: for deadlines and time-outs, which a change of the wall
 * clock (an NTP step, a cashier fixing the date) must not move. */
int64_t timestamp_monotonic_ms(void);

#endif
