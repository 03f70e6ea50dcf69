#!/bin/sh
# cli-demo: contrib/demo (what `make demo` runs) sets up a demo till with the catalogue and the
# three users of the README, starts the till on it, and reuses it when run again.
set -u
t=$(mktemp -d) || exit 1
trap 'rm -rf "$t"' EXIT INT TERM
export XDG_DATA_HOME="$t/xdg-data" XDG_CONFIG_HOME="$t/xdg-config"
unset KASSA_DB KASSA_CONFIG KASSA_LOG KASSA_NOW
drive=$KASSA_BUILD/tests/tools/kassa-drive
[ -x "$drive" ] || { echo "FAIL: $drive is not built (make test-build)"; exit 1; }
fail() { echo "FAIL: $*"; for f in "$t"/out "$t"/err "$t"/drive; do [ -f "$f" ] && sed "s|^|  $(basename "$f"): |" "$f"; done; exit 1; }

# A stand-in for ./kassa: the real binary for commands, a note instead of the till's screen.
cat > "$t/kassa" <<EOS
#!/bin/sh
case " \$* " in
*" init "*|*" import "*|*" user "*) exec "$KASSA_BIN" "\$@" ;;
esac
echo "TILL \$*" >> "$t/till-started"
EOS
chmod +x "$t/kassa"

KASSA="$t/kassa" KASSA_DEMO_DIR="$t/demo" sh "$KASSA_TOP/contrib/demo" > "$t/out" 2> "$t/err" ||
	fail "contrib/demo failed"
db=$t/demo/kassa.db
[ -f "$db" ] || fail "no demo database"
[ -f "$t/demo/kassa.conf" ] || fail "no demo config"
grep -q "TILL -d $db -c $t/demo/kassa.conf" "$t/till-started" || fail "the till was not started on the demo"
grep -q "PIN 1111" "$t/out" || fail "the PINs are not shown"
n=$("$KASSA_BIN" -d "$db" -c "$t/demo/kassa.conf" status | sed -n 's/^products *//p')
[ "$n" -ge 300 ] || fail "$n demo products"
printf 'login 1111\n' | "$drive" "$db" > "$t/drive" 2>&1 && grep -q "user=Dilnoza role=cashier" "$t/drive" ||
	fail "Dilnoza 1111"
printf 'login 9999\n' | "$drive" "$db" > "$t/drive" 2>&1 && grep -q "user=Rustam role=manager" "$t/drive" ||
	fail "Rustam 9999"
printf 'login 0000\n' | "$drive" "$db" > "$t/drive" 2>&1 && grep -q "role=admin" "$t/drive" ||
	fail "admin 0000"

# Again: the same database is reused (a sale made in between is still there).
printf '%s\n' 'login 1111' 'open 100000' 'scan 2*NON-001' 'pay cash 0' | "$drive" "$db" > "$t/drive" 2>&1 ||
	fail "a demo sale"
KASSA="$t/kassa" KASSA_DEMO_DIR="$t/demo" sh "$KASSA_TOP/contrib/demo" > "$t/out" 2> "$t/err" ||
	fail "contrib/demo failed the second time"
[ "$(wc -l < "$t/till-started")" -eq 2 ] || fail "the till was not started the second time"
"$KASSA_BIN" -d "$db" -c "$t/demo/kassa.conf" sales --json > "$t/out" || fail "sales"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d) == 1 and d[0]["total"] == 800000, d' "$t/out" ||
	fail "the demo sale is gone after a second run"
# The demo's simulated printer prints that sale: the printer process as the till starts it.
grep -qx "device = sim:$t/demo/printer" "$t/demo/kassa.conf" || fail "the demo has no sim printer"
mkfifo "$t/wake"
"$KASSA_BIN" -d "$db" -c "$t/demo/kassa.conf" print worker 3< "$t/wake" 4> "$t/status" &
wk=$!
exec 7> "$t/wake"
n=0
until grep -q "state=ok queued=0" "$t/status" 2>/dev/null; do
	n=$((n + 1)); [ $n -gt 100 ] && { kill $wk; fail "the demo printer did not print"; }
	sleep 0.1
done
exec 7>&-
wait $wk || fail "the printer process failed"
grep -q "Nonvoyxona non" "$t/demo/printer" || fail "the sale's receipt is not on the demo printer"
echo ok
