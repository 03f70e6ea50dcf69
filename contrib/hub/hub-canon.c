/*
 * hub-canon.c: an event's payload as its canonical text, the bytes the hash chain covers.
 *
 * The till writes a payload once, with SQLite's json_object() over the values it binds, and
 * hashes that text; the hub only has the parsed tree, so it writes the text again and must get
 * the same bytes. The rules (docs/protocol.md, "Canonical JSON") are SQLite's: jansson's
 * JSON_COMPACT | JSON_SORT_KEYS writes the same text but for one detail, the hex digits of a
 * \u escape (jansson "\u001B", SQLite "\u001b"), which is put right here. A number that is not
 * an integer has no canonical form (the two write fractions differently), so it is refused.
 */
#include <ctype.h>
#include <stdlib.h>

#include "hub-int.h"

/* True when v holds a real anywhere (json_loads makes every number with '.' or 'e' a real). */
static bool
has_real(json_t *v, int depth)
{
	const char *key;
	json_t *x;
	size_t i;

	if (depth > 64)
		return true;	/* deeper than any event the till writes: no canonical form */
	if (json_is_real(v))
		return true;
	if (json_is_object(v)) {
		json_object_foreach(v, key, x)
			if (has_real(x, depth + 1))
				return true;
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, x)
			if (has_real(x, depth + 1))
				return true;
	}
	return false;
}

char *
hub_canon_payload(json_t *payload, const char **why)
{
	char *text;

	*why = NULL;
	if (!json_is_object(payload)) {
		*why = "the payload is not a JSON object";
		return NULL;
	}
	if (has_real(payload, 0)) {
		*why = "the payload has a number that is not an integer";
		return NULL;
	}
	text = json_dumps(payload, JSON_COMPACT | JSON_SORT_KEYS);
	if (text == NULL) {
		*why = "the payload cannot be written as JSON";
		return NULL;
	}
	/* Outside strings there is no backslash; inside, each starts an escape of two characters,
	 * or six for \uXXXX, whose hex digits are lowered. */
	for (char *p = text; *p != '\0'; p++) {
		if (*p != '\\')
			continue;
		p++;
		if (*p == '\0')
			break;
		if (*p == 'u')
			for (int k = 1; k <= 4 && p[k] != '\0'; k++)
				p[k] = (char)tolower((unsigned char)p[k]);
	}
	return text;
}
