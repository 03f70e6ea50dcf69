#!/bin/sh
# dev-ui-scanner: a serial barcode scanner on a socat pty pair (read through the real
# libserialport, tests/preload/serialpty.so) adds an item in the till in tmux, as if typed:
# the code and CR go down the line, the item appears in the cart and the sale completes.
# Skipped until the till starts the scanner worker (src/ui calling dev_scanner_spawn and
# feeding dev_scanner_code() lines to its input, see include/dev.h).
. "$KASSA_TOP/tests/lib/tmux.sh"
command -v socat > /dev/null || { echo "socat is not installed"; exit 77; }
grep -q dev_scanner_spawn "$KASSA_TOP"/src/ui/*.c ||
	{ echo "the till does not start the serial scanner yet (src/ui: dev_scanner_spawn)"; exit 77; }
shim=$KASSA_BUILD/tests/serialpty.so
asan=$(ldd "$KASSA_BIN" 2>/dev/null | awk '/libasan/ { print $3 }')
[ -n "$asan" ] && shim="$asan:$shim"
socat -d -d "pty,raw,echo=0,link=$T/scn-a" "pty,raw,echo=0,link=$T/scn-b" 2> "$T/socat.err" &
socat_pid=$!
trap 'tmux -S "$SOCK" kill-server 2>/dev/null; kill $socat_pid 2>/dev/null; rm -rf "$T"' EXIT INT TERM
n=0
while ! [ -e "$T/scn-a" ] || ! [ -e "$T/scn-b" ]; do
	n=$((n + 1)); [ $n -gt 100 ] && fail "socat did not make the pty pair"; sleep 0.1
done
ui_setup
printf '[scanner]\ndevice = serial:%s\nbaud = 9600\n' "$(readlink -f "$T/scn-a")" > "$T/kassa.conf"
tmux -S "$SOCK" -f /dev/null new-session -d -s till -x 100 -y 30 \
    "LD_PRELOAD='$shim' exec '$KASSA_BIN' -d '$DB' -c '$T/kassa.conf'" || fail "tmux"
login 1111 100000
printf '%s\r\n' "$B1" > "$T/scn-b"
wait_for "Nonvoyxona non"
printf '%s\r' "$B2" > "$T/scn-b"
wait_for "Patir non"
keys F10
wait_for "PAYMENT"
keys Enter
wait_for "CHANGE"
[ "$(kassa sales --json | json_get 'len(d[0]["lines"])')" = 2 ] ||
	fail "the scanned items are not in the sale"
echo ok
