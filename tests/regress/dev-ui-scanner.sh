#!/bin/sh
# dev-ui-scanner: a serial barcode scanner on a socat pty pair (read through the real
# libserialport, tests/preload/serialpty.so) adds an item in the till in tmux, as if typed:
# the code and CR go down the line, the item appears in the cart and the sale completes. A code
# scanned while a question is open (the discount prompt) is refused and adds nothing, but a
# receipt's barcode answers the reprint question and the return's, and a scan on the return
# screen marks an item. The customer pole display on a second pty
# pair shows the last item and the total, then the change.
. "$KASSA_TOP/tests/lib/tmux.sh"
command -v socat > /dev/null || { echo "socat is not installed"; exit 77; }
shim=$KASSA_BUILD/tests/serialpty.so
asan=$(ldd "$KASSA_BIN" 2>/dev/null | awk '/libasan/ { print $3 }')
[ -n "$asan" ] && shim="$asan:$shim"
socat -d -d "pty,raw,echo=0,link=$T/scn-a" "pty,raw,echo=0,link=$T/scn-b" 2> "$T/socat.err" &
socat_pid=$!
socat -d -d "pty,raw,echo=0,link=$T/pole-a" "pty,raw,echo=0,link=$T/pole-b" 2> "$T/socat2.err" &
socat2_pid=$!
cat_pid=""
trap 'tmux -S "$SOCK" kill-server 2>/dev/null; kill $socat_pid $socat2_pid $cat_pid 2>/dev/null; rm -rf "$T"' EXIT INT TERM
n=0
while ! [ -e "$T/scn-a" ] || ! [ -e "$T/scn-b" ] || ! [ -e "$T/pole-b" ]; do
	n=$((n + 1)); [ $n -gt 100 ] && fail "socat did not make the pty pair"; sleep 0.1
done
ui_setup
# The scanner by a link (as /dev/serial/by-id/...), which is followed again after a replug.
printf '[scanner]\ndevice = serial:%s\nbaud = 9600\n[display]\ndevice = serial:%s\n' \
    "$T/scn-a" "$(readlink -f "$T/pole-a")" > "$T/kassa.conf"
cat "$T/pole-b" > "$T/pole" &
cat_pid=$!
# The pole display's last screen: 40 characters after the last ESC @ FF ESC t n.
pole() {
	python3 -c "import sys
b = open(sys.argv[1], 'rb').read()
i = b.rfind(b'\x1b@\x0c\x1bt')
print(b[i + 6:i + 46].decode('cp866') if i >= 0 else '')" "$T/pole"
}
pole_wait() {
	n=0
	until [ "$(pole)" = "$1" ]; do
		n=$((n + 1))
		[ $n -gt 50 ] && fail "the pole display shows '$(pole)', not '$1'"
		sleep 0.1
	done
}
tmux -S "$SOCK" -f /dev/null new-session -d -s till -x 100 -y 30 \
    "LD_PRELOAD='$shim' exec '$KASSA_BIN' -d '$DB' -c '$T/kassa.conf'" || fail "tmux"
login 1111 100000
printf '%s\r\n' "$B1" > "$T/scn-b"
wait_for "Nonvoyxona non"
pole_wait "Nonvoyxona non 4 000TOTAL          4 000"
# A scan while the discount question is open answers nothing and adds nothing.
keys F4
sleep 0.3
printf '%s\r' "$B2" > "$T/scn-b"
wait_for "finish this step first"
keys Escape
sleep 0.3
screen | grep -q "Patir non" && fail "a code scanned at a prompt was added"
printf '%s\r' "$B2" > "$T/scn-b"
wait_for "Patir non"
pole_wait "Patir non      6 000TOTAL         10 000"
keys F10
wait_for "PAYMENT"
keys Enter
wait_for "CHANGE"
pole_wait "Change             0TOTAL         10 000"
[ "$(kassa sales --json | json_get 'len(d[0]["lines"])')" = 2 ] ||
	fail "the scanned items are not in the sale"
# The customer brings a receipt back: the reprint question takes a scan of its barcode (the
# receipt number); a number no sale has is refused and queues nothing. (The first key after a
# sale only clears its change from the screen.)
keys F12 F12
wait_for "MENU"
keys 7
wait_for "receipt number"
keys 5 Enter
wait_for "No completed sale has receipt number 5"
keys F12
wait_for "MENU"
keys 7
wait_for "receipt number"
printf '1\r' > "$T/scn-b"
wait_for "A copy of receipt 1 is queued"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM print_jobs WHERE kind = 'copy' AND sale_id = (SELECT id
    FROM sales WHERE number = 1)")" = 1 ] || fail "the copy of receipt 1 is not queued once"
# A return (F6): the receipt's barcode answers the question, and on the return screen a
# scanned item is marked as if typed.
keys F6
wait_for "the receipt's number"
printf '1\r' > "$T/scn-b"
wait_for "RETURN against receipt 1"
printf '%s\r' "$B2" > "$T/scn-b"
wait_for "REFUND: 6 000 so'm"
keys Escape
wait_for "Abandon the return?"
keys Enter
wait_for "Return abandoned"
# The scanner unplugged (its line gone): the till says so and the cashier types the code.
kill $socat_pid
wait_for "scanner is not connected"
B3=$(sed -n 4p "$KASSA_TOP/contrib/demo-catalog.csv" | cut -d, -f1)
keys "$B3" Enter
wait_for "Obi non"
# The message line moved on; the status bar still says it.
screen | tail -n 1 | grep -q "scanner: not connected" ||
	fail "the status bar does not say the scanner is gone"
# Plugged back (a new pty pair behind the same link): the till reopens it by itself and the
# next scan adds to the cart.
socat -d -d "pty,raw,echo=0,link=$T/scn-a" "pty,raw,echo=0,link=$T/scn-b" 2> "$T/socat.err" &
socat_pid=$!
n=0
while ! [ -e "$T/scn-a" ] || ! [ -e "$T/scn-b" ]; do
	n=$((n + 1)); [ $n -gt 100 ] && fail "socat did not make the pty pair again"; sleep 0.1
done
n=0
while screen | tail -n 1 | grep -q "scanner: not connected"; do
	n=$((n + 1)); [ $n -gt 100 ] && fail "the scanner was not reopened after the replug"
	sleep 0.1
done
screen | grep -q "Patir non" && fail "Patir non is in the cart before the scan"
printf '%s\r' "$B2" > "$T/scn-b"
wait_for "Patir non"
echo ok
