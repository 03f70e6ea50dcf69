/* Unit tests for text (UTF-8 and control characters) and journal_append's defence in depth:
 * a payload that is not UTF-8 or holds a non-integer number never reaches the chain. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "testlib.h"

#include "journal.h"
#include "text.h"

static void
test_utf8(void **state)
{
	(void)state;
	assert_true(text_valid_utf8(""));
	assert_true(text_valid_utf8("Jose"));
	assert_true(text_valid_utf8("Jos\xc3\xa9"));                 /* é */
	assert_true(text_valid_utf8("\xd0\x9e\xd1\x88"));             /* Cyrillic */
	assert_true(text_valid_utf8("O\xca\xbbzbek"));                /* modifier letter */
	assert_true(text_valid_utf8("\xf0\x9f\x98\x80"));             /* U+1F600 */
	assert_false(text_valid_utf8("Jos\xe9"));                     /* Latin-1 é */
	assert_false(text_valid_utf8("\xc0\xaf"));                    /* overlong '/' */
	assert_false(text_valid_utf8("\xe0\x80\xaf"));                /* overlong, 3 bytes */
	assert_false(text_valid_utf8("\xed\xa0\x80"));                /* surrogate D800 */
	assert_false(text_valid_utf8("\xf4\x90\x80\x80"));            /* above U+10FFFF */
	assert_false(text_valid_utf8("\x80"));                        /* lone continuation */
	assert_false(text_valid_utf8("\xc3"));                        /* cut short */
	assert_false(text_valid_utf8(NULL));
}

static void
test_line(void **state)
{
	struct kerr err;

	(void)state;
	assert_true(text_valid_line("Do'kon \xe2\x84\x96" "1"));
	assert_false(text_valid_line("a\tb"));
	assert_false(text_valid_line("a\nb"));
	assert_false(text_valid_line("\x1b[2J"));
	assert_false(text_valid_line("a\x7f"));
	assert_false(text_valid_line("a\xc2\x9b" "2J"));              /* C1 CSI */
	assert_int_equal(text_check_line("Jos\xe9", "the user name", &err), -1);
	assert_int_equal(err.code, KERR_INPUT);
	assert_non_null(strstr(err.msg, "the user name is not valid UTF-8"));
	assert_int_equal(text_check_line("ok", "x", &err), 0);
}

static void
test_journal_refuses_bad_payload(void **state)
{
	char dir[64];
	struct kerr err;
	store *st = testlib_store(dir, sizeof dir, "text");

	(void)state;
	assert_int_equal(store_begin(st, &err), 0);
	/* Not UTF-8 inside a string. */
	assert_int_equal(journal_append(st, "user.added", "{\"name\":\"Jos\xe9\"}", NULL, &err),
	    -1);
	assert_non_null(strstr(err.msg, "UTF-8"));
	/* Floats, in every spelling SQLite writes them. */
	assert_int_equal(journal_append(st, "x", "{\"total\":1.5}", NULL, &err), -1);
	assert_non_null(strstr(err.msg, "integer"));
	assert_int_equal(journal_append(st, "x", "{\"total\":1.8e+19}", NULL, &err), -1);
	assert_int_equal(journal_append(st, "x", "{\"a\":[1,2E5]}", NULL, &err), -1);
	/* Text that looks like a number is fine; so are true, false, null and big integers. */
	assert_int_equal(journal_append(st, "x", "{\"n\":\"1.5e3 \\\"x.\",\"t\":true,"
	    "\"f\":false,\"z\":null,\"m\":-9223372036854775807}", NULL, &err), 0);
	assert_int_equal(store_commit(st, &err), 0);
	assert_int_equal(q1(st, "SELECT count(*) FROM events"), 1);
	store_close(st);
	testlib_rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_line),
		cmocka_unit_test(test_journal_refuses_bad_payload),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
