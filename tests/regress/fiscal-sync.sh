#!/bin/sh
# Fiscal documents end to end (CONTRACT.md section 8) against the gateway SIMULATOR of
# kassa-hub: sales and a return made while the gateway is down wait, shown in `kassa status`;
# the gateway back, after a 503, a 429 with Retry-After and a reply lost after the gateway
# signed, every document is signed exactly once (by id: the simulator holds each id once, the
# till one fiscal.signed event per document, receipt numbers without gaps); the refund cites
# its sale's sign; the signs are in `kassa sales --json`; kill -9 of `kassa sync` while the
# gateway is down loses nothing and signs nothing twice; a document the gateway refuses (4xx)
# is kept, shown, not resent, and `kassa sync --retry-rejected` sends it again; a credit
# tender is "other"; `kassa journal
# verify` checks the stored replies against their fiscal.signed events and names a forged sign.
. "$KASSA_TOP/tests/lib/fiscal.sh"

hub_start
fiscal_till t1
echo 9999 | "$KASSA_BIN" -d "$T/t1.db" user add Rustam --role manager > /dev/null || fail "manager"
sell t1 "$B1" "$B2"
printf 'login 1111\nscan 2*%s\npay card 0\n' "$B2" | "$DRIVE" "$T/t1.db" > /dev/null ||
	fail "the card sale"
printf 'login 1111\nreturn 3\nreturn-mark %s\nmanager 9999\nreturn-complete\n' "$B2" |
    "$DRIVE" "$T/t1.db" > "$T/out" 2>&1 || fail "the return: $(cat "$T/out")"
# shift_open + 3 sales + 1 refund
[ "$(fdocs t1 pending)" = 5 ] || fail "5 pending documents expected, not $(fdocs t1 pending)"
till_q t1 "SELECT body FROM fiscal_documents WHERE kind = 'sale' ORDER BY id LIMIT 1" |
    python3 -c '
import json, sys
d = json.load(sys.stdin)
l = d["lines"][0]
assert d["kind"] == "sale" and d["number"] == 1 and len(l["mxik"]) == 17, d
assert set(l) == {"barcode", "name", "mxik", "qty", "price", "discount", "total", "vat_rate", "vat"}, l
assert d["cash"] + d["card"] + d["other"] == sum(x["total"] for x in d["lines"]), d
' || fail "the sale document's body"

# The gateway is down: nothing is signed, the documents wait and `kassa status` says so.
sync_once t1 && fail "sync --once succeeded with the gateway down"
[ "$(fdocs t1 pending)" = 5 ] || fail "documents left the queue with the gateway down"
"$KASSA_BIN" -d "$T/t1.db" -c "$T/t1.conf" status --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["fiscal_pending"] == 5 and d["fiscal_rejected"] == 0 and d["fiscal_oldest_at"], d
assert d["fiscal_warning"] is False and d["fiscal_last_error"], d
' || fail "status --json does not show the waiting documents"
"$KASSA_BIN" -d "$T/t1.db" sales --json | python3 -c '
import json, sys
assert all(o["fiscal"] is None for o in json.load(sys.stdin))
' || fail "a sale has fiscal data before any reply"

# kill -9 of the sync process (and so of its fiscal sender) while the gateway is down.
"$KASSA_BIN" -d "$T/t1.db" -c "$T/t1.conf" sync > "$T/fg.log" 2>&1 &
sp=$!
wait_until 10 "the fiscal sender did not start" sh -c "pgrep -P $sp > /dev/null"
child=$(pgrep -P "$sp")
sleep 0.5
kill -9 "$sp"
wait "$sp" 2> /dev/null
wait_until 10 "the fiscal sender outlived its sync process" sh -c "! kill -0 $child 2>/dev/null"
[ "$(fdocs t1 pending)" = 5 ] || fail "kill -9 lost documents"

# 503, then 429 with Retry-After, then the reply lost after the gateway signed: each leaves
# the documents pending; then every one is signed once.
sim_start --fault 503:1 --fault 429:1 --fault drop:1
sync_once t1 && fail "sync --once succeeded on a 503"
grep -q "503" "$T/sync.err" || fail "the 503 is not reported: $(cat "$T/sync.err")"
sync_once t1 && fail "sync --once succeeded on a 429"
grep -q "429" "$T/sync.err" || fail "the 429 is not reported: $(cat "$T/sync.err")"
sync_once t1 && fail "sync --once succeeded with the reply lost"
[ "$(sim_q "SELECT count(*) FROM sim_documents")" = 1 ] ||
	fail "the gateway should hold the document whose reply was lost"
[ "$(fdocs t1 sent)" = 0 ] || fail "a document was marked signed without a reply"
sync_once t1 || fail "sync after the faults: $(cat "$T/sync.err")"
[ "$(fdocs t1 sent)" = 5 ] || fail "not every document was signed: $(fdocs t1 sent)"
[ "$(sim_q "SELECT count(*), count(DISTINCT id), min(receipt_seq), max(receipt_seq) FROM sim_documents")" = "5|5|1|5" ] ||
	fail "the gateway signed a document twice or skipped a number: $(sim_q "SELECT id, receipt_seq FROM sim_documents")"
[ "$(till_q t1 "SELECT count(*), count(DISTINCT json_extract(payload, '$.document')) FROM events WHERE type = 'fiscal.signed'")" = "5|5" ] ||
	fail "not one fiscal.signed event per document"
[ "$(till_q t1 "SELECT count(*) FROM fiscal_documents d JOIN events e ON e.seq = d.event_seq WHERE e.type = 'fiscal.signed'")" = 5 ] ||
	fail "a signed document names no event"
# The same again: nothing more is sent.
sync_once t1 || fail "a second sync"
[ "$(sim_q "SELECT count(*) FROM sim_documents")" = 5 ] || fail "a second sync sent again"

# The refund cites its sale's terminal, receipt number and sign.
sim_q "SELECT body FROM sim_documents WHERE kind = 'refund'" | python3 -c '
import json, sqlite3, sys
d = json.load(sys.stdin)
of = d["refund_of"]
db = sqlite3.connect(sys.argv[1])
t, n, s = db.execute("SELECT terminal_id, receipt_seq, fiscal_sign FROM fiscal_documents WHERE kind = '"'"'sale'"'"' AND ref_id = 3").fetchone()
assert (of["terminal_id"], of["receipt_seq"], of["fiscal_sign"]) == (t, n, s), (of, t, n, s)
' "$T/t1.db" || fail "the refund does not cite its sale"

# kassa sales --json: every sale and return has its reply, the same the gateway stored.
"$KASSA_BIN" -d "$T/t1.db" sales --json | python3 -c '
import json, sqlite3, sys
sim = sqlite3.connect(sys.argv[1])
replies = {json.loads(r)["fiscal_sign"]: json.loads(r) for (r,) in sim.execute("SELECT reply FROM sim_documents")}
d = json.load(sys.stdin)
assert [o["kind"] for o in d] == ["sale", "sale", "sale", "return"], d
for o in d:
    f = o["fiscal"]
    assert f is not None and replies[f["fiscal_sign"]] == f, o
    assert f["qr_url"].startswith("https://ofd.soliq.uz/check?t=" + f["terminal_id"] + "&r=%d&c=" % f["receipt_seq"]), f
' "$SIM_DB" || fail "kassa sales --json lacks the signs"

# A document the gateway refuses: kept, shown, not resent; --retry-rejected sends it again.
sell t1 "$B2"
till_q t1 "UPDATE fiscal_documents SET body = json_set(body, '$.lines[0].mxik', '123') WHERE state = 'pending'"
sync_once t1
[ "$(fdocs t1 rejected)" = 1 ] || fail "the bad document is not rejected"
"$KASSA_BIN" -d "$T/t1.db" -c "$T/t1.conf" status > "$T/st" || fail "status"
grep -q "fiscal rejected 1" "$T/st" || fail "status does not show the rejected document: $(cat "$T/st")"
grep -q "rejected *fiscal documents .*MXIK" "$T/st" || fail "status does not say why: $(cat "$T/st")"
sync_once t1
[ "$(sim_q "SELECT count(*) FROM sim_documents")" = 5 ] || fail "a rejected document was resent"
till_q t1 "UPDATE fiscal_documents SET body = json_set(body, '$.lines[0].mxik', '10710001001000000') WHERE state = 'rejected'"
"$KASSA_BIN" -d "$T/t1.db" -c "$T/t1.conf" sync --retry-rejected > "$T/out" 2>&1 || fail "retry-rejected: $(cat "$T/out")"
sync_once t1 || fail "sync after retry-rejected: $(cat "$T/sync.err")"
[ "$(fdocs t1 sent)" = 6 ] || fail "the fixed document was not signed"
[ "$(fdocs t1 rejected)" = 0 ] || fail "a document is still rejected"

# A sale on credit (nasiya): its amount is "other", apart from cash and card, and the gateway
# takes it.
printf 'login 1111\nmanager 9999\ncustomer-add Aziz 998901234567 100000\ncustomer 998901234567\nscan %s\npay credit 0\n' "$B2" |
    "$DRIVE" "$T/t1.db" > "$T/out" 2>&1 || fail "the credit sale: $(cat "$T/out")"
[ "$(till_q t1 "SELECT json_extract(body, '$.cash') || ' ' || json_extract(body, '$.card') || ' ' || json_extract(body, '$.other') FROM fiscal_documents WHERE kind = 'sale' ORDER BY id DESC LIMIT 1")" = \
    "0 0 $(till_q t1 "SELECT total FROM sales ORDER BY id DESC LIMIT 1")" ] ||
	fail "the credit tender is not 'other' in the document"
sync_once t1 || fail "sync of the credit sale: $(cat "$T/sync.err")"
[ "$(fdocs t1 sent)" = 7 ] || fail "the credit sale's document was not signed"

# journal verify checks every stored reply against its fiscal.signed event.
"$KASSA_BIN" -d "$T/t1.db" journal verify > "$T/out" 2>&1 || fail "journal verify: $(cat "$T/out")"
till_q t1 "UPDATE fiscal_documents SET fiscal_sign = 'forged' WHERE id = 2"
"$KASSA_BIN" -d "$T/t1.db" journal verify > "$T/out" 2>&1 && fail "journal verify missed a forged sign"
grep -q "fiscal document .*fiscal_documents.fiscal_sign is forged in the table but [0-9a-f]\{64\} by the events" "$T/out" ||
	fail "journal verify does not name the forged sign: $(cat "$T/out")"
echo "ok"
