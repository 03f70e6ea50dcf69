#!/bin/sh
# cli-stock: `kassa stock` (CONTRACT.md section 7). A receiving file with bad rows is refused
# whole, every bad row named as FILE:LINE: reason, nothing received; a good one is applied
# (with its supplier and cost prices); `stock adjust` with a signed quantity and a reason; a
# stock-take file with --category counts the category's missing products as 0; `stock list
# --low` and --json show qty and threshold (the product CSV's `min` column); a `kill -9` in the
# middle of receiving a big file leaves nothing half-done: `kassa journal verify` finds the
# stock agreeing with the events, and the file can be received again.
set -u
t=$(mktemp -d) || exit 1
trap 'rm -rf "$t"' EXIT INT TERM
export XDG_DATA_HOME="$t/xdg-data" XDG_CONFIG_HOME="$t/xdg-config"
unset KASSA_DB KASSA_CONFIG KASSA_LOG
db=$t/till.db
: > "$t/kassa.conf"
fail() { echo "FAIL: $*"; for f in "$t"/out "$t"/err; do [ -f "$f" ] && sed "s|^|  $(basename "$f"): |" "$f"; done; exit 1; }
expect() {
	want=$1; shift
	"$@" > "$t/out" 2> "$t/err"
	rc=$?
	[ "$rc" -eq "$want" ] || fail "$* exited $rc, wanted $want"
}
k() { "$KASSA_BIN" -d "$db" -c "$t/kassa.conf" "$@"; }
# qty of a barcode as `stock list --json` has it (thousandths)
qty() { k stock list --json | python3 -c 'import json,sys; print([p["qty"] for p in json.load(sys.stdin) if p["barcode"] == sys.argv[1]][0])' "$1"; }

expect 0 k init
cat > "$t/products.csv" <<'CSV'
barcode,name,price,category,stock,min
4780001234562,Nonvoyxona non,4000,Non,10,5
4780001234579,Qatiq,8500,Sut,3,
4780001234586,Moloko,14500,Sut,4,2
4780001234593,Choy,9000,Choy,0,
CSV
expect 0 k import products "$t/products.csv"

# No admin yet: the command line has nobody to act as, and says what to do.
printf 'barcode,qty\n4780001234562,1\n' > "$t/one.csv"
expect 1 k stock receive "$t/one.csv"
grep -q "kassa user add NAME --role admin" "$t/err" || fail "no admin: the message says how"
printf '0000\n' | k user add Aziz --role admin > /dev/null || fail "user add"

# A bad file: every bad row named with its line, nothing received.
cat > "$t/bad.csv" <<'CSV'
barcode,qty,cost
4780001234562,5,3000
4780001234579,abc,1000
4780001234609,1,
4780001234563,2,
4780001234586,-1,
4780001234593,1,12.345
CSV
expect 1 k stock receive "$t/bad.csv" --supplier "Sut zavodi"
for n in 3 4 5 6 7; do
	grep -q "^$t/bad.csv:$n: " "$t/err" || fail "bad row $n not named"
done
grep -q "bad.csv:2:" "$t/err" && fail "a good row named as bad"
grep -q "5 bad rows; nothing was received" "$t/err" || fail "summary of the bad file"
[ "$(qty 4780001234562)" = 10000 ] || fail "a refused file changed the stock"

# A good one, from stdin, with a supplier: applied.
printf 'qty,barcode,cost\n5,4780001234562,3000\n12,4780001234593,7000.50\n' |
	expect 0 k stock receive - --supplier "Sut zavodi"
grep -q "received delivery 1: 2 lines, cost 99 006" "$t/out" || fail "receive summary"
[ "$(qty 4780001234562)" = 15000 ] || fail "non after receiving: $(qty 4780001234562)"
[ "$(qty 4780001234593)" = 12000 ] || fail "choy after receiving"

# Adjust: signed, a reason from the list.
expect 0 k stock adjust 4780001234562 -2 --reason damage
grep -q "13 on hand" "$t/out" || fail "adjust says the new figure"
expect 2 k stock adjust 4780001234562 -2 --reason lost
expect 2 k stock adjust 4780001234562 -2
expect 1 k stock adjust 4780001234609 1 --reason correction
[ "$(qty 4780001234562)" = 13000 ] || fail "a refused adjustment changed the stock"

# A stock-take of one category: Qatiq counted 2, Moloko missing, so 0; other categories kept.
printf 'barcode,qty\n4780001234579,2\n' > "$t/count.csv"
printf 'barcode,qty\n4780001234579,2\n4780001234562,1\n' > "$t/count-bad.csv"
expect 1 k stock count "$t/count-bad.csv" --category Sut
grep -q "count-bad.csv:3: .*not in the category" "$t/err" || fail "row outside the category"
expect 1 k stock count "$t/count.csv" --category Nosuch
expect 0 k stock count "$t/count.csv" --category Sut
grep -q "counted 2 products: 2 changed" "$t/out" || fail "count summary"
[ "$(qty 4780001234579)" = 2000 ] || fail "qatiq counted"
[ "$(qty 4780001234586)" = 0 ] || fail "moloko missing from the count is not 0"
[ "$(qty 4780001234562)" = 13000 ] || fail "a category count touched another category"

# Low stock: Moloko (0, threshold 2) and nothing else.
expect 0 k stock list --low
grep -q "Moloko" "$t/out" || fail "moloko not low"
[ "$(grep -c LOW "$t/out")" = 1 ] || fail "only moloko is low"
expect 0 k stock list --low --json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert [(p["barcode"], p["qty"], p["min"], p["low"]) for p in d] == [("4780001234586", 0, 2000, True)], d' "$t/out" ||
	fail "stock list --low --json"
# The count took Moloko from above its threshold to 0: the hub is told.
n=$(sqlite3 "$db" "SELECT count(*) FROM events e JOIN outbox o ON o.seq = e.seq WHERE e.type = 'stock.low' AND e.payload ->> '\$.name' = 'Moloko'")
[ "$n" = 1 ] || fail "stock.low for moloko: $n"

expect 0 k journal verify
grep -q "stock agree with the events" "$t/out" || fail "verify after the operations"

# kill -9 in the middle of a big delivery: all or nothing, and the figures agree.
python3 - "$t" <<'PY' || fail "generating the big files"
import sys
t = sys.argv[1]
def ean(body):
    s = sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(body))
    return body + str((10 - s % 10) % 10)
codes = [ean("479%09d" % i) for i in range(20000)]
with open(t + "/many.csv", "w") as f:
    f.write("barcode,name,price\n")
    for i, c in enumerate(codes):
        f.write("%s,Mahsulot %d,1000\n" % (c, i))
with open(t + "/big.csv", "w") as f:
    f.write("barcode,qty,cost\n")
    for i in range(200000):
        f.write("%s,1,500\n" % codes[i % 20000])
PY
expect 0 k import products "$t/many.csv"
before=$(sqlite3 "$db" "SELECT count(*) FROM events")
# kassa itself in the background (not a function's subshell), so the kill reaches it.
"$KASSA_BIN" -d "$db" -c "$t/kassa.conf" stock receive "$t/big.csv" > /dev/null 2>&1 &
pid=$!
# Until its transaction holds the write lock (the -wal grows), then kill it.
i=0
while [ $i -lt 200 ]; do
	sleep 0.05
	i=$((i + 1))
	sqlite3 "$db" "BEGIN IMMEDIATE; ROLLBACK;" 2> /dev/null || break
done
kill -9 "$pid" 2> /dev/null || fail "the receiving finished before it could be killed"
wait "$pid" 2> /dev/null
[ "$(sqlite3 "$db" "SELECT count(*) FROM deliveries")" = 1 ] || fail "a killed delivery left a row"
[ "$(sqlite3 "$db" "SELECT count(*) FROM events")" = "$before" ] || fail "a killed delivery left events"
expect 0 k journal verify
grep -q "stock agree with the events" "$t/out" || fail "verify after kill -9"
# And the same file goes in afterwards, whole.
expect 0 k stock receive "$t/big.csv"
grep -q "received delivery 2: 200000 lines" "$t/out" || fail "the big file after the kill"
[ "$(sqlite3 "$db" "SELECT count(*) FROM events WHERE type = 'stock.received'")" = 401 ] ||
	fail "200 000 lines in 400 events (+1 earlier)"
expect 0 k journal verify
grep -q "stock agree with the events" "$t/out" || fail "verify after the big delivery"
echo "PASS: cli-stock"
