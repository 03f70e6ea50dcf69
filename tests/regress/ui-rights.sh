#!/bin/sh
# ui-rights (issue 9), end to end as a cashier would try it:
# - Bread 4 000 and 3 x 12 500, F4 *4000 on the sale (9.6 %: allowed), F8 on the 37 500 line:
#   that would leave 100 % off, so the till says why and asks for a manager's PIN; Esc leaves
#   the cart as it was; the manager's PIN voids it and the approval is an event. (Before, the
#   void went through and the sale completed at 0 with no approval.)
# - Scan 9, void them, sell 1: the sale's event lists the voided line, who and when.
# - [rights] cashier_discount is configuration: 15 % passes at 20; lowered to 10 while the cart
#   is open (the till restarted), the payment asks for a manager's PIN and then completes.
. "$KASSA_TOP/tests/lib/tmux.sh"
ui_setup
tea=$(python3 -c "s='478000001250'; print(s + str((10 - sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(s)) % 10) % 10))")
printf 'barcode,name,price,sku\n%s,Choy 250 g,12500,TEA-250\n' "$tea" > "$T/tea.csv"
kassa import products "$T/tea.csv" > /dev/null || fail "import tea"
q() { sqlite3 "$DB" "$1"; }

ui_start 100 30
login 1111 100000
keys NON-001 Enter
wait_for "Nonvoyxona non"
keys "3*TEA-250" Enter
wait_for "Choy 250 g"
wait_for "41 500"
keys F4
wait_for "Discount"
keys "*4000" Enter
wait_for "37 500"
# F8 voids the selected line: the tea, the last one touched.
keys F8
wait_for "Manager approval"
wait_for "the discount would be 100.00%"
keys Escape
sleep 0.3
[ "$(q "SELECT count(*) FROM sale_lines WHERE voided = 1")" = 0 ] || fail "voided without a manager"
[ "$(q "SELECT sum(l.total) FROM sale_lines l JOIN sales s ON s.id = l.sale_id WHERE s.state = 'open' AND l.voided = 0")" = 3750000 ] || fail "the cart changed"
keys F8
wait_for "Manager approval"
keys 9999 Enter
wait_for "Line voided"
[ "$(q "SELECT count(*) FROM events WHERE type = 'approval.granted' AND json_extract(payload, '$.right') = 'discount_big' AND json_extract(payload, '$.approver') = 'Rustam' AND json_extract(payload, '$.user') = 'Dilnoza'")" = 1 ] ||
	fail "no approval event for the discount"
keys F10
wait_for "PAYMENT"
keys Enter
wait_for "CHANGE"
[ "$(q "SELECT json_extract(payload, '$.voids[0].code') || ' ' || json_extract(payload, '$.voids[0].qty') || ' ' || json_extract(payload, '$.voids[0].by') FROM events WHERE type = 'sale.completed'")" = "TEA-250 3000 Dilnoza" ] ||
	fail "the voided tea is not in the sale's event"

# Scan 9, void them, sell 1.
keys Enter
wait_for "TOTAL"
keys "9*NON-002" Enter
wait_for "Patir non"
keys F8
wait_for "Line voided"
keys NON-002 Enter
wait_for "6 000"
keys F10
wait_for "PAYMENT"
keys Enter
wait_for "CHANGE"
[ "$(q "SELECT json_extract(payload, '$.lines[0].qty') || ' ' || json_extract(payload, '$.voids[0].qty') || ' ' || json_extract(payload, '$.voids[0].amount') FROM events WHERE type = 'sale.completed' ORDER BY seq DESC LIMIT 1")" = "1000 9000 5400000" ] ||
	fail "the nine voided loaves are not in the journal"

# The limit is configuration.
ui_stop
printf '[rights]\ncashier_discount = 20\n' > "$T/kassa.conf"
ui_start 100 30
login 1111
keys NON-004 Enter
wait_for "Samarqand non"
keys F4
wait_for "Discount"
keys "15%" Enter
wait_for "-1 200"
screen | grep -q "Manager approval" && fail "15 % asked for a manager at a 20 % limit"
ui_stop
printf '[rights]\ncashier_discount = 10\n' > "$T/kassa.conf"
ui_start 100 30
login 1111
wait_for "Samarqand non"
keys F10
wait_for "PAYMENT"
keys Enter
wait_for "Manager approval"
wait_for "the discount would be 15.00%"
[ "$(q "SELECT count(*) FROM sales WHERE state = 'completed'")" = 2 ] || fail "completed past the limit"
keys 9999 Enter
wait_for "CHANGE"
[ "$(q "SELECT count(*) FROM sales WHERE state = 'completed'")" = 3 ] || fail "not completed after approval"
echo ok
