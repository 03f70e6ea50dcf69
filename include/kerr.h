/*
 * kerr: the one way a recoverable error travels up the layers.
 *
 * A function that can fail takes a `struct kerr *err` as its last argument, returns -1 (or
 * NULL) on failure and fills err with a code and a message a cashier or a support engineer can
 * act on ("unknown barcode 4780001234567", "disk full: the sale is kept, free space and retry").
 * err may be NULL when the caller does not care. No allocation: the message lives in the struct.
 */
#ifndef KASSA_KERR_H
#define KASSA_KERR_H

enum kerr_code {
	KERR_OK = 0,
	KERR_INPUT,    /* bad input from the user or a file */
	KERR_NOTFOUND, /* no such product, user, sale */
	KERR_DENIED,   /* not allowed for this user, or wrong PIN, or locked out */
	KERR_STATE,    /* not now: no open shift, sale already completed, ... */
	KERR_IO,       /* disk full, I/O error, database corrupt */
	KERR_BUSY,     /* database locked longer than the busy timeout */
	KERR_NET,      /* network or upstream failure (sync only) */
	KERR_DEVICE,   /* printer, drawer, scanner */
	KERR_INTERNAL  /* a bug: an invariant did not hold */
};

struct kerr {
	enum kerr_code code;
	char msg[256];
};

/* Sets err (when not NULL) and returns -1, so `return kerr_set(err, ...)` reads well. */
int kerr_set(struct kerr *err, enum kerr_code code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Clears err (when not NULL). */
void kerr_clear(struct kerr *err);

/* A short English name of the code ("bad input", "not found", ...), marked N_() so the till
 * can show it translated. Static string. */
const char *kerr_name(enum kerr_code code);

#endif
