#!/bin/sh
# dev-serial: the serial line through the real libserialport, over a socat pty pair (with
# tests/preload/serialpty.so, which lets libserialport 0.1.1 accept a pty): `kassa print test`
# on a fake serial printer (tests/lib/escpos.py --tty) decoded to text (CP866 Cyrillic, cut),
# its refusal when the printer reports paper out; the printer process printing a cash sale in
# Russian (drawer kick), the printer unplugged mid-receipt and plugged back, a slow printer,
# the same printer as a file: device (how /dev/usb/lp0 is driven);
# the customer display's two lines; the serial scanner worker turning CR/LF-terminated codes into
# "code=..." lines for the till (tests/tools/dev-scan runs it as the till does).
set -u
command -v socat > /dev/null || { echo "socat is not installed"; exit 77; }
t=$(mktemp -d) || exit 1
pids=""
cleanup() {
	exec 7>&- 2>/dev/null
	for p in $pids; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$t"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
export XDG_DATA_HOME="$t/xdg-data" XDG_CONFIG_HOME="$t/xdg-config"
unset KASSA_DB KASSA_CONFIG KASSA_LOG KASSA_NOW
shim=$KASSA_BUILD/tests/serialpty.so
scan=$KASSA_BUILD/tests/tools/dev-scan
drive=$KASSA_BUILD/tests/tools/kassa-drive
for f in "$shim" "$scan" "$drive"; do [ -e "$f" ] || { echo "FAIL: $f is not built"; exit 1; }; done
# Under AddressSanitizer its runtime must come first in the preload list.
asan=$(ldd "$KASSA_BIN" 2>/dev/null | awk '/libasan/ { print $3 }')
[ -n "$asan" ] && shim="$asan:$shim"
db=$t/till.db
esc="python3 $KASSA_TOP/tests/lib/escpos.py"
fail() {
	echo "FAIL: $*"
	for f in out err drive status scan; do [ -f "$t/$f" ] && sed "s|^|  $f: |" "$t/$f"; done
	[ -f "$t/paper" ] && $esc decode "$t/paper" | sed 's|^|  paper: |'
	exit 1
}
until_ok() {
	n=0
	while ! eval "$1" > /dev/null 2>&1; do
		n=$((n + 1)); [ $n -gt 300 ] && fail "gave up waiting for: $1"; sleep 0.1
	done
}
# pty PREFIX: a socat pty pair $t/PREFIX-a (ours, for libserialport) and $t/PREFIX-b (theirs).
pty() {
	socat -d -d "pty,raw,echo=0,link=$t/$1-a" "pty,raw,echo=0,link=$t/$1-b" 2> "$t/$1.socat" 7>&- &
	pids="$pids $!"
	eval "socat_$1=$!"
	until_ok "test -e '$t/$1-a' && test -e '$t/$1-b'"
}
k() { LD_PRELOAD=$shim "$KASSA_BIN" -d "$db" -c "$t/kassa.conf" "$@"; }
paper() { $esc decode "$t/paper"; }
has() { paper | grep -qF -- "$1" || fail "the paper lacks '$1'"; }
lacks() { paper | grep -qF -- "$1" && fail "the paper has '$1'"; return 0; }
queued() { python3 -c "import sqlite3,sys
print(sqlite3.connect(sys.argv[1], timeout=10).execute(\"SELECT count(*) FROM print_jobs WHERE state = 'queued'\").fetchone()[0])" "$db"; }

# The printer on one pty pair, the scanner on another.
pty prn
pty scn
echo ok > "$t/pstate"
$esc printer --tty "$t/prn-b" --out "$t/paper" --state "$t/pstate" 2> "$t/fp.err" &
pids="$pids $!"
# The printer by a link to the pty, as a USB adapter is configured by its
# /dev/serial/by-id/... link (libserialport itself only accepts the /dev/ttyUSBn it points at).
cat > "$t/kassa.conf" <<EOF2
[till]
store = Магазин
language = ru
[printer]
device = serial:$t/prn-a
baud = 19200
bits = 8N1
flow = none
width = 32
codepage = 17
EOF2
"$KASSA_BIN" -d "$db" -c "$t/kassa.conf" init > /dev/null || fail init
printf 'barcode,name,price,vat\n4780001234586,"Молоко 3,2%% 1 л",14500,12\n' > "$t/p.csv"
k import products "$t/p.csv" > /dev/null || fail import
printf '1111\n' | k user add Dilnoza --role cashier > /dev/null || fail "user add"

# Without the shim, libserialport refuses the pty (the reason the shim exists).
"$KASSA_BIN" -d "$db" -c "$t/kassa.conf" print test > "$t/out" 2> "$t/err" &&
	echo "note: this libserialport opens ptys by itself"

k print test > "$t/out" 2> "$t/err" || fail "print test over the serial line failed"
until_ok "paper | grep -qF '[CUT]'"
has "[INIT][CODEPAGE 17]"
has "Русский: Молоко 3,2% 1 л"
has "Магазин"
echo "paper out" > "$t/pstate"
k print test > "$t/out" 2> "$t/err" && fail "print test succeeded without paper"
grep -q "out of paper" "$t/err" || fail "print test did not say the paper is out"
echo ok > "$t/pstate"

# The printer process on the serial line: a cash sale in Russian (the till's language, also
# for the receipt's own words), the drawer kicks.
: > "$t/paper"
mkfifo "$t/wake"
k print worker 3< "$t/wake" 4> "$t/status" &
wpid=$!
pids="$pids $wpid"
exec 7> "$t/wake"
printf '%s\n' 'login 1111' 'open 100000' 'scan 4780001234586' 'pay cash 20000' |
	"$drive" "$db" > "$t/drive" 2>&1 || fail "the sale failed"
echo x >&7
until_ok "[ \$(queued) = 0 ]"
until_ok "paper | grep -qF '[DRAWER]'"
has "Молоко 3,2% 1 л"
has "[BARCODE 1]"
has "[CUT]"
for word in "Чек 1" "Кассир" "ИТОГО" "НДС 12% с 14 500" "Наличные" "Сдача"; do
	has "$word"
done
lacks "TOTAL"

# While the printer process holds the line, `kassa print test` is refused instead of mixing its
# bytes into a receipt and taking the process's status replies.
k print test > "$t/out" 2> "$t/err" && fail "print test wrote to the printer the printer process holds"
grep -q "in use by another kassa process" "$t/err" || fail "print test did not say the printer is in use"

# The printer unplugged 300 bytes into a receipt (the adapter pulled out: the pty pair is gone)
# and plugged back (a new pty pair behind the same link): the receipt is sent again whole and
# marked done once; the status said the printer was gone meanwhile.
: > "$t/paper"
echo "unplug 300" > "$t/pstate"
printf '%s\n' 'login 1111' 'scan 4780001234586' 'pay card 0' |
	"$drive" "$db" > "$t/drive" 2>&1 || fail "the sale failed"
echo x >&7
until_ok "grep -qx unplugged '$t/pstate'"
kill "$socat_prn"
until_ok "! test -e '$t/prn-a'"
until_ok "tail -n 1 '$t/status' | grep -q 'state=offline.*queued=1'"
[ "$(queued)" = 1 ] || fail "the cut-short receipt is not queued"
pty prn
echo ok > "$t/pstate"
echo x >&7
until_ok "[ \$(queued) = 0 ]"
until_ok "paper | grep -qF '[CUT]'"
[ "$(paper | grep -o '\[INIT\]' | wc -l)" -ge 2 ] || fail "the receipt was not sent again"
[ "$(paper | grep -oF '[BARCODE 2]' | wc -l)" = 1 ] ||
	fail "receipt 2 was not printed whole exactly once after the replug"
[ "$(python3 -c "import sqlite3,sys
print(sqlite3.connect(sys.argv[1], timeout=10).execute('SELECT attempts >= 2 FROM print_jobs WHERE sale_id = 2').fetchone()[0])" "$db")" = 1 ] ||
	fail "the failed attempt is not counted"

# A slow printer on the serial line (it takes 16 bytes every 20 ms, so writes wait on a full
# line): two receipts, each whole, in order.
: > "$t/paper"
echo slow > "$t/pstate"
for i in 1 2; do
	printf '%s\n' 'login 1111' 'scan 4780001234586' 'pay card 0' |
		"$drive" "$db" > "$t/drive" 2>&1 || fail "sale $i failed"
done
echo x >&7
until_ok "[ \$(queued) = 0 ]"
until_ok "paper | grep -qF '[BARCODE 4]'"
[ "$(paper | grep -oE '\[BARCODE [0-9]+\]' | tr '\n' ' ')" = "[BARCODE 3] [BARCODE 4] " ] ||
	fail "slow serial printer: $(paper | grep -oE '\[BARCODE [0-9]+\]' | tr '\n' ' ')"
[ "$(paper | grep -oF '[CUT]' | wc -l)" = 2 ] || fail "slow serial printer: not two cuts"
echo ok > "$t/pstate"

# The same printer as a file: device, as a USB printer's /dev/usb/lp0 is driven (plain reads and
# writes on the character device, DLE EOT answered through it): a test page, then paper out.
# The printer process lets go of the line first (the till closing the wake pipe stops it), so
# no status query of its own takes our answers.
exec 7>&-
wait "$wpid" || fail "the printer process exited with an error"
sed "s|^device = .*|device = file:$(readlink -f "$t/prn-a")|" "$t/kassa.conf" > "$t/file.conf"
: > "$t/paper"
LD_PRELOAD=$shim "$KASSA_BIN" -d "$db" -c "$t/file.conf" print test > "$t/out" 2> "$t/err" ||
	fail "print test on a file: device failed"
until_ok "paper | grep -qF '[CUT]'"
has "[STATUS 1]"
has "Русский: Молоко 3,2% 1 л"
echo "paper out" > "$t/pstate"
"$KASSA_BIN" -d "$db" -c "$t/file.conf" print test > "$t/out" 2> "$t/err" &&
	fail "print test on a file: device succeeded without paper"
grep -q "out of paper" "$t/err" || fail "the file: device did not say the paper is out"
echo ok > "$t/pstate"

# A printer that holds the line busy (XON/XOFF flow control, as some do while out of paper) and
# does not answer: print test gives up with a message in bounded time; after XON the next test
# page prints. (A pty cannot hold bytes in the port's output queue, so the bounded wait for
# them to leave, which replaced sp_drain, is only reached on a real port.)
sed "s|^flow = .*|flow = xonxoff|" "$t/kassa.conf" > "$t/xoff.conf"
echo xoff > "$t/pstate"
sleep 0.3
start=$(date +%s)
LD_PRELOAD=$shim "$KASSA_BIN" -d "$db" -c "$t/xoff.conf" print test > "$t/out" 2> "$t/err" &&
	fail "print test succeeded on a line held busy"
[ $(($(date +%s) - start)) -le 25 ] || fail "print test waited $(($(date +%s) - start)) s on a busy line"
grep -q "does not answer" "$t/err" || fail "print test did not say the printer does not answer"
echo "busy line: print test gave up after $(($(date +%s) - start)) s"
echo ok > "$t/pstate"
: > "$t/paper"
LD_PRELOAD=$shim "$KASSA_BIN" -d "$db" -c "$t/xoff.conf" print test > "$t/out" 2> "$t/err" ||
	fail "print test failed after XON"
until_ok "paper | grep -qF '[CUT]'"

# The scanner: two codes, CR LF and a bare CR, with a blank line between.
sdev=$(readlink -f "$t/scn-a")
LD_PRELOAD=$shim "$scan" "serial:$sdev" 9600 2 > "$t/scan" 2>&1 &
spid=$!
pids="$pids $spid"
until_ok "grep -q 'status state=ok' '$t/scan'"
printf '4780001234586\r\n\r\n47800012\r' > "$t/scn-b"
wait "$spid" || fail "dev-scan failed"
grep -qx "code 4780001234586" "$t/scan" || fail "the first code did not arrive"
grep -qx "code 47800012" "$t/scan" || fail "the second code did not arrive"
[ "$(grep -c '^code' "$t/scan")" = 2 ] || fail "blank lines became codes"

# The customer display (2x20) on the scanner's pty pair: the last item and the total, in CP866.
cat "$t/scn-b" > "$t/pole" &
catpid=$!
pids="$pids $catpid"
LD_PRELOAD=$shim "$KASSA_BUILD/tests/tools/dev-display" "serial:$sdev" 17 "Молоко 3,2% 1 л" \
	1450000 2250000 > "$t/out" 2>&1 || fail "dev-display failed"
until_ok "[ \$(wc -c < '$t/pole') -ge 45 ]"
kill "$catpid" 2>/dev/null
python3 -c "import sys
b = open(sys.argv[1], 'rb').read()
assert b[:6] == b'\x1b@\x0c\x1bt\x11', b[:6]
text = b[6:].decode('cp866')
assert text == 'Молоко 3,2% 1 14 500' + 'TOTAL' + ' ' * 9 + '22 500', repr(text)
" "$t/pole" || fail "the pole display got the wrong bytes"

# An amount as wide as the display (a code typed into the cash question gives such a change)
# takes the whole row; the label gives way, and nothing is written past the row.
: > "$t/pole-sim"
"$KASSA_BUILD/tests/tools/dev-display" "sim:$t/pole-sim" 17 "Сдача" 478000122206650 1250050 \
	> "$t/out" 2>&1 || fail "dev-display failed on a 20-column amount"
python3 -c "import sys
b = open(sys.argv[1], 'rb').read()
text = b[6:].decode('cp866')
assert text == '4 780 001 222 066.50' + 'TOTAL' + ' ' * 6 + '12 500.50', repr(text)
" "$t/pole-sim" || fail "the pole display got the wrong bytes for a 20-column amount"
echo ok
