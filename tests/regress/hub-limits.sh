#!/bin/sh
# hub-limits: what a client that is not a till (or a broken one) sends cannot crash the hub: a
# cursor the hub did not write is answered 400 (a non-UTF-8 one crashed it). After that the hub
# still serves a till.
. "$KASSA_TOP/tests/lib/sync.sh"

till_new t1
hub_start
token=$(sed -n 's/^token = //p' "$T/t1.conf")

python3 - "$PORT" "$token" <<'EOF' || fail "the hub mishandled a hostile request"
import json, sys, urllib.error, urllib.request

port, token = int(sys.argv[1]), sys.argv[2]

def call(method, path, body=None, auth=True):
    headers = {"Content-Type": "application/json"}
    if auth:
        headers["Authorization"] = "Bearer " + token
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path), data=body,
                                 headers=headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())

# Cursors the hub never wrote: 400, not a crash.
for since in ("%FF%7C99999", "2026-01-01T00:00:00.000Z%7Cabc", "nocursor"):
    st, j = call("GET", "/v1/changes?since=" + since)
    assert st == 400 and "cursor" in j["error"], (since, st, j)
st, j = call("GET", "/v1/changes?since=2026-01-01T00:00:00.000Z%7C1")
assert st == 200 and j["cursor"] == "2026-01-01T00:00:00.000Z|1", (st, j)
EOF
kill -0 "$HUB_PID" 2>/dev/null || fail "the hub died"
sell t1 "$B1"
sync_once t1 || fail "a till's sync after the hostile requests: $(cat "$T/sync.err")"
check_agree t1
[ "$(hub_q "SELECT count(*) FROM hub_events")" -gt 0 ] || fail "nothing stored"
echo ok
