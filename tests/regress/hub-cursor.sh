#!/bin/sh
# hub-cursor: the changes feed follows the hub's own change count, not its clock. A product
# published after the clock stepped back (an earlier updated_at than one a till already has)
# still reaches that till; a till holding a cursor of the older "updated_at|id" shape gets every
# change, the ones behind that cursor too; a hub database from before change_seq is numbered
# in the order it used to serve, and its counter goes on from there.
. "$KASSA_TOP/tests/lib/sync.sh"
. "$KASSA_TOP/tests/lib/clock.sh"

till_new t1
till_new t2
hub_start
has() {
	[ "$(till_q "$1" "SELECT count(*) FROM products WHERE name = '$2'")" = 1 ]
}

printf 'barcode,name,price\n4780000000021,Birinchi,1000\n' > "$T/p1.csv"
at_time 2030-01-01T12:01:00.000Z "$KASSA_HUB_BIN" --db "$HUB_DB" import products "$T/p1.csv" > /dev/null ||
	fail "import p1"
sync_once t1 || fail "t1 pull 1: $(cat "$T/sync.err")"
has t1 Birinchi || fail "t1 did not get the first product"

# The hub's clock steps back a minute: the next product is published "earlier".
printf 'barcode,name,price\n4780000000038,Ikkinchi,2000\n' > "$T/p2.csv"
at_time 2030-01-01T12:00:00.000Z "$KASSA_HUB_BIN" --db "$HUB_DB" import products "$T/p2.csv" > /dev/null ||
	fail "import p2"
sync_once t1 || fail "t1 pull 2: $(cat "$T/sync.err")"
has t1 Ikkinchi || fail "a product published under a clock stepped back never reached the till"
[ "$(till_q t1 "SELECT updated_at FROM products WHERE name = 'Ikkinchi'")" = 2030-01-01T12:00:00.000Z ] ||
	fail "updated_at is not the hub's time of publication"
cursor=$(till_q t1 "SELECT value FROM meta WHERE key = 'sync_cursor'")
case $cursor in
c[0-9]*) ;;
*) fail "the cursor is not the change count: '$cursor'" ;;
esac

# t2 holds a cursor of the older shape, "updated_at|id" of the first product: the second
# product sorts before it by time, so only a feed from the start can give it to t2.
old="2030-01-01T12:01:00.000Z|$(hub_q "SELECT id FROM hub_products WHERE barcode = '4780000000021'")"
till_q t2 "INSERT INTO meta(key, value) VALUES ('sync_cursor', '$old') ON CONFLICT(key) DO UPDATE SET value = excluded.value"
sync_once t2 || fail "t2 pull with an old cursor: $(cat "$T/sync.err")"
has t2 Ikkinchi || fail "an old-style cursor lost the change behind it"
has t2 Birinchi || fail "an old-style cursor lost a change"
[ "$(till_q t2 "SELECT value FROM meta WHERE key = 'sync_cursor'")" = "$(till_q t1 "SELECT value FROM meta WHERE key = 'sync_cursor'")" ] ||
	fail "t2 does not hold the current cursor after an old-style one"
hub_stop

# A hub database from before change_seq: numbered in (updated_at, id) order when opened.
OLD=$T/old.db
sqlite3 "$OLD" "CREATE TABLE hub_products (id INTEGER PRIMARY KEY, barcode TEXT NOT NULL UNIQUE,
    data TEXT NOT NULL, updated_at TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0);
    CREATE INDEX hub_products_cursor ON hub_products(updated_at, id);
    INSERT INTO hub_products VALUES (1, 'a', '{}', '2030-01-02T00:00:00.000Z', 0),
        (2, 'b', '{}', '2030-01-01T00:00:00.000Z', 0), (3, 'c', '{}', '2030-01-02T00:00:00.000Z', 0);" ||
	fail "an old hub database"
"$KASSA_HUB_BIN" --db "$OLD" report > /dev/null || fail "the hub did not open an old database"
[ "$(sqlite3 "$OLD" "SELECT group_concat(barcode || change_seq, ',') FROM (SELECT * FROM hub_products ORDER BY change_seq)")" = "b1,a2,c3" ] ||
	fail "the old rows are not numbered in the order they were served: $(sqlite3 "$OLD" "SELECT barcode, change_seq FROM hub_products")"
printf 'barcode,name,price\n4780000000052,D,1\n' > "$T/d.csv"
at_time 2020-01-01T00:00:00.000Z "$KASSA_HUB_BIN" --db "$OLD" import products "$T/d.csv" > /dev/null ||
	fail "import into the migrated database"
[ "$(sqlite3 "$OLD" "SELECT change_seq FROM hub_products WHERE barcode = '4780000000052'")" = 4 ] ||
	fail "the counter does not go on after the migrated rows"
"$KASSA_HUB_BIN" --db "$OLD" report > /dev/null || fail "the migrated database opened again"
[ "$(sqlite3 "$OLD" "SELECT value FROM hub_counters WHERE name = 'changes'")" = 4 ] ||
	fail "opening a migrated database again changed its counter"
echo ok
