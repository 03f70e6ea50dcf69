#!/bin/sh
# sync-import: `kassa-hub import products` publishes only what its file says. A file of
# barcode,name,price changes the price on every till and keeps what the till has for the columns
# it lacks (a 0 % VAT, the SKU, the MXIK, the category), exactly as the till's own import keeps
# them; the hub's change carries no vat/sku/mxik it was not given. A blank MXIK on a row that is
# the second barcode of a product (same SKU) does not erase the MXIK the first row gave.
. "$KASSA_TOP/tests/lib/sync.sh"

till_new t1
product() {	# FIELD BARCODE: one field of the till's product with that barcode
	till_q t1 "SELECT coalesce(p.$1, '') FROM products p JOIN barcodes b ON b.product_id = p.id WHERE b.code = '$2'"
}
# The till's own import gives B1 a 0 % VAT, an SKU, an MXIK and a category.
printf 'barcode,name,price,vat,sku,mxik,category\n%s,Nonvoyxona non,4000,0,NON-1,10101001001000000,Non\n' "$B1" > "$T/own.csv"
"$KASSA_BIN" -d "$T/t1.db" import products "$T/own.csv" > /dev/null || fail "the till's import"
[ "$(product vat_bp "$B1")" = 0 ] || fail "the till's import did not set vat 0"
hub_start

# The hub publishes a file of barcodes, names and prices.
printf 'barcode,name,price\n%s,Nonvoyxona non,4500\n' "$B1" > "$T/prices.csv"
"$KASSA_HUB_BIN" --db "$HUB_DB" import products "$T/prices.csv" > /dev/null || fail "hub import"
data=$(hub_q "SELECT data FROM hub_products WHERE barcode = '$B1'")
case "$data" in *'"vat"'*|*'"sku"'*|*'"mxik"'*|*'"category"'*) fail "the hub published columns the file lacks: $data" ;; esac
sync_once t1 || fail "pull: $(cat "$T/sync.err")"
[ "$(product price "$B1")" = 450000 ] || fail "the new price did not reach the till: $(product price "$B1")"
[ "$(product vat_bp "$B1")" = 0 ] || fail "the till's 0 % VAT became $(product vat_bp "$B1")"
[ "$(product sku "$B1")" = NON-1 ] || fail "the till's SKU became '$(product sku "$B1")'"
[ "$(product mxik "$B1")" = 10101001001000000 ] || fail "the till's MXIK became '$(product mxik "$B1")'"
[ "$(product category "$B1")" = Non ] || fail "the till's category became '$(product category "$B1")'"

# The hub publishes vat and MXIK for B1 and a second barcode of the same product (same SKU)
# with a blank MXIK: the MXIK stays on both barcodes, on the hub and on the till.
printf 'barcode,name,price,vat,sku,mxik\n%s,Nonvoyxona non,4600,0,NON-1,10101001001000099\n4780000000038,Nonvoyxona non,4600,0,NON-1,\n' "$B1" > "$T/two.csv"
"$KASSA_HUB_BIN" --db "$HUB_DB" import products "$T/two.csv" > /dev/null || fail "hub import of two barcodes"
for code in "$B1" 4780000000038; do
	hub_q "SELECT data FROM hub_products WHERE barcode = '$code'" | grep -q '"mxik":"10101001001000099"' ||
		fail "the hub's change of $code lost the MXIK: $(hub_q "SELECT data FROM hub_products WHERE barcode = '$code'")"
done
sync_once t1 || fail "pull 2: $(cat "$T/sync.err")"
[ "$(product mxik "$B1")" = 10101001001000099 ] || fail "a blank MXIK on the second barcode erased it: '$(product mxik "$B1")'"
[ "$(product mxik 4780000000038)" = 10101001001000099 ] || fail "the second barcode has MXIK '$(product mxik 4780000000038)'"
[ "$(product price "$B1")" = 460000 ] || fail "price 2"
[ "$(product category "$B1")" = Non ] || fail "the category (not in the file) was lost"

# A later prices-only file keeps what the hub published before (vat 0, the MXIK).
printf 'barcode,name,price\n%s,Nonvoyxona non,4700\n' "$B1" > "$T/prices2.csv"
"$KASSA_HUB_BIN" --db "$HUB_DB" import products "$T/prices2.csv" > /dev/null || fail "hub import 3"
hub_q "SELECT data FROM hub_products WHERE barcode = '$B1'" | grep -q '"mxik":"10101001001000099".*"vat":0' ||
	fail "the hub forgot what it had published: $(hub_q "SELECT data FROM hub_products WHERE barcode = '$B1'")"
sync_once t1 || fail "pull 3: $(cat "$T/sync.err")"
[ "$(product price "$B1")" = 470000 ] && [ "$(product vat_bp "$B1")" = 0 ] && [ "$(product mxik "$B1")" = 10101001001000099 ] ||
	fail "after a prices-only file: price $(product price "$B1"), vat $(product vat_bp "$B1"), mxik $(product mxik "$B1")"
echo ok
