#!/bin/sh
# hub-report: the hub's notifications on Telegram and its report across tills.
# A local fake of Telegram's Bot API (python http.server on loopback) answers the first
# sendMessage with 429 and parameters.retry_after = 1, the second with 502, then 200: each
# notification (a shift closed with its variance, a product out of stock, a big discount
# approved, a return without a receipt, then each till silent for longer than silent_after)
# arrives exactly once, in the store's language (ru), the 429's retry_after honoured; a config
# file others can read is refused. `kassa-hub report --json` and `--csv` (read by python's csv
# module) agree with both tills' `kassa sales --json`, per till and local day and for all tills.
. "$KASSA_TOP/tests/lib/sync.sh"
export TZ=Asia/Tashkent

cat > "$T/tg.py" <<'PY'
import http.server, json, os, sys, time
out, portfile, token = sys.argv[1], sys.argv[2], sys.argv[3]
state = {"n": 0}
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        state["n"] += 1
        n = state["n"]
        if self.path != "/bot%s/sendMessage" % token:
            code, ans = 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        elif n == 1:
            code, ans = 429, {"ok": False, "error_code": 429, "description":
                "Too Many Requests: retry after 1", "parameters": {"retry_after": 1}}
        elif n == 2:
            code, ans = 502, {"ok": False, "error_code": 502, "description": "Bad Gateway"}
        else:
            code, ans = 200, {"ok": True, "result": {"message_id": n, "text": body["text"]}}
        with open(out, "a") as f:
            f.write(json.dumps({"t": time.time(), "code": code, "body": body}) + "\n")
        data = json.dumps(ans).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
    def log_message(self, *a):
        pass
# Port 0: the kernel picks a free one (a port of our choosing may be another test's).
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
with open(portfile + ".tmp", "w") as f:
    f.write(str(s.server_address[1]))
os.rename(portfile + ".tmp", portfile)
s.serve_forever()
PY
python3 "$T/tg.py" "$T/tg.log" "$T/tg.port" "123:SECRET" &
TP=$!
trap 'kill $TP 2>/dev/null; hub_stop; rm -rf "$T"' EXIT INT TERM
wait_until 20 "the Telegram fake did not start" test -s "$T/tg.port"
TPORT=$(cat "$T/tg.port")

printf '[telegram]\ntoken = 123:SECRET\nchat_id = -100500\napi = http://127.0.0.1:%s/\nlanguage = ru\nsilent_after = 4s\n' \
    "$TPORT" > "$T/tg.conf"
chmod 644 "$T/tg.conf"
"$KASSA_HUB_BIN" --db "$HUB_DB" --telegram "$T/tg.conf" report > "$T/out" 2>&1 &&
	fail "a telegram config others can read was taken"
grep -q "chmod 600" "$T/out" || fail "the refusal does not say what to do: $(cat "$T/out")"
chmod 600 "$T/tg.conf"

till_new t1
till_new t2
echo 9999 | "$KASSA_BIN" -d "$T/t1.db" user add Boss --role manager > /dev/null || fail "manager"
hub_start --telegram "$T/tg.conf"
"$DRIVE" "$T/t1.db" > "$T/drive" 2>&1 <<EOF || { cat "$T/drive"; fail "t1's day"; }
login 1111
scan 2*$B1
pay cash 10000
scan $B2
manager 9999
discount-line 1 percent 25
pay card 0
login 9999
return-no-receipt $B2 1 100000
login 1111
scan 70*$B1
pay cash 0
login 9999
close 50000
EOF
printf 'login 1111\nscan 3*%s\npay card 0\n' "$B2" | "$DRIVE" "$T/t2.db" > /dev/null || fail "t2's sale"
sync_once t1 || fail "sync t1: $(cat "$T/sync.err")"
sync_once t2 || fail "sync t2: $(cat "$T/sync.err")"

# Four events worth a message, then a silence per till (silent_after = 4 s).
sent() { python3 -c '
import json, sys
print(sum(1 for l in open(sys.argv[1]) if json.loads(l)["code"] == 200))' "$T/tg.log" 2>/dev/null || echo 0; }
six_sent() { [ "$(sent)" -ge 6 ]; }
wait_until 40 "Telegram did not get six messages: $(cat "$T/tg.log" 2>/dev/null)" six_sent
sleep 3
python3 - "$T/tg.log" <<'PY' || fail "the Telegram messages"
import json, sys
log = [json.loads(l) for l in open(sys.argv[1])]
ok = [e for e in log if e["code"] == 200]
texts = [e["body"]["text"] for e in ok]
assert len(texts) == len(set(texts)) == 6, texts
assert all(e["body"]["chat_id"] == "-100500" for e in log), log
# 429 first, 502 second, and the retry after the 429 waited the second Telegram asked for.
assert [e["code"] for e in log[:2]] == [429, 502], log[:3]
assert log[1]["t"] - log[0]["t"] >= 0.95, (log[0]["t"], log[1]["t"])
# The message that met the 429 and the 502 was delivered once, in the end.
assert sum(1 for e in ok if e["body"]["text"] == log[0]["body"]["text"]) == 1
def one(word):
    m = [t for t in texts if word in t]
    assert len(m) == 1, (word, texts)
    return m[0]
z = one("смена 1 закрыта")
assert z.startswith("t1: ") and "расхождение" in z and "Boss" in z, z
assert "Возвраты: 6 000 сум" in z, z
one("закончился")
d = one("большую скидку")
assert "Boss" in d and "Cashier t1" in d, d
r = one("без чека")
assert "R1" in r and "6 000 сум" in r, r
s = [t for t in texts if "молчит" in t]
assert sorted(t.split(" ")[0] for t in s) == ["t1", "t2"], s
PY
[ "$(hub_q "SELECT count(*) FROM hub_telegram WHERE state <> 'sent'")" = 0 ] ||
	fail "a message is not marked sent: $(hub_q "SELECT * FROM hub_telegram")"
grep -q "SECRET" "$T/hub.log" && fail "the bot token is in the hub's log"

# The report across tills, against the tills' own sales.
"$KASSA_BIN" -d "$T/t1.db" sales --json > "$T/s1.json" || fail "t1 sales"
"$KASSA_BIN" -d "$T/t2.db" sales --json > "$T/s2.json" || fail "t2 sales"
"$KASSA_HUB_BIN" --db "$HUB_DB" report --json > "$T/rep.json" || fail "hub report --json"
"$KASSA_HUB_BIN" --db "$HUB_DB" report --csv > "$T/rep.csv" || fail "hub report --csv"
"$KASSA_HUB_BIN" --db "$HUB_DB" report > "$T/rep.txt" || fail "hub report"
grep -q "^t1 " "$T/rep.txt" || fail "the text report has no t1"
python3 - "$T/rep.json" "$T/rep.csv" "$T/s1.json" "$T/s2.json" <<'PY' || fail "the hub report"
import csv, json, sys
from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo
tz = ZoneInfo("Asia/Tashkent")
rep = json.load(open(sys.argv[1]))
rows = list(csv.DictReader(open(sys.argv[2], encoding="utf-8-sig", newline="")))
assert open(sys.argv[2], "rb").read(3) == b"\xef\xbb\xbf"
want = defaultdict(int)
for till, path in (("t1", sys.argv[3]), ("t2", sys.argv[4])):
    for s in json.load(open(path)):
        day = datetime.fromisoformat(s["completed_at"].replace("Z", "+00:00")).astimezone(tz).date().isoformat()
        for who in (till, "*"):
            if s["kind"] == "sale":
                want[(who, day, "sales", "total", "n")] += 1
                want[(who, day, "sales", "total", "amount")] += s["total"]
                for p in s["payments"]:
                    want[(who, day, "tender", p["method"], "amount")] += p["amount"]
                want[(who, day, "tender", "cash", "amount")] -= s["change"]
                for l in s["lines"]:
                    want[(who, day, "vat", "%d%%" % (l["vat_bp"] // 100), "amount")] += l["total"]
            else:
                k = "without receipt" if s["no_receipt"] else "with receipt"
                want[(who, day, "returns", k, "amount")] += s["total"]
                for p in s["payments"]:
                    want[(who, day, "tender", p["method"], "refunds")] += p["amount"]
                for l in s["lines"]:
                    want[(who, day, "vat", "%d%%" % (l["vat_bp"] // 100), "refunds")] += l["total"]
got = defaultdict(int)
for r in rep:
    if r["section"] in ("sales", "tender", "vat", "returns"):
        if r["section"] == "sales":
            got[(r["till"], r["day"], "sales", r["key"], "n")] += r["count"]
        if r["amount"]:
            got[(r["till"], r["day"], r["section"], r["key"], "amount")] += r["amount"]
        if r["refunds"]:
            got[(r["till"], r["day"], r["section"], r["key"], "refunds")] += r["refunds"]
want = {k: v for k, v in want.items() if v}
assert dict(got) == want, (dict(got), want)
assert any(r["section"] == "shift" and r["amount"] is not None for r in rep), rep
assert any(r["section"] == "cashier" and r["key"] == "Cashier t2" for r in rep), rep
assert len(rows) == len(rep), (len(rows), len(rep))
for r, j in zip(rows, rep):
    assert r["till"] == j["till"] and r["section"] == j["section"] and r["key"] == (j["key"] or ""), (r, j)
    if j["amount"] is not None:
        assert Decimal(r["amount"]) * 100 == j["amount"], (r, j)
PY
"$KASSA_HUB_BIN" --db "$HUB_DB" report --json --from 2000-01-01 --to 2000-01-02 > "$T/out" || fail "report --from --to"
[ "$(cat "$T/out")" = "[]" ] || fail "a range without sales is not empty: $(cat "$T/out")"
"$KASSA_HUB_BIN" --db "$HUB_DB" report --from 2026-1-1 > /dev/null 2>&1 && fail "a bad day was taken"
echo ok
