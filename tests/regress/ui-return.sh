#!/bin/sh
# End to end in tmux on a real database: returns (F6) at the till. A split-tender sale (card and
# cash) with a discount on the whole sale; a cashier's partial return of the discounted line
# asks for a manager's PIN on the spot and refunds what was paid for those units, to the tiyin,
# on screen and in `kassa sales --json`, to the card first; a second return past what is left
# is refused saying what is left; the rest, interrupted by kill -9, is resumed at the next
# log-in and refunded to both tenders; F6 with items in the cart is refused; Esc abandons (no
# event, no rows); stock and the X report (screen and `kassa report x`) after them; R1 reprinted
# from the menu and with `kassa print copy R1`; a manager's return without a receipt, within
# [returns] no_receipt_max; the sale.returned events reach a real kassa-hub exactly once.
. "$KASSA_TOP/tests/lib/tmux.sh"
ui_setup
printf '[returns]\nno_receipt_max = 10000\n' > "$T/kassa.conf"
sq() {
	sqlite3 "$DB" "$1"
}

ui_start 100 30
login 1111 100000
# 3 x B1 (4 000) + B2 (6 000), 1.00 off the sale: B1's line pays 11 999.33, B2's 5 999.67.
keys "3*$B1" Enter "$B2" Enter
wait_for "Patir non"
keys F4
wait_for "Discount"
keys "*1" Enter
wait_for "TOTAL: 17 999 so"
keys F10
wait_for "PAYMENT"
keys Tab 10000 Enter
wait_for "Due"
keys Tab Enter
wait_for "CHANGE"
keys Space
wait_for "TOTAL"
[ "$(sq "SELECT group_concat(method || '=' || amount) FROM payments")" = "card=1000000,cash=799900" ] ||
	fail "the split sale: $(sq "SELECT group_concat(method || '=' || amount) FROM payments")"

# F6 with items in the cart is refused; the cart stays.
keys "$B2" Enter
wait_for "Patir non"
keys F6
wait_for "A return starts from an empty cart"
screen | grep -q "RETURN against" && fail "a return started over a full cart"
keys F9
wait_for "Void the whole sale?"
keys Enter
wait_for "Sale voided"

# A cashier's partial return: 2 of the 3 discounted units. round(1199933 x 2/3) = 7 999.55,
# all to the card (non-cash tenders first).
keys F6
wait_for "Return: the receipt's number"
keys 1 Enter
wait_for "RETURN against receipt 1"
wait_for "Nonvoyxona non"
keys "2*$B1" Enter
wait_for "REFUND: 7 999.55"
wait_for "card 7 999.55"
keys F10
wait_for "Manager approval needed"
keys 9999 Enter
wait_for "Refund R1 of receipt 1 completed"
wait_for "card 7 999.55"
screen | grep -q "Give the customer" && fail "cash handed out for a card refund"
[ "$(sq "SELECT count(*) FROM events WHERE type = 'approval.granted' AND
    json_extract(payload, '$.right') = 'refund' AND json_extract(payload, '$.approver') = 'Rustam'
    AND json_extract(payload, '$.user') = 'Dilnoza'")" = 1 ] || fail "no approval naming both"
# The next key starts a sale, as after a payment (an exchange).
keys Space
wait_for "TOTAL"

# Past what is left: refused with what is left; nothing changes.
keys F6
wait_for "Return: the receipt's number"
keys 1 Enter
wait_for "RETURN against receipt 1"
keys "2*$B1" Enter
wait_for "only 1 of Nonvoyxona non is left to return"
screen | grep -q "REFUND: 0 so" || fail "the refused marks changed the return"

# The rest, then kill -9 before F10: resumed at the next log-in exactly as left.
keys "$B1" Enter "$B2" Enter
wait_for "REFUND: 9 999.45"
pid=$(till_pid)
kill -9 "$pid"
wait_exit "$pid"
ui_stop
[ "$(sq "SELECT count(*) FROM returns WHERE state = 'open'")" = 1 ] || fail "the open return was lost"
ui_start 100 30
wait_for "PIN"
keys 1111 Enter
wait_for "RETURN against receipt 1"
wait_for "was not finished"
wait_for "REFUND: 9 999.45"
# The card had 10 000 - 7 999.55 left, the cash 7 999 it paid: both tenders.
wait_for "card 2 000.45, cash 7 999 "
keys F10
wait_for "Manager approval needed"
keys 9999 Enter
wait_for "Refund R2 of receipt 1 completed"
wait_for "Give the customer 7 999 so'm in cash"
[ "$(sq "SELECT count(*) FROM print_jobs WHERE kind = 'drawer' AND return_id IS NOT NULL")" = 1 ] ||
	fail "no drawer job for the cash refund"
[ "$(sq "SELECT count(*) FROM print_jobs WHERE kind = 'receipt' AND return_id IS NOT NULL")" = 2 ] ||
	fail "not one refund receipt per return"
keys Space
wait_for "TOTAL"

# Esc abandons: no event, no rows.
sell_exact "$B2" "Patir non"
keys Space
wait_for "TOTAL"
ev=$(sq "SELECT count(*) FROM events")
keys F6
wait_for "Return: the receipt's number"
keys 2 Enter
wait_for "RETURN against receipt 2"
keys "$B2" Enter
wait_for "REFUND: 6 000 so"
keys Escape
wait_for "Abandon the return?"
keys Enter
wait_for "Return abandoned"
[ "$(sq "SELECT count(*) FROM events")" = "$ev" ] || fail "abandoning wrote an event"
[ "$(sq "SELECT count(*) FROM returns WHERE sale_id = (SELECT id FROM sales WHERE number = 2)")" = 0 ] ||
	fail "abandoning left rows"

# The X report on screen.
keys F12
wait_for "MENU"
keys 3
wait_for "X report"
wait_for "Returns"
screen | grep -Eq "Returns +2$" || fail "X report: returns"
screen | grep -Eq "Refunded +17 999" || fail "X report: refunded"
screen | grep -Eq "in cash +7 999$" || fail "X report: refunded in cash"
screen | grep -Eq "to card +10 000" || fail "X report: refunded to card"
keys Escape
wait_for "TOTAL"

# Reprint R1 from the menu.
keys F12
wait_for "MENU"
keys 7
wait_for "Reprint"
keys R1 Enter
wait_for "A copy of refund receipt R1 is queued"

# A return without a receipt: the thirteenth row, a manager's PIN, in cash, under the limit
# (two of B2 are 12 000: refused, nothing asked).
no_receipt() {
	keys F12
	wait_for "MENU"
	keys Down Down Down Down Down Down Down Down Down Down Down Down Enter
	wait_for "Return without a receipt"
	keys "$B2" Enter
	wait_for "Quantity coming back"
	keys "$1" Enter
}
no_receipt 2
wait_for "may refund at most 10 000"
screen | grep -q "Manager approval" && fail "a PIN asked for a refund past the limit"
no_receipt 1
wait_for "Manager approval needed"
keys 9999 Enter
wait_for "Refund R3 completed (no receipt)"
wait_for "Give the customer 6 000 so'm in cash"
keys Space
wait_for "TOTAL"
ui_stop

# kassa sales --json: the returns, to the tiyin, with their tenders.
kassa sales --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
r = [o for o in d if o["kind"] == "return"]
assert [o["number"] for o in r] == [1, 2, 3], r
assert r[0]["original"] == 1 and r[0]["total"] == 799955, r[0]
assert {p["method"]: p["amount"] for p in r[0]["payments"]} == {"card": 799955}, r[0]
assert {p["method"]: p["amount"] for p in r[1]["payments"]} == {"card": 200045, "cash": 799900}, r[1]
assert r[1]["total"] == 999945, r[1]
assert r[2]["total"] == 600000, r[2]
' || fail "kassa sales --json: $(kassa sales --json)"
# Stock: every unit of B1 back (72); B2 100 - 1 sold - 1 sold + 1 returned + 1 without a receipt.
[ "$(sq "SELECT p.stock FROM products p JOIN barcodes b ON b.product_id = p.id WHERE b.code = '$B1'")" = 72000 ] ||
	fail "B1's stock did not come back"
[ "$(sq "SELECT p.stock FROM products p JOIN barcodes b ON b.product_id = p.id WHERE b.code = '$B2'")" = 100000 ] ||
	fail "B2's stock: $(sq "SELECT p.stock FROM products p JOIN barcodes b ON b.product_id = p.id WHERE b.code = '$B2'")"
kassa report x --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["refunds_count"] == 3 and d["refunds_no_receipt"] == 1, d
assert d["refunds_total"] == 1799900 + 600000, d
assert d["refunds_card"] == 1000000 and d["refunds_cash"] == 799900 + 600000, d
assert d["expected_cash"] == 10000000 + 799900 + 600000 - 799900 - 600000, d
' || fail "kassa report x --json: $(kassa report x --json)"
kassa report x | grep -Eq "^ +refunded +23 999$" || fail "kassa report x: $(kassa report x)"
# kassa print copy R2 (a printer configured for it); a sale's number still works.
printf '[printer]\ndevice = file:%s/lp\n' "$T" > "$T/print.conf"
"$KASSA_BIN" -d "$DB" -c "$T/print.conf" print copy R2 | grep -q "refund receipt R2: a copy is queued" ||
	fail "kassa print copy R2"
"$KASSA_BIN" -d "$DB" -c "$T/print.conf" print copy R9 2> /dev/null && fail "print copy R9 passed"
[ "$(sq "SELECT count(*) FROM print_jobs WHERE kind = 'copy' AND return_id IS NOT NULL")" = 2 ] ||
	fail "R1 and R2 copies not queued"
kassa journal verify > /dev/null || fail "journal verify"

# To a real hub on loopback: the three sale.returned events, exactly once.
DEVICE=$(sq "SELECT value FROM meta WHERE key = 'device_id'")
TOKEN=$("$KASSA_HUB_BIN" --db "$T/hub.db" token add "$DEVICE") || fail "hub token"
HUB_PID=""
trap 'tmux -S "$SOCK" kill-server 2>/dev/null; [ -n "$HUB_PID" ] && kill "$HUB_PID"; rm -rf "$T"' EXIT INT TERM
PORT=$(( 20000 + ( $$ * 7 + $(date +%s) ) % 40000 ))
for try in 1 2 3 4 5; do
	"$KASSA_HUB_BIN" --db "$T/hub.db" --listen "127.0.0.1:$PORT" serve > "$T/hub.log" 2>&1 &
	HUB_PID=$!
	i=0
	until grep -q listening "$T/hub.log" || ! kill -0 "$HUB_PID" 2>/dev/null || [ $i -ge 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	grep -q listening "$T/hub.log" && break
	kill "$HUB_PID" 2>/dev/null
	HUB_PID=""
	PORT=$((PORT + 101))
done
[ -n "$HUB_PID" ] || fail "the hub did not start"
printf '[sync]\nurl = http://127.0.0.1:%s\ntoken = %s\n' "$PORT" "$TOKEN" > "$T/sync.conf"
chmod 600 "$T/sync.conf"
"$KASSA_BIN" -d "$DB" -c "$T/sync.conf" sync --once 2> "$T/sync.err" || fail "sync: $(cat "$T/sync.err")"
"$KASSA_BIN" -d "$DB" -c "$T/sync.conf" sync --once 2> "$T/sync.err" || fail "sync again: $(cat "$T/sync.err")"
[ "$(sq "SELECT count(*) FROM outbox")" = 0 ] || fail "events still pending"
[ "$(sqlite3 "$T/hub.db" "SELECT count(*) FROM hub_events WHERE type = 'sale.returned'")" = 3 ] ||
	fail "3 sale.returned events expected at the hub"
[ "$(sqlite3 "$T/hub.db" "SELECT count(DISTINCT id) FROM hub_events WHERE type = 'sale.returned'")" = 3 ] ||
	fail "a return stored twice at the hub"
echo ok
