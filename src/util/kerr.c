/* kerr: recoverable errors carried up the layers with a message for the user. */
#include <stdarg.h>
#include <stdio.h>

#include "kerr.h"

int
kerr_set(struct kerr *err, enum kerr_code code, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -1;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	return -1;
}

void
kerr_clear(struct kerr *err)
{
	if (err == NULL)
		return;
	err->code = KERR_OK;
	err->msg[0] = '\0';
}

const char *
kerr_name(enum kerr_code code)
{
	switch (code) {
	case KERR_OK: return "ok";
	case KERR_INPUT: return "bad input";
	case KERR_NOTFOUND: return "not found";
	case KERR_DENIED: return "not allowed";
	case KERR_STATE: return "not now";
	case KERR_IO: return "storage error";
	case KERR_BUSY: return "database busy";
	case KERR_NET: return "network error";
	case KERR_DEVICE: return "device error";
	case KERR_INTERNAL: return "internal error";
	}
	return "error";
}
