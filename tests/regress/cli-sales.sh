#!/bin/sh
# cli-sales: sales rung up through the core (kassa-drive) show in `kassa sales --json` with the
# right totals, lines and payments, in the table, and filtered by --since; `kassa report x` and
# `report z --json` add them up (cash, card, expected cash, variance); no shift -> exit 1.
set -u
t=$(mktemp -d) || exit 1
trap 'rm -rf "$t"' EXIT INT TERM
export XDG_DATA_HOME="$t/xdg-data" XDG_CONFIG_HOME="$t/xdg-config"
unset KASSA_DB KASSA_CONFIG KASSA_LOG KASSA_NOW
export TZ=UTC	# times shown to people are local: fixed here, Tashkent below
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
drive() { "$drive" "$db" > "$t/drive" 2>&1 || fail "kassa-drive failed"; }
# kassa-drive with the clock stopped at $1 (libfaketime: the binaries have no clock hook).
. "$KASSA_TOP/tests/lib/clock.sh"
at_drive() { at_time "$1" "$drive" "$db" > "$t/drive" 2>&1 || fail "kassa-drive failed"; }
# py EXPR...: runs python3 with d = the JSON on stdout of the last command.
py() { python3 -c "import json,sys
d = json.load(open(sys.argv[1]))
$1" "$t/out" || fail "check failed: $1"; }

k init > /dev/null || fail init
cat > "$t/p.csv" <<'CSV'
barcode,name,price,vat,unit,plu
4780001234562,Nonvoyxona non,4000,0,pcs,
4780001234579,"Qatiq 0,5 l",8500,12,pcs,
4780001234586,"Молоко 3,2% 1 л",14500,12,pcs,
4780000000106,Olma,15000,12,kg,101
CSV
k import products "$t/p.csv" > /dev/null || fail import
printf '1111\n' | k user add Dilnoza --role cashier > /dev/null || fail "user add"

expect 1 k report x
grep -q "no shift is open" "$t/err" || fail "report x without a shift"
expect 1 k report z
grep -q "no shift has been closed" "$t/err" || fail "report z without a closed shift"

# Sale 1 (yesterday): 3 bread (0% VAT) + 1 qatiq, cash 50 000 -> change 29 500.
# Sale 2 (today): 1.25 kg apples by weight barcode + milk, by card, exact.
# Sale 3 (today): rung up and voided: not a completed sale.
printf '%s\n' 'login 1111' 'open 100000' 'scan 3*4780001234562' 'scan 4780001234579' \
	'pay cash 50000' | at_drive 2026-11-24T10:00:00.000Z
grep -q "^ok completed number=1 total=2050000 vat=91071 change=2950000 " "$t/drive" ||
	fail "sale 1 did not complete as expected"
printf '%s\n' 'login 1111' 'scan 2000101012504' 'scan 4780001234586' 'pay card 0' |
	at_drive 2026-11-25T09:00:00.000Z
grep -q "^ok line=1 qty=1250 total=1875000$" "$t/drive" || fail "weight barcode"
grep -q "^ok completed number=2 total=3325000 " "$t/drive" || fail "sale 2 did not complete"
printf '%s\n' 'login 1111' 'scan 4780001234586' 'void' | at_drive 2026-11-25T09:00:00.000Z

expect 0 k sales --json
py '
assert isinstance(d, list) and len(d) == 2, d
for s in d:
    for key in ("id", "number", "total", "lines", "payments", "created_at"):
        assert key in s, (key, s)
    assert isinstance(s["total"], int)
    assert sum(l["total"] for l in s["lines"]) == s["total"], s
s1, s2 = sorted(d, key=lambda s: s["number"])
assert (s1["number"], s1["total"]) == (1, 2050000), s1
assert len(s1["lines"]) == 2, s1["lines"]
assert [(p["method"], p["amount"]) for p in s1["payments"]] == [("cash", 5000000)], s1["payments"]
assert (s2["number"], s2["total"]) == (2, 3325000), s2
assert len(s2["lines"]) == 2
assert [(p["method"], p["amount"]) for p in s2["payments"]] == [("card", 3325000)], s2["payments"]
assert s1["created_at"].startswith("2026-11-24"), s1["created_at"]
'
expect 0 k sales --json --since 2026-11-25
py 'assert [s["number"] for s in d] == [2], d'
expect 0 k sales --json --since 2026-11-26T00:00:00Z
py 'assert d == [], d'

expect 0 k sales
grep -q "2 sales, 53 750 in all" "$t/out" || fail "sales table total"
grep -Eq "^ +1 +2026-11-24 10:00:00 +Dilnoza +2 +20 500 +cash$" "$t/out" || fail "sales table row 1"
grep -Eq "^ +2 +2026-11-25 09:00:00 +Dilnoza +2 +33 250 +card$" "$t/out" || fail "sales table row 2"
# People read local time: a cashier in Tashkent (UTC+5) sees 15:00 and 14:00; JSON keeps UTC.
TZ=Asia/Tashkent expect 0 k sales
grep -Eq "^ +1 +2026-11-24 15:00:00 +Dilnoza " "$t/out" || fail "sales table row 1 in Tashkent time"
grep -Eq "^ +2 +2026-11-25 14:00:00 +Dilnoza " "$t/out" || fail "sales table row 2 in Tashkent time"
TZ=Asia/Tashkent expect 0 k sales --json
py 'assert [s["created_at"] for s in d][0].endswith("Z"), d
assert d[0]["created_at"].startswith("2026-11-24T10:00:00"), d'
TZ=Asia/Tashkent expect 0 k report x
grep -Eq "^  opened +2026-11-24 15:00:00 \(Dilnoza\)$" "$t/out" || fail "report x: opened in Tashkent time"
TZ=Asia/Tashkent expect 0 k report x --json
grep -q '"2026-11-24T10:00:00.000Z"' "$t/out" || fail "report x --json: not UTC"
oldest=$(sqlite3 "$db" "SELECT e.at FROM outbox o JOIN events e USING (seq) ORDER BY o.seq LIMIT 1")
local_oldest=$(TZ=Asia/Tashkent date -d "$oldest" '+%Y-%m-%d %H:%M:%S')
TZ=Asia/Tashkent expect 0 k status
grep -q "^outbox pending .*(oldest $local_oldest)$" "$t/out" ||
	fail "status: the oldest pending not in Tashkent time ($local_oldest)"

# X report: both sales; expected cash = float + cash takings.
expect 0 k report x --json
py '
assert d["sales_count"] == 2, d
assert d["sales_total"] == 5375000, d
assert d["cash_sales"] == 2050000, d
assert d["card_sales"] == 3325000, d
assert d["opening_float"] == 10000000, d
assert d["expected_cash"] == 12050000, d
'
expect 0 k report x
grep -q "^X report" "$t/out" || fail "report x text"
grep -Eq "expected cash +120 500$" "$t/out" || fail "report x: expected cash"

# Close with 500 so'm short; the Z report shows the variance.
printf '%s\n' 'login 1111' 'close 120000' | drive
expect 0 k report z --json
py '
assert d["sales_count"] == 2 and d["sales_total"] == 5375000, d
assert d["expected_cash"] == 12050000 and d["counted_cash"] == 12000000, d
assert d["variance"] == -50000, d
'
expect 0 k report z
grep -q "^Z report" "$t/out" || fail "report z text"
grep -Eq "variance +-500$" "$t/out" || fail "report z: variance"
expect 1 k report x
# The clock is the system's: KASSA_NOW, once a test hook, no longer backdates anything.
printf '%s\n' 'login 1111' 'open 0' 'scan 4780001234586' 'pay cash 0' |
	KASSA_NOW=2001-01-01T00:00:00.000Z "$drive" "$db" > "$t/drive" 2>&1 || fail "a sale with KASSA_NOW"
KASSA_NOW=2001-01-01T00:00:00.000Z k import products "$t/p.csv" > /dev/null 2>&1 || fail "import with KASSA_NOW"
[ "$(sqlite3 "$db" "SELECT count(*) FROM sales WHERE created_at LIKE '2001%' OR completed_at LIKE '2001%'")" = 0 ] ||
	fail "KASSA_NOW backdated a sale"
[ "$(sqlite3 "$db" "SELECT count(*) FROM products WHERE updated_at LIKE '2001%'")" = 0 ] ||
	fail "KASSA_NOW backdated a product"
echo ok
