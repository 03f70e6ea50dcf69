#!/bin/sh
# Customers across two tills and a real kassa-hub: a customer made at t1 (`kassa customer add`)
# reaches the hub as a customer.added event and t2 through /v1/changes; credit given at t1
# reaches t2 as the hub's confirmed balance (balance, balance_at, through); t2's own credit
# counts on top of it, and t1 counts t2's once the hub confirms it, never twice; a repayment
# at t2 lowers the balance everywhere; [credit] offline_cap stops a till that has given too
# much credit since the hub last confirmed, until it syncs; one card given to two customers at
# two tills offline does not stop the sync; `kassa journal verify` on both.
. "$KASSA_TOP/tests/lib/sync.sh"

hub_start
till_new t1
till_new t2
k1() { "$KASSA_BIN" -d "$T/t1.db" -c "$T/t1.conf" "$@"; }
k2() { "$KASSA_BIN" -d "$T/t2.db" -c "$T/t2.conf" "$@"; }
# drive NAME: kassa-drive -k on the till NAME, its output in $T/out.
drive() { "$DRIVE" -k "$T/$1.db" > "$T/out" 2>&1; }
has() { grep -q -- "$1" "$T/out" || fail "kassa-drive: no line '$1' in: $(cat "$T/out")"; }
balance() { # NAME CODE -> the till's "balance=B points=P ..." line
	printf 'login 1111\nbalance %s\n' "$2" | "$DRIVE" "$T/$1.db" | sed -n 's/^ok //p'
}

k1 customer add "Aziza Karimova" --phone "90 123 45 67" --card 7700001 --limit 30000 \
	> /dev/null || fail "customer add"
sync_once t1 || fail "t1 sync: $(cat "$T/sync.err")"
[ "$(hub_q "SELECT name || '|' || phone || '|' || card || '|' || credit_limit FROM hub_customers")" = \
    "Aziza Karimova|+998901234567|7700001|3000000" ] || fail "the hub has no customer: $(hub_q 'SELECT * FROM hub_customers')"
sync_once t2 || fail "t2 sync: $(cat "$T/sync.err")"
[ "$(till_q t2 "SELECT name || '|' || phone || '|' || credit_limit FROM customers")" = \
    "Aziza Karimova|+998901234567|3000000" ] || fail "t2 did not get the customer"
k2 customer list --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert len(d) == 1 and d[0]["card"] == "7700001" and d[0]["balance"] == 0, d' ||
	fail "t2 customer list"

# 12 000 on credit at t1 (3 x B1 at 4 000), synced: the hub confirms 12 000 through t1's event.
printf 'login 1111\nscan 3*%s\ncustomer 7700001\npay credit 0\n' "$B1" | drive t1
has "^ok completed number=1 total=1200000 "
sync_once t1 || fail "t1 sync 2: $(cat "$T/sync.err")"
[ "$(hub_q "SELECT balance FROM hub_customers")" = 1200000 ] || fail "hub balance"
sync_once t2 || fail "t2 sync 2"
balance t2 7700001 | grep -q "^balance=1200000 .*unconfirmed=0$" || fail "t2: $(balance t2 7700001)"
# t1 takes the hub's word too: its own sale is in it (through), so it is not counted twice.
sync_once t1 || fail "t1 sync 3"
balance t1 7700001 | grep -q "^balance=1200000 .*unconfirmed=0$" || fail "t1: $(balance t1 7700001)"

# t2 gives 8 000 more (2 x B1): within 30 000; 20 000 at t2 before any sync.
printf 'login 1111\nscan 2*%s\ncustomer +998901234567\npay credit 0\n' "$B1" | drive t2
has "^ok completed number=1 total=800000 "
balance t2 7700001 | grep -q "^balance=2000000 .*unconfirmed=800000$" || fail "t2 after: $(balance t2 7700001)"
# t1 does not know it yet: by its limit it could give 18 000, which would take the customer
# to 38 000 at the hub. [credit] offline_cap = 10 000 bounds what it gives unconfirmed: 16 000
# is refused (paid in cash instead), 8 000 fits.
printf 'login 1111\nrules 0 10000\nscan 4*%s\ncustomer 7700001\npay credit 0\npay cash 0\n' \
	"$B1" | drive t1
has "^error not now: this till may give only 10 000 more credit to this customer before the hub"
has "^ok completed number=2 total=1600000 "
printf 'login 1111\nrules 0 10000\nscan 2*%s\ncustomer 7700001\npay credit 0\n' "$B1" | drive t1
has "^ok completed number=3 total=800000 "
balance t1 7700001 | grep -q "^balance=2000000 .*unconfirmed=800000$" || fail "t1 before: $(balance t1 7700001)"
sync_once t1 || fail "t1 sync 4"
sync_once t2 || fail "t2 sync 4"
sync_once t1 || fail "t1 sync 5"
[ "$(hub_q "SELECT balance FROM hub_customers")" = 2800000 ] || fail "hub balance after both"
balance t1 7700001 | grep -q "^balance=2800000 .*unconfirmed=0$" || fail "t1 after: $(balance t1 7700001)"
balance t2 7700001 | grep -q "^balance=2800000 .*unconfirmed=0$" || fail "t2 after: $(balance t2 7700001)"

# A repayment at t2 (kassa customer pay): everywhere once synced.
k2 customer pay 7700001 10000 > /dev/null || fail "customer pay at t2"
sync_once t2 || fail "t2 sync 5"
sync_once t1 || fail "t1 sync 6"
balance t1 7700001 | grep -q "^balance=1800000 " || fail "t1 after the repayment: $(balance t1 7700001)"
k1 customer show 7700001 --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["balance"] == 1800000 and d["hub"]["balance"] == 1800000, d
assert d["history"] == [], d' || fail "t1 customer show"

# Two tills offline give one card to two customers: each till keeps the card with its own
# customer and takes the other's without it; the sync goes on.
k1 customer add "Karim" --card 7700009 > /dev/null || fail "customer add Karim"
k2 customer add "Dilshod" --card 7700009 > /dev/null || fail "customer add Dilshod"
sync_once t1 || fail "t1 sync 7"
sync_once t2 || fail "t2 sync with a card taken: $(cat "$T/sync.err")"
sync_once t1 || fail "t1 sync with a card taken: $(cat "$T/sync.err")"
[ "$(till_q t2 "SELECT group_concat(name || ':' || coalesce(card, '-'), ',') FROM (SELECT * FROM
    customers WHERE name IN ('Karim', 'Dilshod') ORDER BY name)")" = "Dilshod:7700009,Karim:-" ] ||
	fail "t2's customers: $(till_q t2 "SELECT name, card FROM customers")"
[ "$(till_q t1 "SELECT group_concat(name || ':' || coalesce(card, '-'), ',') FROM (SELECT * FROM
    customers WHERE name IN ('Karim', 'Dilshod') ORDER BY name)")" = "Dilshod:-,Karim:7700009" ] ||
	fail "t1's customers: $(till_q t1 "SELECT name, card FROM customers")"

# Exactly once at the hub, and both journals verify.
check_agree t1
check_agree t2
k1 journal verify > /dev/null 2>&1 || fail "t1 journal verify"
k2 journal verify > /dev/null 2>&1 || fail "t2 journal verify"
echo "ok"
