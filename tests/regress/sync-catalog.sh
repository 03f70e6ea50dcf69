#!/bin/sh
# Two tills and one hub: both deliver their sales, a catalogue change published on the hub
# reaches both, a newer local price wins over an older hub change (last-write-wins by
# updated_at), and a cart already open keeps the price it was rung up at. The sync process
# killed with SIGKILL mid-run loses and doubles nothing.
. "$KASSA_TOP/tests/lib/sync.sh"
. "$KASSA_TOP/tests/lib/clock.sh"

till_new t1
till_new t2
hub_start
sell t1 "$B1" "$B2"
sell t2 "$B2"
sync_once t1 || fail "t1: $(cat "$T/sync.err")"
sync_once t2 || fail "t2: $(cat "$T/sync.err")"
check_agree t1
check_agree t2
[ "$(hub_q "SELECT count(DISTINCT device_id) FROM hub_events")" = 2 ] || fail "two tills expected at the hub"
"$KASSA_HUB_BIN" --db "$HUB_DB" report | grep -q "t2" || fail "the hub report does not list t2"

# t2 has a cart open with B1 at the old price (4 000) when the price changes upstream.
printf 'login 1111\nscan %s\n' "$B1" | "$DRIVE" "$T/t2.db" > /dev/null || fail "open cart on t2"

# The hub publishes a new price for B1 (9 999) and a new product.
printf 'barcode,name,price,vat\n%s,Nonvoyxona non,9999,0\n4780000000014,Yangi mahsulot,1234.50,12\n' "$B1" > "$T/change.csv"
at_time 2030-01-01T00:00:00.000Z "$KASSA_HUB_BIN" --db "$HUB_DB" import products "$T/change.csv" > /dev/null || fail "hub import"
sync_once t1 || fail "t1 pull: $(cat "$T/sync.err")"
sync_once t2 || fail "t2 pull: $(cat "$T/sync.err")"
for t in t1 t2; do
	[ "$(till_q $t "SELECT p.price FROM products p JOIN barcodes b ON b.product_id = p.id WHERE b.code = '$B1'")" = 999900 ] ||
		fail "$t did not get the new price"
	[ "$(till_q $t "SELECT price FROM products WHERE name = 'Yangi mahsulot'")" = 123450 ] ||
		fail "$t did not get the new product"
done
# The open cart still charges what it was rung up at.
printf 'login 1111\npay cash 0\n' | "$DRIVE" "$T/t2.db" | grep -q "total=400000" || fail "the open cart took the new price"

# Last write wins: t1 changes B2 locally after the hub's change; an older hub change of B2 must
# not overwrite it, a newer one must.
printf 'barcode,name,price\n%s,Patir non,7000\n' "$B2" > "$T/local.csv"
at_time 2030-06-01T00:00:00.000Z "$KASSA_BIN" -d "$T/t1.db" import products "$T/local.csv" > /dev/null || fail "local import"
printf 'barcode,name,price\n%s,Patir non,6500\n' "$B2" > "$T/older.csv"
at_time 2030-03-01T00:00:00.000Z "$KASSA_HUB_BIN" --db "$HUB_DB" import products "$T/older.csv" > /dev/null || fail "hub import older"
sync_once t1 || fail "t1 pull older: $(cat "$T/sync.err")"
[ "$(till_q t1 "SELECT p.price FROM products p JOIN barcodes b ON b.product_id = p.id WHERE b.code = '$B2'")" = 700000 ] ||
	fail "an older hub change overwrote a newer local price"
at_time 2030-09-01T00:00:00.000Z "$KASSA_HUB_BIN" --db "$HUB_DB" import products "$T/older.csv" > /dev/null || fail "hub import newer"
sync_once t1 || fail "t1 pull newer: $(cat "$T/sync.err")"
[ "$(till_q t1 "SELECT p.price FROM products p JOIN barcodes b ON b.product_id = p.id WHERE b.code = '$B2'")" = 650000 ] ||
	fail "a newer hub change did not win"

# The sync process killed with SIGKILL in the middle of a long run: then once more, exactly once.
i=0
while [ $i -lt 40 ]; do
	printf 'login 1111\nscan %s\npay cash 0\n' "$B2"
	i=$((i + 1))
done | "$DRIVE" "$T/t1.db" > /dev/null || fail "sales for the kill test"
sed -i 's/^backoff_cap = .*/backoff_cap = 2\nbatch = 5/' "$T/t1.conf"
for round in 1 2 3; do
	"$KASSA_BIN" -d "$T/t1.db" -c "$T/t1.conf" sync > /dev/null 2>&1 &
	sp=$!
	sleep 0.0$((round * 3))
	kill -9 $sp 2>/dev/null
	wait $sp 2>/dev/null
	check_agree t1
done
sync_once t1 || fail "t1 after the kills: $(cat "$T/sync.err")"
check_agree t1
[ "$(till_q t1 "SELECT count(*) FROM outbox")" = 0 ] || fail "events left after the kills"
[ "$(hub_q "SELECT count(*) FROM hub_events WHERE device_id = 't1'")" = "$(till_q t1 "SELECT count(*) FROM events")" ] ||
	fail "hub and till disagree on t1's events"

# The hub recomputes every hash from the payload with jansson: Cyrillic names and the Uzbek
# okina must come out byte for byte as the till hashed them, or the sales would be rejected.
C1=$(grep -m1 "Молоко" "$KASSA_TOP/contrib/demo-catalog.csv" | cut -d, -f1)
C2=$(grep -m1 "ʻ" "$KASSA_TOP/contrib/demo-catalog.csv" | cut -d, -f1)
sell t2 "$C1" "$C2"
sync_once t2 || fail "t2 non-ASCII: $(cat "$T/sync.err")"
check_agree t2
[ "$(hub_q "SELECT count(*) FROM hub_events WHERE device_id = 't2' AND status = 'rejected'")" = 0 ] ||
	fail "the hub rejected a sale with a Cyrillic or Uzbek name"
hub_q "SELECT payload FROM hub_events WHERE device_id = 't2'" | grep -q "ʻ" ||
	fail "the Uzbek name did not arrive as UTF-8"
echo ok
