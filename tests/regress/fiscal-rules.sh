#!/bin/sh
# The fiscal rules at the till (CONTRACT.md section 8): in fiscal mode a product without a
# valid 17-digit MXIK code is refused at the scan, saying so (and sells with fiscal mode off);
# the product import warns about such products and still imports; a sale whose time would be
# earlier than the last fiscal document's is refused ("the clock went back") and changes
# nothing (libfaketime runs the real binary under a clock set back); `kassa status` warns from
# one day before the oldest unsent document is [fiscal] offline_days old, not before (faketime);
# the fiscal shift: `kassa report z` shows the closing document with its Z totals, pending,
# then signed.
. "$KASSA_TOP/tests/lib/fiscal.sh"
. "$KASSA_TOP/tests/lib/clock.sh"
[ -n "$FAKETIME_LIB" ] || { echo "libfaketime is not installed (package faketime)"; exit 77; }

fiscal_till t1
k() { "$KASSA_BIN" -d "$T/t1.db" -c "$T/t1.conf" "$@"; }
drive() { "$DRIVE" -k "$T/t1.db" > "$T/out" 2>&1; }

# The import warns about a product without an MXIK code, and imports it.
printf 'barcode,name,price,mxik\n4780000000014,Nomsiz tovar,1000,\n4780000000021,Yaxshi tovar,2000,10710001001000000\n' > "$T/p.csv"
k import products "$T/p.csv" > "$T/imp.out" 2> "$T/imp.err" || fail "the import failed: $(cat "$T/imp.err")"
grep -q "^warning: 1 product has no valid 17-digit MXIK code.*4780000000014 Nomsiz tovar" "$T/imp.err" ||
	fail "the import does not warn: $(cat "$T/imp.err")"
grep -q "imported 2 products" "$T/imp.out" || fail "the import refused: $(cat "$T/imp.out")"

# Refused at the scan in fiscal mode, saying so; the cart is unchanged.
printf 'login 1111\nscan 4780000000014\ntotals\nscan 4780000000021\npay cash 0\n' | drive
grep -q "^error bad input: Nomsiz tovar has no valid MXIK code (17 digits)" "$T/out" ||
	fail "the product without MXIK was not refused: $(cat "$T/out")"
grep -q "^ok lines=0 " "$T/out" || fail "the refused scan changed the cart: $(cat "$T/out")"
grep -q "^ok completed number=1 " "$T/out" || fail "the good product did not sell: $(cat "$T/out")"
printf 'login 1111\nscan 4780000000014\nvoid\n' | KASSA_DRIVE_FISCAL=0 "$DRIVE" "$T/t1.db" > "$T/out2" 2>&1 ||
	fail "without fiscal mode the product should scan: $(cat "$T/out2")"

# The clock set back a year: refused, nothing written.
docs=$(till_q t1 "SELECT count(*) FROM fiscal_documents")
at_time 2025-01-01T12:00:00Z "$DRIVE" -k "$T/t1.db" > "$T/out" 2>&1 <<EOF2
login 1111
scan 4780000000021
pay cash 0
void
EOF2
grep -q "^error .*the clock went back: fix the date" "$T/out" ||
	fail "a sale with the clock set back was not refused: $(cat "$T/out")"
[ "$(till_q t1 "SELECT count(*) FROM sales WHERE state = 'completed'")" = 1 ] ||
	fail "the refused sale completed"
[ "$(till_q t1 "SELECT count(*) FROM fiscal_documents")" = "$docs" ] ||
	fail "the refused sale wrote a fiscal document"
[ "$(till_q t1 "SELECT count(*) FROM events WHERE type = 'sale.completed'")" = 1 ] ||
	fail "the refused sale wrote an event"

# The offline warning: from a day before offline_days (3 by default), not before.
oldest=$(till_q t1 "SELECT min(at) FROM fiscal_documents WHERE state = 'pending'")
later() { python3 -c 'import datetime,sys
t = datetime.datetime.strptime(sys.argv[1][:19], "%Y-%m-%dT%H:%M:%S") + datetime.timedelta(hours=float(sys.argv[2]))
print(t.strftime("%Y-%m-%dT%H:%M:%SZ"))' "$oldest" "$1"; }
at_time "$(later 40)" "$KASSA_BIN" -d "$T/t1.db" -c "$T/t1.conf" status --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["fiscal_pending"] == 2 and d["fiscal_warning"] is False, d
' || fail "a warning before offline_days - 1"
at_time "$(later 49)" "$KASSA_BIN" -d "$T/t1.db" -c "$T/t1.conf" status --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["fiscal_pending"] == 2 and d["fiscal_warning"] is True and d["fiscal_oldest_age_s"] >= 48 * 3600, d
' || fail "no warning a day before offline_days"
at_time "$(later 49)" "$KASSA_BIN" -d "$T/t1.db" -c "$T/t1.conf" status > "$T/st" 2>&1
grep -q "^WARNING *fiscal receipts unsent since" "$T/st" || fail "status text has no warning: $(cat "$T/st")"
# ... and the warning never blocks a sale.
printf 'login 1111\nscan 4780000000021\npay cash 0\n' > "$T/in"
at_time "$(later 100)" "$DRIVE" "$T/t1.db" < "$T/in" > "$T/out" 2>&1 ||
	fail "a sale was blocked past offline_days: $(cat "$T/out")"

# The fiscal shift: the closing document with the Z totals, pending, then signed.
at_time "$(later 101)" "$DRIVE" "$T/t1.db" > "$T/out" 2>&1 <<EOF2 || fail "close: $(cat "$T/out")"
login 1111
close 104000
EOF2
k report z > "$T/z" || fail "report z"
grep -q "fiscal closing *pending" "$T/z" || fail "report z does not show the pending closing: $(cat "$T/z")"
sim_start
sync_once t1 || true
[ "$(fdocs t1 pending)" = 0 ] || fail "documents still pending: $(cat "$T/sync.err")"
k report z > "$T/z" || fail "report z"
grep -Eq "fiscal opening +SIM[0-9A-F]{9} #1 sign [0-9a-f]{64}" "$T/z" || fail "report z lacks the opening: $(cat "$T/z")"
grep -Eq "fiscal closing +SIM[0-9A-F]{9} #4 sign [0-9a-f]{64}" "$T/z" || fail "report z lacks the closing: $(cat "$T/z")"
k report z --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
c = d["fiscal"]["closing"]
assert c["state"] == "sent" and c["receipt_seq"] == 4 and len(c["fiscal_sign"]) == 64, c
assert c["z"]["sales_count"] == 2 and c["z"]["sales_total"] == 400000, c
assert d["fiscal"]["opening"]["receipt_seq"] == 1, d["fiscal"]
' || fail "report z --json lacks the fiscal data"
echo ok
