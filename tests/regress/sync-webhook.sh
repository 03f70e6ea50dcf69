#!/bin/sh
# The hub forwards a till's closed shift to a webhook (a Telegram bot URL in a shop): queued with
# the event, retried after the webhook fails (here: a 503 first), and delivered exactly once.
. "$KASSA_TOP/tests/lib/sync.sh"

cat > "$T/webhook.py" <<'PY'
import http.server, sys, os
out, portfile = sys.argv[1], sys.argv[2]
state = {"n": 0}
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        state["n"] += 1
        if state["n"] == 1:
            self.send_response(503); self.send_header("Retry-After", "1"); self.end_headers()
            return
        with open(out, "ab") as f:
            f.write(body + b"\n")
        self.send_response(200); self.end_headers()
    def log_message(self, *a):
        pass
# Port 0: the kernel picks a free one (a port of our choosing may be another test's).
s = http.server.HTTPServer(("127.0.0.1", 0), H)
with open(portfile + ".tmp", "w") as f:
    f.write(str(s.server_address[1]))
os.rename(portfile + ".tmp", portfile)
s.serve_forever()
PY
python3 "$T/webhook.py" "$T/received" "$T/webhook.port" &
WP=$!
trap 'kill $WP 2>/dev/null; hub_stop; rm -rf "$T"' EXIT INT TERM
wait_until 20 "the webhook server did not start" test -s "$T/webhook.port"
WPORT=$(cat "$T/webhook.port")

till_new t1
hub_start --webhook "http://127.0.0.1:$WPORT/bot" --webhook-events shift.closed
sell t1 "$B1"
printf 'login 1111\nclose 104000\n' | "$DRIVE" "$T/t1.db" > /dev/null || fail "close the shift"
sync_once t1 || fail "sync: $(cat "$T/sync.err")"
wait_until 30 "the webhook got nothing" test -s "$T/received"
# The hub counts the attempt after the webhook has answered: wait for the count, then give a
# second delivery (the bug this looks for) time to show.
two_attempts() { [ "$(hub_q "SELECT attempts FROM hub_webhooks")" = 2 ]; }
wait_until 30 "expected one failed attempt and one delivery: $(hub_q "SELECT attempts FROM hub_webhooks")" two_attempts
sleep 1.5
[ "$(wc -l < "$T/received")" = 1 ] || fail "the webhook got the shift more than once"
python3 -c '
import json, sys
m = json.loads(open(sys.argv[1]).readline())
assert m["type"] == "shift.closed" and m["device_id"] == "t1", m
assert m["payload"]["counted"] == 10400000, m
' "$T/received" || fail "the webhook message is not the closed shift"
[ "$(hub_q "SELECT attempts FROM hub_webhooks")" = 2 ] || fail "expected one failed attempt and one delivery"
echo ok
