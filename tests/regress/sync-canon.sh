#!/bin/sh
# sync-canon: the till and the hub never disagree on an event's canonical bytes. Events with
# adversarial text and numbers are written by the till's own journal (SQLite's json_object over
# bound values, as every event of the core) and sent with the real `kassa sync` to the real hub,
# which parses them with jansson and writes the canonical text again to check each hash: it must
# accept every one, and store the very payload text and hash the till has. Text: Cyrillic, the
# Uzbek okina, emoji, quotes, backslashes, every C0 control character, DEL, a C1 character, a
# lone surrogate's neighbour U+FFFF, empty strings; numbers: 0, -1, 2^53 - 1, 2^53, 2^53 + 1,
# 2^62, 2^63 - 1, -2^63, and null.
. "$KASSA_TOP/tests/lib/sync.sh"

till_new t1
hub_start
TAB=$(printf '\t')
{
	printf '0\t0\t\n'
	printf -- '-1\t-1\tЯнги ҳисоб: Ўзбекистон, ғўза, Қўқон\n'
	printf '9007199254740991\t9007199254740992\tOʻzbekiston oʻqituvchisi gʻoʻza\n'
	printf '9007199254740993\t4611686018427387904\t🍞🥛 non va sut 👍🏽\n'
	printf '9223372036854775807\t-9223372036854775808\t"quoted" \\\\back\\\\slash\\\\ and \\\\" \\\\u0041 /slash/\n'
	printf '1\t2\t\\x01\\x02\\x03\\x04\\x05\\x06\\x07\\x08\\x09\\x0a\\x0b\\x0c\\x0d\\x0e\\x0f\n'
	printf '3\t4\t\\x10\\x11\\x12\\x13\\x14\\x15\\x16\\x17\\x18\\x19\\x1a\\x1b[2J\\x1c\\x1d\\x1e\\x1f\\x7f\n'
	printf '5\t6\tC1 \\xc2\\x85 \\xc2\\x9b31m U+2028 \\xe2\\x80\\xa8 U+FFFF \\xef\\xbf\\xbf end\n'
	printf '7\t0\t \n'
} > "$T/events.txt"
n=$("$KASSA_BUILD/tests/tools/canon-events" "$T/t1.db" < "$T/events.txt") || fail "the till could not write the events"
[ "$n" = 9 ] || fail "$n events written, 9 expected"
"$KASSA_BIN" -d "$T/t1.db" journal verify > /dev/null || fail "the till's own chain does not verify"
sync_once t1 || fail "sync: $(cat "$T/sync.err")"
check_agree t1
[ "$(till_q t1 "SELECT count(*) FROM outbox")" = 0 ] || fail "events left at the till"
[ "$(hub_q "SELECT count(*) FROM hub_events WHERE type = 'test.canon' AND status = 'accepted'")" = 9 ] ||
	fail "the hub did not accept all 9 events"
# The same bytes on both sides: payload text and hash, event by event.
till_q t1 "SELECT id, hash, hex(payload) FROM events ORDER BY seq" > "$T/till.txt"
hub_q "SELECT id, hash, hex(payload) FROM hub_events WHERE device_id = 't1' ORDER BY seq" > "$T/hub.txt"
cmp -s "$T/till.txt" "$T/hub.txt" || fail "the hub stores other bytes: $(diff "$T/till.txt" "$T/hub.txt" | head -4)"
# The payloads are what the rules say (docs/protocol.md): escapes in lower case, the rest raw.
till_q t1 "SELECT payload FROM events WHERE type = 'test.canon'" > "$T/payloads.txt"
grep -q '\\u001b\[2J' "$T/payloads.txt" || fail "ESC is not written \\u001b"
grep -q '\\b\\t\\n\\u000b\\f\\r' "$T/payloads.txt" || fail "the short escapes are not used: $(grep u0008 "$T/payloads.txt")"
grep -q '"a":-9223372036854775808\|"c":-9223372036854775808' "$T/payloads.txt" || fail "-2^63 is not written as an integer"
grep -q '"a":9007199254740993' "$T/payloads.txt" || fail "2^53 + 1 is not written exactly"
grep -q 'Oʻzbekiston' "$T/payloads.txt" || fail "the okina is not written raw"
grep -q '"empty":""' "$T/payloads.txt" || fail "the empty string"
echo ok
