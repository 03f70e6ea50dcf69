#!/bin/sh
# dev-printer: the receipt printer end to end against a fake network printer (tests/lib/escpos.py,
# which answers DLE EOT and records every byte; the bytes are decoded into text and markers):
# `kassa print test` (code page, Cyrillic, Uzbek o' g', cut) and its refusal when the printer is
# out of paper or does not answer; the printer process (`kassa print worker`, as the till starts
# it) with the printer out of paper (the receipt stays queued, the state reaches the till's
# status line and `kassa status`, and it prints once the paper is back, with the fiscal QR, the
# sale number barcode and the cut; the drawer opened at once for the change by the real-time
# pulse, and not again with the late receipt); a card sale (no drawer); a reprint
# (COPY, no drawer); a no-sale (drawer only); the line dropped mid-receipt (the receipt is
# printed again whole, nothing lost); a slow printer (every receipt whole and in order); a job
# whose sale is gone (failed, the queue goes on); the till closing mid-receipt (it is finished).
set -u
t=$(mktemp -d) || exit 1
fp="" wk=""
cleanup() {
	exec 7>&- 2>/dev/null
	[ -n "$wk" ] && kill "$wk" 2>/dev/null
	[ -n "$fp" ] && kill "$fp" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$t"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
export XDG_DATA_HOME="$t/xdg-data" XDG_CONFIG_HOME="$t/xdg-config"
unset KASSA_DB KASSA_CONFIG KASSA_LOG KASSA_NOW
db=$t/till.db
esc="python3 $KASSA_TOP/tests/lib/escpos.py"
drive=$KASSA_BUILD/tests/tools/kassa-drive
[ -x "$drive" ] || { echo "FAIL: $drive is not built"; exit 1; }
fail() {
	echo "FAIL: $*"
	for f in out err drive status; do [ -f "$t/$f" ] && sed "s|^|  $f: |" "$t/$f"; done
	[ -f "$t/paper" ] && $esc decode "$t/paper" | sed 's|^|  paper: |'
	exit 1
}
k() { "$KASSA_BIN" -d "$db" -c "$t/kassa.conf" "$@"; }
drive() { "$drive" "$db" >> "$t/drive" 2>&1 || fail "kassa-drive failed"; }
state() { echo "$1" > "$t/pstate"; }
sql() { python3 -c "import sqlite3,sys
c = sqlite3.connect(sys.argv[1], timeout=10)
for r in c.execute(sys.argv[2]): print(*r)
c.commit()" "$db" "$1"; }
# until CMD: waits (up to 30 s, a deadline, not a measurement) for CMD to succeed.
until_ok() {
	n=0
	while ! eval "$1" > /dev/null 2>&1; do
		n=$((n + 1)); [ $n -gt 300 ] && fail "gave up waiting for: $1"; sleep 0.1
	done
}
paper() { $esc decode "$t/paper"; }
has() { paper | grep -qF -- "$1" || fail "the paper lacks '$1'"; }
lacks() { paper | grep -qF -- "$1" && fail "the paper has '$1'"; return 0; }
queued() { sql "SELECT count(*) FROM print_jobs WHERE state = 'queued'"; }

state ok
$esc printer --port-file "$t/port" --out "$t/paper" --state "$t/pstate" 2> "$t/fp.err" &
fp=$!
until_ok "test -s '$t/port'"
port=$(cat "$t/port")
cat > "$t/kassa.conf" <<EOF2
[till]
store = Do'kon Chilonzor
[printer]
device = tcp:127.0.0.1:$port
width = 42
codepage = 17
EOF2
k init > /dev/null || fail init
cat > "$t/p.csv" <<'CSV'
barcode,name,price,vat
4780001234586,"Молоко 3,2% 1 л",14500,12
4780001234579,Gʻalla non,4000,0
CSV
k import products "$t/p.csv" > /dev/null || fail import
printf '1111\n' | k user add Dilnoza --role cashier > /dev/null || fail "user add"
printf '2222\n' | k user add Rustam --role manager > /dev/null || fail "user add"

# 1. The test page.
k print test > "$t/out" 2> "$t/err" || fail "print test failed"
has "[INIT][CODEPAGE 17]"
has "TEST PAGE"
has "Русский: Молоко 3,2% 1 л"
has "O'zbekcha: G'alla, o'rik"
has "[CUT]"
state "paper out"
k print test > "$t/out" 2> "$t/err" && fail "print test succeeded without paper"
grep -q "out of paper" "$t/err" || fail "print test did not say the paper is out"
state "offline"
k print test > "$t/out" 2> "$t/err" && fail "print test succeeded with the printer offline"
grep -q "does not answer" "$t/err" || fail "print test did not say the printer is offline"

# 2. The printer process, started as the till starts it: wake pipe on fd 3, status on fd 4.
state "paper out"
: > "$t/paper"
mkfifo "$t/wake"
"$KASSA_BIN" -d "$db" -c "$t/kassa.conf" print worker 3< "$t/wake" 4> "$t/status" &
wk=$!
exec 7> "$t/wake"
printf '%s\n' 'login 1111' 'open 100000' 'scan 4780001234586' 'scan 2*4780001234579' \
	'pay cash 50000' | drive
grep -q "^ok completed number=1 " "$t/drive" || fail "sale 1 did not complete"
echo x >&7
# The drawer opens for the change at once, with the real-time pulse (no paper needed); the
# receipt waits for the paper.
until_ok "paper | grep -qF '[PULSE]'"
until_ok "grep -q 'state=paper%20out queued=1' '$t/status'"
[ "$(queued)" = 1 ] || fail "the receipt is not queued while the paper is out"
k status > "$t/out" 2>&1 || fail "kassa status"
grep -q "paper out" "$t/out" || fail "kassa status does not show the paper out"
lacks "Молоко"
uuid=$(sql "SELECT uuid FROM sales WHERE number = 1")
sql "INSERT INTO meta(key, value) VALUES ('fiscal_url:$uuid', 'https://ofd.soliq.uz/check?t=1&r=1')"
state ok
echo x >&7
until_ok "[ \$(queued) = 0 ]"
until_ok "grep -q 'state=ok queued=0' '$t/status'"
has "Do'kon Chilonzor"
has "Молоко 3,2% 1 л"
has "G'alla non"
has "2 x 4 000"
has "TOTAL"
has "VAT 12% of 14 500"
has "Cash"
has "Change"
has "[QR https://ofd.soliq.uz/check?t=1&r=1]"
has "[BARCODE 1]"
has "[CUT]"
# The drawer opened once, when the sale was paid: not again with the late receipt.
lacks "[DRAWER]"
[ "$(paper | grep -oF '[PULSE]' | wc -l)" = 1 ] || fail "the drawer was opened more than once"
k status > "$t/out" 2>&1 || fail "kassa status"
grep -q "printer *ok, 0 queued" "$t/out" || fail "kassa status does not show the printer ok"

# 3. A card sale opens no drawer; a reprint (kassa print copy) says COPY and opens no drawer;
#    a no-sale kicks it.
: > "$t/paper"
printf '%s\n' 'login 1111' 'scan 4780001234586' 'pay card 0' | drive
echo x >&7
until_ok "[ \$(queued) = 0 ] && paper | grep -qF '[BARCODE 2]'"
until_ok "paper | grep -qF '[CUT]'"
lacks "[DRAWER]"
: > "$t/paper"
# The copy asked for from the command line (a support engineer, the customer on the phone).
k print copy 99 > "$t/out" 2> "$t/err" && fail "print copy of a receipt that does not exist"
grep -q "no completed sale has receipt number 99" "$t/err" || fail "print copy 99: $(cat "$t/err")"
[ "$(queued)" = 0 ] || fail "a copy of no receipt was queued"
k print copy 1 > "$t/out" 2> "$t/err" || fail "print copy 1: $(cat "$t/err")"
grep -q "receipt 1: a copy is queued" "$t/out" || fail "print copy 1 said: $(cat "$t/out")"
echo x >&7
until_ok "[ \$(queued) = 0 ]"
until_ok "paper | grep -qF '[CUT]'"
has "*** COPY ***"
has "[BARCODE 1]"
lacks "[DRAWER]"
: > "$t/paper"
printf '%s\n' 'login 1111' 'manager 2222' 'no-sale' | drive
echo x >&7
until_ok "[ \$(queued) = 0 ]"
until_ok "paper | grep -qF '[DRAWER]'"
lacks "Receipt"

# 4. The line drops 200 bytes into receipt 3 (unplugged mid-job): the job stays queued and is
#    printed again whole when the printer answers again (the partial slip is the accepted
#    duplicate); the receipt is never lost and marked done once.
: > "$t/paper"
state "drop 200"
printf '%s\n' 'login 1111' 'scan 4780001234586' 'pay cash 0' | drive
echo x >&7
until_ok "[ \$(queued) = 0 ] && grep -q ok '$t/pstate'"
until_ok "paper | grep -qF '[DRAWER]'"
[ "$(paper | grep -o '\[INIT\]' | wc -l)" -ge 2 ] || fail "the receipt was not sent again"
[ "$(paper | grep -oF '[BARCODE 3]' | wc -l)" = 1 ] || fail "receipt 3 was not printed whole exactly once after the drop"
[ "$(sql "SELECT attempts >= 2 FROM print_jobs WHERE sale_id = 3 AND kind = 'receipt'")" = 1 ] ||
	fail "the failed attempt is not counted"

# 5. A slow printer (16 bytes every 20 ms): three receipts, each whole, in order.
: > "$t/paper"
state slow
for i in 1 2 3; do
	printf '%s\n' 'login 1111' 'scan 4780001234579' 'pay card 0' | drive
done
echo x >&7
until_ok "[ \$(queued) = 0 ]"
until_ok "paper | grep -qF '[BARCODE 6]'"
paper | grep -oE '\[BARCODE [0-9]+\]' | tr '\n' ' ' > "$t/out"
[ "$(cat "$t/out")" = "[BARCODE 4] [BARCODE 5] [BARCODE 6] " ] || fail "slow printer: $(cat "$t/out")"
[ "$(paper | grep -oF '[CUT]' | wc -l)" = 3 ] || fail "slow printer: not three cuts"

# 6. A job that can never print (its sale is gone: a damaged row) is failed with the reason
#    and does not hold up the receipt behind it.
state ok
: > "$t/paper"
sql "INSERT INTO print_jobs(kind, sale_id, created_at) VALUES ('receipt', 999, '2026-12-02T10:00:00.000Z')"
printf '%s\n' 'login 1111' 'scan 4780001234579' 'pay card 0' | drive
echo x >&7
until_ok "[ \$(queued) = 0 ]"
until_ok "paper | grep -qF '[BARCODE 7]'"
[ "$(sql "SELECT state FROM print_jobs WHERE sale_id = 999")" = failed ] ||
	fail "the job for a missing sale was not failed"

# 7. The till closes while a receipt is printing (the last sale, then Quit): the printer process
#    finishes that receipt whole and stops; the receipt behind it stays queued for next time.
: > "$t/paper"
state slow
for i in 1 2; do
	printf '%s\n' 'login 1111' 'scan 4780001234579' 'pay card 0' | drive
done
echo x >&7
exec 7>&-
wait "$wk" || fail "the printer process exited with an error"
wk=""
has "[BARCODE 8]"
[ "$(paper | grep -oF '[CUT]' | wc -l)" = 1 ] || fail "the till's exit cut a receipt short"
lacks "[BARCODE 9]"
[ "$(queued)" = 1 ] || fail "the receipt behind it is not kept queued"
echo "ok"
