#!/bin/sh
# End to end on the real till in tmux: customers, credit (nasiya) and points. F7 finds a
# customer by part of the phone and attaches them (the sale screen shows who, what they owe and
# their points); a credit sale within the limit; the next one past it is refused saying how
# much credit is left and is paid in cash; a split cash/credit tender; points earned ([loyalty]
# earn = 2) and redeemed with the points tender; a new customer made at the sale; a repayment
# from the F12 menu; a repayment from the command line; the receipt names the customer.
. "$KASSA_TOP/tests/lib/tmux.sh"
ui_setup
printf '[loyalty]\nearn = 2\n[printer]\ndevice = file:%s\n' "$T/printer.out" > "$T/kassa.conf"
: > "$T/printer.out"
kassa customer add "Aziza Karimova" --phone "90 123 45 67" --card 7700001 --limit 20000 \
	> /dev/null || fail "customer add"
balance() { kassa customer list --json | json_get "[c for c in d if c['card'] == '7700001'][0]['$1']"; }
ui_start 100 30

login 1111 100000
# F7, part of the phone, Enter: Aziza is on the sale.
keys "3*$B1" Enter
wait_for "TOTAL: 12 000"
keys F7
wait_for "CUSTOMERS"
keys "4567"
wait_for "Aziza Karimova"
keys Enter
wait_for "Customer: Aziza Karimova  owes 0"
# 12 000 on credit: Tab to card, Tab to credit, Enter for the exact due.
keys F10
wait_for "PAYMENT"
keys Tab
wait_for "[CARD]"
keys Tab
wait_for "[CREDIT]"
keys Enter
wait_for "CHANGE"
[ "$(balance balance)" = 1200000 ] || fail "owes $(balance balance) after the credit sale"
[ "$(balance points)" = 240 ] || fail "points $(balance points) after the credit sale"
keys Space

# 2 x 6 000 more on credit: past the 20 000 limit (8 000 left): refused with what is left,
# then paid in cash.
keys "2*$B2" Enter
wait_for "TOTAL: 12 000"
keys F7
wait_for "CUSTOMERS"
keys 7700001 Enter
wait_for "owes 12 000"
keys F10
wait_for "PAYMENT"
keys Tab Tab
wait_for "[CREDIT]"
keys Enter
wait_for "8 000 of credit is left"
screen | grep -q "CHANGE" && fail "a sale past the limit completed"
keys Tab Tab
wait_for "[CASH]"
keys Enter
wait_for "CHANGE"
[ "$(balance balance)" = 1200000 ] || fail "the refused credit changed the balance"
keys Space

# A split: 4 000 cash, the rest (2 000) on credit.
keys "$B2" Enter
wait_for "TOTAL: 6 000"
keys F7
wait_for "CUSTOMERS"
keys Karim Enter
wait_for "owes 12 000"
keys F10
wait_for "PAYMENT"
keys 4000 Enter
wait_for "Due"
keys Tab Tab
wait_for "[CREDIT]"
keys Enter
wait_for "CHANGE"
[ "$(balance balance)" = 1400000 ] || fail "owes $(balance balance) after the split"
keys Space

# Points: 240 + 240 + 120 = 600 earned so far; 500 of them pay for bread, the rest in cash.
[ "$(balance points)" = 600 ] || fail "points $(balance points) before redeeming"
keys "$B1" Enter
wait_for "TOTAL: 4 000"
keys F7
wait_for "CUSTOMERS"
keys 7700001 Enter
wait_for "points 600"
keys F10
wait_for "PAYMENT"
keys Tab Tab Tab
wait_for "[POINTS]"
keys 500 Enter
wait_for "Due"
keys Tab
wait_for "[CASH]"
keys Enter
wait_for "CHANGE"
# 600 - 500 + 2% of the 3 500 paid in cash (70).
[ "$(balance points)" = 170 ] || fail "points $(balance points) after redeeming"
keys Space

# A new customer made at the sale (F7, F3): name, phone, card; on the sale at once.
keys "$B1" Enter
wait_for "TOTAL: 4 000"
keys F7
wait_for "CUSTOMERS"
keys F3
wait_for "New customer: name"
keys "Bobur Aliyev" Enter
wait_for "New customer: phone"
keys "91 000 11 22" Enter
wait_for "New customer: card"
keys 7700002 Enter
wait_for "Customer: Bobur Aliyev  owes 0"
keys F10
wait_for "PAYMENT"
keys Enter
wait_for "CHANGE"
keys Space
[ "$(kassa customer list --json | json_get "[c['phone'] for c in d if c['card'] == '7700002'][0]")" = "+998910001122" ] ||
	fail "the new customer is not as typed"

# A repayment from the F12 menu: the customers row, the customer, F6, amount, cash.
keys F12
wait_for "MENU"
keys 6
wait_for "CUSTOMERS"
keys 7700001
wait_for "Aziza Karimova"
keys F6
wait_for "Repayment from Aziza Karimova (owes 14 000"
keys 5000 Enter
wait_for "Paid in cash"
keys Enter
wait_for "Aziza Karimova paid 5 000: owed 14 000, now 9 000"
[ "$(balance balance)" = 900000 ] || fail "owes $(balance balance) after the repayment"
# ... and one from the command line.
kassa customer pay 7700001 1000 --method card > /dev/null || fail "customer pay"
[ "$(balance balance)" = 800000 ] || fail "owes $(balance balance) after the card repayment"

# The receipts: the credit sale's names the customer; the repayment's shows before and after.
i=0
until grep -q "Owed before" "$T/printer.out" 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 200 ] || fail "no repayment receipt printed"
	sleep 0.05
done
grep -a -q "Customer *Aziza Karimova" "$T/printer.out" || fail "no receipt names the customer"
grep -a -q "On credit" "$T/printer.out" || fail "no receipt shows the credit tender"
kassa journal verify > /dev/null 2>&1 || fail "journal verify"
echo "ok"
