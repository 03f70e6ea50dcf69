/*
 * Unit tests for timestamp: RFC 3339 times from upstream become the store's canonical UTC form
 * (YYYY-MM-DDTHH:MM:SS.mmmZ), so last-write-wins can compare them as strings; anything else
 * is refused; a stored value in another form is compared by the time it names.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "timestamp.h"

static void
canon_is(const char *in, const char *want)
{
	char out[TIMESTAMP_SIZE];
	struct kerr err;

	if (timestamp_canon(in, out, &err) != 0)
		fail_msg("'%s' refused: %s", in, err.msg);
	if (strcmp(out, want) != 0)
		fail_msg("'%s' gave '%s', want '%s'", in, out, want);
}

static void
refused(const char *in)
{
	char out[TIMESTAMP_SIZE] = "x";
	struct kerr err;

	if (timestamp_canon(in, out, &err) != -1)
		fail_msg("'%s' accepted as '%s'", in, out);
	assert_int_equal(err.code, KERR_INPUT);
	assert_non_null(strstr(err.msg, "RFC 3339"));
	assert_string_equal(out, "");
}

static void
test_valid(void **state)
{
	(void)state;
	canon_is("2026-11-25T09:00:00Z", "2026-11-25T09:00:00.000Z");
	canon_is("2026-11-25T09:00:00.000Z", "2026-11-25T09:00:00.000Z");
	canon_is("2026-11-25t09:00:00z", "2026-11-25T09:00:00.000Z");
	/* Fractions of any length, truncated to milliseconds. */
	canon_is("2026-11-25T09:00:00.5Z", "2026-11-25T09:00:00.500Z");
	canon_is("2026-11-25T09:00:00.05Z", "2026-11-25T09:00:00.050Z");
	canon_is("2026-11-25T09:00:00.123456789Z", "2026-11-25T09:00:00.123Z");
	canon_is("2026-11-25T09:00:00.9999Z", "2026-11-25T09:00:00.999Z");
	/* Offsets become UTC, across days, months and years. */
	canon_is("2026-11-25T14:00:00+05:00", "2026-11-25T09:00:00.000Z");
	canon_is("2026-11-25T14:00:00.250+05:00", "2026-11-25T09:00:00.250Z");
	canon_is("2026-11-25T04:30:00-04:30", "2026-11-25T09:00:00.000Z");
	canon_is("2026-11-25T09:00:00+00:00", "2026-11-25T09:00:00.000Z");
	canon_is("2026-11-25T09:00:00-00:00", "2026-11-25T09:00:00.000Z");
	canon_is("2026-01-01T02:00:00+05:00", "2025-12-31T21:00:00.000Z");
	canon_is("2025-12-31T22:00:00-05:00", "2026-01-01T03:00:00.000Z");
	canon_is("2026-03-01T01:00:00+05:00", "2026-02-28T20:00:00.000Z");
	canon_is("2026-12-31T23:59:59.999Z", "2026-12-31T23:59:59.999Z");
	/* Leap days: every 4th year, not centuries, but every 400th. */
	canon_is("2028-02-29T12:00:00Z", "2028-02-29T12:00:00.000Z");
	canon_is("2000-02-29T00:00:00Z", "2000-02-29T00:00:00.000Z");
	canon_is("2028-03-01T03:00:00+05:00", "2028-02-29T22:00:00.000Z");
	canon_is("0000-01-01T00:00:00Z", "0000-01-01T00:00:00.000Z");
	canon_is("9999-12-31T23:59:59Z", "9999-12-31T23:59:59.000Z");
}

static void
test_invalid(void **state)
{
	char out[TIMESTAMP_SIZE];

	(void)state;
	refused("");
	refused("9999");
	refused("garbage");
	refused("2026-11-25");
	refused("2026-11-25T09:00:00");		/* no zone */
	refused("2026-11-25T09:00Z");		/* no seconds */
	refused("2026-11-25 09:00:00Z");	/* space for T */
	refused("2026-13-01T00:00:00Z");
	refused("2026-00-10T00:00:00Z");
	refused("2026-11-00T00:00:00Z");
	refused("2026-11-31T00:00:00Z");
	refused("2026-02-29T00:00:00Z");	/* not a leap year */
	refused("2100-02-29T00:00:00Z");	/* a century, not a leap year */
	refused("2026-02-30T00:00:00Z");
	refused("2026-11-25T24:00:00Z");
	refused("2026-11-25T23:60:00Z");
	refused("2026-11-25T23:59:60Z");	/* leap seconds are not accepted */
	refused("2026-11-25T09:00:00.Z");
	refused("2026-11-25T09:00:00,5Z");
	refused("2026-11-25T09:00:00Zjunk");
	refused("2026-11-25T09:00:00Z ");
	refused("2026-11-25T09:00:00+05");
	refused("2026-11-25T09:00:00+0500");
	refused("2026-11-25T09:00:00+24:00");
	refused("2026-11-25T09:00:00+05:60");
	refused("2026-11-25T09:00:00+05:00x");
	refused("+2026-11-25T09:00:00Z");
	refused("20261-11-25T09:00:00Z");
	refused("2026-1-25T09:00:00Z");
	refused("0000-01-01T00:00:00+00:01");	/* before year 0 in UTC */
	refused("9999-12-31T23:59:59-00:01");	/* after 9999 in UTC */
	refused(NULL);
	/* err may be NULL. */
	assert_int_equal(timestamp_canon("9999", out, NULL), -1);
}

static void
test_canonical_strings_order_as_times(void **state)
{
	char a[TIMESTAMP_SIZE], b[TIMESTAMP_SIZE];

	(void)state;
	/* Raw, ".500Z" sorts before "Z" ('.' < 'Z'); canonical, it is the later time. */
	assert_true(strcmp("2026-11-25T09:00:00.500Z", "2026-11-25T09:00:00Z") < 0);
	assert_int_equal(timestamp_canon("2026-11-25T09:00:00.500Z", a, NULL), 0);
	assert_int_equal(timestamp_canon("2026-11-25T09:00:00Z", b, NULL), 0);
	assert_true(strcmp(a, b) > 0);
	/* Raw, "14:00+05:00" sorts after "10:00Z"; it is 09:00 UTC, the earlier time. */
	assert_int_equal(timestamp_canon("2026-11-25T14:00:00+05:00", a, NULL), 0);
	assert_int_equal(timestamp_canon("2026-11-25T10:00:00Z", b, NULL), 0);
	assert_true(strcmp(a, b) < 0);
}

static void
test_cmp_stored(void **state)
{
	(void)state;
	/* Canonical against canonical, and against the forms an older till stored as given. */
	assert_true(timestamp_cmp_stored("2026-11-25T09:00:00.500Z", "2026-11-25T09:00:00.000Z")
	    > 0);
	assert_true(timestamp_cmp_stored("2026-11-25T09:00:00.500Z", "2026-11-25T09:00:00Z") > 0);
	assert_true(timestamp_cmp_stored("2026-11-25T09:00:00.000Z", "2026-11-25T09:00:00Z") == 0);
	assert_true(timestamp_cmp_stored("2026-11-25T08:59:59.999Z", "2026-11-25T09:00:00Z") < 0);
	assert_true(timestamp_cmp_stored("2026-11-25T09:30:00.000Z", "2026-11-25T14:00:00+05:00")
	    > 0);
	assert_true(timestamp_cmp_stored("2026-11-25T08:30:00.000Z", "2026-11-25T14:00:00+05:00")
	    < 0);
	/* A stored value that names no time never blocks a valid change. */
	assert_true(timestamp_cmp_stored("2026-11-25T09:00:00.000Z", "9999") > 0);
	assert_true(timestamp_cmp_stored("2026-11-25T09:00:00.000Z", "") > 0);
	assert_true(timestamp_cmp_stored("2026-11-25T09:00:00.000Z", NULL) > 0);
}

/* What people are shown: the TZ's local time (Tashkent is UTC+5 all year). */
static void
test_local(void **state)
{
	char out[TIMESTAMP_LOCAL_SIZE];

	(void)state;
	setenv("TZ", "Asia/Tashkent", 1);
	tzset();
	assert_string_equal(timestamp_local("2026-12-03T08:24:52.542Z", out, sizeof out),
	    "2026-12-03 13:24:52");
	assert_string_equal(timestamp_local("2026-12-31T21:00:00Z", out, sizeof out),
	    "2027-01-01 02:00:00");
	assert_string_equal(timestamp_local("2026-12-03T13:24:52+05:00", out, sizeof out),
	    "2026-12-03 13:24:52");
	/* Not a time: as it is. */
	assert_string_equal(timestamp_local("", out, sizeof out), "");
	assert_string_equal(timestamp_local("never", out, sizeof out), "never");
	setenv("TZ", "UTC", 1);
	tzset();
	assert_string_equal(timestamp_local("2026-12-03T08:24:52.542Z", out, sizeof out),
	    "2026-12-03 08:24:52");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_canonical_strings_order_as_times),
		cmocka_unit_test(test_cmp_stored),
		cmocka_unit_test(test_local),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
