#!/bin/sh
# cli-journal: `kassa journal verify` says "N events, chain intact" on a good till; after the
# database is edited behind kassa's back (the immutability trigger dropped, a sale's payload
# changed) it names that event (seq, type, id) and exits 1. `kassa status --json` has the keys
# of CONTRACT.md section 2 with the values of a till that never synced.
set -u
t=$(mktemp -d) || exit 1
trap 'rm -rf "$t"' EXIT INT TERM
export XDG_DATA_HOME="$t/xdg-data" XDG_CONFIG_HOME="$t/xdg-config"
unset KASSA_DB KASSA_CONFIG KASSA_LOG KASSA_NOW
command -v sqlite3 > /dev/null || { echo "sqlite3 (the command) is not installed"; exit 77; }
db=$t/till.db
drive=$KASSA_BUILD/tests/tools/kassa-drive
[ -x "$drive" ] || { echo "FAIL: $drive is not built (make test-build)"; exit 1; }
: > "$t/kassa.conf"
fail() { echo "FAIL: $*"; for f in "$t"/out "$t"/err "$t"/drive; do [ -f "$f" ] && sed "s|^|  $(basename "$f"): |" "$f"; done; exit 1; }
expect() {
	want=$1; shift
	"$@" > "$t/out" 2> "$t/err"
	rc=$?
	[ "$rc" -eq "$want" ] || fail "$* exited $rc, wanted $want"
}
k() { "$KASSA_BIN" -d "$db" -c "$t/kassa.conf" "$@"; }
py() { python3 -c "import json,sys
d = json.load(open(sys.argv[1]))
$1" "$t/out" || fail "check failed: $1"; }

k init > /dev/null || fail init
expect 0 k journal verify
grep -q "^journal: 0 events, chain intact$" "$t/out" || fail "empty journal"

printf 'barcode,name,price\n4780001234562,Non,4000\n4780001234579,Qatiq,8500\n' > "$t/p.csv"
k import products "$t/p.csv" > /dev/null || fail import
printf '1111\n' | k user add Dilnoza --role cashier > /dev/null || fail "user add"
printf '%s\n' 'login 1111' 'open 0' 'scan 4780001234562' 'pay cash 0' \
	'scan 2*4780001234579' 'pay cash 20000' > "$t/cmds"
"$drive" "$db" < "$t/cmds" > "$t/drive" 2>&1 || fail "drive"

n=$(sqlite3 "$db" 'SELECT count(*) FROM events')
[ "$n" -ge 3 ] || fail "only $n events after a shift and two sales"
expect 0 k journal verify
grep -q "^journal: $n events, chain intact$" "$t/out" || fail "verify of $n events"

# status --json: never synced, so every event is pending.
expect 0 k status --json
py "
for key in ('outbox_pending', 'outbox_rejected', 'last_sync_at', 'last_error'):
    assert key in d, (key, d)
assert d['outbox_pending'] == $n, d
assert d['outbox_rejected'] == 0, d
assert d['last_sync_at'] in (None, ''), d
assert d['last_error'] in (None, ''), d
"
expect 0 k status
grep -Eq "^outbox pending +$n" "$t/out" || fail "status text: pending"
grep -Eq "^last sync +never$" "$t/out" || fail "status text: last sync"

# The triggers refuse edits...
sqlite3 "$db" "UPDATE events SET payload = '{}' WHERE seq = 1" 2> /dev/null &&
	fail "an UPDATE of an event was allowed"
# ...but someone with the file can drop them. Change the second sale's payload.
bad=$(sqlite3 "$db" "SELECT max(seq) FROM events WHERE type = 'sale.completed'")
id=$(sqlite3 "$db" "SELECT id FROM events WHERE seq = $bad")
sqlite3 "$db" "DROP TRIGGER events_no_update;
	UPDATE events SET payload = json_set(payload, '\$.total', 1) WHERE seq = $bad" ||
	fail "could not tamper"
expect 1 k journal verify
grep -q "^journal: event $bad (sale.completed, id $id) " "$t/err" ||
	fail "verify did not name event $bad (sale.completed, id $id)"
[ -s "$t/out" ] && fail "a failed verify printed on stdout"

# An earlier event's hash changed as well: that one is named, being the first.
sqlite3 "$db" ".backup '$t/two.db'" || fail "backup"
sqlite3 "$t/two.db" "UPDATE events SET hash = '0000000000000000000000000000000000000000000000000000000000000000' WHERE seq = 1" ||
	fail "tamper 2"
expect 1 "$KASSA_BIN" -d "$t/two.db" -c "$t/kassa.conf" journal verify
grep -q "^journal: event 1 (" "$t/err" || fail "a changed hash of event 1 not named"
echo ok
