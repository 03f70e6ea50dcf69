/*
 * hub-log.c: the hub's log lines that a crowd can cause. A client opening connections in a loop
 * made one line each (35 000 in ten seconds); now a kind of message is written when it first
 * comes in a period, and the ones after it are counted and summed up once the period of
 * LOG_PERIOD seconds is over: "refused 35000 connections in the last 10 s".
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "hub-int.h"

#define LOG_PERIOD 10

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static time_t period_start;
static long refused, mhd_more;
static char mhd_first[160];

/* Under the lock: writes the ended period's counts and starts a new one. */
static void
roll(time_t now, bool final)
{
	if (!final && now - period_start < LOG_PERIOD)
		return;
	if (refused > 0)
		fprintf(stderr, "kassa-hub: refused %ld connection%s in the last %d s (over the "
		    "connection limits)\n", refused, refused == 1 ? "" : "s", LOG_PERIOD);
	if (mhd_more > 0)
		fprintf(stderr, "kassa-hub: libmicrohttpd: %ld more message%s like \"%s\" in the "
		    "last %d s\n", mhd_more, mhd_more == 1 ? "" : "s", mhd_first, LOG_PERIOD);
	refused = 0;
	mhd_more = 0;
	mhd_first[0] = '\0';
	period_start = now;
}

void
hub_log_refused(void)
{
	pthread_mutex_lock(&lock);
	roll(time(NULL), false);
	refused++;
	pthread_mutex_unlock(&lock);
}

void
hub_log_mhd(void *cls, const char *fmt, va_list ap)
{
	char msg[sizeof mhd_first];

	(void)cls;
	vsnprintf(msg, sizeof msg, fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	pthread_mutex_lock(&lock);
	roll(time(NULL), false);
	if (strstr(msg, "connection limit") != NULL || strstr(msg, "rejected by application") !=
	    NULL)
		refused++;	/* over a limit: counted with the hub's own refusals */
	else if (mhd_first[0] == '\0') {
		snprintf(mhd_first, sizeof mhd_first, "%s", msg);
		fprintf(stderr, "kassa-hub: libmicrohttpd: %s\n", msg);
	} else
		mhd_more++;
	pthread_mutex_unlock(&lock);
}

void
hub_log_flush(bool final)
{
	pthread_mutex_lock(&lock);
	roll(time(NULL), final);
	pthread_mutex_unlock(&lock);
}
