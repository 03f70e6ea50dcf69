#!/bin/sh
# cli-rights-bounds (issue 9): a price past a real shop's (10^10 so'm a unit, include/money.h)
# is refused on import, naming the line, and nothing is imported; the largest one imports.
# (Two sales of a 5x10^16 tiyin product used to make the shift impossible to close.)
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
ean() { python3 -c "s='$1'; print(s + str((10 - sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(s)) % 10) % 10))"; }

expect 0 k init
printf 'barcode,name,price\n%s,Oltin,500000000000000\n%s,Kumush,100000000000\n%s,Non,4000\n' \
    "$(ean 478000000001)" "$(ean 478000000002)" "$(ean 478000000003)" > "$t/big.csv"
expect 1 k import products "$t/big.csv"
grep -q "big.csv:2: price too large" "$t/err" || fail "the 5x10^16 price was not named"
grep -q "big.csv:3: price too large" "$t/err" || fail "the 10^13 price was not named"
[ "$(sqlite3 "$db" "SELECT count(*) FROM products")" = 0 ] || fail "something was imported"
printf 'barcode,name,price\n%s,Oltin,10000000000\n' "$(ean 478000000001)" > "$t/max.csv"
expect 0 k import products "$t/max.csv"
[ "$(sqlite3 "$db" "SELECT price FROM products")" = 1000000000000 ] || fail "the largest price was refused"
echo ok
