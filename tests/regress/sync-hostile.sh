#!/bin/sh
# The sync process against a hub that answers wrongly (a small python3 server, its answer chosen
# by $T/mode before each run): ids that were not sent, sent in another case, named twice or in
# two lists fail the whole reply and deliver nothing; a failing outbox read or write is shown
# and kept in `kassa status`; a huge Retry-After is bounded; wakes from the till do not cut a
# back-off short; a bad vat is refused; a failing push still lets the catalogue be pulled;
# updated_at is compared as a time and a bad one is refused; escape sequences in the hub's
# words never reach the terminal raw (`kassa status`, `kassa sync`).
. "$KASSA_TOP/tests/lib/sync.sh"
SYNC_BIN=$KASSA_BUILD/kassa-sync
HPID=""
WPID=""
SP=""
trap '[ -n "$SP" ] && kill "$SP" 2>/dev/null; [ -n "$WPID" ] && kill "$WPID" 2>/dev/null; [ -n "$HPID" ] && kill "$HPID" 2>/dev/null; rm -rf "$T"' EXIT INT TERM

cat > "$T/hub.py" <<'EOF'
import json, sys, http.server
T = sys.argv[1]

def mode():
    with open(T + "/mode") as f:
        return f.read().split()

class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def reply(self, code, obj, headers=()):
        body = json.dumps(obj).encode()
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        with open(T + "/changes.json") as f:
            self.reply(200, json.load(f))

    def do_POST(self):
        ev = json.loads(self.rfile.read(int(self.headers["Content-Length"])))["events"]
        ids = [e["id"] for e in ev]
        with open(T + "/posts", "a") as f:
            f.write("%d\n" % len(ids))
        m = mode()
        if m[0] == "extra":      # the first event, and ids the batch did not hold
            self.reply(200, {"accepted": ids[:1] + m[1:], "duplicates": [], "rejected": []})
        elif m[0] == "upper":    # every id, in another case
            self.reply(200, {"accepted": [i.upper() for i in ids], "duplicates": [],
                             "rejected": []})
        elif m[0] == "twice":    # the first id accepted twice
            self.reply(200, {"accepted": ids[:1] + ids, "duplicates": [], "rejected": []})
        elif m[0] == "both":     # the first id accepted and rejected
            self.reply(200, {"accepted": ids, "duplicates": [],
                             "rejected": [{"id": ids[0], "error": "no"}]})
        elif m[0] == "wait":     # 429 with the Retry-After given
            self.reply(429, {}, [("Retry-After", m[1])])
        elif m[0] == "400":
            self.reply(400, {"error": "bad event"})
        elif m[0] == "escreject":   # the first event rejected with a reason that clears a screen
            self.reply(200, {"accepted": ids[1:], "duplicates": [],
                             "rejected": [{"id": ids[0], "error": "bad\u001b[2J\u009b31m\u0007 ok"}]})
        elif m[0] == "esc409":      # the chain refused with such a reason
            self.reply(409, {"error": "gap\u001b[2J\u001b]0;owned\u0007 here", "id": ids[0]})
        else:
            self.reply(200, {"accepted": ids, "duplicates": [], "rejected": []})

s = http.server.HTTPServer(("127.0.0.1", 0), H)
with open(T + "/port.tmp", "w") as f:
    f.write(str(s.server_address[1]))
import os
os.rename(T + "/port.tmp", T + "/port")
s.serve_forever()
EOF
# product KEY UPDATED_AT NAME PRICE VAT / customer KEY UPDATED_AT NAME: one change, as JSON.
product() {
	printf '{"entity": "product", "key": "%s", "updated_at": "%s", "deleted": false, "data": ' "$1" "$2"
	printf '{"barcode": "%s", "name": "%s", "price": %s, "vat": %s}}' "$1" "$3" "$4" "$5"
}
customer() {
	printf '{"entity": "customer", "key": "%s", "updated_at": "%s", "deleted": false, ' "$1" "$2"
	printf '"data": {"name": "%s"}}' "$3"
}
# serve CURSOR CHANGE...: the page the python hub's /v1/changes answers next.
serve() {
	cursor=$1; shift
	changes=$(printf '%s,' "$@")
	printf '{"changes": [%s], "cursor": "%s", "more": false}\n' "${changes%,}" "$cursor" \
	    > "$T/changes.json"
}
echo ok > "$T/mode"
serve ""
python3 "$T/hub.py" "$T" 2> "$T/hub.log" &
HPID=$!
wait_until 10 "the python hub did not start" test -f "$T/port"

till_new t1
sed -i "s#^url = .*#url = http://127.0.0.1:$(cat "$T/port")#" "$T/t1.conf"
printf 'batch = 1\n' >> "$T/t1.conf"
sell t1 "$B1" "$B2" "$B1"
n_events=$(till_q t1 "SELECT count(*) FROM events")
[ "$n_events" -ge 5 ] || fail "expected at least 5 events, got $n_events"
posts() { [ -f "$T/posts" ] && wc -l < "$T/posts" || echo 0; }
pending() { till_q t1 "SELECT count(*) FROM outbox WHERE state = 'pending'"; }
drained() { [ "$(pending)" = 0 ]; }
posted() { [ "$(posts)" -ge 1 ]; }
gone() { ! kill -0 "$1" 2>/dev/null; }
last_error() { till_q t1 "SELECT value FROM meta WHERE key = 'sync_last_error'"; }
price() { till_q t1 "SELECT p.$2 FROM products p JOIN barcodes b ON b.product_id = p.id WHERE b.code = '$1'"; }

# 1. The first reply also "accepts" the ids of seq 4 and 5, never sent: nothing is believed.
extra=$(till_q t1 "SELECT group_concat(id, ' ') FROM events WHERE seq IN (4, 5)")
echo "extra $extra" > "$T/mode"
sync_once t1 && fail "sync --once took a reply naming events not sent"
grep -q "not in the batch" "$T/sync.err" || fail "the foreign ids are not reported: $(cat "$T/sync.err")"
[ "$(posts)" = 1 ] || fail "$(posts) POSTs after a bad reply, 1 expected"
[ "$(pending)" = "$n_events" ] || fail "$(pending) of $n_events pending: a bad reply deleted events"
last_error | grep -q "not in the batch" || fail "the bad reply is not kept in meta"

# 2. Ids echoed in upper case: a failure after one POST, not a loop of POSTs.
echo upper > "$T/mode"
timeout 10 "$KASSA_BIN" -d "$T/t1.db" -c "$T/t1.conf" sync --once 2> "$T/sync.err" &&
	fail "sync --once took ids it did not send"
[ "$(posts)" = 2 ] || fail "$(posts) POSTs: ids in another case made it post again"
[ "$(pending)" = "$n_events" ] || fail "ids in another case changed the outbox"

# 3. One id named twice, or accepted and rejected at once: the whole reply fails.
echo twice > "$T/mode"
sync_once t1 && fail "sync --once took an id accepted twice"
grep -q "twice" "$T/sync.err" || fail "the id named twice is not reported: $(cat "$T/sync.err")"
echo both > "$T/mode"
sync_once t1 && fail "sync --once took an id both accepted and rejected"
grep -q "twice" "$T/sync.err" || fail "the id in two lists is not reported: $(cat "$T/sync.err")"
[ "$(pending)" = "$n_events" ] || fail "a contradictory reply changed the outbox"

# Then a correct hub gets all of them.
echo ok > "$T/mode"
sync_once t1 || fail "sync to a correct hub: $(cat "$T/sync.err")"
[ "$(till_q t1 "SELECT count(*) FROM outbox")" = 0 ] || fail "events left after a good sync"

# 6. The outbox cannot be written (a trigger stands in for a busy database) or read (a payload
# that is not JSON): the failure says what failed, here and in `kassa status`.
sell t1 "$B2"
till_q t1 "CREATE TRIGGER no_delete BEFORE DELETE ON outbox BEGIN SELECT RAISE(ABORT, 'held for the test'); END"
sync_once t1 && fail "sync --once succeeded without marking the outbox"
grep -q "marking the outbox: held for the test" "$T/sync.err" || fail "the failed write is not said: $(cat "$T/sync.err")"
last_error | grep -q "marking the outbox" || fail "the failed write is not kept in meta"
till_q t1 "DROP TRIGGER no_delete"
seq=$(till_q t1 "SELECT min(seq) FROM outbox")
till_q t1 "DROP TRIGGER events_no_update; CREATE TABLE keep AS SELECT seq, payload FROM events WHERE seq = $seq;
    UPDATE events SET payload = '{not json' WHERE seq = $seq" || fail "cannot spoil a payload"
sync_once t1 && fail "sync --once succeeded with a payload that is not JSON"
grep -q "reading the batch to send: reading the outbox" "$T/sync.err" || fail "the failed read is not said: $(cat "$T/sync.err")"
last_error | grep -q "reading the outbox" || fail "the failed read is not kept in meta"
till_q t1 "UPDATE events SET payload = (SELECT payload FROM keep) WHERE seq = $seq; DROP TABLE keep;
    CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'events are immutable'); END"
sync_once t1 || fail "sync after the outbox is fine again: $(cat "$T/sync.err")"

# 7. A vat that would wrap around to 12 % is refused with the change, not stored.
echo ok > "$T/mode"
vat_before=$(price "$B2" vat_bp)
serve c2 "$(product "$B2" 2031-01-02T00:00:00.000Z "Patir non" 5000 4294967308)"
sync_once t1 && fail "sync --once took a vat of 4294967308"
grep -q "bad vat" "$T/sync.err" || fail "the bad vat is not reported: $(cat "$T/sync.err")"
[ "$(price "$B2" vat_bp)" = "$vat_before" ] || fail "a vat of 4294967308 was stored as $(price "$B2" vat_bp)"
[ "$(till_q t1 "SELECT value FROM meta WHERE key = 'sync_cursor'")" != c2 ] || fail "the cursor moved past a refused change"
sed -i 's/4294967308/12/' "$T/changes.json"
sync_once t1 || fail "sync with a good vat: $(cat "$T/sync.err")"
[ "$(price "$B2" vat_bp)" = 1200 ] || fail "the good vat was not stored"

# 8. The hub answers every push with 400: the push fails, but a newer price is still pulled.
sell t1 "$B1"
echo 400 > "$T/mode"
serve c1 "$(product "$B1" 2031-01-01T00:00:00.000Z "Nonvoyxona non" 123400 12)"
sync_once t1 && fail "sync --once succeeded on a 400"
grep -q "HTTP 400" "$T/sync.err" || fail "the 400 is not reported: $(cat "$T/sync.err")"
[ "$(price "$B1" price)" = 123400 ] || fail "a failing push kept the catalogue from being pulled"

# 9. updated_at is compared as a time: "9999" is refused with its key (the cursor stays) and
# blocks nothing; ".500Z" is later than "Z"; "+05:00" is compared as UTC.
echo ok > "$T/mode"
at_before=$(price "$B2" updated_at)
serve c3 "$(product "$B2" 9999 "Patir non" 9999 12)"
sync_once t1 && fail "sync --once took an updated_at of 9999"
grep -q "product change $B2 has a bad updated_at" "$T/sync.err" || fail "the bad updated_at is not reported: $(cat "$T/sync.err")"
[ "$(price "$B2" updated_at)" = "$at_before" ] || fail "an updated_at of 9999 was stored"
[ "$(till_q t1 "SELECT value FROM meta WHERE key = 'sync_cursor'")" != c3 ] || fail "the cursor moved past a bad updated_at"
serve c3 "$(product "$B2" 2031-01-03T09:00:00Z "Patir non" 6000 12)" \
    "$(product "$B2" 2031-01-03T09:00:00.500Z "Patir non" 6500 12)" \
    "$(product "$B2" 2031-01-03T14:00:00.250+05:00 "Patir non" 7000 12)" \
    "$(customer k1 2031-01-03T09:00:00Z First)" \
    "$(customer k1 2031-01-03T09:00:00.500Z "Half a second later")"
sync_once t1 || fail "sync after the bad updated_at is fixed: $(cat "$T/sync.err")"
[ "$(price "$B2" price)" = 6500 ] || fail "LWW by time: price $(price "$B2" price), 6500 expected (.500Z after Z; +05:00 is earlier in UTC)"
[ "$(price "$B2" updated_at)" = 2031-01-03T09:00:00.500Z ] || fail "updated_at stored as $(price "$B2" updated_at)"
[ "$(till_q t1 "SELECT name FROM customers WHERE key = 'k1'")" = "Half a second later" ] || fail "a customer's .500Z lost to Z"
[ "$(till_q t1 "SELECT value FROM meta WHERE key = 'sync_cursor'")" = c3 ] || fail "the cursor did not move"

# 10. A rejection's reason and a 409's carrying "\u001b[2J" (clear the screen), a C1 CSI and
# a window title: `kassa status` and `kassa sync` print them escaped, never raw.
noesc() {	# FILE: no ESC, BEL or C1 CSI byte in it
	! LC_ALL=C grep -q "$(printf '[\033\007]')" "$1" && ! LC_ALL=C grep -q "$(printf '\302\233')" "$1"
}
sell t1 "$B1" "$B2"
echo escreject > "$T/mode"
sync_once t1
"$KASSA_BIN" -d "$T/t1.db" status > "$T/status.txt" || fail "kassa status"
noesc "$T/status.txt" || fail "kassa status printed an escape sequence raw: $(od -c "$T/status.txt" | grep -m1 033)"
grep -q 'bad\\x1b\[2J\\u009b31m\\x07 ok' "$T/status.txt" || fail "the reason is not shown escaped: $(cat "$T/status.txt")"
echo esc409 > "$T/mode"
sell t1 "$B1"
sync_once t1 && fail "sync --once succeeded on a 409"
noesc "$T/sync.err" || fail "kassa sync printed an escape sequence raw"
grep -q 'gap\\x1b\[2J\\x1b\]0;owned\\x07 here' "$T/sync.err" || fail "the 409 is not shown escaped: $(cat "$T/sync.err")"
"$KASSA_BIN" -d "$T/t1.db" status > "$T/status.txt" || fail "kassa status"
noesc "$T/status.txt" || fail "kassa status printed the 409's escape sequence raw"
grep -q "^stopped .*gap.*x1b" "$T/status.txt" || fail "the stop is not shown: $(cat "$T/status.txt")"
"$KASSA_BIN" -d "$T/t1.db" sync --retry-rejected > /dev/null || fail "sync --retry-rejected"
echo ok > "$T/mode"
sync_once t1 || fail "sync after the escapes: $(cat "$T/sync.err")"

# 4. Retry-After: 3000000 is bounded to an hour, and the process still stops at once.
sell t1 "$B1"
echo "wait 3000000" > "$T/mode"
: > "$T/posts"
"$SYNC_BIN" -v -d "$T/t1.db" -c "$T/t1.conf" 2> "$T/loop.err" &
SP=$!
wait_until 15 "no back-off logged" grep -q "next try" "$T/loop.err"
grep -q "next try in 3600 s" "$T/loop.err" || fail "Retry-After is not bounded: $(cat "$T/loop.err")"
kill "$SP"
wait_until 5 "the sync process did not stop on SIGTERM" gone "$SP"
wait "$SP"
SP=""

# 5. The worker backing off after a 429 with Retry-After: 120 is woken by five commits: it
# posts no earlier, and it stops when the till closes its end of the wake pipe.
echo "wait 120" > "$T/mode"
: > "$T/posts"
mkfifo "$T/wake"
"$SYNC_BIN" -d "$T/t1.db" -c "$T/t1.conf" --worker 3< "$T/wake" 4> "$T/status" &
WPID=$!
exec 5> "$T/wake"
wait_until 15 "the worker did not post" posted
for i in 1 2 3 4 5; do
	echo x >&5
	sleep 0.2
done
[ "$(posts)" = 1 ] || fail "$(posts) POSTs: wakes from the till cut the back-off short"
exec 5>&-
wait_until 5 "the worker did not stop with the till" gone "$WPID"
wait "$WPID"
WPID=""

# After a good cycle a wake sends the new sale at once.
echo ok > "$T/mode"
"$SYNC_BIN" -d "$T/t1.db" -c "$T/t1.conf" --worker 3< "$T/wake" 4> "$T/status" &
WPID=$!
exec 5> "$T/wake"
wait_until 15 "the worker did not drain the outbox" drained
sell t1 "$B2"
echo x >&5
# 10 s: a deadline under a loaded machine, still far below the 30 s interval it would
# otherwise wait for.
wait_until 10 "a wake after a good cycle did not send the sale at once" drained
exec 5>&-
wait "$WPID"
WPID=""
echo ok
