#!/bin/sh
# hub-ingest: the hub judges what a till (or anything holding its token) posts, batch by batch,
# against the device's chain: a batch sent again is all duplicates; the same new event twice in
# one batch is stored once (the second a duplicate); an id it holds with other content, a seq
# gap, a wrong prev_hash, a hash that does not match the content, a payload with a number that
# is not an integer and a malformed event break the chain: the whole batch is answered 409 with
# the reason, the event's id and seq, and nothing of it is stored, not even the good events
# before the break; nothing refused moves the chain (the next good event still fits at
# head + 1). Control characters in a payload are escaped as the till's SQLite writes them
# (lower-case hex). The events are built here from the spec (docs/protocol.md), not by kassa.
. "$KASSA_TOP/tests/lib/sync.sh"

till_new t1
sell t1 "$B1" "$B2"
hub_start
sync_once t1 || fail "first sync: $(cat "$T/sync.err")"
check_agree t1
token=$(sed -n 's/^token = //p' "$T/t1.conf")
held=$(hub_q "SELECT count(*) FROM hub_events WHERE device_id = 't1'")

python3 - "$T/t1.db" "$PORT" "$token" <<'EOF' || fail "the hub judged a batch wrongly"
import hashlib, json, sqlite3, sys, urllib.error, urllib.request, uuid

db, port, token = sys.argv[1], sys.argv[2], sys.argv[3]
con = sqlite3.connect(db)
rows = con.execute("SELECT id, seq, type, at, payload, prev_hash, hash FROM events "
                   "ORDER BY seq").fetchall()
events = [dict(id=r[0], seq=r[1], type=r[2], at=r[3], payload=json.loads(r[4]),
               prev_hash=r[5], hash=r[6]) for r in rows]
head = events[-1]

def post(evs, status=200):
    body = json.dumps({"device_id": "t1", "events": evs,
                       "head": {"seq": head["seq"], "hash": head["hash"]}}).encode()
    req = urllib.request.Request("http://127.0.0.1:%s/v1/events" % port, data=body,
                                 headers={"Authorization": "Bearer " + token,
                                          "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            got, reply = r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        got, reply = e.code, json.loads(e.read())
    assert got == status, "HTTP %d, %d expected: %r" % (got, status, reply)
    return reply

def broken(evs, why, bad):
    """The batch is answered 409 naming the reason and the event that broke the chain."""
    r = post(evs, 409)
    assert why in r["error"], r
    assert r.get("id") == bad.get("id") and r.get("seq") == bad.get("seq"), r
    assert "event %d" % bad["seq"] in r["error"] if "seq" in bad else True, r

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
# A held id with other content: the chain breaks there.
bad = dict(events[0]); bad["hash"] = "0" * 64
broken([bad], "conflicting content", bad)
# A seq gap, a wrong prev_hash, a hash that does not match: the chain breaks there.
gap = make(head["hash"], head["seq"] + 2, {"amount": 100})
broken([gap], "seq gap: expected %d" % (head["seq"] + 1), gap)
prev = make("1" * 64, head["seq"] + 1, {"amount": 100})
broken([prev], "prev_hash", prev)
forged = make(head["hash"], head["seq"] + 1, {"amount": 100}); forged["payload"] = {"amount": 999}
broken([forged], "hash does not match", forged)
# A good event and then a gap: the whole batch is refused, the good one is not stored either.
good = make(head["hash"], head["seq"] + 1, {"amount": 100})
gap = make(good["hash"], head["seq"] + 3, {"amount": 100})
broken([good, gap], "seq gap: expected %d" % (head["seq"] + 2), gap)
# A number that is not an integer has no canonical form; a malformed event has no place.
real = make(head["hash"], head["seq"] + 1, {"amount": 1.5})
broken([real], "not an integer", real)
broken([{"seq": head["seq"] + 1}], "malformed event", {"seq": head["seq"] + 1})
# The same new event twice in one batch, then the next one: stored once each.
e1 = make(head["hash"], head["seq"] + 1, {"amount": 5000, "reason": "Размен"})
e2 = make(e1["hash"], head["seq"] + 2, {"amount": 7000})
expect(post([e1, e1, e2]), 2, 1, 0)
# Control characters, quotes, backslashes, Cyrillic, the okina and emoji in a payload: the hub
# writes them as the till does (\u001b, not \u001B), so the hash matches and it is stored.
e3 = make(e2["hash"], head["seq"] + 3, {"name": "Esc\x1b[2J \x01\x7f \"q\" \\ Ғўзал oʻ 🍞",
                                        "n": 2 ** 53 + 1, "m": -(2 ** 63), "e": ""})
expect(post([e3]), 1, 0, 0)
EOF
[ "$(hub_q "SELECT count(*) FROM hub_events WHERE device_id = 't1'")" = $((held + 3)) ] ||
	fail "the hub stored something it refused"
[ "$(hub_q "SELECT count(*) FROM hub_events WHERE status <> 'accepted'")" = 0 ] ||
	fail "a refused event was stored"
# The refusals are the client's; none is a database error for the hub's log.
grep -v "listening on" "$T/hub.log" | grep -q . && fail "the hub logged an error: $(cat "$T/hub.log")"
echo ok
