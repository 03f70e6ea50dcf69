/* kerr: recoverable errors carried up the layers with a message for the user. */
#include <stdarg.h>
#include <stdio.h>

#include "i18n.h"
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
	case KERR_OK: return N_("ok");
	case KERR_INPUT: return N_("bad input");
	case KERR_NOTFOUND: return N_("not found");
	case KERR_DENIED: return N_("not allowed");
	case KERR_STATE: return N_("not now");
	case KERR_IO: return N_("storage error");
	case KERR_BUSY: return N_("database busy");
	case KERR_NET: return N_("network error");
	case KERR_DEVICE: return N_("device error");
	case KERR_INTERNAL: return N_("internal error");
	}
	return N_("error");
}
