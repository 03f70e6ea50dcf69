#!/bin/sh
# End to end, in Russian: F1 help is generated from the key table; after a card tender a
# cashier's F8 needs a manager, a cashier's PIN is refused as approval, the manager's approves,
# and the approval is an event naming both; a discount over the cashier's limit likewise.
. "$KASSA_TOP/tests/lib/tmux.sh"
ui_setup
printf '[till]\nlanguage = ru\n' > "$T/kassa.conf"
ui_start 100 30
wait_for "PIN"
keys 1111 Enter
wait_for "Размен"
keys 100000 Enter
wait_for "ИТОГО"
keys F1
wait_for "Клавиши"
wait_for "поиск по названию"
keys Escape
wait_for "ИТОГО"

keys "$B1" Enter "$B2" Enter
wait_for "Patir non"
# 15% off the line: over a cashier's 10%, the manager approves.
keys F4
wait_for "Скидка на строку"
keys "15%" Enter
wait_for "PIN менеджера"
keys 9999 Enter
wait_for "-900"
# A card tender, then a void of the selected line needs a manager.
keys F10
wait_for "ОПЛАТА"
keys Tab 1000 Enter
wait_for "К оплате"
keys Escape
wait_for "ИТОГО"
keys F8
wait_for "PIN менеджера"
keys 1111 Enter
wait_for "Dilnoza не может это подтвердить: нужен PIN менеджера"
screen | grep -q "АННУЛ" && fail "voided without a manager"
keys F8
wait_for "PIN менеджера"
keys 9999 Enter
wait_for "Строка аннулирована"
n=$(sqlite3 "$DB" "SELECT count(*) FROM events WHERE type = 'approval.granted' AND json_extract(payload, '$.approver') = 'Rustam' AND json_extract(payload, '$.user') = 'Dilnoza'")
[ "$n" = 2 ] || fail "expected 2 approval events naming both users, got $n"
[ "$(sqlite3 "$DB" "SELECT json_extract(payload, '$.right') FROM events WHERE type = 'approval.granted' ORDER BY seq" | tr '\n' ' ')" = "discount_big void_paid " ] ||
	fail "the approvals do not name the rights"
echo ok
