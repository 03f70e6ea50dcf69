#!/bin/sh
# Sync end to end against a real kassa-hub on loopback: sales made while the hub is down arrive
# exactly once when it is back; a 503, a 429 with Retry-After, a reply that is not JSON and a
# lost acknowledgement each leave the events pending and then deliver them once; a rejected
# event is kept, shown in `kassa status` and does not block the ones after it.
. "$KASSA_TOP/tests/lib/sync.sh"

till_new t1
sell t1 "$B1" "2*$B2" "$B1"
# The hub is down: nothing is lost, nothing is delivered, the reason is kept.
sync_once t1 && fail "sync --once succeeded with the hub down"
[ "$(till_q t1 "SELECT count(*) FROM outbox WHERE state = 'pending'")" -gt 0 ] || fail "no pending events"
"$KASSA_BIN" -d "$T/t1.db" status --json | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["outbox_pending"] > 0 and d["last_error"], d' ||
	fail "status does not show the pending events and the error"

# 503 first, then the hub works: all arrive once.
hub_start --fault 503:1
sync_once t1 && fail "sync --once succeeded on a 503"
sync_once t1 || fail "sync --once failed after the 503: $(cat "$T/sync.err")"
check_agree t1
[ "$(till_q t1 "SELECT count(*) FROM outbox")" = 0 ] || fail "events still pending"
[ "$(hub_q "SELECT count(*) FROM hub_events WHERE type = 'sale.completed'")" = 3 ] || fail "3 sales expected at the hub"
"$KASSA_BIN" -d "$T/t1.db" status --json | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["outbox_pending"] == 0 and d["last_sync_at"] and d["last_error"] is None, d' ||
	fail "status after a good sync"
hub_stop

# 429 with Retry-After, then a reply that is not JSON: pending both times, then delivered.
sell t1 "$B2"
hub_start --fault 429:1 --fault badjson:1
sync_once t1 && fail "sync --once succeeded on a 429"
grep -q "429" "$T/sync.err" || fail "the 429 is not reported"
sync_once t1 && fail "sync --once took a reply that is not JSON"
grep -qi "not JSON" "$T/sync.err" || fail "the bad reply is not reported"
sync_once t1 || fail "sync after 429 and bad JSON: $(cat "$T/sync.err")"
check_agree t1
[ "$(till_q t1 "SELECT count(*) FROM outbox")" = 0 ] || fail "events still pending after 429/badjson"
hub_stop

# The acknowledgement is lost after the hub stored the batch: resent, counted as duplicates.
sell t1 "$B1" "$B2"
hub_start --fault drop:1
sync_once t1 && fail "sync --once succeeded without an answer"
[ "$(till_q t1 "SELECT count(*) FROM outbox")" -gt 0 ] || fail "events marked delivered without an answer"
sync_once t1 || fail "sync after the lost ack: $(cat "$T/sync.err")"
check_agree t1
[ "$(till_q t1 "SELECT count(*) FROM outbox")" = 0 ] || fail "events pending after the resend"
[ "$(hub_q "SELECT count(*) FROM hub_events WHERE type = 'sale.completed'")" = 6 ] || fail "6 sales expected, stored once each"
hub_stop

# A rejected event is kept, flagged, never resent, and the events after it still go through.
next=$(( $(till_q t1 "SELECT max(seq) FROM events") + 1 ))
sell t1 "$B1" "$B2"
hub_start --fault "reject:$next"
sync_once t1
[ "$(till_q t1 "SELECT count(*) FROM outbox WHERE state = 'rejected'")" = 1 ] || fail "the rejected event is not flagged"
[ "$(till_q t1 "SELECT count(*) FROM outbox WHERE state = 'pending'")" = 0 ] || fail "events after the rejected one did not go through"
"$KASSA_BIN" -d "$T/t1.db" status --json | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["outbox_rejected"] == 1, d' ||
	fail "status does not show the rejected event"
sync_once t1 || true
[ "$(hub_q "SELECT count(*) FROM hub_events WHERE status = 'rejected'")" = 1 ] || fail "the rejected event was resent or lost"
check_agree t1
"$KASSA_BIN" -d "$T/t1.db" journal verify > /dev/null || fail "journal verify"
echo ok
