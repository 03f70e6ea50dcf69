#!/bin/sh
# End to end in tmux: a stock-take by scanning (F12, Stock, F3) while the till sells. Nonvoyxona
# non (72 on hand) is counted 3 by three scans, then a sale takes one: counted before the sale,
# so the sale is no loss. Patir non (100) is counted 5*CODE, a sale takes one, then one more scan:
# its last count comes after the sale, which is already off the shelf. The screen is left with
# Esc for the sale and resumes the open count; F10 shows the differences against what was
# expected, a cashier's posting needs the manager's PIN, and the figures agree with the events.
. "$KASSA_TOP/tests/lib/tmux.sh"
ui_setup
ui_start 100 30
login 1111 100000

keys F12
wait_for "Stock"
keys 5
wait_for "STOCK: scan or type"
keys F3
wait_for "Stock-take: category"
keys Enter
wait_for "STOCK-TAKE: the whole shop"
keys "$B1" Enter
wait_for "counted 1"
keys "$B1" Enter "$B1" Enter
wait_for "counted 3"
keys "5*$B2" Enter
wait_for "Patir non"
wait_for "counted 5"
keys Escape
wait_for "TOTAL"

# A sale during the count: one of each.
keys "$B1" Enter
wait_for "Nonvoyxona non"
keys "$B2" Enter
wait_for "Patir non"
keys F10
wait_for "PAYMENT"
keys Enter
wait_for "CHANGE"
keys Enter
wait_for "TOTAL"

# Back to the count: it is still open.
keys F12
wait_for "Stock"
keys 5
wait_for "STOCK-TAKE: the whole shop"
keys "$B2" Enter
wait_for "counted 6"
keys F10
wait_for "Post these differences"
# Expected when each was counted: 72 for the non (before the sale), 99 for the patir (after).
wait_for "expected 72 counted 3 -69"
wait_for "expected 99 counted 6 -93"
keys y Enter
wait_for "Manager approval needed"
keys 9999 Enter
wait_for "Stock-take posted: 2 products counted, 2 changed"

q() { sqlite3 "$DB" "$1"; }
# Stock on hand: products.stock holds the moves up to the fold's mark, the rest are added.
stock_of() { q "SELECT p.stock + coalesce((SELECT sum(m.qty) FROM stock_moves m WHERE m.id > (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'stock_folded') AND m.product_id = p.id), 0) FROM products p JOIN barcodes b ON b.product_id = p.id WHERE b.code = '$1'"; }
[ "$(stock_of "$B1")" = 2000 ] || fail "non: $(stock_of "$B1"), wanted 2 (71 on hand - 69)"
[ "$(stock_of "$B2")" = 6000 ] || fail "patir: $(stock_of "$B2"), wanted 6 as counted"
[ "$(q "SELECT count(*) FROM events WHERE type = 'approval.granted' AND payload ->> '\$.right' = 'stock_adjust' AND payload ->> '\$.approver' = 'Rustam'")" = 1 ] ||
	fail "no approval event naming the manager"
[ "$(q "SELECT count(*) FROM events e JOIN outbox o ON o.seq = e.seq WHERE e.type = 'stock.counted' AND e.payload ->> '\$.source' = 'count'")" = 1 ] ||
	fail "one stock.counted event with its outbox row"
kassa journal verify > "$T/verify" 2>&1 || { cat "$T/verify"; fail "journal verify"; }

# The screen is back on the look-up (the count is over): it shows the new figure; F5 lists
# nothing low (thresholds 0, and both still have stock).
wait_for "STOCK: scan or type"
keys "$B1" Enter
wait_for "Nonvoyxona non"
screen | grep "Nonvoyxona non" | grep -q " 2  min 0" || fail "the look-up does not show 2 on hand"
keys F5
wait_for "No product is at or below its threshold"
keys Escape
wait_for "TOTAL"
echo ok
