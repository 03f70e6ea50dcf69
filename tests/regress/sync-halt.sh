#!/bin/sh
# sync-halt: a break in the chain is no one event's fault. The hub lost its last event (restored
# from an older backup), so the till's next batch does not follow its chain: the hub answers the
# whole batch 409 with the reason, the till keeps every event pending (none rejected, as every
# later one used to be, for good), stops pushing, still pulls the catalogue, and says so with
# the hub's reason in `kassa status` (text and --json) and in what its sync process publishes
# for the status bar. Once the hub is put right, `kassa sync --retry-rejected` (which also puts
# back events an older hub rejected for a gap) lets everything through, once.
. "$KASSA_TOP/tests/lib/sync.sh"

till_new t1
sell t1 "$B1" "$B2"
hub_start
sync_once t1 || fail "first sync: $(cat "$T/sync.err")"
check_agree t1
# The hub loses its last event.
last=$(hub_q "SELECT max(seq) FROM hub_events WHERE device_id = 't1'")
hub_q "CREATE TABLE lost AS SELECT * FROM hub_events WHERE device_id = 't1' AND seq = $last;
    DELETE FROM hub_events WHERE device_id = 't1' AND seq = $last"
sell t1 "$B1" "$B2" "$B1"
n_new=$(till_q t1 "SELECT count(*) FROM outbox")
printf 'barcode,name,price\n%s,Halt non,4321\n' "$B2" > "$T/p.csv"
"$KASSA_HUB_BIN" --db "$HUB_DB" import products "$T/p.csv" > /dev/null || fail "hub import"

sync_once t1 && fail "sync --once succeeded past a break in the chain"
grep -q "refused the chain (HTTP 409): event $((last + 1)): seq gap: expected $last" "$T/sync.err" ||
	fail "the hub's reason is not said: $(cat "$T/sync.err")"
grep -q "retry-rejected" "$T/sync.err" || fail "what to do is not said: $(cat "$T/sync.err")"
[ "$(till_q t1 "SELECT count(*) FROM outbox WHERE state = 'rejected'")" = 0 ] ||
	fail "events were rejected for a break in the chain"
[ "$(till_q t1 "SELECT count(*) FROM outbox WHERE state = 'pending'")" = "$n_new" ] ||
	fail "the events are not all kept pending"
[ "$(till_q t1 "SELECT p.name FROM products p JOIN barcodes b ON b.product_id = p.id WHERE b.code = '$B2'")" = "Halt non" ] ||
	fail "a refused chain kept the catalogue from being pulled"
"$KASSA_BIN" -d "$T/t1.db" status > "$T/status.txt" || fail "kassa status"
grep -q "^stopped .*seq gap: expected $last" "$T/status.txt" || fail "kassa status does not say pushing stopped: $(cat "$T/status.txt")"
grep -q "^last error .*409" "$T/status.txt" || fail "kassa status has no last error: $(cat "$T/status.txt")"
"$KASSA_BIN" -d "$T/t1.db" status --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert "seq gap" in d["sync_halted"], d
assert d["rejected"] == [] and d["outbox_rejected"] == 0, d
assert d["outbox_pending"] > 0 and "409" in d["last_error"], d' || fail "kassa status --json"

# Stopped: more sales are not pushed, not even by the sync process's own loop.
sell t1 "$B2"
sync_once t1 && fail "a stopped till pushed"
[ "$(hub_q "SELECT count(*) FROM hub_events WHERE device_id = 't1'")" = $((last - 1)) ] ||
	fail "a stopped till delivered events"
# What the sync process publishes for the status bar: stopped, and the hub's reason.
mkfifo "$T/wake"
"$KASSA_BUILD/kassa-sync" -d "$T/t1.db" -c "$T/t1.conf" --worker 3< "$T/wake" 4> "$T/status.line" &
WPID=$!
exec 5> "$T/wake"
wait_until 10 "the sync process published nothing" grep -q "halted=1" "$T/status.line"
grep -q "hub_reason=.*seq%20gap" "$T/status.line" || grep -q "hub_reason=.*seq gap" "$T/status.line" ||
	fail "the status line has no reason: $(cat "$T/status.line")"
exec 5>&-
wait "$WPID"

# The hub is put right (the lost event restored); an older hub had rejected one event for a
# gap: --retry-rejected puts it back and lifts the stop.
hub_q "INSERT INTO hub_events SELECT * FROM lost"
seq=$(till_q t1 "SELECT max(seq) FROM outbox")
till_q t1 "UPDATE outbox SET state = 'rejected', error = 'seq gap: expected 3' WHERE seq = $seq"
"$KASSA_BIN" -d "$T/t1.db" status > "$T/status.txt"
grep -q "^rejected .* $seq .*: seq gap: expected 3" "$T/status.txt" || fail "kassa status does not list the rejected event: $(cat "$T/status.txt")"
"$KASSA_BIN" -d "$T/t1.db" status --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
r = d["rejected"]
assert len(r) == 1 and r[0]["seq"] == int(sys.argv[1]) and r[0]["error"] == "seq gap: expected 3", d
assert r[0]["id"], d' "$seq" || fail "kassa status --json does not list the rejected event"
"$KASSA_BIN" -d "$T/t1.db" sync --retry-rejected > "$T/retry.out" || fail "sync --retry-rejected"
grep -q "^1 rejected events pending again; the halt is lifted" "$T/retry.out" || fail "retry says: $(cat "$T/retry.out")"
[ "$(till_q t1 "SELECT count(*) FROM outbox WHERE state <> 'pending'")" = 0 ] || fail "not all pending again"
sync_once t1 || fail "sync after the fix: $(cat "$T/sync.err")"
check_agree t1
[ "$(till_q t1 "SELECT count(*) FROM outbox")" = 0 ] || fail "events left after the fix"
[ "$(hub_q "SELECT count(*) FROM hub_events WHERE device_id = 't1'")" = "$(till_q t1 "SELECT count(*) FROM events")" ] ||
	fail "the hub does not hold every event once"
"$KASSA_BIN" -d "$T/t1.db" status --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["sync_halted"] is None and d["rejected"] == [] and d["last_error"] is None, d' ||
	fail "the stop is still shown after the fix"
# Nothing to retry: says so.
"$KASSA_BIN" -d "$T/t1.db" sync --retry-rejected > "$T/retry.out" || fail "sync --retry-rejected again"
grep -q "^0 rejected events pending again$" "$T/retry.out" || fail "retry says: $(cat "$T/retry.out")"
echo ok
