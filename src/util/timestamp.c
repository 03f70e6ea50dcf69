/*
 * timestamp: parses RFC 3339 date-times (section 5.6) and writes them in the store's one
 * canonical UTC form, so last-write-wins can compare updated_at as strings.
 */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE	/* timegm */
#endif
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "timestamp.h"

/* n decimal digits at *s into *v; advances *s. 0, or -1 when one is not a digit. */
static int
digits(const char **s, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if ((*s)[i] < '0' || (*s)[i] > '9')
			return -1;
		*v = *v * 10 + ((*s)[i] - '0');
	}
	*s += n;
	return 0;
}

static int
days_in_month(int year, int month)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return month == 2 && leap ? 29 : days[month - 1];
}

static int
refuse(const char *in, const char *why, char *out, struct kerr *err)
{
	kerr_set(err, KERR_INPUT, "'%.40s' is not an RFC 3339 time (%s)", in, why);
	out[0] = '\0';
	return -1;
}

int
timestamp_canon(const char *in, char out[TIMESTAMP_SIZE], struct kerr *err)
{
	const char *s = in;
	int year, mon, day, hour, min, sec, ms = 0, off = 0, oh, om, scale = 100;
	char buf[80];	/* room for any int, though each field fits its width here */
	struct tm tm;
	time_t t;

	if (in == NULL)
		return refuse("", "none given", out, err);
	if (digits(&s, 4, &year) == -1 || *s++ != '-' || digits(&s, 2, &mon) == -1 ||
	    *s++ != '-' || digits(&s, 2, &day) == -1)
		return refuse(in, "YYYY-MM-DD expected", out, err);
	if (mon < 1 || mon > 12 || day < 1 || day > days_in_month(year, mon))
		return refuse(in, "no such date", out, err);
	if (*s != 'T' && *s != 't')
		return refuse(in, "'T' expected after the date", out, err);
	s++;
	if (digits(&s, 2, &hour) == -1 || *s++ != ':' || digits(&s, 2, &min) == -1 ||
	    *s++ != ':' || digits(&s, 2, &sec) == -1)
		return refuse(in, "HH:MM:SS expected", out, err);
	if (hour > 23 || min > 59 || sec > 59)
		return refuse(in, "no such time of day", out, err);
	if (*s == '.') {
		s++;
		if (*s < '0' || *s > '9')
			return refuse(in, "digits expected after '.'", out, err);
		/* Any length; milliseconds kept, the rest truncated. */
		for (; *s >= '0' && *s <= '9'; s++, scale /= 10)
			ms += (*s - '0') * scale;
	}
	if (*s == 'Z' || *s == 'z') {
		s++;
	} else if (*s == '+' || *s == '-') {
		int sign = *s++ == '-' ? -1 : 1;

		if (digits(&s, 2, &oh) == -1 || *s++ != ':' || digits(&s, 2, &om) == -1 ||
		    oh > 23 || om > 59)
			return refuse(in, "bad offset, +HH:MM expected", out, err);
		off = sign * (oh * 3600 + om * 60);
	} else
		return refuse(in, "'Z' or an offset expected", out, err);
	if (*s != '\0')
		return refuse(in, "trailing text", out, err);

	memset(&tm, 0, sizeof tm);
	tm.tm_year = year - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = day;
	tm.tm_hour = hour;
	tm.tm_min = min;
	tm.tm_sec = sec;
	/* Local time minus its offset is UTC; the offset is whole minutes, so ms stay. */
	t = timegm(&tm) - off;
	if (gmtime_r(&t, &tm) == NULL || tm.tm_year + 1900 < 0 || tm.tm_year + 1900 > 9999)
		return refuse(in, "outside the years 0000-9999 in UTC", out, err);
	snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
	memcpy(out, buf, TIMESTAMP_SIZE);
	return 0;
}

int
timestamp_cmp_stored(const char *incoming, const char *stored)
{
	char canon[TIMESTAMP_SIZE];

	/* A stored value an older till kept as it came ("...Z" without a fraction, an offset)
	 * is compared by the time it names; one that names no time cannot block a valid
	 * change, so the change wins. */
	if (stored == NULL || timestamp_canon(stored, canon, NULL) == -1)
		return 1;
	return strcmp(incoming, canon);
}

int64_t
timestamp_monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

char *
timestamp_local(const char *utc, char *out, size_t size)
{
	char canon[TIMESTAMP_SIZE];
	struct tm tm;
	time_t t;

	if (size == 0)
		return out;
	/* Not a time (empty, "never"): shown as it is. */
	if (utc == NULL || timestamp_canon(utc, canon, NULL) == -1) {
		snprintf(out, size, "%s", utc != NULL ? utc : "");
		return out;
	}
	memset(&tm, 0, sizeof tm);
	if (sscanf(canon, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
	    &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6) {
		snprintf(out, size, "%s", utc);
		return out;
	}
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	t = timegm(&tm);
	if (localtime_r(&t, &tm) == NULL || strftime(out, size, "%Y-%m-%d %H:%M:%S", &tm) == 0)
		snprintf(out, size, "%s", utc);
	return out;
}
