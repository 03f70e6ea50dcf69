#!/bin/sh
# hub-ingest: the hub judges what a till (or anything holding its token) posts, batch by batch,
# against the device's chain: a batch sent again is all duplicates; an id it holds with other
# content is refused; the same new event twice in one batch is stored once (the second a
# duplicate); a seq gap, a wrong prev_hash and a hash that does not match the content are
# refused and stored nowhere; nothing refused moves the chain (the next good event still fits
# at head + 1). The events are built here from the spec (docs/protocol.md), not by kassa.
. "$KASSA_TOP/tests/lib/sync.sh"

till_new t1
sell t1 "$B1" "$B2"
hub_start
sync_once t1 || fail "first sync: $(cat "$T/sync.err")"
check_agree t1
token=$(sed -n 's/^token = //p' "$T/t1.conf")
held=$(hub_q "SELECT count(*) FROM hub_events WHERE device_id = 't1'")

python3 - "$T/t1.db" "$PORT" "$token" <<'EOF' || fail "the hub judged a batch wrongly"
import hashlib, json, sqlite3, sys, urllib.request, uuid

db, port, token = sys.argv[1], sys.argv[2], sys.argv[3]
con = sqlite3.connect(db)
rows = con.execute("SELECT id, seq, type, at, payload, prev_hash, hash FROM events "
                   "ORDER BY seq").fetchall()
events = [dict(id=r[0], seq=r[1], type=r[2], at=r[3], payload=json.loads(r[4]),
               prev_hash=r[5], hash=r[6]) for r in rows]
head = events[-1]

def post(evs):
    body = json.dumps({"device_id": "t1", "events": evs,
                       "head": {"seq": head["seq"], "hash": head["hash"]}}).encode()
    req = urllib.request.Request("http://127.0.0.1:%s/v1/events" % port, data=body,
                                 headers={"Authorization": "Bearer " + token,
                                          "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())

def make(prev, seq, payload):
    ev = dict(id=str(uuid.uuid4()), seq=seq, type="cash.in",
              at="2026-12-02T10:00:00.000Z", payload=payload, prev_hash=prev)
    canon = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    text = "\n".join([prev, ev["id"], str(seq), ev["type"], ev["at"], canon])
    ev["hash"] = hashlib.sha256(text.encode()).hexdigest()
    return ev

def expect(reply, acc, dup, rej):
    got = (len(reply["accepted"]), len(reply["duplicates"]), len(reply["rejected"]))
    assert got == (acc, dup, rej), "expected %r, got %r: %r" % ((acc, dup, rej), got, reply)

# The whole journal again: all duplicates.
expect(post(events), 0, len(events), 0)
# A held id with other content: refused.
bad = dict(events[0]); bad["hash"] = "0" * 64
r = post([bad]); expect(r, 0, 0, 1)
assert "conflicting content" in r["rejected"][0]["error"], r
# A seq gap, a wrong prev_hash, a hash that does not match: refused.
r = post([make(head["hash"], head["seq"] + 2, {"amount": 100})]); expect(r, 0, 0, 1)
assert "seq gap: expected %d" % (head["seq"] + 1) in r["rejected"][0]["error"], r
r = post([make("1" * 64, head["seq"] + 1, {"amount": 100})]); expect(r, 0, 0, 1)
assert "prev_hash" in r["rejected"][0]["error"], r
forged = make(head["hash"], head["seq"] + 1, {"amount": 100}); forged["payload"] = {"amount": 999}
r = post([forged]); expect(r, 0, 0, 1)
assert "hash does not match" in r["rejected"][0]["error"], r
# The same new event twice in one batch, then the next one: stored once each.
e1 = make(head["hash"], head["seq"] + 1, {"amount": 5000, "reason": "Размен"})
e2 = make(e1["hash"], head["seq"] + 2, {"amount": 7000})
expect(post([e1, e1, e2]), 2, 1, 0)
EOF
[ "$(hub_q "SELECT count(*) FROM hub_events WHERE device_id = 't1'")" = $((held + 2)) ] ||
	fail "the hub stored something it refused"
[ "$(hub_q "SELECT count(*) FROM hub_events WHERE status <> 'accepted'")" = 0 ] ||
	fail "a refused event was stored"
echo ok
