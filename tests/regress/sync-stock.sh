#!/bin/sh
# Two tills and a real kassa-hub: goods received and adjusted at till A reach the hub as
# stock.received / stock.adjusted events exactly once; the hub keeps A's stock per product and
# publishes it (entity "stock"); after a sync till B shows "Shop A: qty" beside its own stock,
# never mixed into it, and A does not list itself as another branch. A sale at A moves what B
# sees too; a till that sent no stock event of its own yet is named by its device id.
. "$KASSA_TOP/tests/lib/sync.sh"

till_new A
till_new B
hub_start
echo 0000 | "$KASSA_BIN" -d "$T/A.db" user add Aziz --role admin > /dev/null || fail "admin A"
k() { name=$1; shift; "$KASSA_BIN" -d "$T/$name.db" -c "$T/$name.conf" "$@"; }
# qty of barcode $2 on till $1 (its own), and what $1 sees of other branches for it
own() { k "$1" stock list --json | python3 -c 'import json,sys; print([p["qty"] for p in json.load(sys.stdin) if p["barcode"] == sys.argv[1]][0])' "$2"; }
branches() { k "$1" stock list --json | python3 -c 'import json,sys; print(" ".join("%s=%d" % (b["branch"], b["qty"]) for p in json.load(sys.stdin) if p["barcode"] == sys.argv[1] for b in p["branches"]))' "$2"; }

printf 'barcode,qty,cost\n%s,12,3000\n%s,5,\n' "$B1" "$B2" > "$T/delivery.csv"
k A stock receive "$T/delivery.csv" --supplier "Non zavodi" > /dev/null || fail "receive at A"
k A stock adjust "$B2" -1 --reason damage > /dev/null || fail "adjust at A"
a1=$(own A "$B1")
a2=$(own A "$B2")
b1=$(own B "$B1")
[ "$a1" = "$((b1 + 12000))" ] || fail "A received 12 of B1: $a1 vs B's $b1"

sync_once A || fail "A: $(cat "$T/sync.err")"
sync_once B || fail "B: $(cat "$T/sync.err")"
check_agree A
check_agree B
[ "$(till_q A "SELECT count(*) FROM outbox")" = 0 ] || fail "A still has events to send"
[ "$(hub_q "SELECT count(*) FROM hub_events WHERE device_id = 'A' AND type IN ('stock.received', 'stock.adjusted')")" = 2 ] ||
	fail "the hub did not store A's stock events once each"
[ "$(branches B "$B1")" = "Shop A=$a1" ] || fail "B sees '$(branches B "$B1")' for B1, wanted Shop A=$a1"
[ "$(branches B "$B2")" = "Shop A=$a2" ] || fail "B sees '$(branches B "$B2")' for B2, wanted Shop A=$a2"
[ "$(own B "$B1")" = "$b1" ] || fail "A's stock was mixed into B's own"
# B shows A beside its own in the table too.
k B stock list | grep "$B1" | grep -q "Shop A: $((a1 / 1000))" || fail "B's stock list does not show Shop A"

# A sale at A, synced: B sees the new figure; A never lists itself.
sell A "$B1"
sync_once A || fail "A again: $(cat "$T/sync.err")"
sync_once B || fail "B again: $(cat "$T/sync.err")"
sync_once A || fail "A pulls: $(cat "$T/sync.err")"
[ "$(branches B "$B1")" = "Shop A=$((a1 - 1000))" ] || fail "B after A's sale: '$(branches B "$B1")'"
[ -z "$(branches A "$B1")" ] || fail "A lists itself as another branch: $(branches A "$B1")"
# A sale at B is published for A to see.
[ "$(branches A "$B2")" = "" ] || fail "A sees B's B2 before B sold or received any"
sell B "$B2"
sync_once B || fail "B sells: $(cat "$T/sync.err")"
sync_once A || fail "A pulls B: $(cat "$T/sync.err")"
[ "$(branches A "$B2")" = "B=$(own B "$B2")" ] || fail "A sees '$(branches A "$B2")' of B's B2"
check_agree A
check_agree B
# Every event once: a further exchange sends nothing again.
n=$(hub_q "SELECT count(*) FROM hub_events")
sync_once A || fail "A idle"
sync_once B || fail "B idle"
[ "$(hub_q "SELECT count(*) FROM hub_events")" = "$n" ] || fail "an idle exchange stored events"
"$KASSA_BIN" -d "$T/A.db" journal verify > /dev/null || fail "A's journal verify"
"$KASSA_BIN" -d "$T/B.db" journal verify > /dev/null || fail "B's journal verify"
echo "PASS: sync-stock"
