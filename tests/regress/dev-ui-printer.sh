#!/bin/sh
# dev-ui-printer: the till in tmux with a (simulated) receipt printer: the till starts its
# printer process, a cash sale made on the screen comes out of the printer (with the drawer
# kick) and the status bar says "printer: ok"; with the paper out the next sale still
# completes at once, the drawer opens for the change (real-time pulse), the bar says "paper
# out, 1 waiting" and the receipt waits in the queue; paper back, it prints. The till closed
# right after a sale still lets the receipt come out whole.
. "$KASSA_TOP/tests/lib/tmux.sh"
esc="python3 $KASSA_TOP/tests/lib/escpos.py"
paper() { $esc decode "$T/paper"; }
queued() { kassa status --json | json_get 'd.get("print_queued", -1)'; }
until_ok() {
	n=0
	while ! eval "$1" > /dev/null 2>&1; do
		n=$((n + 1)); [ $n -gt 300 ] && fail "gave up waiting for: $1"; sleep 0.1
	done
}
ui_setup
printf '[printer]\ndevice = sim:%s/paper\nwidth = 42\ncodepage = 17\n' "$T" > "$T/kassa.conf"
echo ok > "$T/paper.status"
ui_start 100 30
login 1111 100000
wait_for "printer: ok"
sell_exact "$B1" "Nonvoyxona non"
until_ok "paper | grep -qF '[DRAWER]'"
paper | grep -qF "Nonvoyxona non" || fail "the receipt lacks the item"
paper | grep -qF "Chorsu minimarket" || fail "the receipt lacks the store"
paper | grep -qF "[BARCODE 1]" || fail "the receipt lacks the sale number barcode"

# Paper out: the sale completes all the same; the receipt waits; the bar says so.
echo "paper out" > "$T/paper.status"
keys Space
wait_for "TOTAL: 0"
keys "$B2" Enter
wait_for "Patir non"
keys F10
wait_for "PAYMENT"
keys Enter
wait_for "CHANGE"
wait_for "printer: paper out, 1 waiting" 15
# The drawer opened for the change all the same (the real-time pulse needs no paper).
until_ok "paper | grep -qF '[PULSE]'"
[ "$(kassa sales --json | json_get 'len(d)')" = 2 ] || fail "the second sale was not completed"
paper | grep -qF "Patir non" && fail "printed without paper"
echo ok > "$T/paper.status"
wait_for "printer: ok" 15
until_ok "paper | grep -qF 'Patir non'"
paper | grep -qF "[BARCODE 2]" || fail "receipt 2 lacks its barcode"

# The till closes right after a sale (here the SSH session drops) while the receipt still goes
# out to a slow printer: the printer process finishes it whole before it stops.
echo slow > "$T/paper.status"
keys Space
wait_for "TOTAL: 0"
: > "$T/paper"
sell_exact "$B1" "Nonvoyxona non"
pid=$(till_pid)
kill -HUP "$pid"
wait_exit "$pid"
paper | grep -qF "[BARCODE 3]" || fail "the receipt of the last sale was not printed"
[ "$(paper | grep -oF '[CUT]' | wc -l)" = 1 ] || fail "the last receipt was cut short"
[ "$(queued)" = 0 ] || fail "the last receipt is still queued"
echo ok
