/*
 * canon-events: appends test events through the till's own journal, as the core writes every
 * event: the payload built by SQLite's json_object() over bound values (journal_append_bind),
 * hashed and chained by journal_append. tests/regress/sync-canon.sh sends them to a real hub,
 * which must write the same canonical bytes from its parsed tree, or it refuses the chain.
 *
 *   canon-events DB < LINES
 *
 * Each line is "A<TAB>C<TAB>TEXT": A and C decimal integers (C 0 is written as null), TEXT with
 * C escapes (\n, \t, \\, \xNN) so that any byte can be given. One event of type
 * "test.canon" per line; its payload has sorted keys at every level, as the core's have.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "journal.h"
#include "kerr.h"
#include "store.h"

/* Undoes the C escapes of s in place. */
static void
unescape(char *s)
{
	char *out = s;

	while (*s != '\0') {
		if (*s != '\\' || s[1] == '\0') {
			*out++ = *s++;
			continue;
		}
		s++;
		if (*s == 'n')
			*out++ = '\n', s++;
		else if (*s == 't')
			*out++ = '\t', s++;
		else if (*s == 'x' && s[1] != '\0' && s[2] != '\0') {
			char hex[3] = { s[1], s[2], '\0' };

			*out++ = (char)strtol(hex, NULL, 16);
			s += 3;
		} else
			*out++ = *s++;
	}
	*out = '\0';
}

int
main(int argc, char **argv)
{
	char line[4096], none[1] = "";
	struct kerr err;
	store *st;
	int n = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: canon-events DB < LINES\n");
		return 2;
	}
	st = store_open(argv[1], 0, &err);
	if (st == NULL || store_begin(st, &err) == -1) {
		fprintf(stderr, "canon-events: %s\n", err.msg);
		return 1;
	}
	while (fgets(line, sizeof line, stdin) != NULL) {
		char *a = strtok(line, "\t"), *c = strtok(NULL, "\t"), *text = strtok(NULL, "\n");

		if (a == NULL || c == NULL)
			continue;
		if (text == NULL)
			text = none;
		unescape(text);
		if (journal_append_bind(st, "test.canon", "SELECT json_object('a', ?1, 'c', ?3, "
		    "'empty', '', 'nested', json_object('list', json_array(?1, ?4, ?3), 'text', ?4), "
		    "'text', ?4)", strtoll(a, NULL, 10), 0, strtoll(c, NULL, 10), text, NULL,
		    &err) == -1) {
			fprintf(stderr, "canon-events: %s\n", err.msg);
			store_rollback(st);
			return 1;
		}
		n++;
	}
	if (store_commit(st, &err) == -1) {
		fprintf(stderr, "canon-events: %s\n", err.msg);
		return 1;
	}
	store_close(st);
	printf("%d\n", n);
	return 0;
}
