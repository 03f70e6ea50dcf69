#!/bin/sh
# The day's report and the audit on the till's screen (F12, the rows past the ten digits): the
# cash and card takings of the day as `kassa report day` has them, scrolling, F9 queues the
# day's report for the printer process, Tab switches to the audit (the log-in, a wrong PIN),
# Left goes to the day before (nothing sold), Esc goes back to the sale; closing the shift on
# screen prints the Z by itself (a simulated printer, decoded from its ESC/POS bytes).
. "$KASSA_TOP/tests/lib/tmux.sh"
ui_setup
printf '[printer]\ndevice = sim:%s/paper\n' "$T" > "$T/kassa.conf"
ui_start 100 30

wait_for "PIN"
keys 4321 Enter
wait_for "wrong PIN"
login 1111 100000
sell_exact "$B1" "Nonvoyxona non"
keys Enter
wait_for "TOTAL"
keys "3*$B2" Enter
wait_for "18 000"
keys F10
wait_for "PAYMENT"
keys Tab
keys Enter
wait_for "CHANGE"
keys Enter
wait_for "TOTAL"

day=$(kassa report day --json) || fail "report day --json"
cash=$(printf '%s' "$day" | json_get '[t["net"] for t in d["tenders"] if t["method"] == "cash"][0] // 100')
card=$(printf '%s' "$day" | json_get '[t["net"] for t in d["tenders"] if t["method"] == "card"][0] // 100')
[ "$cash" = 4000 ] && [ "$card" = 18000 ] || fail "the day's tenders: cash $cash card $card"

keys F12
wait_for "MENU"
wait_for "Day report"
for i in 1 2 3 4 5 6 7 8 9 10; do keys Down; done
keys Enter
wait_for "Day report $(date +%Y-%m-%d)"
wait_for "tender"
screen | grep -E "^ +cash +4 000" > /dev/null || fail "cash 4 000 not on the day's report"
screen | grep -E "^ +card +18 000" > /dev/null || fail "card 18 000 not on the day's report"
# It scrolls: a page down shows what was below.
keys NPage
wait_for "cash"
keys PPage
wait_for "tender"
keys F9
wait_for "queued for the printer"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM print_jobs WHERE kind = 'report' AND body LIKE 'day:%'")" = 1 ] ||
	fail "F9 did not queue the day's report"
keys Tab
wait_for "Audit $(date +%Y-%m-%d)"
wait_for "login_failed"
screen | grep -q "wrong PIN" || fail "the wrong PIN is not in the audit"
screen | grep -q "login .*Dilnoza" || fail "the log-in is not in the audit"
keys Left
wait_for "Nothing recorded on this day"
keys Escape
wait_for "TOTAL"

# Closing the shift on screen prints its Z by itself, through the till's printer process.
keys F12
wait_for "MENU"
keys 4
wait_for "count the cash"
keys 22000 Enter
wait_for "Variance"
i=0
until python3 "$KASSA_TOP/tests/lib/escpos.py" decode "$T/paper" 2>/dev/null | grep -q "Z REPORT 1"; do
	i=$((i + 1)); [ $i -lt 200 ] || fail "the Z did not print when the shift was closed"; sleep 0.05
done
python3 "$KASSA_TOP/tests/lib/escpos.py" decode "$T/paper" | grep -q "DAY REPORT $(date +%Y-%m-%d)" ||
	fail "the day's report queued with F9 did not print"
echo ok
