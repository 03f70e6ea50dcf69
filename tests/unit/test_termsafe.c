/*
 * Unit tests for termsafe: text from outside loses every control character (C0, DEL, ESC, C1)
 * and every byte that is not UTF-8 before it reaches a terminal, and keeps every other
 * character (Cyrillic, the okina, emoji) as it is; a cut never splits a character or an escape.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "termsafe.h"

static void
safe_is(const char *in, const char *want)
{
	char out[256];

	termsafe(in, out, sizeof out);
	if (strcmp(out, want) != 0)
		fail_msg("'%s' gave '%s', want '%s'", in, out, want);
}

static void
test_controls(void **state)
{
	(void)state;
	safe_is("a\x1b[2Jb", "a\\x1b[2Jb");
	safe_is("\x01\x07\x08\t\n\r\x1f\x7f", "\\x01\\x07\\x08\\x09\\x0a\\x0d\\x1f\\x7f");
	safe_is("c1 \xc2\x9b" "31m \xc2\x85", "c1 \\u009b31m \\u0085");
	safe_is(NULL, "");
}

static void
test_printable_kept(void **state)
{
	(void)state;
	safe_is("Ўзбекистон Oʻzbekiston 🍞 \"q\" \\ / \xc2\xa0", "Ўзбекистон Oʻzbekiston 🍞 \"q\" \\ / \xc2\xa0");
}

static void
test_not_utf8(void **state)
{
	(void)state;
	safe_is("Jos\xe9", "Jos\\xe9");
	safe_is("\x9b" "31m", "\\x9b31m");	/* a raw 8-bit CSI */
	safe_is("\xc0\xaf", "\\xc0\\xaf");	/* overlong */
	safe_is("\xed\xa0\x80", "\\xed\\xa0\\x80");	/* a surrogate */
	safe_is("\xf0\x9f\x8d", "\\xf0\\x9f\\x8d");	/* cut short */
}

static void
test_cut_whole(void **state)
{
	char out[6];

	(void)state;
	termsafe("ab\x1b", out, sizeof out);	/* "ab\x1b" needs 7: the escape is left out */
	assert_string_equal(out, "ab");
	termsafe("abcЎ", out, sizeof out);	/* Ў is 2 bytes: fits in 6 with the NUL */
	assert_string_equal(out, "abcЎ");
	termsafe("abcdЎ", out, sizeof out);
	assert_string_equal(out, "abcd");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_controls),
		cmocka_unit_test(test_printable_kept),
		cmocka_unit_test(test_not_utf8),
		cmocka_unit_test(test_cut_whole),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
