#!/bin/sh
# cli-rights-utf8: text that is not UTF-8, or holds control characters, never enters the till
# (issue 9: one Latin-1 byte in a user name made the hub answer 400 to every batch for good).
# `kassa user add $'Jos\xe9'` and `kassa init --store` with such a name are refused with a
# message and exit 1, nothing is written; a config whose store name is not UTF-8 is refused
# naming the file, the line and the key; a proper UTF-8 name is fine.
set -u
t=$(mktemp -d) || exit 1
trap 'rm -rf "$t"' EXIT INT TERM
export XDG_DATA_HOME="$t/xdg-data" XDG_CONFIG_HOME="$t/xdg-config"
unset KASSA_DB KASSA_CONFIG KASSA_LOG
db=$t/till.db
: > "$t/kassa.conf"
fail() { echo "FAIL: $*"; for f in "$t"/out "$t"/err; do [ -f "$f" ] && sed "s|^|  $(basename "$f"): |" "$f"; done; exit 1; }
expect() {
	want=$1 input=$2; shift 2
	printf '%s' "$input" | "$@" > "$t/out" 2> "$t/err"
	rc=$?
	[ "$rc" -eq "$want" ] || fail "$* exited $rc, wanted $want"
}
k() { "$KASSA_BIN" -d "$db" -c "$t/kassa.conf" "$@"; }
events() { sqlite3 "$db" "SELECT count(*) FROM events WHERE type = 'user.added'"; }

k init > /dev/null || fail "init"
bad=$(printf 'Jos\351')
expect 1 '2580
' k user add "$bad" --role cashier
grep -q "not valid UTF-8" "$t/err" || fail "no clear message for a Latin-1 name"
[ "$(events)" = 0 ] || fail "a user.added event was written for a bad name"
[ "$(sqlite3 "$db" "SELECT count(*) FROM users")" = 0 ] || fail "the bad user was stored"

expect 1 '2581
' k user add "$(printf 'Eve\033[2J')" --role cashier
grep -q "control character" "$t/err" || fail "no message for an escape in a name"

expect 0 '2582
' k user add "$(printf 'Jos\303\251')" --role cashier
[ "$(events)" = 1 ] || fail "a UTF-8 name was not added"

# The store name: on the command line and in the config.
expect 1 '' "$KASSA_BIN" -d "$t/other.db" -c "$t/kassa.conf" init --store "$(printf 'D\351kon')"
grep -q "not valid UTF-8" "$t/err" || fail "init took a store name that is not UTF-8"
printf '[till]\nstore = D\351kon\n' > "$t/bad.conf"
expect 1 '' "$KASSA_BIN" -d "$db" -c "$t/bad.conf" status
grep -q "bad.conf:2.*store" "$t/err" || fail "the config's bad store name was not named"
echo "ok"
