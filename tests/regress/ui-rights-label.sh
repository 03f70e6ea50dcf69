#!/bin/sh
# ui-rights-label (issue 9): a scale label that carries its price is charged that price. With
# [barcode] weight = PPCCCC$$$$$$K, a label of 1 000.00 so'm for saffron at 123 456.78 a kg
# came to 987.65 (the weight worked out from it, 8 g, times the price); now the cart, the
# payment and the sale's event say 1 000.
. "$KASSA_TOP/tests/lib/tmux.sh"
ui_setup
printf 'barcode,name,price,unit,plu,sku\n%s,Zafaron,123456.78,kg,77,SAFFRON\n' \
    "$(python3 -c "s='478000000777'; print(s + str((10 - sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(s)) % 10) % 10))")" > "$T/saffron.csv"
kassa import products "$T/saffron.csv" > /dev/null || fail "import"
printf '[barcode]\nweight = PPCCCC$$$$$$K\n' > "$T/kassa.conf"
label=$(python3 -c "s='210077100000'; print(s + str((10 - sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(s)) % 10) % 10))")
ui_start 100 30
login 1111 100000
keys "$label" Enter
wait_for "Zafaron"
wait_for "123 456.78"
screen | grep -q "987.65" && fail "charged the weight times the price, not the label"
keys F10
wait_for "PAYMENT"
keys Enter
wait_for "CHANGE"
[ "$(sqlite3 "$DB" "SELECT total || ' ' || json_extract((SELECT payload FROM events WHERE type = 'sale.completed'), '$.lines[0].total') FROM sales WHERE state = 'completed'")" = "100000 100000" ] ||
	fail "the sale is not 1 000.00: $(sqlite3 "$DB" "SELECT total FROM sales")"
echo ok
