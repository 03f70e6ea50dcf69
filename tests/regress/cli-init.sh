#!/bin/sh
# cli-init: `kassa init` makes a 0600 database, is harmless when run again, refuses a different
# device id; the global command line: unknown command/option -> 2 with usage, a missing database
# -> 1 naming the fix, a bad config key -> 1 naming file:line:key, --help and --version.
set -u
t=$(mktemp -d) || exit 1
trap 'rm -rf "$t"' EXIT INT TERM
export XDG_DATA_HOME="$t/xdg-data" XDG_CONFIG_HOME="$t/xdg-config"
unset KASSA_DB KASSA_CONFIG KASSA_LOG
db=$t/till.db
: > "$t/kassa.conf"
fail() { echo "FAIL: $*"; for f in "$t"/out "$t"/err; do [ -f "$f" ] && sed "s|^|  $(basename "$f"): |" "$f"; done; exit 1; }
# expect RC CMD...: runs CMD with stdout in $t/out and stderr in $t/err; fails unless exit RC.
expect() {
	want=$1; shift
	"$@" > "$t/out" 2> "$t/err"
	rc=$?
	[ "$rc" -eq "$want" ] || fail "$* exited $rc, wanted $want"
}
k() { "$KASSA_BIN" -d "$db" -c "$t/kassa.conf" "$@"; }

# No database yet: every command but init says so and names the fix.
for cmd in status sales "report x" "journal verify"; do
	# shellcheck disable=SC2086
	expect 1 k $cmd
	grep -q "no database at $db: run \`kassa init\` first" "$t/err" || fail "$cmd: no hint to init"
done
expect 1 k
grep -q "no database at $db: run \`kassa init\` first" "$t/err" || fail "the till: no hint to init"
[ ! -e "$db" ] || fail "a read-only command created the database"

# init: created, mode 0600, a device id that is a UUID.
expect 0 k init --store "Test shop"
[ -f "$db" ] || fail "init made no database"
mode=$(stat -c %a "$db")
[ "$mode" = 600 ] || fail "database mode is $mode, wanted 600"
id=$(sed -n 's/.*device \([0-9a-f-]*\).*/\1/p' "$t/out")
echo "$id" | grep -Eq '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' ||
	fail "init did not print a UUID device id: $(cat "$t/out")"

# Again: harmless, same device id; with the same explicit id too.
expect 0 k init
grep -q "device $id" "$t/out" || fail "re-init changed the device id"
expect 0 k init --device-id "$id" --store "Test shop 2"
grep -q "device $id" "$t/out" || fail "re-init with the same id failed"
# A different device id is refused and changes nothing.
expect 1 k init --device-id till-2
grep -q "refusing" "$t/err" || fail "no refusal message"
expect 0 k init
grep -q "device $id" "$t/out" || fail "refused re-init still changed the device id"
mode=$(stat -c %a "$db")
[ "$mode" = 600 ] || fail "mode changed to $mode after re-init"

# An explicit device id on a new database is kept.
expect 0 "$KASSA_BIN" -d "$t/two.db" -c "$t/kassa.conf" init --device-id till-7
grep -q "device till-7" "$t/out" || fail "explicit device id not used"
expect 2 "$KASSA_BIN" -d "$t/three.db" -c "$t/kassa.conf" init --device-id "a b"
[ ! -e "$t/three.db" ] || fail "a refused init left a database"

# The database path from the environment and the XDG default.
expect 0 env KASSA_DB="$t/env.db" "$KASSA_BIN" -c "$t/kassa.conf" init
[ -f "$t/env.db" ] || fail "KASSA_DB not used"
expect 0 "$KASSA_BIN" -c "$t/kassa.conf" init
[ -f "$XDG_DATA_HOME/kassa/kassa.db" ] || fail "default path \$XDG_DATA_HOME/kassa/kassa.db not used"

# Usage errors: exit 2 and a usage line.
expect 2 k frobnicate
grep -q "unknown command 'frobnicate'" "$t/err" || fail "unknown command not named"
grep -q "^usage: kassa" "$t/err" || fail "no usage for an unknown command"
expect 2 k --bogus
grep -q "usage:" "$t/err" || fail "no usage for an unknown option"
expect 2 k status --bogus
grep -q "usage: kassa status" "$t/err" || fail "no command usage for an unknown command option"
expect 2 k report y
expect 2 k report
expect 2 k import products
expect 2 k import customers "$t/x.csv"
expect 2 k journal
expect 2 k sales --since yesterday
expect 2 k print
expect 2 "$KASSA_BIN" -d
expect 0 k --help
grep -q "journal verify" "$t/out" || fail "--help does not list the commands"
expect 0 "$KASSA_BIN" --version
grep -q "^kassa " "$t/out" || fail "--version"

# Config errors: exit 1 naming file:line:key.
printf '[till]\nstore = Shop\n\n[sync]\ntokn = abc\n' > "$t/bad.conf"
expect 1 "$KASSA_BIN" -d "$db" -c "$t/bad.conf" status
grep -q "bad.conf:5:" "$t/err" || fail "config error does not name file:line"
grep -q "tokn" "$t/err" || fail "config error does not name the key"
printf '[printer]\nbaud = fast\n' > "$t/bad2.conf"
expect 1 "$KASSA_BIN" -d "$db" -c "$t/bad2.conf" status
grep -q "bad2.conf:2:" "$t/err" || fail "bad value not named by file:line"
grep -q "baud" "$t/err" || fail "bad value does not name the key"
expect 1 "$KASSA_BIN" -d "$db" -c "$t/missing.conf" status
grep -q "missing.conf" "$t/err" || fail "a missing named config file is not named"
# KASSA_CONFIG is read when -c is not given.
expect 1 env KASSA_CONFIG="$t/bad.conf" "$KASSA_BIN" -d "$db" status
grep -q "bad.conf:5:" "$t/err" || fail "KASSA_CONFIG not read"
# A good config is fine.
printf '# comment\n[till]\nstore = Shop\n' > "$t/good.conf"
expect 0 "$KASSA_BIN" -d "$db" -c "$t/good.conf" status
echo "ok"
