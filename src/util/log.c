/* log: a debug log, silent until -v. Never the terminal while the till's screen is up. */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "log.h"

static int level;
static FILE *out;

int
log_open(int lvl, const char *path)
{
	log_close();
	level = lvl;
	if (level <= 0)
		return 0;
	if (path == NULL) {
		out = stderr;
		return 0;
	}
	out = fopen(path, "ae");
	if (out == NULL) {
		level = 0;
		return -1;
	}
	setvbuf(out, NULL, _IOLBF, 0);
	return 0;
}

void
log_close(void)
{
	if (out != NULL && out != stderr)
		fclose(out);
	out = NULL;
	level = 0;
}

int
log_level(void)
{
	return level;
}

static void
log_vwrite(const char *fmt, va_list ap)
{
	struct timespec ts;
	struct tm tm;
	char when[32];

	if (out == NULL)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof when, "%H:%M:%S", &tm);
	fprintf(out, "%s.%03ld ", when, ts.tv_nsec / 1000000);
	vfprintf(out, fmt, ap);
	fputc('\n', out);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	if (level < 1)
		return;
	va_start(ap, fmt);
	log_vwrite(fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (level < 2)
		return;
	va_start(ap, fmt);
	log_vwrite(fmt, ap);
	va_end(ap);
}
