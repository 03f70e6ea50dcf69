#!/bin/sh
# End to end: a cashier's whole shift on the real till in a real terminal (tmux): log-in,
# float, scans, N*CODE, an unknown code, a void, discounts, park and recall, split payment,
# cash in with a manager's approval and a refused approval, X report, close with a variance,
# Z report. Asserts on the screen and on the database.
. "$KASSA_TOP/tests/lib/tmux.sh"
ui_setup
ui_start

login 1111 100000
keys "$B1" Enter
wait_for "Nonvoyxona non"
keys "3*$B2" Enter
wait_for "18 000"
# An unknown code beeps, says so and changes nothing.
keys 999 Enter
wait_for "unknown code 999"
screen | grep -q "TOTAL: 22 000" || fail "the total changed after an unknown code"
# Void the selected (last) line, then ring it up once.
keys F8
wait_for "VOID"
wait_for "TOTAL: 4 000"
keys "$B2" Enter
wait_for "TOTAL: 10 000"
# 10% off the selected line (within a cashier's limit): 6 000 -> 5 400.
keys F4
wait_for "Discount on the selected"
keys "10%" Enter
wait_for "TOTAL: 9 400"

# Park it, sell something else, recall it.
keys F5
wait_for "Sale parked"
keys "$B1" Enter
wait_for "TOTAL: 4 000"
keys F10
wait_for "PAYMENT"
# A barcode typed (or wedge-scanned) into the cash amount: refused, the sale stays open.
keys "$B2" Enter
wait_for "check the amount tendered"
screen | grep -q "CHANGE" && fail "a barcode in the cash amount completed the sale"
[ "$(kassa sales --json | json_get 'len(d)')" = 0 ] || fail "a sale completed on a barcode"
keys Enter
wait_for "CHANGE"
keys Space
wait_for "TOTAL: 0"
keys F5
wait_for "PARKED SALES"
keys Enter
wait_for "Sale recalled"
wait_for "TOTAL: 9 400"

# Split: 5 000 by card, 10 000 cash -> change 5 600.
keys F10
wait_for "PAYMENT"
keys Tab
wait_for "CARD"
keys 5000 Enter
wait_for "Due"
keys Tab 10000 Enter
wait_for "CHANGE"
wait_for "5 600 so'm"
keys Space

n=$(kassa sales --json | json_get 'len(d)')
[ "$n" = 2 ] || fail "expected 2 sales, got $n"
kassa sales --json | json_get '[p["method"] for p in d[1]["payments"]]' | grep -q "card.*cash" ||
	fail "the split payment is not card + cash"
[ "$(kassa sales --json | json_get 'd[1]["total"]')" = 940000 ] || fail "second sale total"

# Cash in needs a manager: approved with 9999.
keys F12
wait_for "MENU"
keys 1
wait_for "Cash in: amount"
keys 50000 Enter
wait_for "Reason"
keys "change float" Enter
wait_for "Manager approval"
keys 9999 Enter
wait_for "Cash in recorded"
# Cash out approved with a cashier's PIN is refused.
keys F12
wait_for "MENU"
keys 2
wait_for "Cash out: amount"
keys 1000 Enter
wait_for "Reason"
keys "lunch" Enter
wait_for "Manager approval"
keys 1111 Enter
wait_for "may not approve"

# X report.
keys F12
wait_for "MENU"
keys 3
wait_for "X report"
wait_for "Expected cash"
keys Escape
wait_for "TOTAL"

# Close with 1 000 so'm less than expected.
expected=$(kassa report x --json | json_get 'd["expected_cash"]')
counted=$(( (expected - 100000) / 100 ))
keys F12
wait_for "MENU"
keys 4
wait_for "count the cash"
keys "$counted" Enter
wait_for "Z report"
wait_for "Variance"
screen | grep "Variance" | grep -q -- "-1 000" || fail "variance not shown as -1 000"
[ "$(kassa report z --json | json_get 'd["variance"]')" = -100000 ] || fail "Z variance"
keys Escape
wait_for "PIN"
kassa journal verify > /dev/null || fail "journal verify"
echo "ok"
