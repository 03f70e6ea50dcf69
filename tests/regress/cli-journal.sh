#!/bin/sh
# cli-journal: `kassa journal verify` says "N events, chain intact" on a good till; after the
# database is edited behind kassa's back (the immutability trigger dropped, a sale's payload
# changed) it names that event (seq, type, id) and exits 1. With the sqlite3 shell as the
# attacker it also catches what leaves the chain alone: a sale's total, a payment's amount, a
# shift's cash figure, a product's stock rewritten in the tables (each named: which sale, shift
# or product, which column, the table's value and the events'), and the last event deleted
# after the hub acknowledged it. `kassa status --json` has the keys of CONTRACT.md section 2
# with the values of a till that never synced.
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

printf 'barcode,name,price,stock\n4780001234562,Non,4000,10\n4780001234579,Qatiq,8500,5\n' > "$t/p.csv"
k import products "$t/p.csv" > /dev/null || fail import
printf '1111\n' | k user add Dilnoza --role cashier > /dev/null || fail "user add"
printf '%s\n' 'login 1111' 'open 0' 'scan 4780001234562' 'pay cash 0' \
	'scan 2*4780001234579' 'pay cash 20000' > "$t/cmds"
"$drive" "$db" < "$t/cmds" > "$t/drive" 2>&1 || fail "drive"

n=$(sqlite3 "$db" 'SELECT count(*) FROM events')
[ "$n" -ge 3 ] || fail "only $n events after a shift and two sales"
expect 0 k journal verify
grep -q "^journal: $n events, chain intact$" "$t/out" || fail "verify of $n events"
grep -q "^journal: sales, payments, shifts and stock agree with the events$" "$t/out" ||
	fail "verify did not say the tables agree"

# The attacker leaves the events alone and rewrites the figures the till reads. Each on a copy
# of the good till; each named with the table's value and the events'.
# tamper WHAT SQL PATTERN: verify must fail and its message match PATTERN.
tamper() {
	rm -f "$t/x.db" "$t/x.db-wal" "$t/x.db-shm"
	sqlite3 "$db" ".backup '$t/x.db'" || fail "backup for $1"
	sqlite3 "$t/x.db" "$2" || fail "could not $1"
	expect 1 "$KASSA_BIN" -d "$t/x.db" -c "$t/kassa.conf" journal verify
	grep -Eq "$3" "$t/err" || fail "$1: verify did not say /$3/"
	grep -q "the tables disagree" "$t/err" || fail "$1: no advice"
}
sale2=$(sqlite3 "$db" "SELECT event_seq FROM sales WHERE number = 2")
tamper "rewrite a sale's total" "UPDATE sales SET total = 100 WHERE number = 2" \
	"^journal: sale 2 \(event $sale2\): sales.total is 100 in the table but 1700000 by the events$"
tamper "rewrite a payment" "UPDATE payments SET amount = 1700000 WHERE amount = 2000000" \
	"^journal: sale 2 payment 1 \(event $sale2\): payments.amount is 1700000 in the table but 2000000 by the events$"
tamper "rewrite a sale and its payment together" \
	"UPDATE sales SET total = 1, paid = 1 WHERE number = 1; UPDATE payments SET amount = 1 WHERE amount = 400000" \
	"^journal: sale 1 \(event [0-9]+\): sales.total is 1 in the table but 400000 by the events$"
tamper "rewrite a line's price" "UPDATE sale_lines SET price = 100 WHERE qty = 2000" \
	"^journal: sale 2 line 1 \\(event $sale2\\): sale_lines.price is 100 in the table but 850000 by the events$"
tamper "take cash out of the shift's figures" "UPDATE shifts SET cash_sales = cash_sales - 300000" \
	"^journal: shift 1 \(event [0-9]+\): shifts.cash_sales is 1800000 in the table but 2100000 by the events$"
tamper "rewrite a product's stock" "UPDATE products SET stock = stock + 7000 WHERE name = 'Qatiq'" \
	"^journal: product 2 \(Qatiq\): stock on hand \(products.stock and the moves not folded yet\) is 10000 in the table but 3000 by the events$"
# The move is not folded yet (no till idled): products.stock takes the difference, so on hand
# still agrees and the moves' own sum is what disagrees.
tamper "rewrite a stock move" "UPDATE stock_moves SET qty = 0 WHERE reason = 'sale' AND product_id = 1; UPDATE products SET stock = stock - 1000 WHERE id = 1" \
	"^journal: product 1 \(Non\): the sum of its stock_moves is 10000 in the table but 9000 by the events$"
tamper "add a completed sale no event records" \
	"INSERT INTO sales(uuid, number, state, shift_id, user_id, total, created_at, updated_at) VALUES ('forged', 3, 'completed', 1, 1, 500, 'x', 'x')" \
	"^journal: sale 3 \(uuid forged\) is completed in the sales table, but no sale.completed event records it$"

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

# Events deleted from the end leave a chain that holds. Once the hub has acknowledged them,
# the till remembers the head it acknowledged, and verify reports the journal that ends before.
[ -x "$KASSA_HUB_BIN" ] || fail "$KASSA_HUB_BIN is not built"
good=$t/good.db
rm -f "$good"*
"$KASSA_BIN" -d "$good" -c "$t/kassa.conf" init --device-id till-ack > /dev/null || fail "init good"
"$KASSA_BIN" -d "$good" -c "$t/kassa.conf" import products "$t/p.csv" > /dev/null || fail "import good"
printf '1111\n' | "$KASSA_BIN" -d "$good" -c "$t/kassa.conf" user add Dilnoza --role cashier > /dev/null ||
	fail "user good"
printf '%s\n' 'login 1111' 'open 0' 'scan 4780001234562' 'pay cash 0' > "$t/cmds"
"$drive" "$good" < "$t/cmds" > "$t/drive" 2>&1 || fail "drive good"
port=$(( 20000 + ( $(od -An -N4 -tu4 /dev/urandom) + $$ ) % 40000 ))
token=$("$KASSA_HUB_BIN" --db "$t/hub.db" token add till-ack) || fail "hub token"
# Another test may hold the port: try a few (the hub says why it could not listen).
hub=""
trap 'kill $hub 2> /dev/null; rm -rf "$t"' EXIT INT TERM
for try in 1 2 3 4 5; do
	"$KASSA_HUB_BIN" --db "$t/hub.db" --listen "127.0.0.1:$port" serve > "$t/hub.log" 2>&1 &
	hub=$!
	i=0
	until grep -q listening "$t/hub.log" 2> /dev/null; do
		kill -0 "$hub" 2> /dev/null || break
		i=$((i + 1)); [ $i -lt 200 ] || break
		sleep 0.05
	done
	grep -q listening "$t/hub.log" && break
	kill "$hub" 2> /dev/null; wait "$hub" 2> /dev/null
	port=$((port + 101))
done
grep -q listening "$t/hub.log" || fail "the hub did not start: $(cat "$t/hub.log")"
printf '[sync]\nurl = http://127.0.0.1:%s\ntoken = %s\n' "$port" "$token" > "$t/sync.conf"
chmod 600 "$t/sync.conf"
expect 0 "$KASSA_BIN" -d "$good" -c "$t/sync.conf" sync --once
kill $hub; wait $hub 2> /dev/null
last=$(sqlite3 "$good" "SELECT max(seq) FROM events")
[ "$(sqlite3 "$good" "SELECT count(*) FROM outbox")" = 0 ] || fail "the push left events pending"
[ "$(sqlite3 "$good" "SELECT value FROM meta WHERE key = 'hub_ack_seq'")" = "$last" ] ||
	fail "the till did not remember the acknowledged head $last"
expect 0 "$KASSA_BIN" -d "$good" -c "$t/kassa.conf" journal verify
# The attacker deletes the last sale's event (the trigger refuses, so it goes first).
sqlite3 "$good" "DROP TRIGGER events_no_delete; DELETE FROM events WHERE seq = $last" ||
	fail "could not delete the last event"
expect 1 "$KASSA_BIN" -d "$good" -c "$t/kassa.conf" journal verify
grep -q "^journal: the journal ends at event $((last - 1)), but the hub acknowledged event $last" "$t/err" ||
	fail "a journal cut short of the acknowledged head passed"
echo ok
