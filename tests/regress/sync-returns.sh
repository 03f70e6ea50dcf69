#!/bin/sh
# Returns end to end through the core (kassa-drive) on a real database, then to a real
# kassa-hub: a split-tender sale with a discount; a cashier's partial return refused until a
# manager approves, refunding what was paid for those units to the card first; a second return
# past what is left refused, saying what is left; a return interrupted by kill -9, resumed and
# completed, taking exactly what was left of the line; stock, `kassa sales --json` and the X
# report after them; the sale.returned events delivered to the hub exactly once and counted in
# `kassa-hub report`.
. "$KASSA_TOP/tests/lib/sync.sh"

till_new t1
echo 9999 | "$KASSA_BIN" -d "$T/t1.db" user add Rustam --role manager > /dev/null || fail "manager"
drive() {
	"$DRIVE" -k "$T/t1.db" > "$T/out" 2>&1
}

# 3 x B1 (4 000) + B2 (6 000) less 1.00: B1's line pays 11 999.33 (its share of the discount
# by largest remainder is 0.67). 10 000 by card, the rest in cash.
printf 'login 1111\nscan 3*%s\nscan %s\ndiscount-cart amount 1\npay card 10000\npay cash 0\n' \
    "$B1" "$B2" | drive
grep -q "completed number=1 total=1799900" "$T/out" || fail "the sale: $(cat "$T/out")"
[ "$(till_q t1 "SELECT total FROM sale_lines WHERE lineno = 1")" = 1199933 ] ||
	fail "B1's line total is not 1199933"

# A cashier's partial return: refused without a manager, then approved.
printf 'login 1111\nreturn 1\nreturn-mark 2*%s\nreturn-complete\nmanager 9999\nreturn-complete\n' \
    "$B1" | drive
grep -q "^ok line=1 marked=2000 total=799955 cash=0 card=799955$" "$T/out" ||
	fail "2 of 3 units should refund round(1199933 x 2/3) = 799955, to the card: $(cat "$T/out")"
grep -q "^error not allowed: A refund needs a manager's approval" "$T/out" ||
	fail "a cashier's refund went through without a manager: $(cat "$T/out")"
grep -q "^ok returned number=1 original=1 total=799955 .* cash=0 card=799955$" "$T/out" ||
	fail "the approved return: $(cat "$T/out")"
[ "$(till_q t1 "SELECT count(*) FROM events WHERE type = 'approval.granted' AND
    json_extract(payload, '$.approver') = 'Rustam' AND json_extract(payload, '$.right') = 'refund'")" = 1 ] ||
	fail "no approval event naming the manager"

# Past what is left: refused, saying what is left; nothing changes.
printf 'login 1111\nreturn 1\nreturn-mark 2*%s\nreturn-abandon\n' "$B1" | drive
grep -q "^error .*only 1 of Nonvoyxona non is left to return" "$T/out" ||
	fail "a second return past what is left: $(cat "$T/out")"
[ "$(till_q t1 "SELECT count(*) FROM returns")" = 1 ] || fail "the refused return left a row"

# A return interrupted by kill -9 is resumed exactly as it was left.
mkfifo "$T/in"
"$DRIVE" "$T/t1.db" < "$T/in" > "$T/kill.out" 2>&1 &
pid=$!
exec 3> "$T/in"
printf 'login 1111\nreturn 1\nreturn-mark %s\n' "$B1" >&3
wait_until 10 "the interrupted return did not mark" grep -q "marked=1000" "$T/kill.out"
kill -9 "$pid"
wait "$pid" 2> /dev/null
exec 3>&-
printf 'login 1111\nreturn-resume\nmanager 9999\nreturn-complete\n' | drive
grep -q "^ok return=.* marked=1 total=399978$" "$T/out" || fail "not resumed: $(cat "$T/out")"
# The last unit takes what is left of the line to the tiyin; the card takes what it has left.
grep -q "^ok returned number=2 original=1 total=399978 .* cash=199933 card=200045$" "$T/out" ||
	fail "the resumed return: $(cat "$T/out")"
[ "$(till_q t1 "SELECT sum(l.total) FROM return_lines l JOIN returns x ON x.id = l.return_id
    WHERE x.state = 'completed'")" = 1199933 ] || fail "the returns do not add up to the line"

# Stock came back; the sale is untouched.
[ "$(till_q t1 "SELECT stock FROM products WHERE id = (SELECT product_id FROM barcodes WHERE
    code = '$B1')")" = 72000 ] || fail "B1's stock did not come back"
[ "$(till_q t1 "SELECT qty FROM sale_lines WHERE lineno = 1")" = 3000 ] || fail "the sale was edited"

# kassa sales --json: every object has its kind; returns cite the original.
"$KASSA_BIN" -d "$T/t1.db" sales --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
kinds = [o["kind"] for o in d]
assert kinds == ["sale", "return", "return"], kinds
r = d[1]
assert r["original"] == 1 and r["number"] == 1 and r["total"] == 799955, r
assert r["lines"][0]["qty"] == 2000 and r["lines"][0]["line"] == 1, r
assert {p["method"]: p["amount"] for p in d[2]["payments"]} == {"card": 200045, "cash": 199933}, d[2]
' || fail "kassa sales --json"
"$KASSA_BIN" -d "$T/t1.db" sales > "$T/table" || fail "kassa sales"
grep -Eq "^ +R2 .* -3 999.78 .*\(return of 1\)$" "$T/table" || fail "the sales table: $(cat "$T/table")"

# The X report: the refunds, and the cash they took out of the drawer.
"$KASSA_BIN" -d "$T/t1.db" report x --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["refunds_count"] == 2 and d["refunds_total"] == 1199933, d
assert d["refunds_card"] == 1000000 and d["refunds_cash"] == 199933, d
assert d["expected_cash"] == 10000000 + 799900 - 199933, d
' || fail "kassa report x --json"
"$KASSA_BIN" -d "$T/t1.db" report x > "$T/x" || fail "kassa report x"
grep -Eq "^ +returns +2$" "$T/x" && grep -Eq "^ +refunded +11 999.33$" "$T/x" &&
	grep -Eq "^ +in cash +1 999.33$" "$T/x" || fail "kassa report x: $(cat "$T/x")"

# To the hub, exactly once, and counted in its report.
hub_start
sync_once t1 || fail "sync: $(cat "$T/sync.err")"
sync_once t1 || fail "sync again: $(cat "$T/sync.err")"
check_agree t1
[ "$(till_q t1 "SELECT count(*) FROM outbox")" = 0 ] || fail "events still pending"
[ "$(hub_q "SELECT count(*) FROM hub_events WHERE type = 'sale.returned' AND status = 'accepted'")" = 2 ] ||
	fail "2 sale.returned events expected at the hub, once each"
"$KASSA_HUB_BIN" --db "$HUB_DB" report > "$T/report" || fail "kassa-hub report"
grep -Eq "^t1 +[0-9-]+ +1 +17 999 +2 +11 999.33$" "$T/report" ||
	fail "the hub report: $(cat "$T/report")"
"$KASSA_BIN" -d "$T/t1.db" journal verify > /dev/null || fail "journal verify"

# Verify rebuilds the returns' figures from their events: a refund rewritten, a shift's cash
# refunds lowered, or stock a return put back rewritten are each named.
for sql in "UPDATE returns SET total = total + 100 WHERE number = 1" \
    "UPDATE shifts SET refunds_cash = 0" \
    "UPDATE return_payments SET amount = amount - 1 WHERE id = (SELECT min(id) FROM return_payments)"; do
	cp "$T/t1.db" "$T/bad.db"
	sqlite3 "$T/bad.db" "$sql" || fail "sqlite3 $sql"
	if "$KASSA_BIN" -d "$T/bad.db" journal verify > "$T/v" 2>&1; then
		fail "journal verify passed after: $sql"
	fi
	grep -q "tables disagree" "$T/v" || fail "verify after $sql said: $(cat "$T/v")"
done
echo ok
