#!/bin/sh
# cli-import: `kassa import products` (CONTRACT.md section 3). A good CSV imports (then there are
# no sales yet); a malformed one (bad price, missing barcode, bad check digit, invalid UTF-8, a
# barcode twice in the file) exits 1, names every bad line as FILE:LINE: reason and imports
# NOTHING; re-importing a barcode updates its price (checked by ringing it up); stdin works;
# the demo catalogue imports cleanly with at least 300 products.
set -u
t=$(mktemp -d) || exit 1
trap 'rm -rf "$t"' EXIT INT TERM
export XDG_DATA_HOME="$t/xdg-data" XDG_CONFIG_HOME="$t/xdg-config"
unset KASSA_DB KASSA_CONFIG KASSA_LOG
db=$t/till.db
drive=$KASSA_BUILD/tests/tools/kassa-drive
[ -x "$drive" ] || { echo "FAIL: $drive is not built (make test-build)"; exit 1; }
: > "$t/kassa.conf"
fail() { echo "FAIL: $*"; for f in "$t"/out "$t"/err; do [ -f "$f" ] && sed "s|^|  $(basename "$f"): |" "$f"; done; exit 1; }
expect() {
	want=$1; shift
	"$@" > "$t/out" 2> "$t/err"
	rc=$?
	[ "$rc" -eq "$want" ] || fail "$* exited $rc, wanted $want"
}
k() { "$KASSA_BIN" -d "$db" -c "$t/kassa.conf" "$@"; }
products() { k status > "$t/st" || fail "status failed"; sed -n 's/^products *//p' "$t/st"; }

expect 0 k init
printf '1111\n' | k user add Dilnoza --role cashier > /dev/null || fail "user add"

# Columns in any order, quoting, Cyrillic, Uzbek oʻ, a weighed product with a PLU.
cat > "$t/good.csv" <<'CSV'
name,barcode,price,vat,unit,sku,category,stock,plu
Nonvoyxona non,4780001234562,4000,0,pcs,NON-1,Non,100,
"Qatiq 0,5 l",4780001234579,8500,12,pcs,SUT-1,Sut,50,
"Молоко 3,2% 1 л",4780001234586,14500,12,pcs,SUT-2,Sut,40,
Oʻzbek choyi,4780001234593,9000,,pcs,CHO-1,Choy,20,
Olma,4780000000106,15000,12,kg,MEV-1,Meva,40.5,101
CSV
expect 0 k import products "$t/good.csv"
grep -q "imported 5 products" "$t/out" || fail "import did not say 5 products"
[ "$(products)" = 5 ] || fail "5 products expected, status says $(products)"

# No sales yet: an empty JSON array, and a table that says so.
expect 0 k sales --json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d == [], d' "$t/out" ||
	fail "sales --json is not []"
expect 0 k sales
grep -q "no completed sales" "$t/out" || fail "sales table of nothing"

# A malformed file: every bad line named, nothing imported (a good new row is not imported
# either, an existing price is not changed).
{
	echo 'barcode,name,price,vat,unit'
	echo '4780001234562,Nonvoyxona non,4100,0,pcs'
	echo '4780001234579,Qatiq,abc,12,pcs'
	echo ',No barcode,1000,12,pcs'
	echo '4780001234563,Bad check digit,1000,12,pcs'
	printf '4600000000015,Bad \377\376 UTF-8,1000,12,pcs\n'
	echo '4780001234586,Duplicate first,1000,12,pcs'
	echo '4780001234586,Duplicate second,1000,12,pcs'
	echo '4780001234609,Good new row,1000,12,pcs'
} > "$t/bad.csv"
expect 1 k import products "$t/bad.csv"
for line in 3 4 5 6 8; do
	grep -q "^$t/bad.csv:$line: ." "$t/err" || fail "bad line $line not reported as FILE:LINE: reason"
done
for line in 2 7 9; do
	grep -q "^$t/bad.csv:$line:" "$t/err" && fail "good line $line reported as bad"
done
grep -q "nothing was imported" "$t/err" || fail "no 'nothing was imported'"
[ "$(products)" = 5 ] || fail "a failed import changed the catalogue: $(products) products"

# The price of bread is still 4000: ring one up.
printf 'login 1111\nopen 0\nscan 4780001234562\nvoid\n' | "$drive" "$db" > "$t/drive" 2>&1 ||
	{ cat "$t/drive"; fail "drive"; }
grep -q "^ok line=1 qty=1000 total=400000$" "$t/drive" || { cat "$t/drive"; fail "bread price changed by a failed import"; }

# A header without a required column, and an empty file.
printf 'barcode,name\n4780001234562,Non\n' > "$t/nohdr.csv"
expect 1 k import products "$t/nohdr.csv"
grep -q "price" "$t/err" || fail "missing price column not named"
: > "$t/empty.csv"
expect 1 k import products "$t/empty.csv"
expect 1 k import products "$t/does-not-exist.csv"
grep -q "does-not-exist.csv" "$t/err" || fail "missing file not named"

# Re-import from stdin updates the price of bread; the count stays.
printf 'barcode,name,price\n4780001234562,Nonvoyxona non,4500\n' |
	k import products - > "$t/out" 2> "$t/err" || fail "import from stdin"
[ "$(products)" = 5 ] || fail "re-import added a product"
printf 'login 1111\nscan 4780001234562\nvoid\n' | "$drive" "$db" > "$t/drive" 2>&1 ||
	{ cat "$t/drive"; fail "drive"; }
grep -q "^ok line=1 qty=1000 total=450000$" "$t/drive" || { cat "$t/drive"; fail "re-import did not update the price"; }

# A stdin import with an error names "stdin".
printf 'barcode,name,price\n4780001234562,Non,-5\n' | k import products - > "$t/out" 2> "$t/err"
[ $? -eq 1 ] || fail "bad stdin import did not fail"
grep -q "^stdin:2: " "$t/err" || fail "bad stdin row not named stdin:2"

# What suppliers' spreadsheets write (issue 17). Excel's "CSV UTF-8" with ';' (a decimal-comma
# locale): a BOM, CR LF, an inch mark in an unquoted name, spaces around names quoted or not.
name_of() { python3 -c 'import sqlite3,sys; r=sqlite3.connect(sys.argv[1]).execute("SELECT p.name FROM products p JOIN barcodes b ON b.product_id = p.id WHERE b.code = ?", (sys.argv[2],)).fetchone(); print(r[0] if r else "")' "$db" "$1"; }
printf '\357\273\277barcode;name;price\r\n4780000000014;Monitor 24" LG;2500000\r\n4780000000021;"  Olma; qizil  ";18990\r\n4780000000038;  Non  ;4000\r\n' > "$t/excel.csv"
expect 0 k import products "$t/excel.csv"
[ "$(name_of 4780000000014)" = 'Monitor 24" LG' ] || fail "inch mark: got '$(name_of 4780000000014)'"
[ "$(name_of 4780000000021)" = 'Olma; qizil' ] || fail "quoted name with spaces: got '$(name_of 4780000000021)'"
[ "$(name_of 4780000000038)" = 'Non' ] || fail "unquoted name with spaces: got '$(name_of 4780000000038)'"
[ "$(products)" = 8 ] || fail "8 products expected after the Excel file, status says $(products)"
# Plain "CSV" from a Russian Windows (CP1251): refused, saying what to do, nothing changed.
printf 'barcode,name,price\n4780000000045,\314\356\353\356\352\356,100\n' > "$t/cp1251.csv"
expect 1 k import products "$t/cp1251.csv"
grep -q "^$t/cp1251.csv:2: not UTF-8: save it as CSV UTF-8$" "$t/err" || fail "CP1251 not named"
# A header mixing ',' and ';' is refused with advice; a quoted field with text after its
# closing quote is still refused.
printf 'barcode;name,price\n4780000000045;Non,1\n' > "$t/mixed.csv"
expect 1 k import products "$t/mixed.csv"
grep -q "^$t/mixed.csv:1: .*one separator" "$t/err" || fail "mixed separators not refused with advice"
printf 'barcode,name,price\n4780000000045,"Monitor" 24,1\n' > "$t/quote.csv"
expect 1 k import products "$t/quote.csv"
grep -q "^$t/quote.csv:2: .*closing quote" "$t/err" || fail "malformed quoted field not refused"
[ "$(products)" = 8 ] || fail "a refused file changed the catalogue: $(products) products"

# The demo catalogue imports cleanly into a fresh till.
expect 0 "$KASSA_BIN" -d "$t/demo.db" -c "$t/kassa.conf" init
expect 0 "$KASSA_BIN" -d "$t/demo.db" -c "$t/kassa.conf" import products "$KASSA_TOP/contrib/demo-catalog.csv"
[ -s "$t/err" ] && fail "demo import printed warnings"
n=$("$KASSA_BIN" -d "$t/demo.db" -c "$t/kassa.conf" status | sed -n 's/^products *//p')
[ "$n" -ge 300 ] || fail "demo catalogue has $n products, wanted >= 300"
# It is what the generator writes.
python3 "$KASSA_TOP/contrib/gen-demo-catalog.py" 2>/dev/null | cmp -s - "$KASSA_TOP/contrib/demo-catalog.csv" ||
	fail "contrib/demo-catalog.csv is not the output of contrib/gen-demo-catalog.py"
echo ok
