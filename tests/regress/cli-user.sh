#!/bin/sh
# cli-user: `kassa user add NAME --role R` takes the PIN from the first line of stdin, never
# echoes it, refuses a bad PIN (exit 1) and a bad or missing role (exit 2), refuses a PIN another
# user has; `kassa user list` shows them; each can then log in with the PIN (checked through
# the core with kassa-drive).
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
# expect RC STDIN CMD...
expect() {
	want=$1 input=$2; shift 2
	printf '%s' "$input" | "$@" > "$t/out" 2> "$t/err"
	rc=$?
	[ "$rc" -eq "$want" ] || fail "$* exited $rc, wanted $want"
}
k() { "$KASSA_BIN" -d "$db" -c "$t/kassa.conf" "$@"; }
# The PIN must never show in what kassa prints.
no_pin() { ! grep -q -- "$1" "$t/out" "$t/err" || fail "the PIN $1 was echoed"; }

expect 1 '2580
' k user add Nobody --role cashier
grep -q "kassa init" "$t/err" || fail "no database: no hint"
k init > /dev/null || fail "init"

expect 0 '258036
' k user add Dilnoza --role cashier
grep -q "added cashier Dilnoza" "$t/out" || fail "no confirmation"
no_pin 258036
# Windows line ending and no final newline are fine too.
expect 0 "$(printf '97531\r\n')" k user add Rustam --role manager
no_pin 97531
expect 0 '864200' k user add "Admin User" --role admin
no_pin 864200

# Bad PINs: exit 1, nothing added, never echoed.
for pin in 123 1234567890123 12a4 '' ' 1234' '12 34' '-1234'; do
	expect 1 "$pin
" k user add Bad --role cashier
	grep -q "PIN" "$t/err" || fail "bad PIN '$pin': message does not say PIN"
	[ -n "$pin" ] && [ ${#pin} -ge 4 ] && no_pin "$pin"
done
expect 1 '' k user add Empty --role cashier
grep -q "first line of standard input" "$t/err" || fail "no PIN: no hint"
# A PIN another user has: refused (the PIN alone says who sells).
expect 1 '258036
' k user add Twin --role cashier
no_pin 258036
# The same name again: refused.
expect 1 '111222
' k user add Dilnoza --role cashier

# Role errors are usage errors.
expect 2 '4444
' k user add Kamola --role boss
grep -q "unknown role 'boss'" "$t/err" || fail "bad role not named"
grep -q "usage: kassa user add" "$t/err" || fail "no usage for a bad role"
expect 2 '4444
' k user add Kamola
grep -q -- "--role" "$t/err" || fail "missing role: no hint"
expect 2 '4444
' k user add --role cashier
expect 2 '4444
' k user remove Kamola --role cashier
expect 2 '' k user

# user list: every user with the role, no PIN or hash anywhere.
k user list > "$t/out" 2> "$t/err" || fail "user list"
[ "$(grep -c . "$t/out")" -eq 4 ] || fail "user list: not a header and 3 users"
grep -Eq "^Admin User +admin +active$" "$t/out" || fail "user list: admin"
grep -Eq "^Dilnoza +cashier +active$" "$t/out" || fail "user list: Dilnoza"
grep -Eq "^Rustam +manager +active$" "$t/out" || fail "user list: Rustam"
grep -q '\$y\$\|258036' "$t/out" && fail "user list shows a PIN or a hash"
expect 2 '' k user list extra

# The users log in with their PINs; refused users do not exist.
printf 'login 258036\n' | "$drive" "$db" > "$t/drive" 2>&1 || { cat "$t/drive"; fail "Dilnoza cannot log in"; }
grep -q "user=Dilnoza role=cashier" "$t/drive" || fail "login: $(cat "$t/drive")"
printf 'login 97531\n' | "$drive" "$db" > "$t/drive" 2>&1 || { cat "$t/drive"; fail "Rustam cannot log in"; }
grep -q "user=Rustam role=manager" "$t/drive" || fail "login: $(cat "$t/drive")"
printf 'login 864200\n' | "$drive" "$db" > "$t/drive" 2>&1 || { cat "$t/drive"; fail "admin cannot log in"; }
grep -q "role=admin" "$t/drive" || fail "login: $(cat "$t/drive")"
printf 'login 4444\n' | "$drive" "$db" > "$t/drive" 2>&1 && fail "a refused user can log in"
echo ok
