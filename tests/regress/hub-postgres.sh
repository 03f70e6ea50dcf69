#!/bin/sh
# The hub on PostgreSQL (a chain's hub): a private cluster on a unix socket in the test's folder.
# Sales made while the hub is down arrive exactly once; a lost acknowledgement is answered as
# duplicates; a catalogue change reaches the till, one published under a clock stepped back too,
# and an old database gets change_seq; the webhook queue works; the report reads it;
# a database error while a batch is judged is answered 503, not as a verdict, and its text
# stays in the hub's log; after PostgreSQL restarts the hub reconnects and the next push works.
. "$KASSA_TOP/tests/lib/sync.sh"
. "$KASSA_TOP/tests/lib/clock.sh"

PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$PGBIN/initdb" ] || { echo "SKIP: PostgreSQL server binaries are not installed"; exit 77; }
PGDIR=$T/pg
PGPORT=$((PORT + 13))
mkdir -p "$PGDIR"
# PostgreSQL refuses to run as root: as root, the cluster belongs to the postgres user.
as_pg() {
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
if [ "$(id -u)" = 0 ]; then
	chmod 755 "$T"
	chown postgres "$PGDIR"
fi
as_pg "$PGBIN/initdb" -D "$PGDIR/data" -A trust -U postgres > "$T/initdb.log" 2>&1 ||
	{ cat "$T/initdb.log"; fail "initdb"; }
as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w \
    -o "-k $PGDIR -c listen_addresses='' -p $PGPORT -c fsync=off" start > /dev/null ||
	{ cat "$PGDIR/log"; fail "pg_ctl start"; }
trap 'hub_stop; as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -m immediate stop > /dev/null 2>&1; rm -rf "$T"' EXIT INT TERM
HUB_DB="postgresql:///postgres?host=$PGDIR&port=$PGPORT&user=postgres"
hub_q() {
	psql "$HUB_DB" -XAtqc "$1"
}

till_new t1
sell t1 "$B1" "2*$B2"
sync_once t1 && fail "sync succeeded with the hub down"
hub_start --fault drop:1
sync_once t1 && fail "sync succeeded without an answer"
sync_once t1 || fail "sync on PostgreSQL: $(cat "$T/sync.err")"
check_agree t1
[ "$(till_q t1 "SELECT count(*) FROM outbox")" = 0 ] || fail "events left pending"
[ "$(hub_q "SELECT count(*) FROM hub_events WHERE type = 'sale.completed'")" = 2 ] ||
	fail "2 sales expected on PostgreSQL, stored once"
"$KASSA_HUB_BIN" --db "$HUB_DB" report | grep -q "t1" || fail "the report on PostgreSQL"
hub_stop

printf 'barcode,name,price\n%s,Nonvoyxona non,5555\n' "$B1" > "$T/change.csv"
at_time 2030-01-01T00:00:00.000Z "$KASSA_HUB_BIN" --db "$HUB_DB" import products "$T/change.csv" > /dev/null ||
	fail "import on PostgreSQL"
hub_start
sync_once t1 || fail "pull on PostgreSQL: $(cat "$T/sync.err")"
[ "$(till_q t1 "SELECT p.price FROM products p JOIN barcodes b ON b.product_id = p.id WHERE b.code = '$B1'")" = 555500 ] ||
	fail "the catalogue change on PostgreSQL did not reach the till"
# The hub's clock steps back: a product published "earlier" still reaches the till, which
# holds a cursor past it in time (the feed follows change_seq, not updated_at).
printf 'barcode,name,price\n4780000000038,Ikkinchi,2000\n' > "$T/p2.csv"
at_time 2029-12-31T23:59:00.000Z "$KASSA_HUB_BIN" --db "$HUB_DB" import products "$T/p2.csv" > /dev/null ||
	fail "import p2 on PostgreSQL"
sync_once t1 || fail "pull 2 on PostgreSQL: $(cat "$T/sync.err")"
[ "$(till_q t1 "SELECT count(*) FROM products WHERE name = 'Ikkinchi'")" = 1 ] ||
	fail "a product published under a clock stepped back never reached the till on PostgreSQL"
# Customers on PostgreSQL: one made at t1 and a sale on credit; the hub adds up the balance
# and serves it back with the seq of t1's events it counts.
"$KASSA_BIN" -d "$T/t1.db" customer add Aziza --phone 901234567 --limit 20000 > /dev/null ||
	fail "customer add"
printf 'login 1111\nscan %s\ncustomer 901234567\npay credit 0\n' "$B1" |
	"$DRIVE" "$T/t1.db" > "$T/credit.out" 2>&1 || fail "a credit sale: $(cat "$T/credit.out")"
sync_once t1 || fail "customer push on PostgreSQL: $(cat "$T/sync.err")"
sync_once t1 || fail "customer pull on PostgreSQL: $(cat "$T/sync.err")"
[ "$(hub_q "SELECT name || '|' || balance FROM hub_customers")" = "Aziza|555500" ] ||
	fail "the hub's customer on PostgreSQL: $(hub_q "SELECT * FROM hub_customers")"
[ "$(till_q t1 "SELECT hub_balance || '|' || (hub_seq = (SELECT max(seq) FROM events WHERE
    type = 'sale.completed')) FROM customers")" = "555500|1" ] ||
	fail "the hub's confirmed balance did not reach t1: $(till_q t1 "SELECT * FROM customers")"
# A hub database from before change_seq is numbered in (updated_at, id) order when opened.
psql "$HUB_DB" -Xqc "CREATE DATABASE old" > /dev/null || fail "CREATE DATABASE old"
OLD_DB="postgresql:///old?host=$PGDIR&port=$PGPORT&user=postgres"
psql "$OLD_DB" -Xqc "CREATE TABLE hub_products (id BIGSERIAL PRIMARY KEY, barcode TEXT NOT NULL
    UNIQUE, data TEXT NOT NULL, updated_at TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0);
    CREATE INDEX hub_products_cursor ON hub_products(updated_at, id);
    INSERT INTO hub_products(barcode, data, updated_at) VALUES ('a', '{}', '2030-01-02'),
        ('b', '{}', '2030-01-01'), ('c', '{}', '2030-01-02')" > /dev/null || fail "an old hub database"
"$KASSA_HUB_BIN" --db "$OLD_DB" report > /dev/null || fail "the hub did not open an old PostgreSQL database"
[ "$(psql "$OLD_DB" -XAtqc "SELECT string_agg(barcode || change_seq, ',' ORDER BY change_seq) FROM hub_products") $(psql "$OLD_DB" -XAtqc "SELECT value FROM hub_counters")" = "b1,a2,c3 3" ] ||
	fail "the old PostgreSQL rows are not numbered in the order they were served"

# A database error while a batch is judged is answered 503, which the till retries; it used
# to read as "no event yet", so the batch was rejected with "seq gap: expected 1" for good.
# The error is real: the hub's role may read only id and hash of hub_events (the read of known
# ids works), not the chain head's columns.
hub_stop
psql "$HUB_DB" -Xqc "CREATE ROLE kassa_hub LOGIN; GRANT USAGE, CREATE ON SCHEMA public TO kassa_hub;
    GRANT ALL ON ALL TABLES IN SCHEMA public TO kassa_hub;
    GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO kassa_hub;
    ALTER TABLE hub_products OWNER TO kassa_hub; REVOKE SELECT ON hub_events FROM kassa_hub;
    GRANT SELECT (id, hash) ON hub_events TO kassa_hub" > /dev/null || fail "the hub's role"
ADMIN_DB=$HUB_DB
HUB_DB="postgresql:///postgres?host=$PGDIR&port=$PGPORT&user=kassa_hub"
hub_q() {
	psql "$ADMIN_DB" -XAtqc "$1"
}
sell t1 "$B2"
# One worker thread, so that the restart below meets a connection the hub already holds (with
# more, a request can land on a worker that opens its first connection after the restart).
hub_start --threads 1
sync_once t1 && fail "the sync succeeded while the hub could not read its chain"
grep -q "HTTP 503" "$T/sync.err" || fail "expected a 503, got: $(cat "$T/sync.err")"
# The 503 says nothing of the database's error (roles, tables, hosts): that is in the hub's log.
token=$(sed -n 's/^token = //p' "$T/t1.conf")
body=$(curl -s -H "Authorization: Bearer $token" -H "Content-Type: application/json" \
    -d '{"device_id": "t1", "events": []}' "http://127.0.0.1:$PORT/v1/events")
case "$body" in
*permission*|*hub_events*|*PostgreSQL*|*ERROR*) fail "the 503 shows the database's error: $body" ;;
*"try again later"*) ;;
*) fail "the 503 says nothing useful: $body" ;;
esac
grep -q "permission denied" "$T/hub.log" || fail "the database's error is not in the hub's log"
[ "$(till_q t1 "SELECT count(*) FROM outbox WHERE state <> 'pending'")" = 0 ] ||
	fail "the till was given a verdict on events the hub could not judge"
# Nor is a token the hub cannot look up a 401 ("check [sync] token"): a 503 too.
hub_q "REVOKE SELECT ON hub_devices FROM kassa_hub" > /dev/null
sync_once t1 && fail "the sync succeeded while the hub could not read its tokens"
grep -q "HTTP 503" "$T/sync.err" || fail "expected a 503 for tokens, got: $(cat "$T/sync.err")"
hub_q "GRANT SELECT ON hub_devices, hub_events TO kassa_hub" > /dev/null
sync_once t1 || fail "the sync once the hub can read: $(cat "$T/sync.err")"
check_agree t1
[ "$(till_q t1 "SELECT count(*) FROM outbox")" = 0 ] || fail "events left at the till"

# PostgreSQL restarts under the running hub: the next push finds the connection gone,
# reconnects and runs its transaction again (it used to be 503 until the hub was restarted).
sell t1 "$B1"
as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -w -m fast restart > "$T/restart.log" 2>&1 ||
	{ cat "$T/restart.log"; fail "pg_ctl restart"; }
sync_once t1 || fail "the push after PostgreSQL restarted: $(cat "$T/sync.err")"
check_agree t1
[ "$(till_q t1 "SELECT count(*) FROM outbox")" = 0 ] || fail "events left after the restart"
grep -q "reconnected to PostgreSQL" "$T/hub.log" || fail "the hub did not say it reconnected"
# And once more for a pull (the catalogue), with nothing to push.
as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -w -m fast restart > "$T/restart.log" 2>&1 ||
	{ cat "$T/restart.log"; fail "pg_ctl restart 2"; }
sync_once t1 || fail "the pull after PostgreSQL restarted again: $(cat "$T/sync.err")"
echo ok
